"""Chroma as the vector store: embedded (PersistentClient) or a `chroma run` server (HttpClient).

Each build goes into a new collection; a small pointer collection names the one being served, and is
switched only when the new one is complete, so a crash mid-build leaves the previous index serving.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from retrieval.chunking import Chunk

POINTER = "reportqa-active"
_BATCH = 256


def make_chroma_client(path: Path | None = None, host: str | None = None, port: int | None = None):
    """An embedded client on `path`, or an HTTP client when a host is given; telemetry off."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if host:
        return chromadb.HttpClient(host=host, port=port or 8000, settings=settings)
    if path is None:
        raise ValueError("an embedded Chroma store needs a folder path")
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def _metadata(chunk: Chunk, etag: str) -> dict:
    meta = {
        "source": chunk.source, "section": chunk.section, "paragraph": chunk.paragraph, "part": chunk.part,
        "start": chunk.start, "end": chunk.end, "title": chunk.title, "etag": etag,
    }
    if chunk.year is not None:
        meta["year"] = chunk.year
    return meta


def _chunk(chunk_id: str, text: str, meta: dict) -> Chunk:
    return Chunk(
        id=chunk_id, source=meta["source"], text=text, start=int(meta["start"]), end=int(meta["end"]),
        section=meta.get("section", ""), paragraph=int(meta.get("paragraph", 0)), part=meta.get("part", "other"),
        title=meta.get("title", ""), year=int(meta["year"]) if "year" in meta else None,
    )


class ChromaVectorStore:
    """Versioned collections of passages with their own embeddings (never Chroma's embedding function)."""

    def __init__(self, client, prefix: str = "reportqa") -> None:
        self.client = client
        self.prefix = prefix
        self._collection = None

    # -- which collection is served ------------------------------------------------------------
    def _pointer(self):
        return self.client.get_or_create_collection(POINTER, embedding_function=None, metadata={"kind": "pointer"})

    def active_name(self) -> str | None:
        return (self._pointer().metadata or {}).get(f"{self.prefix}:active")

    def _active(self):
        name = self.active_name()
        if name is None:
            return None
        if self._collection is None or self._collection.name != name:
            self._collection = self.client.get_collection(name, embedding_function=None)
        return self._collection

    def fingerprint(self) -> str | None:
        """The content hash of the served index, or None when nothing is served yet."""
        collection = self._active()
        return None if collection is None else (collection.metadata or {}).get("fingerprint")

    def count(self) -> int:
        collection = self._active()
        return 0 if collection is None else collection.count()

    # -- building ----------------------------------------------------------------------------------
    def cached_vectors(self, etags: set[str]) -> dict[str, np.ndarray]:
        """Embeddings already in the served collection, by content tag: reused instead of recomputed."""
        collection = self._active()
        if collection is None or not etags:
            return {}
        found: dict[str, np.ndarray] = {}
        got = collection.get(where={"etag": {"$in": sorted(etags)}}, include=["embeddings", "metadatas"])
        for meta, vector in zip(got["metadatas"], got["embeddings"], strict=True):
            found[meta["etag"]] = np.asarray(vector, dtype=np.float32)
        return found

    def build(
        self, chunks: Sequence[Chunk], etags: Sequence[str], vectors: np.ndarray, fingerprint: str,
        progress: Callable[[int], None] | None = None,
    ) -> str:
        """Write a complete new collection aside (not yet served); returns its name."""
        name = f"{self.prefix}-{fingerprint[:12]}-{time.time_ns() % 10**12}"
        collection = self.client.create_collection(
            name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}},
            metadata={"fingerprint": fingerprint, "passages": len(chunks)},
        )
        for i in range(0, len(chunks), _BATCH):
            batch = chunks[i : i + _BATCH]
            collection.add(
                ids=[c.id for c in batch], documents=[c.text for c in batch],
                embeddings=vectors[i : i + _BATCH],
                metadatas=[_metadata(c, e) for c, e in zip(batch, etags[i : i + _BATCH], strict=True)],
            )
            if progress:
                progress(len(batch))
        if collection.count() != len(chunks):
            raise RuntimeError(f"index build incomplete: {collection.count()} of {len(chunks)} passages written")
        return name

    def activate(self, name: str) -> None:
        """Serve `name` (one atomic metadata write), then drop every other collection of this store."""
        pointer = self._pointer()
        pointer.modify(metadata={**(pointer.metadata or {}), f"{self.prefix}:active": name})
        self._collection = None
        self.drop_unused()

    def drop_unused(self) -> None:
        """Remove half-built or superseded collections (left by a crash or a previous build)."""
        active = self.active_name()
        for collection in self.client.list_collections():
            cname = getattr(collection, "name", collection)
            if cname.startswith(f"{self.prefix}-") and cname != active and cname != POINTER:
                self.client.delete_collection(cname)

    # -- reading -----------------------------------------------------------------------------------
    def load_chunks(self) -> list[Chunk]:
        """All served passages, in document order."""
        collection = self._active()
        if collection is None:
            return []
        got = collection.get(include=["documents", "metadatas"])
        chunks = [_chunk(i, t, m) for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)]
        return sorted(chunks, key=lambda c: (c.source, c.start))

    def search(self, vector: np.ndarray, k: int, sources: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """(passage id, cosine similarity), best first."""
        collection = self._active()
        if collection is None or k <= 0:
            return []
        where = {"source": {"$in": list(sources)}} if sources else None
        got = collection.query(query_embeddings=[vector], n_results=min(k, collection.count()), where=where,
                               include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(got["ids"][0], got["distances"][0], strict=True)]
