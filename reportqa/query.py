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
    part_weights: dict[str, float] = field(default_factory=dict)  # report part → retrieval weight
    years: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()  # limit to these documents (empty: all)
