"""Build the index once, reuse it while documents and embedder are unchanged, rebuild safely when not."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from retrieval import chunking
from retrieval.chunking import Chunk, chunk_document
from retrieval.documents import Document
from retrieval.embedding import Embedder
from retrieval.vector_store import ChromaVectorStore

log = logging.getLogger(__name__)
CHUNKER_VERSION = "structure-v2"

WRITE_BATCH = 128  # passages per write (and per progress tick of "writing index")
EMBED_BATCH = (
    64  # passages per embedder call: a batch embedder sorts them by length, so bigger wastes less padding
)

ProgressFactory = Callable[[int, str], Callable[[int], None]]


class IndexBusyError(RuntimeError):
    """Another process is writing the index."""


class IndexCheckError(RuntimeError):
    """A new build failed its checks before the swap; the previous index still serves."""


@dataclass(frozen=True)
class IndexReport:
    fingerprint: str
    passages: int
    rebuilt: bool
    embedded: int  # passages whose vectors were computed (not reused from the cache)


@lru_cache(maxsize=1)
def _chunker_digest() -> str:
    """Hash of the chunking code: an edited chunker must not keep serving passages cut the old way."""
    return hashlib.sha256(Path(chunking.__file__).read_bytes()).hexdigest()


def fingerprint(documents: Sequence[Document], embedder: Embedder) -> str:
    """Content hash of everything the index depends on."""
    h = hashlib.sha256(f"{CHUNKER_VERSION}\x00{_chunker_digest()}\x00{embedder.name}".encode())
    for doc in sorted(documents, key=lambda d: d.source):
        h.update(f"\x00{doc.source}\x00{doc.sha256}\x00{doc.title}\x00{doc.region}\x00{doc.year}".encode())
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

    def __init__(
        self,
        store: ChromaVectorStore,
        embedder: Embedder,
        lock_path: Path,
        progress: ProgressFactory = _no_progress,
    ) -> None:
        self.store, self.embedder, self.lock_path, self.progress = store, embedder, lock_path, progress

    def ensure(self, documents: Sequence[Document], rebuild: bool = False) -> IndexReport:
        """Reuse the served index when its fingerprint matches; otherwise build aside and swap in."""
        wanted = fingerprint(documents, self.embedder)
        if not rebuild and self.store.fingerprint() == wanted:
            self._tidy()
            return IndexReport(wanted, self.store.count(), rebuilt=False, embedded=0)
        with writer_lock(self.lock_path):
            if not rebuild and self.store.fingerprint() == wanted:  # another process just built it
                return IndexReport(wanted, self.store.count(), rebuilt=False, embedded=0)
            return self._build(documents, wanted)

    def _tidy(self) -> None:
        """Drop builds a crash left behind, unless another process is indexing right now (it may own them);
        then remove the folders of replaced builds that no process reads any more."""
        if len(self.store.build_names()) > 1:
            try:
                with writer_lock(self.lock_path):
                    self.store.drop_unused()
                return
            except IndexBusyError:
                pass
        self.store.sweep()

    def _build(self, documents: Sequence[Document], wanted: str) -> IndexReport:
        chunks = [c for doc in documents for c in chunk_document(doc)]
        if not chunks:
            raise ValueError("no passages to index: the knowledge folder has no readable document.")
        tags = [etag(c, self.embedder) for c in chunks]
        vectors = self.store.cached_vectors(set(tags))  # also harvests builds that a crash left behind
        self.store.drop_unused()
        texts = {t: c.embedding_text() for c, t in zip(chunks, tags, strict=True) if t not in vectors}
        log.info(
            "indexing %d passages (%d to embed, %d cached)", len(chunks), len(texts), len(chunks) - len(texts)
        )
        started = time.perf_counter()
        embed_tick = self.progress(len(texts), "embedding passages")
        write_tick = self.progress(len(chunks), "writing index")
        name = self.store.create(wanted, len(chunks))
        # Embed and write batch by batch: memory stays flat, and a crash keeps what was embedded for next time.
        for i in range(0, len(chunks), WRITE_BATCH):
            batch_tags = tags[i : i + WRITE_BATCH]
            todo = [t for t in dict.fromkeys(batch_tags) if t not in vectors]
            for j in range(0, len(todo), EMBED_BATCH):
                step = todo[j : j + EMBED_BATCH]
                vectors.update(zip(step, self.embedder.embed_passages([texts[t] for t in step]), strict=True))
                embed_tick(len(step))
            self.store.add(
                name, chunks[i : i + WRITE_BATCH], batch_tags, np.vstack([vectors[t] for t in batch_tags])
            )
            write_tick(len(batch_tags))
        self._check(name, chunks, tags, vectors)
        self.store.activate(name)
        seconds = time.perf_counter() - started
        log.info("indexed %d passages (%d embedded) in %.1f s", len(chunks), len(texts), seconds)
        return IndexReport(wanted, len(chunks), rebuilt=True, embedded=len(texts))

    def _check(self, name: str, chunks: Sequence[Chunk], tags: Sequence[str], vectors: dict) -> None:
        """Before the swap: every passage is there, and each document's first passage finds itself."""
        firsts: dict[str, tuple[str, str, np.ndarray]] = {}
        for chunk, tag in zip(chunks, tags, strict=True):
            firsts.setdefault(chunk.source, (chunk.id, tag, vectors[tag]))
        problems = self.store.check(name, len(chunks), list(firsts.values()))
        if problems:
            self.store.discard(name)
            raise IndexCheckError(
                f"the new index failed its checks, the previous one still serves: {problems[0]}"
            )
