"""The figure-grounding rule, in code: every figure of an answer appears in a passage it cites."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from retrieval.figures import find_figures, numbers_in
from retrieval.text import squash

MARKER = re.compile(r"\[(\d+)\]")
_UNSAFE = re.compile(r"!\[|\]\(|https?://|www\.|<\s*/?\s*[a-zA-Z!]|javascript:", re.IGNORECASE)


class CitedText(Protocol):
    """What grounding needs of a citation: its marker number and its passage text."""

    @property
    def n(self) -> int: ...

    @property
    def text(self) -> str: ...


class Cited(NamedTuple):
    """A citation read back from a results file."""

    n: int
    text: str


@dataclass(frozen=True)
class GroundingReport:
    ok: bool
    problems: tuple[str, ...] = ()


def check_grounding(answer: str, citations: Sequence[CitedText]) -> GroundingReport:
    """Figures must be in the passages their sentence cites (or in any cited passage when uncited);
    markers must point to given passages; no links, images or HTML."""
    problems: list[str] = []
    by_n = {c.n: squash(c.text) for c in citations}
    for n in {int(m) for m in MARKER.findall(answer)}:
        if n not in by_n:
            problems.append(f"marker [{n}] points to no given passage")
    if _UNSAFE.search(answer):
        problems.append("contains a link, image or HTML")
    for sentence in re.split(r"(?<=[。！？!?；;])(?!\s*\[)|(?<=\])(?=\s*[^\s\[])", answer):
        body = MARKER.sub("", sentence)
        cited = [by_n[n] for n in map(int, MARKER.findall(sentence)) if n in by_n] or list(by_n.values())
        for figure in find_figures(squash(body)):
            if not any(figure.text in text for text in cited):
                problems.append(f"figure {figure.text} is not in a cited passage")
        for number in numbers_in(squash(body)):
            pattern = re.compile(rf"(?<![\d.]){re.escape(number)}(?!\.?\d)")
            if not any(pattern.search(text) for text in cited):
                problems.append(f"number {number} is not in a cited passage")
    return GroundingReport(not problems, tuple(dict.fromkeys(problems)))


class GroundingError(RuntimeError):
    """An answer broke the grounding rule; it must not be shown."""
