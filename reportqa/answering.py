"""Extractive answers: the clause that answers, a short lead-in, [n] markers; abstain when the report is silent."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from reportqa.analysis import term_variants
from reportqa.clauses import Clause, resolve_respectively
from reportqa.evidence import (
    ENUMERATION,
    TIME,
    WHEN,
    Candidate,
    ClauseScorer,
    CorpusStats,
    asked_unit,
    question_bigrams,
)
from reportqa.glossary import phrase_at, term_groups, translate_terms
from reportqa.grounding import GroundingError, check_grounding
from reportqa.models import Answer, Citation
from reportqa.query import Query
from retrieval.chunking import Chunk
from retrieval.figures import chinese_to_number, find_figures
from retrieval.hybrid import Hit
from retrieval.text import squash

log = logging.getLogger(__name__)
LEAD_ZH = {
    "plan": "按今年的工作安排，",
    "review": "据本届政府工作回顾，",
    "overall": "据报告提出的今后总体要求，",
}
LEAD_EN = {
    "plan": "According to the report's plan for this year: ",
    "review": "According to the report's review of the government's past term: ",
    "overall": "According to the report's goals for the next five years: ",
}
WHERE = re.compile(r"在哪里|在哪儿|在哪|哪里|什么地方|where", re.I)
PLACE = re.compile(r"(?:区|县|镇|乡|村|路|街|片区|园区|小区|地块)(?!场)")
# What may follow the asked thing in an answering clause: a figure, a verb of change or a list mark.
HEAD_FOLLOWERS = frozenset(
    "0123456789一二两三四五六七八九十达增提突为是共累新实超居约保控分、，和与及占由较年均比首已涨降减下上“：:"
)


def _about_another(query: Query, clause: str) -> bool:
    """The clause gives the figure of another thing of the asked kind: "国家高新技术企业达到240家" for 瞪羚企业."""
    here = squash(clause)
    for term in query.focus or query.terms:
        kind = squash(term)[-2:]
        if (
            len(squash(term)) >= 3
            and kind in here
            and not any(squash(v) in here for v in term_variants(term))
        ):
            return True
    return False


def _same_units(a: str, b: str) -> bool:
    """Both clauses give figures of the same kind: neighbouring facts, not one fact and its detail."""
    return bool({f.unit for f in find_figures(a)} & {f.unit for f in find_figures(b)})


def asked_head(query: Query) -> str:
    """The key term right before the question word ('常住人口' in '商丘常住人口有多少'), or ''."""
    m = re.search(r"(?:的)?(?:是|有|要|能|达到|为)?(?:多少|几|多大|多长|多高|多重)", query.text)
    if not m or query.language == "en":
        return ""
    before = squash(query.text[: m.start()])
    heads = [t for t in query.terms if before.endswith(squash(t))]
    return squash(heads[-1]) if heads else ""


_EN_ASK = re.compile(
    r"\b(?:what(?:'s|\s+is|\s+was|\s+are|\s+were)|how\s+(?:many|much|large|big|long))\s+(?:the\s+|a\s+|an\s+)?",
    re.I,
)


def asked_head_en(query: Query) -> tuple[str, ...]:
    """The Chinese words for what an English question asks the amount of ('人口' in 'What is the population of
    Shangqiu?'), when a glossary phrase follows the question words directly; () otherwise."""
    if query.language != "en" or not (m := _EN_ASK.search(query.text)):
        return ()
    return phrase_at(query.text, m.end())


_COUNTED = re.compile(r"[\d一二两三四五六七八九十百千万]+[个家所条座项处位名户套]\w{0,4}$")


# Words that only name the kind of quantity: satisfied when the clause has a figure in the asked unit.
MEASURE_WORDS = frozenset(
    ["面积", "数量", "总量", "规模", "金额", "人数", "个数", "长度", "里程", "产值", "总额", "数目", "人口"]
)
# A named measure in the report's pattern: verb, field, “name”, kind ("实施工业“发动机”计划"); the report lists its
# siblings in the paragraphs beside it ("实施农业“金土地”计划", "实施服务业“金钥匙”计划").
_NAMED_ITEM = re.compile(r"^([\u4e00-\u9fff]{2})[\u4e00-\u9fff]{0,4}“[^“”]{1,12}”([\u4e00-\u9fff]{1,3})$")
_HOW_MANY_ITEMS = re.compile(r"哪([一二两三四五六七八九十\d]+|几)[个项条种类大]|哪些")
_MULTI_ASK = re.compile(r"(多少|几|哪些).+(多少|几|哪些)|分别")
_ABSTAIN_ZH = "报告中没有找到{topic}的相关内容，以下是最接近的段落，供参考。"
_ABSTAIN_EN = "The report does not say. The closest passages are shown below for reference."


@dataclass(frozen=True)
class AbstentionPolicy:
    """Thresholds calibrated on our own labelled development set (tests/data/dev_questions.jsonl)."""

    min_coverage: float = 0.55  # share of the question's content found at the chosen clause
    min_coverage_en: float = 0.70  # English: glossary coverage or cross-lingual clause similarity
    min_part_coverage: float = 0.7  # when the asked period (今年 / 过去五年) had to be enforced


def citation_for(hit: Hit, n: int, highlight: tuple[int, int] | None = None) -> Citation:
    c = hit.chunk
    return Citation(
        n=n,
        text=c.text,
        source=c.source,
        section=c.section,
        start=c.start,
        end=c.end,
        score=round(hit.score, 4),
        title=c.title,
        highlight=highlight,
    )


class ExtractiveAnswerer:
    """Answers by quoting the report; never writes a figure that is not in a cited passage."""

    mode = "extractive"

    def __init__(
        self,
        stats: CorpusStats,
        scorer: ClauseScorer,
        policy: AbstentionPolicy | None = None,
        max_citations: int = 3,
        max_chars: int = 240,
    ) -> None:
        self.stats, self.scorer = stats, scorer
        self.policy = policy or AbstentionPolicy()
        self.max_citations, self.max_chars = max_citations, max_chars

    # -- public ----------------------------------------------------------------------------------
    def generate(self, query: Query, hits: Sequence[Hit]) -> Answer:
        best, reason = self.choose(query, hits)
        if best is None:
            return self.abstain(query, hits, reason)
        try:
            return self.compose(query, hits, best)
        except GroundingError as exc:  # never show an ungrounded figure: say so and offer the passages
            log.error("extractive answer failed the grounding check (%s) for %r", exc, query.original)
            return self.abstain(query, hits)

    def choose(self, query: Query, hits: Sequence[Hit]) -> tuple[Candidate | None, str]:
        """The answering clause, or None and the missing topic."""
        if not hits:
            return None, ""
        missing = self.missing_terms(query) or self.missing_compound(query)
        if missing:
            return None, missing[0]
        if query.language == "en" and not self.term_groups(query):
            return None, ""  # no subject we can match in the Chinese text: do not guess from similarity alone
        if any(str(y) not in self.stats.text for y in query.years):
            return None, ""
        candidates = self.scorer.candidates(query, hits)
        if not candidates:
            return None, ""
        best: Candidate | None = candidates[0]
        threshold = self.policy.min_coverage_en if query.language == "en" else self.policy.min_coverage
        if query.explicit_part and best is not None and best.chunk.part != query.explicit_part:
            same = [c for c in candidates if c.chunk.part == query.explicit_part]
            if best.chunk.part in ("plan", "review", "overall") or not same:
                best = same[0] if same else None
                threshold = max(threshold, self.policy.min_part_coverage)
        if best is None or best.lexical < threshold:
            return None, ""
        return self._acceptable(query, candidates, best, threshold)

    def _acceptable(self, query: Query, candidates: list[Candidate], best: Candidate, threshold: float):
        """The best candidate whose passage holds every key term and whose clause has the asked kind of
        answer (a time for 'when', an enumeration for 'which ones'); None and the missing term if none."""
        groups = self.term_groups(query)
        unit = asked_unit(query)
        missing = ""
        for candidate in [best] + [c for c in candidates[1:12] if c.lexical >= threshold]:
            if query.explicit_part and candidate.chunk.part != best.chunk.part:
                continue
            here = squash(candidate.chunk.text + candidate.chunk.section)
            unit_met = unit is not None and any(f.unit == unit for f in find_figures(candidate.clause.text))
            absent = [
                g[0]
                for g in groups
                if not any(squash(v) in here for v in g) and not (unit_met and g[0] in MEASURE_WORDS)
            ]
            if absent:
                missing = missing or absent[0]
                continue
            if WHEN.search(query.text) and not TIME.search(candidate.clause.text):
                continue
            if WHERE.search(query.text) and not PLACE.search(candidate.clause.text):
                continue
            if self._head_mismatch(query, candidate.clause.text):
                continue
            if (
                query.wants_figure
                and find_figures(candidate.clause.text)
                and _about_another(query, candidate.clause.text)
            ):
                continue
            if (
                query.wants_figure
                and not query.wants_list
                and re.search(r"多少|几", query.text)
                and not (re.search(r"[\d一二两三四五六七八九十百千]", self._span(query, candidate)))
            ):
                continue  # asked for a number, and this clause gives none
            if (
                query.wants_list
                and re.search(r"分别是|哪几|哪些", query.text)
                and not (ENUMERATION.search(candidate.clause.text) or "“" in candidate.clause.text)
            ):
                continue
            return candidate, ""
        return None, missing

    @staticmethod
    def _head_mismatch(query: Query, clause_text: str) -> bool:
        """The clause names the asked thing only as a modifier of another ("常住人口城镇化率" for the population),
        or gives a measure of something the question did not name ("绿化总面积" for "商丘的面积")."""
        said: list[str] = []  # English: the question's other words, in the report's ("projects" → 项目)
        if query.language == "en":
            said = [squash(t) for t in translate_terms(query.text) if len(squash(t)) >= 2]
            heads, asked = [squash(h) for h in asked_head_en(query)], "".join(said)
        else:
            heads, asked = [h for h in [asked_head(query)] if h], squash(query.text)
        clause = squash(clause_text)
        for head in heads:
            at = clause.find(head)
            if at < 0:
                continue
            counted = _COUNTED.search(clause[:at])  # "11个省级开发区": the figure comes first
            rest = clause[at + len(head) :]
            continued = any(rest.startswith(t) for t in said)  # "产业帮扶项目" for "assistance projects"
            if not counted and not continued and rest and rest[0] not in HEAD_FOLLOWERS:
                return True
            measure = head in MEASURE_WORDS or any(head.endswith(m) for m in MEASURE_WORDS)  # 总面积 too
            return at > 0 and measure and clause[max(0, at - 2) : at] not in asked
        return False

    @staticmethod
    def term_groups(query: Query) -> list[tuple[str, ...]]:
        if query.language == "en":
            return term_groups(query.text)
        return [term_variants(t) for t in query.terms]

    def missing_compound(self, query: Query) -> list[str]:
        """The asked thing together with the key term written right before it ("人均GDP"), when the documents
        have the thing ("生产总值") but never so qualified: another figure of it is not the answer."""
        head = squash(asked_head(query))
        terms = [squash(t) for t in query.terms]
        if (
            not head
            or head not in terms
            or terms.index(head) == 0
            or any(head.endswith(m) for m in MEASURE_WORDS)
        ):
            return []  # a measure word ("森林抚育面积") is met by a figure in its unit, not by the phrase
        before = terms[terms.index(head) - 1]
        if before + head not in squash(query.text):
            return []
        for b in term_variants(before):
            for h in term_variants(head):
                if squash(b) + squash(h) in self.stats.text:  # as written, not most of its bigrams
                    return []
        return [before + head]

    def missing_terms(self, query: Query) -> list[str]:
        """Key terms of the question that occur nowhere in the documents."""
        return [g[0] for g in self.term_groups(query) if not any(self.stats.contains(v) for v in g)]

    # -- composing -------------------------------------------------------------------------------
    def named_items(self, query: Query, best: Candidate) -> list[tuple[Chunk, Clause]]:
        """For 'which three plans?': the answering clause names one measure ("实施工业“发动机”计划") and the
        passages under the same heading name its siblings in the same words; all of them, in reading order
        (as many as asked when a number is), or [] when the question or the clause is not of that shape."""
        ask = _HOW_MANY_ITEMS.search(query.text) if query.language == "zh" else None
        shape = _NAMED_ITEM.match(best.clause.text)
        if not ask or not shape:
            return []
        sibling = re.compile(
            rf"^{shape.group(1)}[\u4e00-\u9fff]{{0,4}}“[^“”]{{1,12}}”{re.escape(shape.group(2))}$"
        )
        items = [
            (chunk, clause)
            for chunk in self.stats.section_of(best.chunk)
            for clause in self.scorer_clauses(chunk.text)
            if sibling.match(clause.text)
        ]
        at = next(
            (i for i, (c, k) in enumerate(items) if c.id == best.chunk.id and k.start == best.clause.start),
            None,
        )
        if at is None or len(items) < 2:
            return []
        count = ask.group(1) or ""
        wanted = int(count) if count.isdigit() else int(chinese_to_number(count) or 0)
        if wanted and len(items) > wanted:
            first = min(
                max(0, at - wanted + 1), len(items) - wanted
            )  # a window of the asked size with the best
            items = items[first : first + wanted]
        return items[: self.max_citations]

    def compose(self, query: Query, hits: Sequence[Hit], best: Candidate) -> Answer:
        if len(items := self.named_items(query, best)) >= 2:
            return self._compose_items(query, hits, best, items)
        span = self._span(query, best)
        lead = (LEAD_EN if query.language == "en" else LEAD_ZH).get(best.chunk.part, "")
        if query.language == "en" and not lead:
            lead = "According to the report: "
        body = (
            span
            if len(lead) + len(span) + 4 <= self.max_chars
            else span[: self.max_chars - len(lead) - 5] + "…"
        )
        text = f"{lead}{body}。[1]"
        sentence = best.clause.sentence
        citations = [citation_for(best.hit, 1, sentence)]
        for hit in hits:
            if len(citations) >= self.max_citations:
                break
            if hit.chunk.id != best.hit.chunk.id:
                citations.append(citation_for(hit, len(citations) + 1))
        return self._grounded(query, text, citations)

    def _compose_items(
        self, query: Query, hits: Sequence[Hit], best: Candidate, items: list[tuple[Chunk, Clause]]
    ) -> Answer:
        """One answer listing sibling measures, each cited where the report names it."""
        lead = LEAD_ZH.get(best.chunk.part, "")
        scores = {h.chunk.id: h for h in hits}
        citations = [
            citation_for(scores.get(chunk.id) or Hit(chunk, best.hit.score, 0.0, 0.0), n, clause.sentence)
            for n, (chunk, clause) in enumerate(items, start=1)
        ]
        text = lead + "；".join(f"{clause.text}[{n}]" for n, (_, clause) in enumerate(items, start=1)) + "。"
        return self._grounded(query, text, citations)

    @staticmethod
    def _grounded(query: Query, text: str, citations: Sequence[Citation]) -> Answer:
        """The answer, once every figure in it is found in its citations (composition only copies report text;
        this guards against future mistakes)."""
        report = check_grounding(text, citations)
        if not report.ok:
            raise GroundingError("; ".join(report.problems))
        return Answer(
            question=query.original,
            standalone_question=query.standalone,
            text=text,
            abstained=False,
            citations=tuple(citations),
            language=query.language,
        )

    def _span(self, query: Query, best: Candidate) -> str:
        passage, clause = best.chunk.text, best.clause
        resolved = resolve_respectively(clause.text, squash(query.text) + "".join(query.terms))
        if resolved:
            return resolved
        start, end = clause.start, clause.end
        weights = question_bigrams(query, self.stats)
        total = sum(weights.values()) or 1.0
        here = squash(clause.text)
        unit = asked_unit(query)

        def gain(text: str) -> float:
            t = squash(text)
            return sum(w for g, w in weights.items() if g in t and g not in here) / total

        siblings = [c for c in self.scorer_clauses(passage) if c.sentence == clause.sentence]
        before = [c for c in siblings if c.index == clause.index - 1]
        after = [c for c in siblings if c.index == clause.index + 1]
        if (
            before
            and gain(before[0].text) >= 0.3
            and not find_figures(before[0].text)
            or (before and gain(before[0].text) >= 0.45)
        ):
            start = before[0].start
        if (
            after
            and find_figures(after[0].text)
            and not _about_another(query, after[0].text)
            and (
                _MULTI_ASK.search(query.text)
                and gain(after[0].text) >= 0.15
                or gain(after[0].text) >= 0.25
                and not _same_units(clause.text, after[0].text)
                or not find_figures(clause.text)
                # "compared with 2017": the year the question names is in the next clause ("较2017年增长25.6%")
                or any(str(y) in after[0].text and str(y) not in clause.text for y in query.years)
                # the asked kind of figure (a rank, a rate) is only in the next clause: "…，数量居全省第1位"
                or unit is not None
                and not any(f.unit == unit for f in find_figures(clause.text))
                and any(f.unit == unit for f in find_figures(after[0].text))
            )
        ):
            end = after[0].end
        return passage[start:end].strip("，,、 ")

    @staticmethod
    def scorer_clauses(passage: str):
        from reportqa.clauses import split_clauses

        return split_clauses(passage)

    def abstain(self, query: Query, hits: Sequence[Hit], topic: str = "") -> Answer:
        """'The report does not say', with the nearest passages offered."""
        if query.language == "en":
            text = _ABSTAIN_EN
        else:
            named = f"关于“{topic}”" if topic and not any(ch.isdigit() for ch in topic) else "这个问题"
            text = _ABSTAIN_ZH.format(topic=named)
        citations = tuple(citation_for(h, i) for i, h in enumerate(hits[: self.max_citations], start=1))
        return Answer(
            question=query.original,
            standalone_question=query.standalone,
            text=text,
            abstained=True,
            citations=citations,
            language=query.language,
        )
