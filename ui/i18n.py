"""Chinese and English labels, and a registry that relabels components when the language toggles."""

from __future__ import annotations

from typing import Any

import gradio as gr

LANGS = ("zh", "en")
LABELS: dict[str, tuple[str, str]] = {
    "title": ("商丘市 2023 政府工作报告 · 问答助手", "Shangqiu 2023 Government Work Report · Q&A"),
    "title_many": ("政府工作报告 · 问答助手", "Government Work Reports · Q&A"),
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
        "未找到公开题集（evalsets/public/questions.jsonl）。",
        "Public set not found (evalsets/public/questions.jsonl).",
    ),
    "eval_chart": ("各类题目准确率", "Accuracy by kind"),
    "eval_table": ("逐题结果", "Every item"),
    "eval_downloads": ("下载结果（JSONL / CSV）", "Download results (JSONL / CSV)"),
    "cmp_title_md": ("### 对比两次评测", "### Compare two runs"),
    "cmp_a": ("评测 A（之前）", "Run A (before)"),
    "cmp_b": ("评测 B（之后）", "Run B (after)"),
    "cmp_run": ("对比", "Compare"),
    "cmp_refresh": ("刷新列表", "Refresh list"),
    "cmp_fixed": ("修复", "fixed"),
    "cmp_broken": ("变差", "broken"),
    "cmp_unchanged": ("不变", "unchanged"),
    "cmp_pick": ("请选择两次评测。", "Pick two runs."),
    "cmp_changes": ("变化的题目", "Items that changed"),
    "eval_need_file": ("请先上传题集文件。", "Upload a question set first."),
    "fig_search": ("搜索（数字、单位、句子或章节）", "Search (figure, unit, sentence or section)"),
    "fig_kind": ("类型", "Kind"),
    "report_pick": ("报告", "Report"),
    "report_all": ("全部报告（按问题中的地区自动选择）", "All reports (chosen by the region asked about)"),
    "fig_region": ("地区（报告）", "Region (report)"),
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
    "tab_rt": ("检索测试", "Retrieval test"),
    "rt_hint": (
        "输入问题（追问时可在下方填写之前的问题），查看检索到的段落、各项分数，以及作答或拒答的原因。",
        "Type a question (for a follow-up, the earlier questions below) to see the passages found, every "
        "score, and why the answer was given or refused.",
    ),
    "rt_history": (
        "之前的问题（可选，每行一个，用于追问）",
        "Earlier questions (optional, one per line, for follow-ups)",
    ),
    "rt_run": ("检索测试", "Run the test"),
    "rt_searched": ("实际检索的问题：{q}", "Question searched: {q}"),
    "rt_asked": ("原问题：{q}", "As asked: {q}"),
    "rt_reader_note": (
        "按融合分排序；阅读模型只读前 {n} 段。分数为 0 表示该路检索未召回此段。",
        "Ranked by the fused score; the reader reads the top {n} passages. A score of 0: that retriever did "
        "not return the passage.",
    ),
    "rt_rank": ("排名", "Rank"),
    "rt_passage": ("段落（阅读片段已标出）", "Passage (reader's span marked)"),
    "rt_fused": ("融合分", "Fused"),
    "rt_dense": ("向量分", "Dense"),
    "rt_lexical": ("词法分（BM25）", "Lexical (BM25)"),
    "rt_margin": ("阅读分（片段减无答案）", "Reader score (span − no answer)"),
    "rt_margin_detail": ("片段分 {s}，无答案分 {n}", "span score {s}, no-answer score {n}"),
    "rt_span": ("阅读片段", "Reader's span"),
    "rt_best": ("最佳片段", "best span"),
    "rt_not_read": ("未阅读", "not read"),
    "rt_no_span": ("无片段", "no span"),
    "rt_threshold": ("最佳片段概率 {p}，拒答阈值 {t}", "Best span probability {p}, refusal threshold {t}"),
    "rt_answered": ("作答", "Answered"),
    "rt_refused": ("拒答", "Refused"),
    "rt_reason": ("原因：", "Reason:"),
    "rt_answer": ("回答（与问答页相同）：", "Answer (as the chat gives it):"),
    # Staff corrections and the conversation log
    "verified": ("已人工核对", "Verified by staff"),
    "fb_down_only": ("只看“没帮助”", "Only “Not helpful”"),
    "fb_pick": ("选择一条“没帮助”的反馈来纠正", "Pick a “Not helpful” rating to correct"),
    "fb_comment": ("评论", "Comment"),
    "fb_answer": ("当时的回答", "Answer given"),
    "corr_head": ("记录正确答案", "Record the correct answer"),
    "corr_question": (
        "问题（相同或相近的问题都会用这条纠正作答）",
        "Question (the same and close questions get this)",
    ),
    "corr_answer": (
        "正确答案（其中的数字必须出现在依据原文中）",
        "Correct answer (its figures must be in the evidence)",
    ),
    "corr_evidence": (
        "依据原文：从报告中原样粘贴一句，或在下方选择段落",
        "Evidence: paste a sentence exactly as the report has it, or pick a passage below",
    ),
    "corr_find": ("在当前索引中查找段落（关键词）", "Find passages in the current index (words)"),
    "corr_find_button": ("查找", "Find"),
    "corr_passage": ("段落（选中后填入依据原文）", "Passage (picking one fills the evidence)"),
    "corr_save": ("保存纠正", "Save correction"),
    "corr_saved": (
        "已保存纠正 #{n}：相同或相近的问题将以“已人工核对”的答案回答。",
        "Correction #{n} saved: the same and close questions now get it, marked “Verified by staff”.",
    ),
    "corr_table": ("已记录的纠正", "Corrections"),
    "corr_retire_id": ("要停用的纠正编号", "Id of the correction to retire"),
    "corr_retire": ("停用", "Retire"),
    "corr_retired": ("已停用纠正 #{n}。", "Correction #{n} retired."),
    "corr_unknown": ("没有这一编号的纠正。", "There is no such correction."),
    "corr_export": ("导出为评测题集 (JSONL)", "Export as an evaluation set (JSONL)"),
    "corr_ok": ("使用中", "in use"),
    "corr_missing": (
        "原文已不在索引中，不会显示给用户",
        "its passage is no longer in the index: not shown to users",
    ),
    "corr_stale": (
        "{n} 条纠正的原文已不在当前索引中，不会显示给用户，请核对。",
        "{n} correction(s) rest on text no longer in the index and are not shown to users: please review.",
    ),
    "tab_log": ("对话记录", "Conversations"),
    "log_refused": ("只看拒答", "Refused only"),
    "log_down": ("只看“没帮助”", "“Not helpful” only"),
    "log_refresh": ("刷新", "Refresh"),
    "log_export": ("导出 CSV 和 JSONL", "Export CSV and JSONL"),
    "log_table": ("对话记录", "Conversation turns"),
    "log_summary": (
        "显示 {n} 条，每条保留 {days} 天（不记录 IP 地址）",
        "{n} shown; each kept {days} days (no IP addresses)",
    ),
    "log_off": (
        "对话记录已关闭（REPORTQA_CONVERSATION_LOG=false）。",
        "The conversation log is off (REPORTQA_CONVERSATION_LOG=false).",
    ),
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
