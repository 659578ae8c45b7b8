"""Incremental and crash-safe indexing: only changed documents are re-embedded; a bad or killed build never serves."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.corpus import write_corpus
from retrieval import chroma_files
from retrieval.chunking import chunk_document
from retrieval.documents import load_documents, read_manifest
from retrieval.indexing import IndexBusyError, IndexCheckError, Indexer, etag
from retrieval.vector_store import POINTER, ChromaVectorStore, make_chroma_client
from tests.fakes.counting_embedder import CountingEmbedder

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "knowledge" / "shangqiu-2023-government-work-report.txt"


def corpus(folder: Path, scale: int) -> Path:
    return write_corpus(REPORT, read_manifest(REPORT.parent), folder, scale)


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    return corpus(tmp_path / "knowledge", 3)


@pytest.fixture
def store(tmp_path: Path) -> ChromaVectorStore:
    return ChromaVectorStore(make_chroma_client(tmp_path / "chroma"), prefix="safety")


def indexer(store: ChromaVectorStore, embedder, tmp_path: Path) -> Indexer:
    return Indexer(store, embedder, tmp_path / "index.lock")


def texts_of(path: Path, folder: Path) -> set[str]:
    docs, _ = load_documents(folder)
    return {c.embedding_text() for d in docs if d.source == path.name for c in chunk_document(d)}


def test_adding_changing_removing_one_document_reembeds_only_it(tmp_path, knowledge, store) -> None:
    embedder = CountingEmbedder()
    first = indexer(store, embedder, tmp_path).ensure(load_documents(knowledge)[0])
    assert first.embedded == len(embedder.embedded) == len(set(embedder.embedded))  # a repeated text once
    extra = corpus(tmp_path / "bigger", 4)
    added = sorted(set(os.listdir(extra)) - set(os.listdir(knowledge)))
    assert len(added) == 1
    (knowledge / added[0]).write_bytes((extra / added[0]).read_bytes())

    embedder.reset()
    report = indexer(store, embedder, tmp_path).ensure(load_documents(knowledge)[0])
    others = {
        t
        for d in load_documents(knowledge)[0]
        if d.source != added[0]
        for t in texts_of(knowledge / d.source, knowledge)
    }
    assert (
        set(embedder.embedded) == texts_of(knowledge / added[0], knowledge) - others
    )  # only the new document
    assert report.embedded == len(embedder.embedded)

    changed = knowledge / REPORT.name
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\n新增一段：建成地下综合管廊12公里。\n", encoding="utf-8"
    )
    embedder.reset()
    indexer(store, embedder, tmp_path).ensure(load_documents(knowledge)[0])
    assert len(embedder.embedded) == 1 and embedder.embedded[0].endswith(
        "\n新增一段：建成地下综合管廊12公里。"
    )

    (knowledge / added[0]).unlink()
    embedder.reset()
    report = indexer(store, embedder, tmp_path).ensure(load_documents(knowledge)[0])
    assert embedder.calls == 0 and report.rebuilt
    assert added[0] not in {c.source for c in store.load_chunks()}


def test_unchanged_corpus_is_reused_without_embedding(tmp_path, knowledge, store) -> None:
    embedder = CountingEmbedder()
    docs = load_documents(knowledge)[0]
    first = indexer(store, embedder, tmp_path).ensure(docs)
    embedder.reset()
    again = indexer(store, embedder, tmp_path).ensure(docs)
    assert (again.rebuilt, again.embedded, embedder.calls) == (False, 0, 0)
    assert again.fingerprint == first.fingerprint and store.build_names() == [store.active_name()]


class DroppingStore(ChromaVectorStore):
    """Loses the last passage of every write: a build that must fail its count check."""

    def add(self, name, chunks, etags, vectors) -> None:
        super().add(name, chunks[:-1], etags[:-1], vectors[:-1])


class ScramblingStore(ChromaVectorStore):
    """Stores each batch's vectors shifted by one passage: every passage count is right, the vectors are not."""

    def add(self, name, chunks, etags, vectors) -> None:
        super().add(name, chunks, etags, vectors[list(range(1, len(chunks))) + [0]])


@pytest.mark.parametrize("faulty", [DroppingStore, ScramblingStore])
def test_a_build_that_fails_its_checks_is_never_served(tmp_path, knowledge, store, faulty) -> None:
    docs = load_documents(knowledge)[0]
    served = indexer(store, CountingEmbedder(), tmp_path).ensure(docs[:2])
    broken = faulty(store.client, prefix=store.prefix)
    with pytest.raises(IndexCheckError, match="previous one still serves"):
        indexer(broken, CountingEmbedder(), tmp_path).ensure(docs)
    assert store.fingerprint() == served.fingerprint
    assert store.count() == served.passages
    assert store.build_names() == [store.active_name()]  # the bad build was discarded


def test_leftover_builds_are_harvested_then_dropped(tmp_path, knowledge, store) -> None:
    docs = load_documents(knowledge)[0]
    embedder = CountingEmbedder()
    indexer(store, embedder, tmp_path).ensure(docs[:2])
    # A crash while writing a build of all three documents: part of the third document's vectors got stored.
    chunks = chunk_document(docs[2])
    half = store.create("f" * 64, len(chunks))
    store.add(
        half,
        chunks[:20],
        [etag(c, embedder) for c in chunks[:20]],
        embedder.embed_passages([c.embedding_text() for c in chunks[:20]]),
    )
    assert len(store.build_names()) == 2
    embedder.reset()
    indexer(store, embedder, tmp_path).ensure(docs)
    known = {c.embedding_text() for d in docs[:2] for c in chunk_document(d)}
    known |= {c.embedding_text() for c in chunks[:20]}
    assert (
        set(embedder.embedded) == {c.embedding_text() for c in chunks} - known
    )  # the leftover's vectors were reused
    assert store.build_names() == [store.active_name()]
    assert {getattr(c, "name", c) for c in store.client.list_collections()} == {POINTER, store.active_name()}


def test_reusing_an_unchanged_index_also_tidies_leftovers(tmp_path, knowledge, store) -> None:
    docs = load_documents(knowledge)[0]
    indexer(store, CountingEmbedder(), tmp_path).ensure(docs)
    store.create("e" * 64, 1)
    assert indexer(store, CountingEmbedder(), tmp_path).ensure(docs).rebuilt is False
    assert store.build_names() == [store.active_name()]


def test_a_second_indexing_process_gets_a_clear_message(tmp_path, knowledge, store) -> None:
    lock = tmp_path / "index.lock"
    docs = load_documents(knowledge)[0]
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from retrieval.indexing import writer_lock\n"
            "with writer_lock(__import__('pathlib').Path(sys.argv[1])):\n print('locked', flush=True); time.sleep(60)",
            str(lock),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(IndexBusyError, match="another process is indexing"):
            Indexer(store, CountingEmbedder(), lock).ensure(docs)
        assert store.active_name() is None  # nothing half-written
    finally:
        holder.kill()
        holder.wait()
    assert Indexer(store, CountingEmbedder(), lock).ensure(docs).rebuilt  # the kernel freed the lock


# -- SIGKILL at random points of a rebuild ----------------------------------------------------------------
INDEX_SCRIPT = """
import sys, time
from pathlib import Path
from retrieval.documents import load_documents
from retrieval.indexing import Indexer
from retrieval.vector_store import ChromaVectorStore, make_chroma_client
from tests.fakes.counting_embedder import CountingEmbedder
print("ready", flush=True)
data, knowledge = Path(sys.argv[1]), Path(sys.stdin.readline().strip())
def progress(total, label):
    def tick(n):
        print(label.split()[0], n, flush=True)
        time.sleep(0.25 if label.startswith("writing") else 0)  # stretch the build so kills land inside it
    return tick
print("started", flush=True)
store = ChromaVectorStore(make_chroma_client(data / "chroma"), prefix="kill", path=data / "chroma")
report = Indexer(store, CountingEmbedder(delay=0.15), data / "index.lock", progress).ensure(load_documents(knowledge)[0])
print("done", report.fingerprint, flush=True)
"""
QUERIES = [
    "计划建成多少套人才公寓？",
    "2023年生产总值预期增长多少？",
    "过去五年累计造林多少万亩？",
    "城镇新增就业多少万人？",
    "哪些县市成功创建全国文明城市？",
    "今后五年的总体要求是什么？",
]


class IndexerProcess:
    """An indexer subprocess, started ahead (imports take seconds) and told which corpus to index."""

    def __init__(self, data: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", INDEX_SCRIPT, str(data)],
            cwd=ROOT,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert self.process.stdout.readline().strip() == "ready"

    def run(self, knowledge: Path, kill_after: float | None = None) -> list[str]:
        """Index `knowledge`; SIGKILL the process `kill_after` seconds in. Returns what it printed."""
        self.process.stdin.write(f"{knowledge}\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "started"
        if kill_after is not None:
            time.sleep(kill_after)
            self.process.send_signal(signal.SIGKILL)
        out, _ = self.process.communicate(timeout=300)
        assert self.process.returncode == (-signal.SIGKILL if kill_after is not None else 0) or "done" in out
        return ["started", *[line for line in out.split("\n") if line]]


def probe(data: Path) -> dict:
    """What a freshly opened store serves: fingerprint, size and the top passages of the known queries."""
    from chromadb.api.shared_system_client import SharedSystemClient

    from retrieval.hybrid import HybridRetriever

    SharedSystemClient.clear_system_cache()  # no client state carried over from the previous probe
    store = ChromaVectorStore(make_chroma_client(data / "chroma"), prefix="kill")
    retriever = HybridRetriever(store, CountingEmbedder())
    return {
        "fingerprint": store.fingerprint(),
        "count": store.count(),
        "tops": [[h.chunk.id for h in retriever.search(q, k=5)] for q in QUERIES],
    }


@pytest.mark.slow
def test_sigkill_at_random_points_of_a_rebuild_leaves_the_served_index_answering(tmp_path) -> None:
    data, old, new = tmp_path / "data", corpus(tmp_path / "old", 4), corpus(tmp_path / "new", 6)
    changed = new / REPORT.name  # the new corpus also changes a served document
    changed.write_text(
        changed.read_text(encoding="utf-8").replace("人才公寓2000套", "人才公寓2500套"), encoding="utf-8"
    )
    following = IndexerProcess(data)
    following.run(old)
    following = IndexerProcess(data)
    states = {old: probe(data)}
    started = time.monotonic()
    following.run(new)
    duration = time.monotonic() - started  # a full rebuild: each kill lands somewhere within one
    following = IndexerProcess(data)
    states[new] = probe(data)
    assert states[new]["tops"] != states[old]["tops"]
    rng = random.Random(20230105)
    served, outcomes = new, []
    for _ in range(12):  # each round rebuilds towards the corpus that is not served, and is killed
        target = old if served == new else new
        current, following = following, IndexerProcess(data)  # the next one imports while this one runs
        lines = current.run(target, kill_after=rng.uniform(0.0, duration))
        seen = probe(data)
        assert seen in (states[old], states[new])  # never a mix or a broken index: one complete build
        outcomes.append((lines[-1].split()[0], seen == states[served]))
        served = old if seen == states[old] else new
    following.run(old if served == new else new)
    store = ChromaVectorStore(make_chroma_client(data / "chroma"), prefix="kill")
    assert store.build_names() == [store.active_name()]  # every half-built collection was cleaned up
    on_disk = chroma_files.segment_folders(data / "chroma")  # and so was every folder a killed build left
    assert len(on_disk) == 1 and on_disk <= (chroma_files.live_segments(data / "chroma") or set())
    survived = [phase for phase, unchanged in outcomes if unchanged]
    assert len(survived) >= 6, (
        outcomes
    )  # most kills landed inside a build, and the previous index kept serving
    assert {phase for phase, _ in outcomes} - {"started", "done"}, (
        outcomes
    )  # some landed while embedding/writing
