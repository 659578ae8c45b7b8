"""Question analysis: language, time cues (2023 plan vs five-year review), key terms, what is asked."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from reportqa.followup import refers_back
from reportqa.glossary import translate_terms
from reportqa.query import Query
from retrieval.lexical import _jieba
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
_FIGURE_ASK = re.compile(
    r"多少|几|多大|多高|比重|比例|占比|百分之|增速|涨幅|增长|排名|第几|规模|how many|how much|what (?:is|was) the .*"
    r"(?:rate|growth|target|number|share|percentage|amount)|by how",
    re.I,
)
_LIST_ASK = re.compile(r"哪些|哪几|哪[一二三四五六七八九十两\d]+|有什么|包括|分别|which|what are|list", re.I)
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")

# Words that frame a question rather than carry its content.
FRAME_WORDS = frozenset(
    [
        "商丘",
        "商丘市",
        "我市",
        "全市",
        "市里",
        "市政府",
        "政府",
        "报告",
        "工作报告",
        "政府工作报告",
        "今年",
        "去年",
        "明年",
        "目标",
        "计划",
        "预期",
        "预计",
        "多少",
        "哪些",
        "什么",
        "情况",
        "方面",
        "进展",
        "内容",
        "措施",
        "举措",
        # words that only name the kind of answer ("哪些引才方式", "起什么作用")
        "方式",
        "途径",
        "办法",
        "作用",
        "领域",
        "工作",
        "成绩",
        "成效",
        "数量",
        "数字",
        "数据",
        "问题",
        "时候",
        "多少钱",
        "有关",
        "相关",
        "主要",
        "具体",
        "一共",
        "总共",
        "大概",
        "要求",
        "部分",
        "期间",
        "过去",
        "五年",
        "今后",
        "未来",
        "本届",
        "年均",
        "累计",
        "增长",
        "达到",
        "实现",
        "规划",
        "建设",
        "发展",
        "情形",
        "怎么样",
        "咋样",
        "怎样",
        "如何",
        "方面",
        "重点",
        "哪个",
        "哪家",
        "哪条",
        "哪里",
        "指标",
        "水平",
        "幅度",
        "比重",
        "比例",
        "个数",
        "名字",
        "名称",
        "哪项",
        "啥",
        "这个",
        "那个",
        "国家",
        "地方",
        "百分之",
        "百分比",
        "哪几个",
        "哪几种",
        "哪几句",
        "哪几项",
        "哪几家",
        "哪几",
        "事儿",
        "那些",
        "完事",
        "完事儿",
        "咱们",
        "大家",
        "东西",
        "事情",
        "总体",
        "部署",
        "兜里",
    ]
)
_NOUN_FLAGS = ("n", "nz", "nt", "nr", "ns", "j", "vn", "eng", "l", "i")
# Budget and trade words that jieba tags as verbs but that name what is asked about ("一般公共预算支出总额"):
# without them "支出" was no term and "一般公共预算收入增长6%" answered a question about spending.
NOMINAL_VERBS = frozenset(
    ["支出", "预算", "投资", "消费", "出口", "进口", "融资", "贷款", "存款", "税收", "营收"]
)


_ANSWER_TYPE = re.compile(
    r"(?:哪些|哪个|哪几[个种类项条家所大]?|哪[一二三四五六七八九十两\d]*[个家所条座项位处类种]?|什么|几个|几家|几所|多少个)$"
)


_FUNCTION_FLAGS = ("r", "p", "u", "c", "y", "d", "m", "q", "x", "e", "o", "f")
_FUNCTION_CHARS = frozenset("的了是在有要和与及或那这其把被将从对为以于就都也还又再呢吗啊呀么")


def _is_loose(char: str, flag: str) -> bool:
    """A CJK character standing alone that may be part of a word jieba does not know."""
    return (
        "\u4e00" <= char <= "\u9fff" and char not in _FUNCTION_CHARS and not flag.startswith(_FUNCTION_FLAGS)
    )


@lru_cache(maxsize=4096)
def _content_words(text: str) -> tuple[str, ...]:
    """Nouns that carry the question's content; the word right after 哪些/什么 names the answer type, not content."""
    import jieba.posseg

    _jieba()
    words = []
    before = ""
    in_type = (
        False  # the noun run right after 哪些/什么 names the answer type ("哪几种政治能力"), not content
    )
    loose = ""  # single characters jieba could not place ("瞪", "羚"): an unknown word before a noun
    for word, flag in jieba.posseg.cut(text):
        in_type = bool(_ANSWER_TYPE.search(before)) or in_type and flag.startswith(("n", "vn"))
        before += word
        if in_type:
            loose = ""
            continue
        if len(word) == 1 and _is_loose(word, flag):
            loose += word
            continue
        if len(loose) >= 2 and len(word) >= 2 and flag.startswith(("n", "vn")):
            word = loose + word  # "瞪羚企业", not just "企业"
        loose = ""
        nominal = flag.startswith(_NOUN_FLAGS) or word in NOMINAL_VERBS
        if len(word) >= 2 and nominal and word not in FRAME_WORDS and not word.isdigit():
            words.append(word)
    return tuple(dict.fromkeys(words))


_FRAME_PATTERN = re.compile(
    "|".join(
        sorted(
            (
                re.escape(w)
                for w in FRAME_WORDS | {"有什么", "是什么", "是多少", "有多少", "多少", "什么", "哪些"}
                if w not in ("增长", "年均", "累计", "目标", "计划", "建设", "发展", "国家", "规划")
            ),
            key=len,
            reverse=True,
        )
    )
)


# Colloquial or abbreviated words and the report's own wording for them.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "规上": ("规模以上",),
    "高校": ("大学", "高等院校"),
    "社保": ("社保", "社会保险", "养老保险", "医疗保险"),
    "GDP": ("生产总值",),
    "CPI": ("居民消费价格指数", "居民消费价格"),
    "cpi": ("居民消费价格指数", "居民消费价格"),
    "gdp": ("生产总值",),
    "老百姓": ("居民", "群众"),
    "百姓": ("居民", "群众"),
    "困难户": ("困难群众", "低收入"),
    "增幅": ("增长", "涨幅"),
    "增速": ("增长",),
    "娃": ("子女", "学生"),
    "孩子": ("子女", "学生"),
    "上学": ("入学", "学位"),
    "盖": ("建",),
    "修": ("建",),
    "钱": ("收入",),
    "收入": ("收入",),
    "工作岗位": ("就业",),
    "找工作": ("就业",),
    "快递": ("快速",),
    "高速公路": ("高速",),
    "大学生": ("人才",),
    "学校": ("学校", "中小学校"),
}
_MEASURE_SUFFIX = re.compile(r"(?<=..)(?:容量|规模|数量|总量|总数|情况|水平|多少)$")
_ADMIN_SUFFIX = re.compile(r"(?<=..)(?:县|市|区|省)$")


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


def term_variants(term: str) -> tuple[str, ...]:
    """A key term and the forms in which a report may write it."""
    variants = [term, *SYNONYMS.get(term, ())]
    if _ADMIN_SUFFIX.search(term):
        variants.append(_ADMIN_SUFFIX.sub("", term))
    if _MEASURE_SUFFIX.search(term):  # 装机容量 → 装机: the measure word only names the kind of figure
        variants.append(_MEASURE_SUFFIX.sub("", term))
    return tuple(dict.fromkeys(variants))


def strip_frame_words(text: str) -> str:
    """The question without its framing words (方面, 情况, 进展, 多少…), for content matching."""
    return _FRAME_PATTERN.sub(" ", text)


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
    if explicit is None and years and document_years and any(y in document_years for y in years):
        weights, explicit = {"plan": 1.6, "review": 0.55, "overall": 0.9}, "plan"
    if english:
        terms = tuple(translate_terms(text))
        lexical = " ".join((text, *terms))
    else:
        terms = _content_words(text)
        lexical = text
    return Query(
        original=question,
        standalone=standalone,
        text=text,
        language="en" if english else "zh",
        lexical_text=lexical,
        terms=terms,
        part_weights=weights,
        explicit_part=explicit,
        years=years,
        wants_figure=bool(_FIGURE_ASK.search(text)),
        wants_list=bool(_LIST_ASK.search(text)),
        sources=tuple(sources),
        focus=_content_words(formalise(normalize(question)))
        if standalone != question and not english and not refers_back(question)
        else (),
    )
