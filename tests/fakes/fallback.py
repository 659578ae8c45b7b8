"""A small fallback answerer for tests that cannot use the real extractive one: quotes the first passage."""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportqa.generation.llm import citations_from
from reportqa.models import Answer
from reportqa.query import Query
from retrieval.hybrid import Hit

_FIRST_SENTENCE = re.compile(r"[^。！？；]+")


class FirstPassageAnswerer:
    """Answers with the first sentence of the first passage, cited [1]: grounded by construction."""

    mode = "extractive"

    def generate(self, query: Query, hits: Sequence[Hit]) -> Answer:
        citations = citations_from(hits)
        match = _FIRST_SENTENCE.search(hits[0].chunk.text) if hits else None
        if match is None:
            return Answer(
                query.original,
                query.standalone,
                "报告中没有找到相关内容。",
                True,
                citations,
                language=query.language,
            )
        return Answer(
            query.original,
            query.standalone,
            f"{match.group(0)}[1]。",
            False,
            citations,
            language=query.language,
        )
