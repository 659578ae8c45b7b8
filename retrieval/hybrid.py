"""Hybrid retrieval: dense (Chroma) and BM25 rankings fused, then weighted by the report part asked about."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from retrieval.chunking import Chunk
from retrieval.embedding import Embedder
from retrieval.fusion import fuse_rankings
from retrieval.lexical import BM25Index
from retrieval.vector_store import ChromaVectorStore


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # fused score, after part weighting
    dense: float  # cosine similarity (0 when the passage was not among the dense candidates)
    lexical: float  # BM25 score (0 when not among the lexical candidates)


class HybridRetriever:
    """Dense + lexical retrieval over the served passages."""

    def __init__(
        self,
        store: ChromaVectorStore,
        embedder: Embedder,
        candidates: int = 30,
        dense_weight: float = 1.0,
        lexical_weight: float = 1.0,
        rrf_k: int = 10,
        query_cache: int = 1024,
    ) -> None:
        self.store, self.embedder = store, embedder
        self.candidates, self.dense_weight, self.lexical_weight = candidates, dense_weight, lexical_weight
        self.rrf_k = rrf_k  # small k: a top rank in one list counts more than mere presence in both
        # Embedding a question is most of the work of answering it, and the same questions come back (the
        # page's examples, popular topics, a claim checked twice): the model is deterministic, so cache it.
        self.embed_query = (
            lru_cache(maxsize=query_cache)(self._embed_query) if query_cache else self._embed_query
        )
        self.reload()

    def _embed_query(self, query: str) -> np.ndarray:
        vector = np.asarray(self.embedder.embed_query(query))
        vector.setflags(write=False)  # shared by every later search for the same text
        return vector

    def reload(self) -> None:
        """Re-read the served passages (after an index rebuild)."""
        self.chunks: list[Chunk] = self.store.load_chunks()
        self.served = self.store.served_name
        self.by_id = {c.id: c for c in self.chunks}
        self.years = {c.year for c in self.chunks}
        self.bm25 = BM25Index([c.embedding_text() for c in self.chunks])

    def close(self) -> None:
        """Stop reading the served build (its files may then be removed once it is replaced)."""
        self.store.release()

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        lexical_query: str | None = None,
        part_weights: Mapping[str, float] | None = None,
        sources: Sequence[str] | None = None,
        dense_weight: float | None = None,
        year_weights: Mapping[int, float] | None = None,
    ) -> list[Hit]:
        """The k best passages for a question; `lexical_query` may add terms (translations, expansions).

        `year_weights` (document year → factor, 1.0 neutral) scales each candidate's dense and lexical score
        before ranking, and the best passages of the favoured years (factor > 1) always join the candidates.
        """
        years = {int(y): float(w) for y, w in (year_weights or {}).items() if w != 1.0}
        favoured = sorted(y for y, w in years.items() if w > 1.0 and y in self.years)
        if favoured and self.years <= set(favoured):
            favoured = []  # every loaded document is of a favoured year: nothing to pull in
        vector = self.embed_query(query)
        dense = self.store.search(vector, self.candidates, sources)
        if self.store.served_name != self.served:  # another process swapped in a new build: read it
            self.reload()
            dense = self.store.search(vector, self.candidates, sources)
        if favoured:
            dense = _merge(dense, self.store.search(vector, self.candidates, sources, years=favoured))
        wanted = set(sources) if sources else None
        scored = [
            (self.chunks[i].id, s)
            for i, s in self.bm25.search(lexical_query or query, len(self.chunks))
            if wanted is None or self.chunks[i].source in wanted
        ]  # filter before cutting: many documents
        lexical = scored[: self.candidates]
        if favoured:
            lexical = _merge(
                lexical, [h for h in scored if self.by_id[h[0]].year in favoured][: self.candidates]
            )
        if years:
            dense, lexical = self._weigh(dense, years), self._weigh(lexical, years)
        dense_scores, lexical_scores = dict(dense), dict(lexical)
        fused = fuse_rankings(
            [[i for i, _ in dense], [i for i, _ in lexical]],
            [self.dense_weight if dense_weight is None else dense_weight, self.lexical_weight],
            k=self.rrf_k,
        )
        hits = []
        for item_id, score in fused:
            chunk_id = str(item_id)
            chunk = self.by_id.get(chunk_id)
            if chunk is None:
                continue
            weight = (part_weights or {}).get(chunk.part, 1.0)
            hits.append(
                Hit(chunk, score * weight, dense_scores.get(chunk_id, 0.0), lexical_scores.get(chunk_id, 0.0))
            )
        hits.sort(key=lambda h: -h.score)
        return hits[:k]

    def _weigh(self, ranking: list[tuple[str, float]], years: Mapping[int, float]) -> list[tuple[str, float]]:
        """The ranking re-ordered by year-weighted scores (the reported scores stay the raw ones)."""

        def weighted(item: tuple[str, float]) -> float:
            chunk = self.by_id.get(item[0])
            w = years.get(chunk.year, 1.0) if chunk is not None and chunk.year is not None else 1.0
            return item[1] * w if item[1] >= 0 else item[1] / w

        return sorted(ranking, key=lambda item: -weighted(item))


def _merge(first: list[tuple[str, float]], second: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Union of two scored candidate lists, best first."""
    merged = dict(first)
    for item_id, score in second:
        merged.setdefault(item_id, score)
    return sorted(merged.items(), key=lambda kv: -kv[1])
