"""Every figure of every passage, with its unit, sentence, section and kind (2023 target or past achievement)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from retrieval.chunking import PART_LABELS, Chunk
from retrieval.figures import find_figures

KINDS = {"plan": "target", "overall": "target", "review": "achievement"}
_CLAUSE_END = "，,、；;。！？!?："
_SENTENCE = re.compile(r"[^。！？；!?;]*[。！？；!?;]+[”’」』)）]*|[^。！？；!?;]+$")


@dataclass(frozen=True)
class FigureRow:
    """One figure as it stands in the report."""

    figure: str  # as written: 2000套, 7.5%
    value: float  # magnitude applied
    unit: str
    kind: str  # target, achievement or other
    clause: str  # the words around the figure: 国家高新技术企业达到240家以上
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
        """A stable reference to the figure's place in the report: source:start-end."""
        return f"{self.source}:{self.start}-{self.end}"


# Chinese numerals before these are names: 党的二十大, 市五届人大.
_NAME_UNITS = ("大", "届")


def is_name_or_year(text: str, fig) -> bool:
    """Figures that are not quantities: years (2023年), bare numbers, names (二十大) and quoted slogans (“四个全面”)."""
    if (
        not fig.unit
        or fig.text[:1] in "万亿千百"
        or (fig.unit == "年" and fig.text[:1].isdigit() and 1900 <= fig.value <= 2100)
        or (fig.unit in _NAME_UNITS and not fig.text[:1].isdigit())
    ):
        return True
    opened, closed = text.rfind("“", 0, fig.start), text.rfind("”", 0, fig.start)
    return opened > closed and text.find("”", fig.end) != -1 and text.find("”", fig.end) - opened <= 12


def clause_around(text: str, start: int, end: int) -> str:
    """The clause holding text[start:end], cut at commas, enumeration marks and sentence ends."""
    left = max(text.rfind(ch, 0, start) for ch in _CLAUSE_END) + 1
    rights = [i for i in (text.find(ch, end) for ch in _CLAUSE_END) if i != -1]
    return text[left : min(rights) if rights else len(text)].strip()


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip()]


def figure_rows(chunks: Iterable[Chunk]) -> list[FigureRow]:
    """The quantities of all passages, in document order (years and quoted slogans left out)."""
    rows: list[FigureRow] = []
    for chunk in sorted(chunks, key=lambda c: (c.source, c.start)):
        spans = _sentence_spans(chunk.text)
        for fig in find_figures(chunk.text):
            if is_name_or_year(chunk.text, fig):
                continue
            s, e = next(((s, e) for s, e in spans if s <= fig.start < e), (0, len(chunk.text)))
            rows.append(
                FigureRow(
                    figure=fig.text,
                    value=fig.value,
                    unit=fig.unit,
                    kind=KINDS.get(chunk.part, "other"),
                    clause=clause_around(chunk.text, fig.start, fig.end),
                    sentence=chunk.text[s:e].strip(),
                    section=chunk.section,
                    part=PART_LABELS.get(chunk.part, chunk.part),
                    source=chunk.source,
                    start=chunk.start + fig.start,
                    end=chunk.start + fig.end,
                    sentence_start=chunk.start + s,
                    sentence_end=chunk.start + e,
                )
            )
    return rows


def parse_location(location: str) -> tuple[str, int, int] | None:
    """(source, start, end) from a FigureRow.location string; None when malformed."""
    m = re.fullmatch(r"(?P<source>.+):(?P<start>\d+)-(?P<end>\d+)", (location or "").strip())
    return (m["source"], int(m["start"]), int(m["end"])) if m else None
