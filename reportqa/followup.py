"""Rule-based rewriting of elliptical follow-ups ("那医疗保险呢？") into standalone questions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from retrieval.figures import UNITS
from retrieval.regions import PROVINCES
from retrieval.text import normalize

_LEAD = re.compile(
    r"^(?:那么|那|还有|另外|以及|再问一下|再问|请问|and\s+|what about\s+|how about\s+)", re.IGNORECASE
)
_TAIL = re.compile(r"(?:的情况|情况|怎么样|如何|又是多少|是多少|呢|吗|呀|啊|？|\?|。|！|!|\s)+$")
_ASK = re.compile(
    r"多少|几|哪|什么|谁|何时|怎么|如何|是否|吗|how|what|which|who|when|where|why", re.IGNORECASE
)
_PRONOUN = re.compile(r"它们|它|其|这些|这个|那个|该项|此项|这项|上述")
# Words at which a question's predicate begins: the topic is what comes before.
_PREDICATE = re.compile(
    r"(?:是|要|将|有|达到|达|增长|提高|提升|较|比|新增|预期|计划|目标|控制|占|累计|年均|实施|开展|推进|建成|完成|多少|几|哪|什么)"
)
_ASK_PART = re.compile(r"(?:是|有|要|达到|达)?(?:多少|几)[个家所套人项处座条亿万元%]*|哪些|哪个|什么")
# Time and place qualifiers a follow-up inherits from the earlier question ("河南2024年…" → "那城镇新增就业呢？").
_PLACES = "|".join(
    sorted(
        {re.escape(n) for r in PROVINCES for n in (r.name, r.short)} | {"商丘市?"},
        key=len,
        reverse=True,
    )
)
_QUALIFIER = re.compile(
    rf"^(?:20\d\d年|今年|去年|明年|过去五年|五年来|本届政府(?:期间)?|今后五年|{_PLACES}|全省|全市|全区|的)+"
)


def refers_back(question: str) -> bool:
    """The question names its subject with a pronoun ("它们的总投资"): its own words ask about that subject,
    they are not a new one."""
    return bool(_PRONOUN.search(normalize(question)))


def is_followup(question: str, history: Sequence[str]) -> bool:
    """A follow-up leans on the previous turn: starts with 那/还有, ends with 呢, or is a bare fragment."""
    if not history:
        return False
    q = normalize(question)
    if _LEAD.match(q) or re.search(r"呢[？?]?$", q) or _PRONOUN.search(q):
        return True
    return len(_TAIL.sub("", q)) <= 8 and not _ASK.search(q)


def _fragment(question: str) -> str:
    q = _LEAD.sub("", normalize(question))
    return _TAIL.sub("", q).strip(" ，,")


@lru_cache(maxsize=1)
def _posseg():
    from retrieval.lexical import _jieba

    _jieba()
    import jieba.posseg

    return jieba.posseg


def _has_verb(text: str) -> bool:
    """A verb before the head noun ("累计完成的电网投资"); a final 'verb' is usually nominal (收入, 投资), and so
    are budget words anywhere ("一般公共预算收入")."""
    from reportqa.analysis import NOMINAL_VERBS

    words = list(_posseg().cut(text))
    return any(f == "v" and len(w) >= 2 and w not in NOMINAL_VERBS for w, f in words[:-1])


def _spans(text: str) -> list[tuple[int, int, str, str]]:
    spans, pos = [], 0
    for word, flag in _posseg().cut(text):
        spans.append((pos, pos + len(word), word, flag))
        pos += len(word)
    return spans


def _replace_topic(previous: str, fragment: str) -> str:
    """Put the fragment in place of the previous question's matching noun phrase (or its topic)."""
    qualifier = _QUALIFIER.match(previous)
    if _QUALIFIER.fullmatch(fragment):  # "过去五年呢？": same question, another period
        return fragment + previous[qualifier.end() if qualifier else 0 :]
    head = qualifier.end() if qualifier else 0
    predicate = _PREDICATE.search(previous, head)
    topic = previous[head : predicate.start()] if predicate else ""
    # 1) the fragment names the same kind of thing as the whole topic (…企业 ~ …企业, 处理率 ~ 城镇化率)
    if predicate and len(topic) >= 2 and topic[-1] == fragment[-1] and not topic.endswith(fragment):
        return previous[:head] + fragment + previous[predicate.start() :]
    if _has_verb(
        fragment
    ):  # "累计完成的电网投资": a topic of its own; keep the question and its time and place
        ask = re.search(r"(?:是|有|要)?(?:多少|几)|哪些|什么", previous)
        return previous[:head] + fragment + (ask.group(0) if ask else "是多少")
    # the object after the question word is the topic: "新建了多少所中小学校" + "幼儿园" → "…多少所幼儿园"
    obj = re.search(r"(?:多少|几)[个家所套座条项处位名户]?([\u4e00-\u9fff]{2,})$", previous)
    if obj and not re.fullmatch(rf"(?:万|亿)?(?:{UNITS})+", obj.group(1)):
        return previous[: obj.start(1)] + fragment
    spans = _spans(previous)
    tail = fragment[-2:]
    # 1) a word ending like the fragment (养老保险 ~ 医疗保险), with the nouns before it
    for i, (_start, end, word, _flag) in enumerate(spans):
        if len(word) >= 2 and word.endswith(tail):
            j = i
            while (
                j > 0
                and (
                    spans[j - 1][3].startswith("n")
                    or len(spans[j - 1][2]) == 1
                    and spans[j - 1][3] in ("zg", "ng", "j")
                )
                and not _QUALIFIER.fullmatch(spans[j - 1][2])
            ):
                j -= 1
            return previous[: spans[j][0]] + fragment + previous[end:]
    # 2) a sibling word of the same shape (供水 ~ 供暖, 工业 ~ 农业)
    for start, end, word, _flag in spans:
        if (
            len(word) == len(fragment)
            and (word[0] == fragment[0] or word[-1] == fragment[-1])
            and word != fragment
        ):
            return previous[:start] + fragment + previous[end:]
    # 3) the longest noun phrase that is not a time qualifier (…中小学校 → …幼儿园)
    phrases, run = [], []
    for span in spans:
        if (
            span[3].startswith(("n", "vn", "j"))
            and not _QUALIFIER.fullmatch(span[2])
            and span[2] not in ("商丘", "商丘市")
        ):
            run.append(span)
        elif run:
            phrases.append(run)
            run = []
    if run:
        phrases.append(run)
    phrases = [
        r[: max(i for i, s in enumerate(r) if s[3] != "vn") + 1]
        for r in phrases
        if any(s[3] != "vn" for s in r)
    ]
    if phrases:
        best = max(reversed(phrases), key=lambda r: r[-1][1] - r[0][0])
        return previous[: best[0][0]] + fragment + previous[best[-1][1] :]
    return previous[:head] + fragment + "，" + previous[head:]


def rewrite_followup(question: str, history: Sequence[str]) -> str:
    """The standalone form of `question` given the earlier user turns (oldest first)."""
    standalone_history: list[str] = []
    for turn in history:
        standalone_history.append(_rewrite_one(turn, standalone_history))
    return _rewrite_one(question, standalone_history)


_EN_LEAD = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(?:the\s+)?|^\s*and\s+(?:the\s+)?", re.I)


def _rewrite_english(question: str, previous: str) -> str:
    """'What about medical insurance?' after '…pension insurance?' → '…medical insurance?'."""
    fragment = _EN_LEAD.sub("", question).strip(" ?？.")
    last = fragment.split()[-1].lower() if fragment.split() else ""
    words = previous.rstrip(" ?？.").split()
    for i, word in enumerate(words):
        if word.lower().strip(",.") == last:
            start = i
            while start > 0 and words[start - 1].lower() not in {
                "of",
                "for",
                "in",
                "the",
                "have",
                "has",
                "did",
                "does",
                "do",
                "are",
                "is",
                "was",
                "were",
                "by",
                "many",
                "much",
            }:
                start -= 1
            return " ".join(words[:start] + fragment.split() + words[i + 1 :]) + "?"
    return f"{previous.rstrip(' ?？.')} — {fragment}?"


def _rewrite_one(question: str, history: Sequence[str]) -> str:
    if not is_followup(question, history):
        return question.strip()
    from retrieval.text import is_english

    if is_english(question) and is_english(history[-1]):
        return _rewrite_english(question, history[-1])
    previous = normalize(history[-1]).rstrip("？?。！! ")
    fragment = _fragment(question)
    if not fragment:
        return history[-1]
    if _PRONOUN.search(question):
        # "它" is the previous question's subject: what comes before its period and its predicate
        # ("2023年一般公共预算收入预期增长多少" → "一般公共预算收入")
        period = _QUALIFIER.match(previous)
        head = period.end() if period else 0
        predicate = _PREDICATE.search(previous, head)
        subject = previous[head : predicate.start()] if predicate else ""
        topic = subject if len(subject) >= 2 else _ASK_PART.sub("", previous).rstrip("的，, ") or previous
        own = _LEAD.sub("", normalize(question)).rstrip("？?。 ")
        return _PRONOUN.sub(topic, own, count=1) + "？"
    period = _QUALIFIER.match(fragment)
    if period and _ASK.search(fragment):  # "那2022年有多少？": the same question for another period
        old_period = _QUALIFIER.match(previous)
        return period.group(0) + previous[old_period.end() if old_period else 0 :] + "？"
    if _ASK.search(fragment):  # "那2022年有多少？" keeps its own question word
        return f"{fragment}（{previous}）？" if len(fragment) <= 6 else fragment + "？"
    return _replace_topic(previous, fragment) + "？"
