"""The Chroma store under tmp_path: versioned collections, exact round trip, served-index switching."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.embedding import HashingEmbedder
from retrieval.indexing import etag
from retrieval.vector_store import POINTER, ChromaVectorStore, make_chroma_client


@pytest.fixture
def store(tmp_path: Path) -> ChromaVectorStore:
    return ChromaVectorStore(make_chroma_client(tmp_path / "chroma"), prefix="test")


def build(store: ChromaVectorStore, chunks, fingerprint: str, embedder=None) -> str:
    embedder = embedder or HashingEmbedder(dim=32)
    vectors = embedder.embed_passages([c.embedding_text() for c in chunks])
    ticks: list[int] = []
    name = store.build(chunks, [etag(c, embedder) for c in chunks], vectors, fingerprint, ticks.append)
    assert sum(ticks) == len(chunks)  # the progress callback saw every passage
    return name


def test_empty_store_serves_nothing(store: ChromaVectorStore) -> None:
    assert store.active_name() is None
    assert store.fingerprint() is None
    assert store.count() == 0
    assert store.load_chunks() == []
    assert store.search(np.ones(32, dtype=np.float32), 5) == []
    assert store.cached_vectors({"x"}) == {}


def test_build_is_not_served_until_activated(store: ChromaVectorStore, report_chunks) -> None:
    name = build(store, report_chunks, "f" * 64)
    assert store.fingerprint() is None
    store.activate(name)
    assert store.active_name() == name
    assert store.fingerprint() == "f" * 64
    assert store.count() == len(report_chunks)


def test_passages_round_trip_exactly(store: ChromaVectorStore, report_chunks) -> None:
    store.activate(build(store, report_chunks, "a" * 64))
    assert store.load_chunks() == sorted(report_chunks, key=lambda c: (c.source, c.start))


def test_search_returns_ids_and_cosine_similarity(store: ChromaVectorStore, report_chunks) -> None:
    embedder = HashingEmbedder(dim=32)
    store.activate(build(store, report_chunks, "b" * 64, embedder))
    target = next(c for c in report_chunks if "建成人才公寓2000套" in c.text)
    results = store.search(embedder.embed_passages([target.embedding_text()])[0], 3)
    assert results[0][0] == target.id
    assert results[0][1] == pytest.approx(1.0, abs=1e-4)
    assert [s for _, s in results] == sorted((s for _, s in results), reverse=True)
    assert store.search(embedder.embed_query("人才"), 3, sources=["other.txt"]) == []


def test_cached_vectors_by_content_tag(store: ChromaVectorStore, report_chunks) -> None:
    embedder = HashingEmbedder(dim=32)
    store.activate(build(store, report_chunks, "c" * 64, embedder))
    tags = {etag(c, embedder) for c in report_chunks[:3]}
    cached = store.cached_vectors(tags | {"unknown"})
    assert set(cached) == tags
    first = report_chunks[0]
    np.testing.assert_allclose(
        cached[etag(first, embedder)],
        embedder.embed_passages([first.embedding_text()])[0],
        rtol=1e-5,
        atol=1e-6,
    )


def test_activating_a_new_build_drops_the_old_one(store: ChromaVectorStore, report_chunks) -> None:
    old = build(store, report_chunks, "d" * 64)
    store.activate(old)
    new = build(store, report_chunks[:5], "e" * 64)
    store.activate(new)
    names = {getattr(c, "name", c) for c in store.client.list_collections()}
    assert names == {POINTER, new}
    assert store.count() == 5


def test_half_built_collections_are_dropped(store: ChromaVectorStore, report_chunks) -> None:
    store.activate(build(store, report_chunks, "1" * 64))
    served = store.active_name()
    build(store, report_chunks[:2], "2" * 64)  # a build that was never activated (a crash)
    store.drop_unused()
    assert {getattr(c, "name", c) for c in store.client.list_collections()} == {POINTER, served}


def test_store_persists_across_clients(tmp_path: Path, report_chunks) -> None:
    first = ChromaVectorStore(make_chroma_client(tmp_path / "chroma"), prefix="test")
    first.activate(build(first, report_chunks, "3" * 64))
    second = ChromaVectorStore(make_chroma_client(tmp_path / "chroma"), prefix="test")
    assert second.fingerprint() == "3" * 64
    assert second.count() == len(report_chunks)


def test_embedded_store_needs_a_path() -> None:
    with pytest.raises(ValueError, match="folder path"):
        make_chroma_client(None)


def test_passages_keep_their_region_under_its_full_and_short_name(store: ChromaVectorStore) -> None:
    from retrieval.chunking import chunk_document
    from retrieval.documents import Document

    henan = chunk_document(
        Document("henan.docx", "建成人才公寓900套。\n\n累计造林10万亩。", "河南报告", "河南省", 2025)
    )
    other = chunk_document(Document("notes.txt", "新增城镇就业2万人。", "说明"))
    store.activate(build(store, henan + other, "e" * 64))

    assert {(c.source, c.region) for c in store.load_chunks()} == {
        ("henan.docx", "河南省"),
        ("notes.txt", ""),
    }
    collection = store.client.get_collection(store.active_name())
    for where in ({"region": "河南省"}, {"region_short": "河南"}):
        got = collection.get(where=where, include=["metadatas"])
        assert {m["source"] for m in got["metadatas"]} == {"henan.docx"}
        assert len(got["ids"]) == len(henan)
