"""Question analysis: language, colloquial wording, time cues (this year's plan vs the review), years."""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportqa.glossary import translate_terms
from reportqa.query import Query
from retrieval.text import is_english, normalize

# Strong cues decide which part of the report a question is about; weak ones only lean.
_PLAN_STRONG = re.compile(
    r"今年|本年度|20\d\d年(?:的)?(?:目标|计划|预期|要|将|工作)|this year|(?:in|for) 20\d\d\b", re.I
)
_REVIEW_STRONG = re.compile(
    r"这几年|这些年|近几年|过去五年|过去5年|五年来|5年来|近五年|这五年|本届政府|上届政府|以来|去年|过去几年|"
    r"past (?:five|5) years|last (?:five|5) years|since 20\d\d|previous government|so far",
    re.I,
)
_OVERALL_STRONG = re.compile(
    r"今后五年|未来五年|今后5年|未来5年|next (?:five|5) years|coming (?:five|5) years", re.I
)
_PLAN_WEAK = re.compile(
    r"计划|目标|预期|预计|将|要|打算|力争|争取|拟|准备|target|goal|plan|will|expected|aim", re.I
)
_REVIEW_WEAK = re.compile(
    r"累计|年均|已经|已|了|成功|实现|完成|取得|were|was|have been|has been|did|achieved|created|built\b", re.I
)
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")

# Budget and trade words that jieba tags as verbs but that name what is asked about ("一般公共预算支出总额"):
# without them "支出" was no term and "一般公共预算收入增长6%" answered a question about spending.
NOMINAL_VERBS = frozenset(
    ["支出", "预算", "投资", "消费", "出口", "进口", "融资", "贷款", "存款", "税收", "营收"]
)


# Colloquial phrasings rewritten into the report's register before analysis (咋样 → 怎么样, 盖 → 建成).
COLLOQUIAL: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"咋样|咋回事", "怎么样"),
        (r"啥", "什么"),
        (r"咋", "怎么"),
        (r"老百姓|百姓|群众们", "居民"),
        (r"兜里的钱|手里的钱|口袋里的钱|挣的钱|收入的钱", "可支配收入"),
        (r"(?<![建成覆涵掩遮])盖(?:了|好)?(?![章子])", "建成"),  # 盖房, not 覆盖率 or 盖章
        (r"规上", "规模以上"),
        (r"涨了|涨(?!幅)", "增长"),  # 涨幅 is the report's own word
        (r"一年能", "年均"),
        (r"娃|孩子们?|小孩", ""),
        (r"搞得|弄得|干得", ""),
        (r"完事儿?了没|完成了没|弄完了没", "完成"),
        (r"啊|呀|哈|嘛|哦|呗|咱们?", ""),
    )
)


def formalise(text: str) -> str:
    """Colloquial Chinese in the report's own register, for matching (the user's wording is kept for display)."""
    for pattern, replacement in COLLOQUIAL:
        text = pattern.sub(replacement, text)
    return text


_MARKUP = re.compile(r"<[^>]{0,200}>|!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)|https?://\S+|[*_`#>~|]")


def strip_markup(text: str) -> str:
    """HTML tags, markdown images/links and URLs removed: pasted markup is not what is asked."""
    return re.sub(r"\s+", " ", _MARKUP.sub(lambda m: m.group(1) or " ", text)).strip()


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
        return {"plan": 1.1, "review": 0.95}, None
    if review and not plan:
        return {"review": 1.1, "plan": 0.95}, None
    return {}, None


def analyse(
    question: str, standalone: str, document_years: Sequence[int] = (), sources: Sequence[str] = ()
) -> Query:
    """Turn a (rewritten) question into a Query for retrieval and answering."""
    text = strip_markup(normalize(standalone)) or normalize(standalone)
    english = is_english(text)
    if not english:
        text = formalise(text)
    years = tuple(int(y) for y in _YEAR.findall(text))
    weights, explicit = part_weights(text)
    if explicit is None and years and document_years:
        if any(y in document_years for y in years):  # the report's own year: its plan
            weights = {"plan": 1.6, "review": 0.55, "overall": 0.9}
        elif any(y + 1 in document_years for y in years):  # the year before a report: what it reviews
            weights = {"review": 1.6, "plan": 0.55, "overall": 0.7}
    # English questions find Chinese passages by their meaning (dense) and by glossary terms (lexical).
    lexical = " ".join((text, *translate_terms(text))) if english else text
    return Query(
        original=question,
        standalone=standalone,
        text=text,
        language="en" if english else "zh",
        lexical_text=lexical,
        part_weights=weights,
        years=years,
        sources=tuple(sources),
    )
