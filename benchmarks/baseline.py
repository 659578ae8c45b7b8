"""The naive baseline: fixed 500-character chunks, dense retrieval only, answer = the top chunk."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence

from retrieval.chunking import Chunk
from retrieval.documents import Document
from retrieval.embedding import Embedder
from retrieval.vector_store import ChromaVectorStore

CHUNK_CHARS = 500


def fixed_chunks(documents: Sequence[Document], size: int = CHUNK_CHARS) -> list[Chunk]:
    """Cut every document into consecutive `size`-character windows, ignoring its structure."""
    chunks = []
    for doc in documents:
        for start in range(0, len(doc.text), size):
            text = doc.text[start : start + size]
            if text.strip():
                chunk_id = hashlib.sha1(f"{doc.source}\x00{start}".encode()).hexdigest()[:16]
                chunks.append(
                    Chunk(
                        chunk_id,
                        doc.source,
                        text,
                        start,
                        start + len(text),
                        "",
                        0,
                        "other",
                        doc.title,
                        doc.year,
                    )
                )
    return chunks


class NaiveBaseline:
    """Dense-only top-1 retrieval in its own Chroma collection; the answer is the passage itself."""

    def __init__(self, documents: Sequence[Document], embedder: Embedder, store: ChromaVectorStore) -> None:
        self.embedder, self.store = embedder, store
        self.chunks = fixed_chunks(documents)
        self.by_id = {c.id: c for c in self.chunks}
        vectors = embedder.embed_passages([c.text for c in self.chunks])
        tags = [hashlib.sha1(c.text.encode()).hexdigest() for c in self.chunks]
        fingerprint = hashlib.sha256("".join(tags).encode()).hexdigest()
        store.activate(store.build(self.chunks, tags, vectors, fingerprint))

    def answer_item(self, item: dict) -> dict:
        """One line of the results contract (claims get no verdict: the baseline cannot check them)."""
        started = time.perf_counter()
        hits = self.store.search(self.embedder.embed_query(item.get("question") or item.get("claim", "")), 1)
        top = self.by_id[hits[0][0]] if hits else None
        latency = (time.perf_counter() - started) * 1000
        citations = (
            [
                {
                    "n": 1,
                    "text": top.text,
                    "source": top.source,
                    "section": "",
                    "start": top.start,
                    "end": top.end,
                    "score": hits[0][1],
                }
            ]
            if top
            else []
        )
        return {
            "id": item["id"],
            "answer": top.text if top else "",
            "abstained": top is None,
            "verdict": None,
            "citations": citations,
            "latency_ms": latency,
        }
