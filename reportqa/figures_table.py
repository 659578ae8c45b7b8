"""Every figure of every passage, with its unit, sentence, section and kind (2023 target or past achievement)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from retrieval.chunking import PART_LABELS, Chunk
from retrieval.figures import find_figures

KINDS = {"plan": "target", "overall": "target", "review": "achievement"}
_SENTENCE = re.compile(r"[^。！？；!?;]*[。！？；!?;]+[”’」』)）]*|[^。！？；!?;]+$")


@dataclass(frozen=True)
class FigureRow:
    """One figure as it stands in the report."""

    figure: str  # as written: 2000套, 7.5%
    value: float  # magnitude applied
    unit: str
    kind: str  # target, achievement or other
    sentence: str
    section: str
    part: str  # the chunk's part label (年度目标与工作安排, …)
    source: str
    start: int  # the figure's offsets in the source document
    end: int
    sentence_start: int
    sentence_end: int

    @property
    def location(self) -> str:
        """A stable reference to the place in the report: source:start-end of the sentence."""
        return f"{self.source}:{self.sentence_start}-{self.sentence_end}"


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip()]


def figure_rows(chunks: Iterable[Chunk]) -> list[FigureRow]:
    """The figures of all passages, in document order."""
    rows: list[FigureRow] = []
    for chunk in sorted(chunks, key=lambda c: (c.source, c.start)):
        spans = _sentence_spans(chunk.text)
        for fig in find_figures(chunk.text):
            s, e = next(((s, e) for s, e in spans if s <= fig.start < e), (0, len(chunk.text)))
            rows.append(FigureRow(
                figure=fig.text, value=fig.value, unit=fig.unit, kind=KINDS.get(chunk.part, "other"),
                sentence=chunk.text[s:e].strip(), section=chunk.section, part=PART_LABELS.get(chunk.part, chunk.part),
                source=chunk.source, start=chunk.start + fig.start, end=chunk.start + fig.end,
                sentence_start=chunk.start + s, sentence_end=chunk.start + e,
            ))
    return rows


def parse_location(location: str) -> tuple[str, int, int] | None:
    """(source, start, end) from a FigureRow.location string; None when malformed."""
    m = re.fullmatch(r"(?P<source>.+):(?P<start>\d+)-(?P<end>\d+)", (location or "").strip())
    return (m["source"], int(m["start"]), int(m["end"])) if m else None
