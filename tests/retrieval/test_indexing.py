"""The index is built once and reused; rebuilt when documents or the embedder change."""

from __future__ import annotations

import pytest

from reportqa.engine import build_engine
from retrieval.documents import Document
from retrieval.embedding import HashingEmbedder
from retrieval.indexing import IndexBusyError, Indexer, fingerprint, writer_lock
from retrieval.vector_store import ChromaVectorStore, make_chroma_client

REPORT = "shangqiu-2023-government-work-report.txt"


def test_second_build_reuses_the_index(hash_settings) -> None:
    first = build_engine(hash_settings).index_report
    assert first.rebuilt and first.embedded == first.passages > 0
    second = build_engine(hash_settings).index_report
    assert second.rebuilt is False
    assert second.embedded == 0
    assert second.fingerprint == first.fingerprint
    assert second.passages == first.passages


def test_changed_document_rebuilds_and_reembeds_only_new_passages(hash_settings) -> None:
    first = build_engine(hash_settings).index_report
    path = hash_settings.knowledge_dir / REPORT
    path.write_text(
        path.read_text(encoding="utf-8") + "\n新增一段：建成地下综合管廊12公里。\n", encoding="utf-8"
    )
    engine = build_engine(hash_settings)
    second = engine.index_report
    assert second.rebuilt is True
    assert second.fingerprint != first.fingerprint
    assert second.passages == first.passages + 1
    assert second.embedded == 1  # every unchanged passage reused its cached vector
    assert any("地下综合管廊12公里" in c.text for c in engine.chunks)


def test_added_document_rebuilds(hash_settings) -> None:
    first = build_engine(hash_settings).index_report
    (hash_settings.knowledge_dir / "extra.md").write_text(
        "# 补充\n\n建成地下综合管廊12公里。\n", encoding="utf-8"
    )
    engine = build_engine(hash_settings)
    assert engine.index_report.rebuilt and engine.index_report.fingerprint != first.fingerprint
    assert {c.source for c in engine.chunks} == {REPORT, "extra.md"}


def test_changed_embedder_rebuilds(hash_settings) -> None:
    first = build_engine(hash_settings).index_report
    other = build_engine(hash_settings, embedder=HashingEmbedder(dim=128)).index_report
    assert other.rebuilt is True
    assert other.embedded == other.passages  # vectors of another embedder are never reused
    assert other.fingerprint != first.fingerprint
    back = build_engine(hash_settings).index_report
    assert back.rebuilt is True and back.fingerprint == first.fingerprint


def test_forced_rebuild(hash_settings) -> None:
    build_engine(hash_settings)
    forced = build_engine(hash_settings, rebuild=True).index_report
    assert forced.rebuilt is True
    assert forced.embedded == 0  # nothing changed: every vector came from the cache


def test_fingerprint_depends_on_text_metadata_and_embedder() -> None:
    doc = Document(source="a.txt", text="建成人才公寓2000套。", title="A", year=2023)
    base = fingerprint([doc], HashingEmbedder())
    assert fingerprint([doc], HashingEmbedder()) == base
    assert fingerprint([Document("a.txt", "建成人才公寓3000套。", "A", year=2023)], HashingEmbedder()) != base
    assert fingerprint([Document("a.txt", doc.text, "B", year=2023)], HashingEmbedder()) != base
    assert fingerprint([doc], HashingEmbedder(dim=64)) != base


def test_indexer_reports_progress(tmp_path, report_document) -> None:
    seen: dict[str, int] = {}

    def progress(total: int, label: str):
        seen[label] = 0

        def tick(n: int) -> None:
            seen[label] += n

        return tick

    store = ChromaVectorStore(make_chroma_client(tmp_path / "chroma"))
    report = Indexer(store, HashingEmbedder(), tmp_path / "index.lock", progress).ensure([report_document])
    assert seen == {"embedding passages": report.passages, "writing index": report.passages}


def test_indexer_refuses_to_index_nothing(tmp_path) -> None:
    store = ChromaVectorStore(make_chroma_client(tmp_path / "chroma"))
    with pytest.raises(ValueError, match="no passages"):
        Indexer(store, HashingEmbedder(), tmp_path / "index.lock").ensure([])


def test_a_second_writer_fails_fast(tmp_path, report_document) -> None:
    lock = tmp_path / "index.lock"
    store = ChromaVectorStore(make_chroma_client(tmp_path / "chroma"))
    with writer_lock(lock), pytest.raises(IndexBusyError, match="another process is indexing"):
        Indexer(store, HashingEmbedder(), lock).ensure([report_document])


@pytest.mark.slow
def test_adding_a_report_embeds_only_its_passages_with_the_real_embedder(tmp_path) -> None:
    """Counted around the real (torch multilingual-e5-small) embedder: the added .docx's passages, nothing else."""
    import shutil
    from pathlib import Path

    from reportqa.embedders import torch_e5_embedder
    from reportqa.settings import Settings
    from retrieval.chunking import chunk_document
    from retrieval.documents import load_documents
    from tests.fakes.counting_embedder import CountingEmbedder

    reports = Path(__file__).resolve().parents[1] / "data" / "reports"
    jilin, hebei = reports / "2025年吉林省政府工作报告.docx", reports / "2025年河北省政府工作报告.docx"
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    shutil.copy(jilin, knowledge / jilin.name)
    embedder = CountingEmbedder(inner=torch_e5_embedder(Settings(_env_file=None).model_cache_dir))
    store = ChromaVectorStore(make_chroma_client(tmp_path / "chroma"))
    indexer = Indexer(store, embedder, tmp_path / "index.lock")
    first = indexer.ensure(load_documents(knowledge)[0])
    assert first.passages > 50 and first.embedded == len(embedder.embedded) == len(set(embedder.embedded))
    before = set(embedder.embedded)

    embedder.reset()
    shutil.copy(hebei, knowledge / hebei.name)
    documents = load_documents(knowledge)[0]
    second = indexer.ensure(documents)

    chunks = chunk_document(next(d for d in documents if d.source == hebei.name))
    new = {c.embedding_text() for c in chunks} - before  # "各位代表：" and the like are already embedded
    assert len(new) > 50
    assert sorted(embedder.embedded) == sorted(new)  # each new passage once, none of the other report's
    assert second.embedded == len(new) and second.passages == first.passages + len(chunks)
    assert {c.source for c in store.load_chunks()} == {jilin.name, hebei.name}
