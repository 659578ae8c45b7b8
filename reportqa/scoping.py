"""Which reports answer a question when several are loaded: the region or year it names, the earlier turn's
region for a follow-up, the deployment's default report, or else each report that answers it (labelled)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from reportqa.models import Answer, Citation
from reportqa.regions import RegionIndex, find_region_names, focus_question

_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
MARKER = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class Scope:
    label: str  # what the part of the answer is about ("河南省"), "" for a single answer
    sources: tuple[str, ...]  # the documents it is answered from (empty: all)
    question: str = ""  # the question asked of this part, when it differs (one region of a comparison)


@dataclass(frozen=True)
class ScopePlan:
    scopes: tuple[Scope, ...]
    missing: tuple[str, ...] = ()  # regions named that no loaded report is about
    per_report: bool = False  # several reports, none named: answer from each report that answers (at most N)
    reason: str = ""  # in words, for `why`

    @property
    def single(self) -> bool:
        return len(self.scopes) == 1 and not self.per_report and not self.missing


class ReportScoper:
    """Decides the scope of a question from the documents' own metadata (region, year, title)."""

    def __init__(self, documents: Sequence, default_report: str | None = None, max_reports: int = 3) -> None:
        self.sources = tuple(d.source for d in documents)
        self.titles = {d.source: d.title or d.source for d in documents}
        self.years = {d.source: d.year for d in documents if getattr(d, "year", None)}
        self.regions = RegionIndex.of(documents)
        self.default_report = default_report if default_report in self.sources else None
        self.max_reports = max_reports

    def plan(self, question: str, history: Sequence[str] = (), sources: Sequence[str] = ()) -> ScopePlan:
        """The scope of `question` (its standalone form); explicit `sources` (a report picked in the UI) win."""
        if sources:
            return ScopePlan((Scope("", tuple(sources)),), reason="the report picked")
        if len(self.sources) <= 1:
            return ScopePlan((Scope("", ()),))
        # Region names scope only among reports of several regions: in articles, or one city's reports, a place
        # named is what the question is about, not which document to read.
        several = len(self.regions.by_region) > 1
        named = self.regions.regions_in(question) if several else []
        if several and not named:  # a follow-up keeps the region of the latest earlier turn that named one
            for turn in reversed(history):
                if named := self.regions.regions_in(turn):
                    break
        if named:
            found = [r for r in named if self.regions.sources_for([r])]
            missing = tuple(r for r in named if r not in found)
            scopes = tuple(
                Scope(
                    region if len(named) > 1 else "",
                    self._by_year(question, self.regions.sources_for([region])),
                    focus_question(question, region, named) if len(named) > 1 else "",
                )
                for region in found
            )
            return ScopePlan(scopes, missing, reason=f"regions named: {'、'.join(named)}")
        by_year = self._by_year(question, self.sources)
        if by_year != self.sources:
            return ScopePlan((Scope("", by_year),), reason="the year named")
        if self.default_report:
            return ScopePlan((Scope("", (self.default_report,)),), reason="the default report")
        if not several:
            return ScopePlan((Scope("", ()),))
        return ScopePlan(
            (Scope("", ()),), per_report=True, reason="no region named: each report that answers"
        )

    def _by_year(self, question: str, sources: Sequence[str]) -> tuple[str, ...]:
        """Reports of a year the question names (a report reviews the year before it), if any; else `sources`."""
        years = {int(y) for y in _YEAR.findall(question)}
        if not years or len(sources) <= 1:
            return tuple(sources)
        kept = tuple(s for s in sources if self.years.get(s) in years | {y + 1 for y in years})
        return kept or tuple(sources)

    def label_of(self, source: str) -> str:
        """A report's label in a per-report answer: its region, else its title."""
        for region, sources in self.regions.by_region.items():
            if source in sources and len(sources) == 1:
                return region
        return self.titles.get(source, source)

    def region_names(self, text: str) -> list[str]:
        return find_region_names(text, self.regions.by_region)


def _renumber(answer: Answer, offset: int) -> tuple[str, tuple[Citation, ...]]:
    mapping = {c.n: c.n + offset for c in answer.citations}
    text = MARKER.sub(lambda m: f"[{mapping.get(int(m.group(1)), int(m.group(1)))}]", answer.text)
    citations = tuple(Citation(**{**c.__dict__, "n": mapping[c.n]}) for c in answer.citations)
    return text, citations


def combine(question: str, standalone: str, parts: Sequence[tuple[str, Answer]], language: str) -> Answer:
    """One answer of labelled parts ("河南省：…[1]；山东省：…[2]"), citations numbered through; it abstains only
    when every part does."""
    texts: list[str] = []
    citations: list[Citation] = []
    why: dict = {}
    for label, answer in parts:
        text, cited = _renumber(answer, len(citations))
        texts.append(f"{label}：{text}" if language != "en" else f"{label}: {text}")
        citations.extend(cited)
        why[label] = answer.extras
    separator = "\n" if language != "en" else "\n"
    return Answer(
        question=question,
        standalone_question=standalone,
        text=separator.join(texts),
        abstained=all(a.abstained for _, a in parts),
        citations=tuple(citations),
        language=language,
        mode=parts[0][1].mode if parts else "extractive",
        extras={"parts": why},
    )
