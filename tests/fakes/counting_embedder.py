"""An embedder that counts what it embeds: proves which passages an index build really re-embedded."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from retrieval.embedding import Embedder, HashingEmbedder


class CountingEmbedder:
    """Another embedder's vectors (HashingEmbedder by default, or the real one passed in), plus a record of every
    passage text embedded (and an optional delay per call)."""

    def __init__(self, dim: int = 64, delay: float = 0.0, inner: Embedder | None = None) -> None:
        self._inner = inner or HashingEmbedder(dim)
        self.name = self._inner.name  # same vectors, same cache key as the embedder it wraps
        self.delay = delay
        self.calls = 0
        self.embedded: list[str] = []
        self.queries: list[str] = []

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.embedded.extend(texts)
        if self.delay:
            time.sleep(self.delay)
        return self._inner.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        self.queries.append(text)
        return self._inner.embed_query(text)

    def reset(self) -> None:
        """Forget what was counted so far."""
        self.calls, self.embedded, self.queries = 0, [], []
