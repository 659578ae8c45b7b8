"""Chinese and English labels, and a registry that relabels components when the language toggles."""

from __future__ import annotations

from typing import Any

import gradio as gr

LANGS = ("zh", "en")
LABELS: dict[str, tuple[str, str]] = {
    "title": ("商丘市 2023 政府工作报告 · 问答助手", "Shangqiu 2023 Government Work Report · Q&A"),
    "subtitle": (
        "只依据报告原文作答，每个回答都附出处；报告没有写的，助手会直说。",
        "Answers come only from the report, each with its source; if the report is silent, it says so.",
    ),
    "tab_chat": ("问答", "Chat"),
    "tab_check": ("事实核查", "Fact check"),
    "tab_eval": ("准确率测试", "Evaluation"),
    "tab_figures": ("数据一览", "Figures"),
    "tab_staff": ("管理", "Staff"),
    "question": ("你的问题", "Your question"),
    "question_hint": ("例如：计划建成多少套人才公寓？", "e.g. How many talent apartments will be built?"),
    "send": ("提问", "Ask"),
    "clear": ("清空对话", "Clear conversation"),
    "examples": ("示例问题（点击即问）", "Example questions (click to ask)"),
    "comment": (
        "评论（可选，点“有帮助/没帮助”时一并提交）",
        "Comment (optional, sent with Helpful / Not helpful)",
    ),
    "report": ("报告原文", "Report text"),
    "report_hint": (
        "点击回答下方的引用，在此查看原文位置。",
        "Click a citation under an answer to see it in the report.",
    ),
    "empty_chat": ("请在下方输入问题，或点击示例问题。", "Type a question below, or click an example."),
    "searched": ("已按“{q}”检索", "Searched for “{q}”"),
    "thinking": ("正在检索报告…", "Searching the report…"),
    "sources": ("出处", "Sources"),
    "abstained": ("报告中没有找到答案", "Not answered by the report"),
    "helpful": ("有帮助", "Helpful"),
    "unhelpful": ("没帮助", "Not helpful"),
    "thanks": ("已记录反馈，谢谢！", "Feedback recorded, thank you!"),
    "claims": ("待核查的说法（每行一条）", "Claims to check (one per line)"),
    "claims_hint": (
        "例如：2023年商丘生产总值增长目标是8%。",
        "e.g. Shangqiu's 2023 GDP growth target is 8%.",
    ),
    "check": ("核查", "Check"),
    "claim": ("说法", "Claim"),
    "verdict": ("结论", "Verdict"),
    "evidence": ("报告原文", "Report says"),
    "figures_cmp": ("数字对比", "Figures"),
    "claimed": ("说法", "claimed"),
    "in_report": ("报告", "report"),
    "supported": ("符合报告", "Supported"),
    "contradicted": ("与报告不符", "Contradicted"),
    "not_found": ("报告未提及", "Not found"),
    "eval_file": (
        "上传题集（JSONL 或 CSV: question,expected）",
        "Upload a question set (JSONL or CSV: question,expected)",
    ),
    "eval_run": ("运行上传的题集", "Run uploaded set"),
    "eval_public": ("一键运行公开题集", "Run the public set"),
    "eval_no_llm": (
        "未配置大模型（REPORTQA_LLM_BASE_URL），只能用原文摘录模式。",
        "No LLM is configured (REPORTQA_LLM_BASE_URL); only the extractive mode is available.",
    ),
    "eval_missing": (
        "未找到公开题集（../shared/eval/questions.jsonl）。",
        "Public set not found (../shared/eval/questions.jsonl).",
    ),
    "eval_chart": ("各类题目准确率", "Accuracy by kind"),
    "eval_table": ("逐题结果", "Every item"),
    "eval_downloads": ("下载结果（JSONL / CSV）", "Download results (JSONL / CSV)"),
    "eval_need_file": ("请先上传题集文件。", "Upload a question set first."),
    "fig_search": ("搜索（数字、单位、句子或章节）", "Search (figure, unit, sentence or section)"),
    "fig_kind": ("类型", "Kind"),
    "fig_table": (
        "报告中的全部数字（点击一行查看原文）",
        "Every figure in the report (click a row to see it)",
    ),
    "kind_all": ("全部", "All"),
    "target": ("2023 年目标", "2023 target"),
    "achievement": ("过去成就", "Past achievement"),
    "other": ("其他", "Other"),
    "staff_user": ("用户名", "User name"),
    "staff_password": ("密码", "Password"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "staff_off": (
        "管理功能未开启：请设置环境变量 REPORTQA_STAFF_USER 和 REPORTQA_STAFF_PASSWORD。",
        "Staff features are off: set REPORTQA_STAFF_USER and REPORTQA_STAFF_PASSWORD.",
    ),
    "claims_too_long": (
        "输入太长，请每次最多核查 {n} 条、每条一句。",
        "Too much text: check at most {n} claims at a time, one sentence each.",
    ),
    "failed": (
        "抱歉，这次没有成功，请稍后再试。问题已记录。",
        "Sorry, that did not work; please try again later. The problem has been logged.",
    ),
    "too_slow": (
        "抱歉，回答用时太长，已停止。请换个更简短的问法再试。",
        "Sorry, answering took too long and was stopped. Please try a shorter question.",
    ),
    "login_failed": ("用户名或密码不正确。", "Wrong user name or password."),
    "login_needed": ("请先以管理员身份登录。", "Log in as staff first."),
    "kb_docs": ("文档", "Documents"),
    "kb_upload": ("添加文档（.txt .md .pdf .docx，≤10 MB）", "Add a document (.txt .md .pdf .docx, ≤10 MB)"),
    "kb_title": ("标题（可选）", "Title (optional)"),
    "kb_city": ("城市（可选）", "City (optional)"),
    "kb_year": ("年份（可选）", "Year (optional)"),
    "kb_add": ("添加并重建索引", "Add and rebuild"),
    "kb_remove_pick": ("要删除的文档", "Document to remove"),
    "kb_remove": ("删除并重建索引", "Remove and rebuild"),
    "kb_rebuild": ("强制重建索引", "Rebuild index"),
    "kb_search": ("搜索段落", "Search passages"),
    "kb_passages": ("段落", "Passages"),
    "fb_table": ("用户反馈", "Feedback"),
    "fb_refresh": ("刷新", "Refresh"),
    "fb_export": ("导出 CSV 和 JSONL", "Export CSV and JSONL"),
    "tab_kb": ("知识库", "Knowledge"),
    "tab_fb": ("反馈", "Feedback"),
    "bad_text": (
        "文本含有无效字符（不成对的 UTF-16 代理项），请删除后重试。",
        "The text contains an invalid character (a lone UTF-16 surrogate); remove it and try again.",
    ),
    "upload_too_big": ("一次上传最多 {mb} MB。", "One upload may carry at most {mb} MB."),
    "upload_full": (
        "上传空间暂时已满，请稍后再试。",
        "Upload space is full for now; please try again later.",
    ),
    "login_locked": ("登录失败次数过多，请 {s} 秒后再试。", "Too many failed logins; try again in {s} s."),
    "unknown_host": ("本服务不接受这个主机名。", "This server does not answer to that host name."),
    "foreign_origin": ("不接受来自其他网站页面的请求。", "Requests from other sites' pages are refused."),
}


def t(key: str, lang: str = "zh", **values: Any) -> str:
    """The label in the language (Chinese when unknown), with {placeholders} filled."""
    zh, en = LABELS[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def both(key: str, **values: Any) -> str:
    """Chinese, then English in brackets: for messages whose reader's language is unknown (HTTP, API)."""
    return f"{t(key, 'zh', **values)} ({t(key, 'en', **values)})"


class Translator:
    """Remembers which component property shows which label, to relabel them all on a toggle."""

    def __init__(self) -> None:
        self.entries: list[tuple[gr.components.Component | gr.blocks.Block, dict[str, str]]] = []

    def add(self, component, **props: str):
        """Register `component` (props map a property such as label/value/placeholder to a label key)."""
        self.entries.append((component, props))
        return component

    @property
    def components(self) -> list:
        return [c for c, _ in self.entries]

    def updates(self, lang: str) -> list:
        """One gr.update per registered component, in the language."""
        return [gr.update(**{prop: t(key, lang) for prop, key in props.items()}) for _, props in self.entries]
