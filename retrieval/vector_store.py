"""Chroma as the vector store: embedded (PersistentClient) or a `chroma run` server (HttpClient).

Each build goes into a new collection; a small pointer collection names the one being served, and is
switched only when the new one is complete and checked, so a crash mid-build leaves the previous index serving.
An embedded store also removes the folders of replaced builds once no process reads them (retrieval.leases).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

import numpy as np

from retrieval import chroma_files
from retrieval.chunking import Chunk
from retrieval.leases import ReaderLeases
from retrieval.regions import region_named

POINTER = "reportqa-active"
_BATCH = 256
_PAGE = 1000  # rows per get(): bounded responses, also over HTTP


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
        "source": chunk.source,
        "section": chunk.section,
        "paragraph": chunk.paragraph,
        "part": chunk.part,
        "start": chunk.start,
        "end": chunk.end,
        "title": chunk.title,
        "etag": etag,
    }
    if chunk.year is not None:
        meta["year"] = chunk.year
    if place := region_named(chunk.region):
        meta["region"] = place.name  # full name (河南省): what a filter on the region matches
        meta["region_short"] = place.short or place.name  # 河南
    return meta


def _chunk(chunk_id: str, text: str, meta: Mapping) -> Chunk:
    return Chunk(
        id=chunk_id,
        source=meta["source"],
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        section=meta.get("section", ""),
        paragraph=int(meta.get("paragraph", 0)),
        part=meta.get("part", "other"),
        title=meta.get("title", ""),
        year=int(meta["year"]) if "year" in meta else None,
        region=meta.get("region", ""),
    )


def _where(sources: Sequence[str] | None, years: Sequence[int] | None) -> dict | None:
    clauses: list[dict] = []
    if sources:
        clauses.append({"source": {"$in": list(sources)}})
    if years:
        clauses.append({"year": {"$in": [int(y) for y in years]}})
    return None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}


class ChromaVectorStore:
    """Versioned collections of passages with their own embeddings (never Chroma's embedding function)."""

    def __init__(self, client, prefix: str = "reportqa", path: Path | None = None) -> None:
        """`path`: the embedded store's folder, whose replaced builds' folders this store then removes."""
        self.client = client
        self.prefix = prefix
        self._builds = re.compile(rf"^{re.escape(prefix)}-[0-9a-f]{{12}}-\d+$")
        self._collection = None  # the served collection, pinned until load_chunks() or activate()
        self.path = path
        self.leases = ReaderLeases(path / "leases") if path is not None else None
        self._lease: IO | None = None  # held on the pinned collection while this store reads it

    # -- which collection is served ------------------------------------------------------------
    def _pointer(self):
        return self.client.get_or_create_collection(
            POINTER, embedding_function=None, metadata={"kind": "pointer"}
        )

    def active_name(self) -> str | None:
        """The served collection, read from the pointer now (another process may have switched it)."""
        return (self._pointer().metadata or {}).get(f"{self.prefix}:active")

    def _active(self, fresh: bool = False):
        if self._collection is not None and not fresh:
            return self._collection
        from chromadb.errors import NotFoundError

        for attempt in range(3):
            name = self.active_name()
            if name is None:
                self._pin(None, None)
            elif self._collection is None or self._collection.name != name:
                lease = self.leases.hold(name) if self.leases else None
                try:  # leased first, then looked up: a build found here keeps its files while pinned
                    self._pin(self.client.get_collection(name, embedding_function=None), lease)
                except NotFoundError:  # swapped and dropped between reading the pointer and the lookup
                    ReaderLeases.let_go(lease)
                    if attempt == 2:
                        raise
                    continue
            break
        return self._collection

    def _pin(self, collection, lease: IO | None, sweep: bool = True) -> None:
        """Read `collection` from now on; the lease on the one read before is let go, and its files may go."""
        previous, self._lease, self._collection = self._lease, lease, collection
        if previous is not None:
            ReaderLeases.let_go(previous)
            if sweep:
                self.sweep()

    def release(self) -> None:
        """This store reads nothing any more (its engine was replaced): let go of its build."""
        self._pin(None, None)

    @property
    def served_name(self) -> str | None:
        """The collection search() reads now (pinned by load_chunks(), re-pinned when a swap dropped it)."""
        return None if self._collection is None else self._collection.name

    def fingerprint(self) -> str | None:
        """The content hash of the served index, or None when nothing is served yet."""
        collection = self._active(fresh=True)
        return None if collection is None else (collection.metadata or {}).get("fingerprint")

    def count(self) -> int:
        collection = self._active(fresh=True)
        return 0 if collection is None else collection.count()

    def build_names(self) -> list[str]:
        """Every build collection of this store: served, superseded or half-built."""
        names = (getattr(c, "name", c) for c in self.client.list_collections())
        return sorted(n for n in names if self._builds.match(n))

    # -- building ----------------------------------------------------------------------------------
    def _pages(self, collection, include: list[str], **where) -> Iterator[dict]:
        for offset in range(0, collection.count(), _PAGE):
            yield collection.get(include=include, limit=_PAGE, offset=offset, **where)

    def cached_vectors(self, etags: set[str]) -> dict[str, np.ndarray]:
        """Embeddings already computed, by content tag: from the served index and from builds a crash left."""
        if not etags:
            return {}
        active = self.active_name()
        found: dict[str, np.ndarray] = {}
        for name in sorted(self.build_names(), key=lambda n: n != active):  # served first
            try:
                collection = self.client.get_collection(name, embedding_function=None)
                for got in self._pages(collection, ["embeddings", "metadatas"]):
                    for meta, vector in zip(got["metadatas"], got["embeddings"], strict=True):
                        if meta["etag"] in etags and meta["etag"] not in found:
                            found[meta["etag"]] = np.asarray(vector, dtype=np.float32)
            except Exception:  # noqa: BLE001 - a broken leftover only means fewer cached vectors
                continue
        return found

    def create(self, fingerprint: str, passages: int) -> str:
        """A new, empty build collection (not served); returns its name."""
        name = f"{self.prefix}-{fingerprint[:12]}-{time.time_ns() % 10**12}"
        self.client.create_collection(
            name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"fingerprint": fingerprint, "passages": passages},
        )
        return name

    def add(self, name: str, chunks: Sequence[Chunk], etags: Sequence[str], vectors: np.ndarray) -> None:
        """Append passages with their vectors to a build collection."""
        collection = self.client.get_collection(name, embedding_function=None)
        for i in range(0, len(chunks), _BATCH):
            batch = chunks[i : i + _BATCH]
            collection.add(
                ids=[c.id for c in batch],
                documents=[c.text for c in batch],
                embeddings=vectors[i : i + _BATCH],
                metadatas=[_metadata(c, e) for c, e in zip(batch, etags[i : i + _BATCH], strict=True)],
            )

    def build(
        self,
        chunks: Sequence[Chunk],
        etags: Sequence[str],
        vectors: np.ndarray,
        fingerprint: str,
        progress: Callable[[int], None] | None = None,
    ) -> str:
        """Write a complete new collection aside (not yet served); returns its name."""
        name = self.create(fingerprint, len(chunks))
        for i in range(0, len(chunks), _BATCH):
            self.add(name, chunks[i : i + _BATCH], etags[i : i + _BATCH], vectors[i : i + _BATCH])
            if progress:
                progress(len(chunks[i : i + _BATCH]))
        problems = self.check(name, len(chunks), [])
        if problems:
            raise RuntimeError(f"index build incomplete: {problems[0]}")
        return name

    def check(self, name: str, passages: int, probes: Sequence[tuple[str, str, np.ndarray]]) -> list[str]:
        """Problems of a build before it is served: wrong passage count, or a probe (id, etag, vector) not found."""
        collection = self.client.get_collection(name, embedding_function=None)
        problems = []
        if (count := collection.count()) != passages:
            problems.append(f"{name} holds {count} of {passages} passages")
        for chunk_id, tag, vector in probes:
            got = collection.query(query_embeddings=[vector], n_results=1, include=["metadatas", "distances"])
            ids, metas = got["ids"][0], got["metadatas"][0]
            # A passage whose text occurs twice may come back as its twin: same content tag, same vector.
            if (
                not ids
                or (ids[0] != chunk_id and metas[0].get("etag") != tag)
                or got["distances"][0][0] > 1e-3
            ):
                problems.append(f"{name}: passage {chunk_id} is not its own nearest neighbour")
        return problems

    def discard(self, name: str) -> None:
        """Delete a build collection that must never be served."""
        if name != self.active_name():
            self._drop(name)
            self.sweep()

    def activate(self, name: str) -> None:
        """Serve `name` (one atomic metadata write), then drop every other collection of this store."""
        pointer = self._pointer()
        pointer.modify(metadata={**(pointer.metadata or {}), f"{self.prefix}:active": name})
        self._pin(None, None, sweep=False)
        self.drop_unused()

    def drop_unused(self) -> None:
        """Remove half-built or superseded collections (left by a crash or a previous build), then their folders."""
        active = self.active_name()
        for name in self.build_names():
            if name != active:
                self._drop(name)
        self.sweep()

    def _drop(self, name: str) -> None:
        if self.leases is not None and self.path is not None:  # remember its folders for the sweep
            collection = self.client.get_collection(name, embedding_function=None)
            self.leases.note_dropped(name, chroma_files.collection_segments(self.path, collection.id))
        self.client.delete_collection(name)

    def sweep(self) -> list[str]:
        """Remove the folders of builds gone from the catalogue that no process still reads (embedded store)."""
        if self.path is None or self.leases is None:
            return []
        return chroma_files.remove_orphans(self.path, keep=self.leases.held_folders(self.build_names()))

    # -- reading -----------------------------------------------------------------------------------
    def load_chunks(self) -> list[Chunk]:
        """All served passages, in document order; pins the served collection for search()."""
        collection = self._active(fresh=True)
        if collection is None:
            return []
        chunks = [
            _chunk(i, t, m)
            for got in self._pages(collection, ["documents", "metadatas"])
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        return sorted(chunks, key=lambda c: (c.source, c.start))

    def search(
        self,
        vector: np.ndarray,
        k: int,
        sources: Sequence[str] | None = None,
        years: Sequence[int] | None = None,
    ) -> list[tuple[str, float]]:
        """(passage id, cosine similarity), best first; optionally only from some documents or years."""
        from chromadb.errors import NotFoundError

        collection = self._active()
        if collection is None or k <= 0:
            return []
        # n_results may exceed the passages left by a filter: Chroma then returns what there is.
        query = {
            "query_embeddings": [vector],
            "n_results": k,
            "where": _where(sources, years),
            "include": ["distances"],
        }
        try:
            got = collection.query(**query)
        except NotFoundError:  # another process swapped in a new build and dropped this one
            collection = self._active(fresh=True)
            if collection is None:
                return []
            got = collection.query(**query)
        return [(i, 1.0 - float(d)) for i, d in zip(got["ids"][0], got["distances"][0], strict=True)]
