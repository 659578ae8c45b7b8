"""Fact checking with the reader: each figure of a claim becomes a question ("…多少…？"), the reader finds the
report's figure for the same subject, and the two are compared unit-aware."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from reportqa.clauses import resolve_respectively
from reportqa.models import Citation, Verdict
from reportqa.query import Query
from reportqa.reading import ReaderAnswerer, citation_for, clause_around, sentence_around
from retrieval.figures import Figure, find_figures
from retrieval.hybrid import Hit
from retrieval.text import squash

_CLAIM_CLAUSE = re.compile(r"[，,；;。！!？?]")
MAX_FIGURES = 6  # figures of one claim read (one reader call each); a longer list is checked up to here


def _is_year(f: Figure) -> bool:
    """Years and periods (2023年, 五年) are context, not figures."""
    return f.unit == "年" or (not f.unit and f.value.is_integer() and 1990 <= f.value <= 2100)


def claim_figures(text: str) -> list[Figure]:
    """The figures a claim asserts (years are context, not figures to compare)."""
    return [f for f in find_figures(text) if not _is_year(f)]


def figure_question(claim: str, figure: Figure) -> str:
    """The claim's clause around `figure`, the figure replaced by 多少 (its unit kept): the reader's question."""
    left = max((m.end() for m in _CLAIM_CLAUSE.finditer(claim, 0, figure.start)), default=0)
    right = next((m.start() for m in _CLAIM_CLAUSE.finditer(claim, figure.end)), len(claim))
    unit = re.sub(r"^(?:[\d.,]+|[零〇一二两三四五六七八九十百千]+)", "", figure.text)  # 554.2万人 → 万人
    lead = claim[:left].strip("，,；; ") if left and figure.start - left < 4 else ""
    return f"{lead}{claim[left : figure.start]}多少{unit}{claim[figure.end : right]}？".strip()


@dataclass(frozen=True)
class Finding:
    verdict: str  # supported | contradicted | not_found
    hit: Hit | None = None
    highlight: tuple[int, int] | None = None
    claimed: str = ""
    report: str = ""


class FactChecker:
    """Supported when the reader finds the claim's figures for the claim's subjects; contradicted when it finds
    another figure of the same kind there; not found when the abstention model refuses its answer."""

    def __init__(self, answerer: ReaderAnswerer, max_citations: int = 3) -> None:
        self.answerer, self.max_citations = answerer, max_citations

    def check(self, query: Query, hits: Sequence[Hit]) -> Verdict:
        claim = query.original
        text = squash(query.text)
        figures = claim_figures(text)
        if not hits:
            return Verdict(claim, "not_found", "", (), explanation="没有找到相关段落。")
        findings = [self._figure(query, hits, text, f) for f in figures[:MAX_FIGURES]] or [
            self._statement(query, hits)
        ]
        deciding = next((f for f in findings if f.verdict == "contradicted"), None)
        deciding = deciding or next((f for f in findings if f.verdict == "not_found"), findings[0])
        if deciding.verdict == "not_found":
            what = f"与“{deciding.claimed}”对应的数字" if deciding.claimed else "该说法"
            return Verdict(
                claim, "not_found", "", self._citations(hits, None), explanation=f"文档中没有找到{what}。"
            )
        assert deciding.hit is not None and deciding.highlight is not None
        s, e = sentence_around(deciding.hit.chunk.text, *deciding.highlight)
        evidence = deciding.hit.chunk.text[s:e].strip()
        if deciding.verdict == "contradicted":
            why = f"文档中的数字是{deciding.report}，不是{deciding.claimed}。"
        else:
            why = "文档中的数字与该说法一致。" if figures else "文档原文与该说法一致。"
        if len(figures) > MAX_FIGURES:
            why += f"（只核对了前{MAX_FIGURES}个数字，请把说法拆开核对。）"
        contradicted = deciding.verdict == "contradicted"
        return Verdict(
            claim,
            deciding.verdict,
            evidence,
            self._citations(hits, deciding),
            deciding.claimed if contradicted else "",
            deciding.report if contradicted else "",
            why,
        )

    def _read(self, query: Query, hits: Sequence[Hit]):
        """The reader's best span for `query` if the abstention model accepts it and its years hold."""
        best, spans = self.answerer.best_span(query, hits)
        if best is None or not self.answerer.accepts(query, best, spans, hits):
            return None
        return best

    def _figure(self, query: Query, hits: Sequence[Hit], claim: str, figure: Figure) -> Finding:
        question = figure_question(claim, figure)
        best = self._read(_asking(query, question), hits)
        if best is None:
            return Finding("not_found", claimed=figure.text)
        hit = hits[best.passage]
        passage = hit.chunk.text
        left, right = clause_around(passage, best.start, best.end)
        resolved = resolve_respectively(passage[left:right], question)  # "A、B分别X、Y": the asked item's own
        said = find_figures(resolved or passage[best.start : best.end]) or find_figures(passage[left:right])
        found = [f for f in said if not _is_year(f)]
        comparable = [f for f in found if f.comparable(figure) or not (f.unit and figure.unit)]
        if not comparable:
            return Finding("not_found", claimed=figure.text)
        if any(f.same_quantity(figure) for f in comparable):
            return Finding("supported", hit, (best.start, best.end), figure.text)
        return Finding("contradicted", hit, (best.start, best.end), figure.text, comparable[0].text)

    def _statement(self, query: Query, hits: Sequence[Hit]) -> Finding:
        """A claim without figures: supported when the reader's answering sentence holds most of it."""
        best = self._read(query, hits)
        if best is None:
            return Finding("not_found")
        hit = hits[best.passage]
        s, e = sentence_around(hit.chunk.text, best.start, best.end)
        sentence, claim = squash(hit.chunk.text[s:e]), squash(query.text).rstrip("。.")
        pairs = {claim[i : i + 2] for i in range(len(claim) - 1)}
        covered = sum(p in sentence for p in pairs) / max(1, len(pairs))
        return Finding("supported", hit, (best.start, best.end)) if covered >= 0.8 else Finding("not_found")

    def _citations(self, hits: Sequence[Hit], finding: Finding | None) -> tuple[Citation, ...]:
        ordered = list(hits)
        if finding is not None and finding.hit is not None:
            ordered = [finding.hit] + [h for h in hits if h.chunk.id != finding.hit.chunk.id]
        highlight = finding.highlight if finding is not None else None
        return tuple(
            citation_for(h, i, highlight if i == 1 else None)
            for i, h in enumerate(ordered[: self.max_citations], start=1)
        )


def _asking(query: Query, question: str) -> Query:
    from dataclasses import replace

    return replace(query, text=question, standalone=question)
