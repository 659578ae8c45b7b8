"""Question analysis: language, time cues (2023 plan vs five-year review), key terms, what is asked."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from reportqa.glossary import translate_terms
from reportqa.query import Query
from retrieval.lexical import _jieba
from retrieval.text import is_english, normalize

# Strong cues decide which part of the report a question is about; weak ones only lean.
_PLAN_STRONG = re.compile(r"今年|本年度|20\d\d年(?:的)?(?:目标|计划|预期|要|将|工作)|this year|(?:in|for) 20\d\d\b", re.I)
_REVIEW_STRONG = re.compile(
    r"过去五年|过去5年|五年来|5年来|近五年|这五年|本届政府|上届政府|以来|去年|过去几年|"
    r"past (?:five|5) years|last (?:five|5) years|since 20\d\d|previous government|so far", re.I,
)
_OVERALL_STRONG = re.compile(r"今后五年|未来五年|今后5年|未来5年|next (?:five|5) years|coming (?:five|5) years", re.I)
_PLAN_WEAK = re.compile(r"计划|目标|预期|预计|将|要|打算|力争|争取|拟|准备|target|goal|plan|will|expected|aim", re.I)
_REVIEW_WEAK = re.compile(r"累计|年均|已经|已|了|成功|实现|完成|取得|were|was|have been|has been|did|achieved|created|built\b", re.I)
_FIGURE_ASK = re.compile(
    r"多少|几|多大|多高|比重|比例|占比|百分之|增速|涨幅|增长|目标是|排名|第几|规模|how many|how much|what (?:is|was) the .*"
    r"(?:rate|growth|target|number|share|percentage|amount)|by how", re.I,
)
_LIST_ASK = re.compile(r"哪些|哪几|哪[一二三四五六七八九十两\d]+|有什么|包括|分别|which|what are|list", re.I)
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")

# Words that frame a question rather than carry its content.
FRAME_WORDS = frozenset(
    "商丘 商丘市 我市 全市 市里 市政府 政府 报告 工作报告 政府工作报告 今年 去年 明年 目标 计划 预期 预计 多少 哪些 什么 "
    "情况 方面 进展 内容 措施 举措 工作 成绩 成效 数量 数字 数据 问题 时候 多少钱 有关 相关 主要 具体 一共 总共 大概 "
    "要求 部分 期间 过去 五年 今后 未来 本届 年均 累计 增长 达到 实现 规划 建设 发展 情形 怎么样 咋样 怎样 如何 方面 "
    "重点 哪个 哪家 哪条 哪里 指标 水平 幅度 比重 比例 个数 名字 名称 哪项 啥 这个 那个 国家 地方".split()
)
_NOUN_FLAGS = ("n", "nz", "nt", "nr", "ns", "j", "vn", "eng", "l", "i")


@lru_cache(maxsize=4096)
def _content_words(text: str) -> tuple[str, ...]:
    import jieba.posseg

    _jieba()
    words = []
    for word, flag in jieba.posseg.cut(text):
        if len(word) >= 2 and flag.startswith(_NOUN_FLAGS) and word not in FRAME_WORDS and not word.isdigit():
            words.append(word)
    return tuple(dict.fromkeys(words))


def part_weights(text: str) -> tuple[dict[str, float], str | None]:
    """Retrieval weights by report part, and the part a clear time cue points at."""
    if _OVERALL_STRONG.search(text):
        return {"overall": 1.6, "plan": 0.9, "review": 0.6}, "overall"
    if _REVIEW_STRONG.search(text):
        return {"review": 1.6, "plan": 0.55, "overall": 0.7}, "review"
    if _PLAN_STRONG.search(text):
        return {"plan": 1.6, "review": 0.55, "overall": 0.9}, "plan"
    plan, review = bool(_PLAN_WEAK.search(text)), bool(_REVIEW_WEAK.search(text))
    if plan and not review:
        return {"plan": 1.2, "review": 0.9}, None
    if review and not plan:
        return {"review": 1.2, "plan": 0.9}, None
    return {}, None


def analyse(question: str, standalone: str, document_years: Sequence[int] = (),
            sources: Sequence[str] = ()) -> Query:
    """Turn a (rewritten) question into a Query for retrieval and answering."""
    text = normalize(standalone)
    english = is_english(text)
    years = tuple(int(y) for y in _YEAR.findall(text))
    weights, explicit = part_weights(text)
    if explicit is None and years and document_years and any(y in document_years for y in years):
        weights, explicit = {"plan": 1.6, "review": 0.55, "overall": 0.9}, "plan"
    if english:
        terms = tuple(translate_terms(text))
        lexical = " ".join((text, *terms))
    else:
        terms = _content_words(text)
        lexical = text
    return Query(
        original=question, standalone=standalone, text=text, language="en" if english else "zh",
        lexical_text=lexical, terms=terms, part_weights=weights, explicit_part=explicit, years=years,
        wants_figure=bool(_FIGURE_ASK.search(text)), wants_list=bool(_LIST_ASK.search(text)),
        sources=tuple(sources),
    )
