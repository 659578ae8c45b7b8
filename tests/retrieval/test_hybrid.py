"""Hybrid retrieval over a real Chroma store: dense + BM25 fused, weighted by report part."""

from __future__ import annotations

import pytest

from retrieval.embedding import HashingEmbedder
from retrieval.hybrid import HybridRetriever
from retrieval.indexing import Indexer
from retrieval.vector_store import ChromaVectorStore, make_chroma_client


@pytest.fixture(scope="module")
def retriever(tmp_path_factory, report_document) -> HybridRetriever:
    folder = tmp_path_factory.mktemp("hybrid")
    store = ChromaVectorStore(make_chroma_client(folder / "chroma"))
    embedder = HashingEmbedder()
    Indexer(store, embedder, folder / "index.lock").ensure([report_document])
    return HybridRetriever(store, embedder)


def test_finds_the_passage_by_words(retriever: HybridRetriever) -> None:
    hits = retriever.search("计划建成多少套人才公寓", k=5)
    assert len(hits) == 5
    assert "建成人才公寓2000套" in hits[0].chunk.text
    assert hits[0].dense > 0 and hits[0].lexical > 0
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_finds_the_passage_by_figure(retriever: HybridRetriever) -> None:
    assert "累计造林52.8万亩" in retriever.search("52.8万亩", k=3)[0].chunk.text


def test_part_weights_prefer_the_asked_part(retriever: HybridRetriever) -> None:
    query = "固定资产投资增长"
    plan = retriever.search(query, k=3, part_weights={"plan": 2.0, "review": 0.5})
    review = retriever.search(query, k=3, part_weights={"review": 2.0, "plan": 0.5})
    assert plan[0].chunk.part == "plan" and "固定资产投资增长10.5%" in plan[0].chunk.text
    assert review[0].chunk.part == "review" and "固定资产投资年均增长9.5%" in review[0].chunk.text


def test_lexical_query_adds_terms(retriever: HybridRetriever) -> None:
    plain = retriever.search("talent apartments", k=5)
    assert all(h.lexical == 0 for h in plain)  # no shared token with the Chinese passages
    hits = retriever.search("talent apartments", k=5, lexical_query="talent apartments 人才公寓")
    talent = [h for h in hits if "人才公寓" in h.chunk.text]
    assert talent and talent[0].lexical > 0


def test_sources_limit_the_documents(retriever: HybridRetriever) -> None:
    assert retriever.search("人才公寓", k=3, sources=["no-such-file.txt"]) == []
    hits = retriever.search("人才公寓", k=3, sources=["shangqiu-2023-government-work-report.txt"])
    assert hits and all(h.chunk.source == "shangqiu-2023-government-work-report.txt" for h in hits)


def test_reload_reads_the_served_passages(retriever: HybridRetriever, report_chunks) -> None:
    retriever.reload()
    assert len(retriever.chunks) == len(report_chunks)
    assert set(retriever.by_id) == {c.id for c in report_chunks}


def test_a_repeated_question_is_embedded_once(tmp_path, report_document) -> None:
    from tests.fakes.counting_embedder import CountingEmbedder

    store = ChromaVectorStore(make_chroma_client(tmp_path / "chroma"))
    embedder = CountingEmbedder()
    Indexer(store, embedder, tmp_path / "index.lock").ensure([report_document])
    retriever = HybridRetriever(store, embedder)
    first = retriever.search("计划建成多少套人才公寓", k=3)
    again = retriever.search("计划建成多少套人才公寓", k=3)
    retriever.search("累计造林多少万亩", k=3)
    assert embedder.queries == ["计划建成多少套人才公寓", "累计造林多少万亩"]
    assert [h.chunk.id for h in first] == [h.chunk.id for h in again]
    with pytest.raises(ValueError):  # the cached vector is shared, so nobody may change it in place
        retriever.embed_query("计划建成多少套人才公寓")[0] = 1.0

    uncached = HybridRetriever(store, embedder, query_cache=0)
    embedder.reset()
    uncached.search("计划建成多少套人才公寓", k=3)
    uncached.search("计划建成多少套人才公寓", k=3)
    assert embedder.queries == ["计划建成多少套人才公寓"] * 2
