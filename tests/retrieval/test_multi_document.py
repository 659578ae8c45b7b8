"""Many documents: passages and citations name their document; a source filter and year weights choose among them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.corpus import copy_identity, write_corpus
from reportqa.engine import build_engine
from retrieval.documents import load_documents, read_manifest
from retrieval.hybrid import HybridRetriever
from retrieval.indexing import Indexer
from retrieval.vector_store import ChromaVectorStore, make_chroma_client
from tests.conftest import make_settings
from tests.fakes.counting_embedder import CountingEmbedder

ROOT = Path(__file__).resolve().parents[2]
REPORT = "shangqiu-2023-government-work-report.txt"
KAIFENG = "kaifeng-2022-government-work-report.txt"


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory) -> Path:
    """The report and a copy of it as 开封市's 2022 report (other city, year and figures)."""
    source = ROOT / "knowledge" / REPORT
    return write_corpus(
        source, read_manifest(source.parent), tmp_path_factory.mktemp("multi") / "knowledge", 2
    )


@pytest.fixture(scope="module")
def retriever(tmp_path_factory, knowledge) -> HybridRetriever:
    folder = tmp_path_factory.mktemp("multi-index")
    store = ChromaVectorStore(make_chroma_client(folder / "chroma"))
    embedder = CountingEmbedder()
    Indexer(store, embedder, folder / "index.lock").ensure(load_documents(knowledge)[0])
    return HybridRetriever(store, embedder)


def test_the_copy_is_another_city_and_year(knowledge) -> None:
    assert copy_identity(0) == ("开封市", "kaifeng", 2022)
    text = (knowledge / KAIFENG).read_text(encoding="utf-8")
    assert "商丘" not in text and "开封" in text and "2022年工作安排" in text
    assert "人才公寓2000套" not in text  # the 2023 Shangqiu answers stay unique
    manifest = json.loads((knowledge / "manifest.json").read_text(encoding="utf-8"))["documents"]
    assert manifest[KAIFENG] == {
        "title": "2022年开封市政府工作报告",
        "city": "开封市",
        "year": 2022,
        "source": f"synthetic copy 0 of {REPORT} (benchmarks/corpus.py)",
    }


def test_every_passage_names_its_document(retriever, knowledge) -> None:
    docs = {d.source: d for d in load_documents(knowledge)[0]}
    assert {c.source for c in retriever.chunks} == {REPORT, KAIFENG}
    for chunk in retriever.chunks:
        doc = docs[chunk.source]
        assert (chunk.title, chunk.year) == (doc.title, doc.year)
        assert doc.text[chunk.start : chunk.end] == chunk.text


@pytest.mark.parametrize("source", [REPORT, KAIFENG])
def test_sources_limit_retrieval_to_one_document(retriever, source) -> None:
    hits = retriever.search("计划建成多少套人才公寓？", k=5, sources=[source])
    assert hits and {h.chunk.source for h in hits} == {source}
    assert "人才公寓" in hits[0].chunk.text


@pytest.mark.parametrize(("year", "source"), [(2023, REPORT), (2022, KAIFENG)])
def test_year_weights_prefer_that_years_document(retriever, year, source) -> None:
    for query in ("今年的主要预期目标是什么？", "计划建成多少套人才公寓？", "生产总值预期增长多少？"):
        hits = retriever.search(query, k=3, year_weights={year: 1.5})
        assert hits[0].chunk.source == source, query
        assert hits[0].chunk.year == year


def test_neutral_year_weights_change_nothing(retriever) -> None:
    query = "城镇新增就业多少万人？"
    plain = [(h.chunk.id, h.score) for h in retriever.search(query, k=8)]
    assert [(h.chunk.id, h.score) for h in retriever.search(query, k=8, year_weights={2023: 1.0})] == plain
    assert [(h.chunk.id, h.score) for h in retriever.search(query, k=8, year_weights={1999: 2.0})] == plain


def test_year_weights_pull_the_year_in_among_many_documents(tmp_path) -> None:
    """Among 20 near-identical reports the one of the asked year is found, even beyond the usual candidates."""
    source = ROOT / "knowledge" / REPORT
    folder = write_corpus(source, read_manifest(source.parent), tmp_path / "knowledge", 20)
    store = ChromaVectorStore(make_chroma_client(tmp_path / "chroma"))
    embedder = CountingEmbedder()
    Indexer(store, embedder, tmp_path / "index.lock").ensure(load_documents(folder)[0])
    retriever = HybridRetriever(store, embedder, candidates=5)
    for query in ("2023年生产总值预期增长多少？", "计划建成多少套人才公寓？"):
        hits = retriever.search(query, k=3, year_weights={2023: 1.5})
        assert hits[0].chunk.source == REPORT, query
    hits = retriever.search("人才公寓", k=3, sources=[REPORT])  # a filter is applied before the cut
    assert hits and "人才公寓2000套" in hits[0].chunk.text


def test_answers_and_citations_name_the_document(tmp_path, knowledge) -> None:
    engine = build_engine(make_settings(tmp_path, knowledge_dir=knowledge, embedding_model="hashing"))
    for source, title in ((REPORT, "2023年商丘市政府工作报告"), (KAIFENG, "2022年开封市政府工作报告")):
        answer = engine.ask("计划建成多少套人才公寓？", sources=[source])
        assert answer.citations and {(c.source, c.title) for c in answer.citations} == {(source, title)}


def test_cli_ask_with_source(tmp_path, knowledge, monkeypatch, capsys) -> None:
    from reportqa.cli import main

    for key, value in {
        "KNOWLEDGE_DIR": knowledge,
        "DATA_DIR": tmp_path / "data",
        "EMBEDDING_MODEL": "hashing",
    }.items():
        monkeypatch.setenv(f"REPORTQA_{key}", str(value))
    monkeypatch.delenv("REPORTQA_LLM_BASE_URL", raising=False)
    monkeypatch.delenv("REPORTQA_CHROMA_HOST", raising=False)
    assert main(["ask", "计划建成多少套人才公寓？", "--source", KAIFENG, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["citations"] and {c["source"] for c in answer["citations"]} == {KAIFENG}
