"""Fact checking: a claim is supported, contradicted or not found, decided by the report's sentence."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from reportqa.analysis import term_variants
from reportqa.answering import citation_for
from reportqa.clauses import resolve_respectively, split_clauses
from reportqa.evidence import Candidate, ClauseScorer, CorpusStats, _bigrams
from reportqa.models import Verdict
from reportqa.query import Query
from retrieval.figures import Figure, find_figures
from retrieval.hybrid import Hit
from retrieval.text import squash

_CLAIM_CLAUSE = re.compile(r"[，,；;。！!？?]")


def _is_year(f: Figure) -> bool:
    """Years and periods (2023年, 五年) are context, not figures."""
    return f.unit == "年" or (not f.unit and f.value.is_integer() and 1990 <= f.value <= 2100)


def claim_figures(text: str) -> list[Figure]:
    """The figures a claim asserts (years are context, not figures to compare)."""
    return [f for f in find_figures(text) if not _is_year(f)]


class FactChecker:
    """Compares each figure of a claim with the report's figure for the same thing, unit-aware."""

    def __init__(
        self,
        stats: CorpusStats,
        scorer: ClauseScorer,
        min_coverage: float = 0.6,
        min_coverage_plain: float = 0.8,
        max_citations: int = 3,
    ) -> None:
        self.stats, self.scorer = stats, scorer
        self.min_coverage, self.min_coverage_plain, self.max_citations = (
            min_coverage,
            min_coverage_plain,
            max_citations,
        )

    def check(self, query: Query, hits: Sequence[Hit]) -> Verdict:
        claim = query.original
        missing = [t for t in query.terms if not any(self.stats.contains(v) for v in term_variants(t))]
        if not hits or missing or any(str(y) not in self.stats.text for y in query.years):
            why = f"报告中没有提到“{missing[0]}”。" if missing else "报告中没有找到相关内容。"
            return Verdict(claim, "not_found", "", self._citations(hits, None), explanation=why)
        # score without the claim's own digits, so a wrong figure cannot pull in look-alike numbers
        plain = replace(query, text=re.sub(r"\d+(?:\.\d+)?", " ", query.text), wants_figure=False)
        candidates = self.scorer.candidates(plain, hits)
        figures = claim_figures(squash(query.text))
        if not figures:
            best = candidates[0] if candidates else None
            if best is not None and best.lexical >= self.min_coverage_plain:
                return self._verdict(claim, "supported", best, hits, explanation="报告原文与该说法一致。")
            return Verdict(
                claim, "not_found", "", self._citations(hits, None), explanation="报告中没有找到该说法。"
            )
        deciding: Candidate | None = None
        for figure, context in self._figure_contexts(squash(query.text), figures):
            result, candidate, report_figure = self._judge(figure, context, candidates)
            if result == "not_found" or candidate is None:
                return Verdict(
                    claim,
                    "not_found",
                    "",
                    self._citations(hits, None),
                    explanation=f"报告中没有找到与“{figure.text}”对应的数字。",
                )
            if result == "contradicted":
                return self._verdict(
                    claim,
                    "contradicted",
                    candidate,
                    hits,
                    figure.text,
                    report_figure,
                    f"报告中的数字是{report_figure}，不是{figure.text}。",
                )
            deciding = deciding or candidate
        assert deciding is not None  # figures is not empty and every figure was judged
        return self._verdict(claim, "supported", deciding, hits, explanation="报告中的数字与该说法一致。")

    @staticmethod
    def _figure_contexts(text: str, figures: list[Figure]) -> list[tuple[Figure, str]]:
        pieces = []
        for figure in figures:
            left = max((m.end() for m in _CLAIM_CLAUSE.finditer(text, 0, figure.start)), default=0)
            right = next((m.start() for m in _CLAIM_CLAUSE.finditer(text, figure.end)), len(text))
            pieces.append((figure, re.sub(r"\d+(?:\.\d+)?", " ", text[left:right])))
        return pieces

    def _judge(self, figure: Figure, context: str, candidates: list[Candidate]):
        weights = {g: w for g in _bigrams(context) if (w := self.stats.idf(g)) > 0}
        total = sum(weights.values()) or 1.0
        scored = []
        for c in candidates[:40]:
            clauses = split_clauses(c.chunk.text)
            local = ClauseScorer._coverage(weights, total, c.clause, clauses, c.chunk.text, "")
            text = resolve_respectively(c.clause.text, context) or c.clause.text
            comparable = [f for f in find_figures(text) if f.comparable(figure)]
            if comparable:
                scored.append((local + 0.3 * c.score, local, c, comparable))
        if not scored:
            return "not_found", None, ""
        _, local, best, comparable = max(scored, key=lambda s: s[0])
        if local < self.min_coverage:
            return "not_found", None, ""
        if any(f.same_quantity(figure) for f in comparable):
            return "supported", best, ""
        return "contradicted", best, comparable[0].text

    def _verdict(
        self,
        claim: str,
        verdict: str,
        best: Candidate,
        hits: Sequence[Hit],
        claimed: str = "",
        report: str = "",
        explanation: str = "",
    ) -> Verdict:
        s, e = best.clause.sentence
        sentence = best.chunk.text[s:e].strip()
        return Verdict(claim, verdict, sentence, self._citations(hits, best), claimed, report, explanation)

    def _citations(self, hits: Sequence[Hit], best: Candidate | None):
        ordered = list(hits)
        if best is not None:
            ordered = [best.hit] + [h for h in hits if h.chunk.id != best.hit.chunk.id]
        return tuple(
            citation_for(h, i, best.clause.sentence if best is not None and i == 1 else None)
            for i, h in enumerate(ordered[: self.max_citations], start=1)
        )
