"""Answers from the learned reader: the best span across the top passages, in its own clause, cited; a calibrated
no-answer margin decides when the documents do not say."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from reportqa.abstention import AbstentionModel, evidence_features
from reportqa.clauses import resolve_respectively
from reportqa.grounding import GroundingError, check_grounding
from reportqa.models import Answer, Citation
from reportqa.query import Query
from reportqa.reader.spans import Span
from retrieval.figures import find_figures
from retrieval.hybrid import Hit

log = logging.getLogger(__name__)
LEAD_ZH = {
    "plan": "按今年的工作安排，",
    "review": "据过去工作的回顾，",
    "overall": "据报告提出的今后总体要求，",
}
LEAD_EN = {
    "plan": "According to the report's plan for the year: ",
    "review": "According to the report's review of past work: ",
    "overall": "According to the report's goals for the coming years: ",
}
REVIEWED_YEARS = 5  # a government's term: what a work report looks back on
CLAUSE_END = "，,；;。！？!?\n"
SENTENCE_END = "。！？!?\n"
SIBLING_MARK = "、"
YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)年")


REFUSED_NO_PASSAGE = "no passage to read"
REFUSED_UNLIKELY = "the abstention model judges the best span unlikely to be right"
REFUSED_YEAR = "the year asked about is not in the passage"
REFUSED_UNGROUNDED = "the answer failed the figure-grounding check"


@dataclass(frozen=True)
class Judgement:
    """What the reader found in the passages it read, and the abstention model's and year check's decision."""

    spans: tuple[Span, ...]  # each read passage's best span, in passage order (a passage may have none)
    best: Span | None  # the span with the widest margin over "no answer"
    features: dict[str, float]  # what the abstention model saw for `best`
    probability: float | None  # P(best is right); None without an abstention model
    threshold: float | None
    refused: str  # one of the REFUSED_* reasons, or "" when `best` may be given

    def why(self, hits: Sequence[Hit]) -> dict:
        """The answer's `why`: the span, its margin, the features, the probability and threshold."""
        if self.best is None:
            return {}
        why: dict = {
            "span": hits[self.best.passage].chunk.text[self.best.start : self.best.end],
            "margin": round(self.best.margin, 3),
            "features": {k: round(v, 4) for k, v in self.features.items()},
        }
        if self.probability is not None:
            why["p_right"], why["threshold"] = round(self.probability, 4), self.threshold
        return why


@dataclass(frozen=True)
class ReaderPolicy:
    """How the reader's scores become an answer or a refusal (fitted by training/calibrate_reader.py)."""

    abstention: AbstentionModel | None  # None: answer whatever the reader finds (calibration runs)
    passages: int = 5  # retrieved passages the reader reads


def clause_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause holding text[start:end]: out to the nearest ，；。 on each side; cut at 、 when siblings with
    their own figures share it and the span holds a single one of them (not in a "分别" list, which is resolved
    item by item instead)."""
    left = start
    while left > 0 and text[left - 1] not in CLAUSE_END:
        left -= 1
    right = end
    while right < len(text) and text[right] not in CLAUSE_END:
        right += 1
    span = text[start:end]
    clause = text[left:right]
    if (
        "分别" not in clause
        and SIBLING_MARK not in span
        and len(find_figures(span)) == 1
        and len(find_figures(clause)) > 1
    ):
        left = max(left, text.rfind(SIBLING_MARK, left, start) + 1)
        cut = text.find(SIBLING_MARK, end, right)
        right = cut if cut != -1 else right
    while left < start and text[left] in " 　":
        left += 1
    return left, right


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def with_subject(text: str, left: int, question: str) -> int:
    """Start the answer one clause earlier when that clause (same sentence) holds words of the question that the
    answering clause lacks: "规模以上工业企业达1796家，较2017年增长56.9%" keeps its subject."""
    if left < 2 or text[left - 1] not in "，,；;":
        return left
    previous = left - 1
    while previous > 0 and text[previous - 1] not in CLAUSE_END:
        previous -= 1
    asked = _pairs(question)
    gained = (_pairs(text[previous : left - 1]) - _pairs(text[left:])) & asked
    return previous if len(gained) >= 2 else left


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence holding text[start:end] (for the highlight in the citation)."""
    left = max(text.rfind(ch, 0, start) for ch in SENTENCE_END) + 1
    ends = [i for i in (text.find(ch, end) for ch in SENTENCE_END) if i != -1]
    right = min(ends) + 1 if ends else len(text)
    return left, right


def header(hit: Hit) -> str:
    """What the reader reads before a passage: its document's title and its section path."""
    return " › ".join(part for part in (hit.chunk.title, hit.chunk.section) if part)


def citation_for(hit: Hit, n: int, highlight: tuple[int, int] | None = None) -> Citation:
    c = hit.chunk
    return Citation(n, c.text, c.source, c.section, c.start, c.end, round(hit.score, 4), c.title, highlight)


class ReaderAnswerer:
    """Answers by quoting the span the reader finds; says so when no passage answers."""

    mode = "extractive"

    def __init__(self, reader, policy: ReaderPolicy, max_citations: int = 3, max_chars: int = 240) -> None:
        self.reader, self.policy = reader, policy
        self.max_citations, self.max_chars = max_citations, max_chars

    def best_span(self, query: Query, hits: Sequence[Hit]) -> tuple[Span | None, list[Span]]:
        """The reader's spans over the top passages, and the one with the widest margin over "no answer"."""
        read = list(hits[: self.policy.passages])
        spans = self.reader.read(query.text, [h.chunk.text for h in read], [header(h) for h in read])
        return (max(spans, key=lambda s: s.margin) if spans else None), spans

    def judge(self, query: Query, hits: Sequence[Hit]) -> Judgement:
        """Read the top passages and decide: the best span and whether it may be given, or why not."""
        best, spans = self.best_span(query, hits)
        model = self.policy.abstention
        threshold = model.threshold if model is not None else None
        if best is None:
            return Judgement(tuple(spans), None, {}, None, threshold, REFUSED_NO_PASSAGE)
        features = evidence_features(query.text, best, spans, hits)
        probability = model.probability(features) if model is not None else None
        refused = ""
        # compared rounded, as `why` shows it, so that the shown probability and the decision agree
        if model is not None and probability is not None and round(probability, 4) < model.threshold:
            refused = REFUSED_UNLIKELY
        elif not self._years_hold(query, hits[best.passage]):
            refused = REFUSED_YEAR
        return Judgement(tuple(spans), best, features, probability, threshold, refused)

    def answer(self, query: Query, hits: Sequence[Hit], judgement: Judgement) -> Answer:
        """The answer or refusal that `judgement` (of these hits) leads to."""
        best = judgement.best
        if best is None:
            return self.abstain(query, hits, judgement.refused)
        why = judgement.why(hits)
        if judgement.refused:
            return self.abstain(query, hits, judgement.refused, why)
        try:
            return self.compose(query, hits, hits[best.passage], best, why)
        except GroundingError as exc:  # never show an ungrounded figure
            log.error("reader answer failed the grounding check (%s) for %r", exc, query.original)
            return self.abstain(query, hits, REFUSED_UNGROUNDED, why)

    def generate(self, query: Query, hits: Sequence[Hit]) -> Answer:
        return self.answer(query, hits, self.judge(query, hits))

    def accepts(self, query: Query, best: Span, spans: Sequence[Span], hits: Sequence[Hit]) -> bool:
        """Whether `best` would be given as the answer (the abstention model and the year check)."""
        model = self.policy.abstention
        if (
            model is not None
            and model.probability(evidence_features(query.text, best, spans, hits)) < model.threshold
        ):
            return False
        return self._years_hold(query, hits[best.passage])

    @staticmethod
    def _years_hold(query: Query, hit: Hit) -> bool:
        """A year the question names must be written in the passage or lie within what its document covers: a
        report of year N plans year N and reviews the years before it (its government's term), never N + 1."""
        text, year = hit.chunk.text, hit.chunk.year
        return all(
            str(asked) in text or (year is not None and year - REVIEWED_YEARS <= asked <= year)
            for asked in query.years
        )

    def compose(
        self, query: Query, hits: Sequence[Hit], hit: Hit, span: Span, why: dict | None = None
    ) -> Answer:
        text = hit.chunk.text
        left, right = clause_around(text, span.start, span.end)
        left = with_subject(text, left, query.text)
        body = text[left:right].strip("，,、；;。 ")
        # "A、B、C分别达X、Y、Z": only the asked item's figure, so that siblings' figures are not given for it
        body = resolve_respectively(body, query.text) or body
        lead = (LEAD_EN if query.language == "en" else LEAD_ZH).get(hit.chunk.part, "")
        if len(lead) + len(body) + 4 > self.max_chars:
            body = text[span.start : span.end][: self.max_chars - len(lead) - 5]
        answer = f"{lead}{body}。[1]"
        citations = [citation_for(hit, 1, (span.start, span.end))]
        for other in hits:
            if len(citations) >= self.max_citations:
                break
            if other.chunk.id != hit.chunk.id:
                citations.append(citation_for(other, len(citations) + 1))
        report = check_grounding(answer, citations)
        if not report.ok:
            raise GroundingError("; ".join(report.problems))
        return Answer(
            question=query.original,
            standalone_question=query.standalone,
            text=answer,
            abstained=False,
            citations=tuple(citations),
            language=query.language,
            extras=why or {},
        )

    def no_report(self, query: Query, region: str) -> Answer:
        """The refusal for a region no loaded report is about (nothing of another region is offered as its answer)."""
        if query.language == "en":
            text = f"No report of {region} is loaded, so this cannot be answered for {region}."
        else:
            text = f"没有加载{region}的报告，无法回答{region}的这个问题。"
        return Answer(
            question=query.original,
            standalone_question=query.standalone,
            text=text,
            abstained=True,
            language=query.language,
            extras={"refused": f"no report of {region} is loaded"},
        )

    def abstain(self, query: Query, hits: Sequence[Hit], reason: str = "", why: dict | None = None) -> Answer:
        """'The documents do not say', naming what was searched, with the nearest passages offered."""
        titles = list(dict.fromkeys(h.chunk.title or h.chunk.source for h in hits[: self.max_citations]))
        if query.language == "en":
            where = ", ".join(titles) if titles else "the loaded documents"
            text = f"{where} does not say. The closest passages are shown below for reference."
        else:
            where = "、".join(f"《{t}》" for t in titles) if titles else "已加载的文档"
            text = f"{where}中没有找到这个问题的答案，以下是最接近的段落，供参考。"
        citations = tuple(citation_for(h, i) for i, h in enumerate(hits[: self.max_citations], start=1))
        return Answer(
            question=query.original,
            standalone_question=query.standalone,
            text=text,
            abstained=True,
            citations=citations,
            language=query.language,
            extras={**(why or {}), "refused": reason},
        )
