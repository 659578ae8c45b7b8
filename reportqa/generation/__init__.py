"""Answer generators behind one interface: the extractive answerer, or an LLM checked by the grounding guard."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from reportqa.models import Answer
    from reportqa.query import Query
    from retrieval.hybrid import Hit


class Generator(Protocol):
    """Turns the analysed question and its retrieved passages into a cited answer."""

    mode: str  # "extractive" | "llm"

    def generate(self, query: Query, hits: Sequence[Hit]) -> Answer: ...


def stream_answer(generator: Generator, query: Query, hits: Sequence[Hit]) -> Iterator[Answer]:
    """Partial answers then the final one from generators that stream; a single final answer otherwise."""
    stream = getattr(generator, "stream", None)
    if stream is None:
        yield generator.generate(query, hits)
    else:
        yield from stream(query, hits)


from reportqa.generation.condense import LLMCondenser, make_condenser  # noqa: E402
from reportqa.generation.llm import LLMGenerator, make_generator  # noqa: E402

__all__ = ["Generator", "LLMCondenser", "LLMGenerator", "make_condenser", "make_generator", "stream_answer"]
