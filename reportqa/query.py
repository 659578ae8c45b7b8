"""The analysed question handed from the engine to an answer generator."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Query:
    original: str  # the question as asked (cleaned of invisible characters)
    standalone: str  # after follow-up rewriting; what the UI shows as "searched for"
    text: str  # normalised standalone question (NFKC, simplified characters): used for matching
    language: str  # "zh" or "en"
    lexical_text: str  # what BM25 sees (text plus glossary translations for English questions)
    terms: tuple[str, ...] = ()  # key content terms
    part_weights: dict[str, float] = field(default_factory=dict)  # report part → retrieval weight
    explicit_part: str | None = None  # a clear time cue: "plan" (今年/2023), "review" (过去五年), "overall"
    years: tuple[int, ...] = ()
    wants_figure: bool = False
    wants_list: bool = False
    sources: tuple[str, ...] = ()  # limit to these documents (empty: all)
    focus: tuple[
        str, ...
    ] = ()  # a follow-up's own new subject ("城镇化率" in "城镇化率呢？"): the answer must be about it
