"""Build the index once, reuse it while documents and embedder are unchanged, rebuild safely when not."""

from __future__ import annotations

import fcntl
import hashlib
import logging
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.chunking import Chunk, chunk_document
from retrieval.documents import Document
from retrieval.embedding import Embedder
from retrieval.vector_store import ChromaVectorStore

log = logging.getLogger(__name__)
CHUNKER_VERSION = "structure-v2"

ProgressFactory = Callable[[int, str], Callable[[int], None]]


class IndexBusyError(RuntimeError):
    """Another process is writing the index."""


@dataclass(frozen=True)
class IndexReport:
    fingerprint: str
    passages: int
    rebuilt: bool
    embedded: int  # passages whose vectors were computed (not reused from the cache)


def fingerprint(documents: Sequence[Document], embedder: Embedder) -> str:
    """Content hash of everything the index depends on."""
    h = hashlib.sha256(f"{CHUNKER_VERSION}\x00{embedder.name}".encode())
    for doc in sorted(documents, key=lambda d: d.source):
        h.update(f"\x00{doc.source}\x00{doc.sha256}\x00{doc.title}\x00{doc.city}\x00{doc.year}".encode())
    return h.hexdigest()


def etag(chunk: Chunk, embedder: Embedder) -> str:
    """Cache key of one passage's embedding."""
    return hashlib.sha1(f"{embedder.name}\x00{chunk.embedding_text()}".encode()).hexdigest()


@contextmanager
def writer_lock(lock_path: Path):
    """Only one indexing process at a time; a second one fails fast with a clear message."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexBusyError(
                f"another process is indexing (lock {lock_path}); wait for it to finish, then try again."
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _no_progress(total: int, label: str) -> Callable[[int], None]:
    return lambda n: None


class Indexer:
    """Keeps the vector store in step with the documents."""

    def __init__(self, store: ChromaVectorStore, embedder: Embedder, lock_path: Path,
                 progress: ProgressFactory = _no_progress) -> None:
        self.store, self.embedder, self.lock_path, self.progress = store, embedder, lock_path, progress

    def ensure(self, documents: Sequence[Document], rebuild: bool = False) -> IndexReport:
        """Reuse the served index when its fingerprint matches; otherwise build aside and swap in."""
        wanted = fingerprint(documents, self.embedder)
        if not rebuild and self.store.fingerprint() == wanted:
            return IndexReport(wanted, self.store.count(), rebuilt=False, embedded=0)
        with writer_lock(self.lock_path):
            if not rebuild and self.store.fingerprint() == wanted:  # another process just built it
                return IndexReport(wanted, self.store.count(), rebuilt=False, embedded=0)
            return self._build(documents, wanted)

    def _build(self, documents: Sequence[Document], wanted: str) -> IndexReport:
        chunks = [c for doc in documents for c in chunk_document(doc)]
        if not chunks:
            raise ValueError("no passages to index: the knowledge folder has no readable document.")
        tags = [etag(c, self.embedder) for c in chunks]
        cached = self.store.cached_vectors(set(tags))
        missing = [i for i, t in enumerate(tags) if t not in cached]
        log.info("indexing %d passages (%d to embed, %d cached)", len(chunks), len(missing), len(chunks) - len(missing))
        tick = self.progress(len(missing), "embedding passages")
        computed: dict[int, np.ndarray] = {}
        step = 16
        for i in range(0, len(missing), step):
            batch = missing[i : i + step]
            vectors = self.embedder.embed_passages([chunks[j].embedding_text() for j in batch])
            computed.update(zip(batch, vectors, strict=True))
            tick(len(batch))
        matrix = np.vstack([computed[i] if i in computed else cached[tags[i]] for i in range(len(chunks))])
        name = self.store.build(chunks, tags, matrix, wanted, self.progress(len(chunks), "writing index"))
        self.store.activate(name)
        return IndexReport(wanted, len(chunks), rebuilt=True, embedded=len(missing))
