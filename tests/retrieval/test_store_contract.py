"""The vector store's contract, held by the embedded store and by a real `chroma run` server on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import numpy as np
import pytest

from benchmarks.appserver import free_port, stop
from reportqa.engine import build_engine, build_store
from reportqa.settings import Settings
from retrieval.chunking import chunk_document
from retrieval.documents import Document
from retrieval.indexing import Indexer, etag
from retrieval.vector_store import ChromaVectorStore, make_chroma_client
from tests.conftest import make_settings
from tests.fakes.counting_embedder import CountingEmbedder

OTHER = Document(
    "other.txt",
    "2022年工作安排\n\n建成人才公寓900套。新增城镇就业8万人。\n\n累计造林10万亩。",
    "另一份报告",
    region="开封市",
    year=2022,
)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory) -> tuple[str, int, subprocess.Popen]:
    """`chroma run` on a free loopback port and a tmp folder; stopped at the end of the session."""
    chroma = Path(sys.executable).with_name("chroma")
    chroma = str(chroma) if chroma.exists() else shutil.which("chroma")
    if chroma is None:
        pytest.fail("the `chroma` command (installed with chromadb) is missing")
    folder, port = tmp_path_factory.mktemp("chroma-server"), free_port()
    log = open(folder / "server.log", "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [chroma, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(folder / "data")],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"chroma run did not start:\n{(folder / 'server.log').read_text()[-2000:]}")
            time.sleep(0.2)
    yield "127.0.0.1", port, process
    stop(process)
    log.close()


@pytest.fixture(params=["embedded", "server"])
def client_factory(request, tmp_path):
    """Opens a new client on the same store: a fresh PersistentClient folder, or the shared test server."""
    if request.param == "embedded":
        return lambda: make_chroma_client(tmp_path / "chroma")
    host, port, _ = request.getfixturevalue("chroma_server")
    return lambda: make_chroma_client(host=host, port=port)


@pytest.fixture
def prefix() -> str:
    return f"t{uuid.uuid4().hex[:8]}"  # tests share the server: each works in its own prefix


@pytest.fixture
def store(client_factory, prefix) -> ChromaVectorStore:
    return ChromaVectorStore(client_factory(), prefix)


def index(store: ChromaVectorStore, docs, tmp_path: Path, embedder=None):
    return Indexer(store, embedder or CountingEmbedder(), tmp_path / "index.lock").ensure(docs)


def test_build_then_reuse_by_fingerprint(store, tmp_path, report_document) -> None:
    embedder = CountingEmbedder()
    first = index(store, [report_document], tmp_path, embedder)
    assert first.rebuilt and first.embedded == len(embedder.embedded) > 0
    embedder.reset()
    again = index(store, [report_document], tmp_path, embedder)
    assert (again.rebuilt, again.embedded, embedder.calls) == (False, 0, 0)
    assert store.fingerprint() == first.fingerprint and store.count() == first.passages


def test_search_with_and_without_source_filter(store, tmp_path, report_document) -> None:
    embedder = CountingEmbedder()
    index(store, [report_document, OTHER], tmp_path, embedder)
    query = embedder.embed_query("建成人才公寓")
    sources = {report_document.source, OTHER.source}
    both = store.search(query, 40)
    assert {c.source for c in store.load_chunks() if c.id in dict(both)} == sources
    only = store.search(query, 40, sources=[OTHER.source])
    assert only and {i for i, _ in only} <= {c.id for c in chunk_document(OTHER)}
    assert store.search(query, 5, years=[2022]) == store.search(query, 5, sources=[OTHER.source])
    assert store.search(query, 5, sources=["missing.txt"]) == []
    scores = [s for _, s in both]
    assert scores == sorted(scores, reverse=True)


def test_load_chunks_round_trip(store, tmp_path, report_document) -> None:
    index(store, [report_document, OTHER], tmp_path)
    expected = sorted(
        chunk_document(report_document) + chunk_document(OTHER), key=lambda c: (c.source, c.start)
    )
    assert store.load_chunks() == expected  # ids, text, offsets, sections, parts, titles and years


def test_pointer_swap_is_seen_by_other_clients(
    store, client_factory, prefix, tmp_path, report_document
) -> None:
    first = index(store, [report_document], tmp_path)
    reader = ChromaVectorStore(client_factory(), prefix)
    assert reader.fingerprint() == first.fingerprint and len(reader.load_chunks()) == first.passages
    second = index(store, [report_document, OTHER], tmp_path)
    assert reader.fingerprint() == second.fingerprint  # the pointer is read afresh
    embedder = CountingEmbedder()
    hits = reader.search(embedder.embed_query("建成人才公寓900套"), 3)  # its pinned collection was dropped
    assert hits and hits[0][0] in {c.id for c in chunk_document(OTHER)}
    assert len(reader.load_chunks()) == second.passages


def test_a_retriever_follows_a_swap_made_by_another_writer(
    store, client_factory, prefix, tmp_path, report_document
) -> None:
    from retrieval.hybrid import HybridRetriever

    index(store, [report_document], tmp_path)
    retriever = HybridRetriever(ChromaVectorStore(client_factory(), prefix), CountingEmbedder())
    index(store, [report_document, OTHER], tmp_path)  # the writer drops the collection the retriever read
    hits = retriever.search("建成人才公寓900套", k=3, sources=[OTHER.source])
    assert hits and hits[0].chunk.source == OTHER.source and hits[0].lexical > 0  # passages and BM25 re-read


def test_drop_unused_keeps_the_served_build_and_other_prefixes(
    store, client_factory, prefix, tmp_path, report_document
) -> None:
    index(store, [OTHER], tmp_path)
    neighbour = ChromaVectorStore(client_factory(), f"{prefix}-x")  # a prefix that extends this one
    index(neighbour, [OTHER], tmp_path / "n")
    store.create("a" * 64, 3)  # a build a crash left half-done
    assert len(store.build_names()) == 2
    store.drop_unused()
    assert store.build_names() == [store.active_name()]
    assert neighbour.build_names() == [neighbour.active_name()] and neighbour.count() == len(
        chunk_document(OTHER)
    )


def test_cached_vectors_by_content_tag(store, tmp_path, report_document) -> None:
    embedder = CountingEmbedder()
    index(store, [report_document], tmp_path, embedder)
    chunks = chunk_document(report_document)
    tags = {etag(c, embedder): c for c in chunks[:4]}
    cached = store.cached_vectors(set(tags) | {"no-such-tag"})
    assert set(cached) == set(tags)
    for tag, chunk in tags.items():
        np.testing.assert_allclose(
            cached[tag], embedder.embed_passages([chunk.embedding_text()])[0], atol=1e-6
        )


def test_check_finds_missing_passages_and_lost_vectors(store, report_document) -> None:
    embedder = CountingEmbedder()
    chunks = chunk_document(report_document)
    tags = [etag(c, embedder) for c in chunks]
    vectors = embedder.embed_passages([c.embedding_text() for c in chunks])
    name = store.create("b" * 64, len(chunks))
    store.add(name, chunks[:-1], tags[:-1], vectors[:-1])
    probes = [(chunks[0].id, tags[0], vectors[0]), (chunks[5].id, tags[5], -vectors[5])]
    problems = store.check(name, len(chunks), probes)
    assert len(problems) == 2 and "holds" in problems[0] and chunks[5].id in problems[1]
    assert store.check(name, len(chunks) - 1, probes[:1]) == []


def test_telemetry_is_off(store) -> None:
    assert store.client.get_settings().anonymized_telemetry is False


def test_the_server_talks_only_to_loopback(chroma_server) -> None:
    """The `chroma run` process holds no connection to anything but 127.0.0.1 (no telemetry, no download)."""
    _, port, process = chroma_server
    client = make_chroma_client(host="127.0.0.1", port=port)
    client.heartbeat()
    inodes = {
        os.readlink(f"/proc/{process.pid}/fd/{fd}")[8:-1]
        for fd in os.listdir(f"/proc/{process.pid}/fd")
        if os.readlink(f"/proc/{process.pid}/fd/{fd}").startswith("socket:[")
    }
    sockets = []  # (state, local address, remote address) of the server's own TCP sockets
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{process.pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                sockets.append((fields[3], fields[1].split(":")[0], fields[2].split(":")[0]))
    loopback = {"0100007F", "00000000000000000000000001000000", "0000000000000000FFFF00000100007F"}
    assert any(
        state == "0A" for state, _, _ in sockets
    )  # found its listening socket: the check sees its sockets
    assert {local for _, local, _ in sockets} <= loopback, sockets
    assert {remote for state, _, remote in sockets if state != "0A"} <= loopback, sockets


def test_settings_from_the_environment_select_the_server(chroma_server, monkeypatch, tmp_path) -> None:
    host, port, _ = chroma_server
    monkeypatch.setenv("REPORTQA_CHROMA_HOST", host)
    monkeypatch.setenv("REPORTQA_CHROMA_PORT", str(port))
    settings = Settings(_env_file=None)
    assert (settings.chroma_host, settings.chroma_port) == (host, port)
    assert type(build_store(settings).client).__name__ == "Client"  # chromadb.HttpClient returns a Client
    assert not (tmp_path / "chroma").exists()


def test_the_engine_runs_on_the_server(chroma_server, tmp_path) -> None:
    host, port, _ = chroma_server
    prefix = f"e{uuid.uuid4().hex[:8]}"
    settings = make_settings(
        tmp_path, embedding_model="hashing", chroma_host=host, chroma_port=port, collection_prefix=prefix
    )
    engine = build_engine(settings)
    answer = engine.ask("计划建成多少套人才公寓？")
    assert "2000" in answer.text and answer.citations
    server_side = ChromaVectorStore(make_chroma_client(host=host, port=port), prefix)
    assert server_side.fingerprint() == engine.index_report.fingerprint
    assert not settings.chroma_path.exists()  # nothing was written to the embedded store
    assert build_engine(settings).index_report.rebuilt is False  # reused from the server
