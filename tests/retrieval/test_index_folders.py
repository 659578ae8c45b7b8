"""Replaced builds leave no folders behind: removed once no reader holds them, whatever crashed in between."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from reportqa.engine import build_engine, build_store
from retrieval import chroma_files
from retrieval.chunking import chunk_document
from retrieval.documents import load_documents
from retrieval.embedding import HashingEmbedder
from retrieval.indexing import Indexer, etag
from tests.fakes.counting_embedder import CountingEmbedder

ROOT = Path(__file__).resolve().parents[2]


def folders(settings) -> set[str]:
    return chroma_files.segment_folders(settings.chroma_path)


def live_vector_folder(settings) -> set[str]:
    """The folder of the served build: the one segment folder the catalogue knows."""
    return folders(settings) & (chroma_files.live_segments(settings.chroma_path) or set())


def rebuild(settings) -> None:
    """What `reportqa index --rebuild` does to the store: a fresh store object, a forced build, a swap."""
    docs, _ = load_documents(settings.knowledge_dir)
    Indexer(build_store(settings), HashingEmbedder(), settings.lock_path).ensure(docs, rebuild=True)


def test_twenty_rebuilds_leave_one_live_index_and_no_orphaned_folders(hash_settings) -> None:
    for _ in range(20):
        rebuild(hash_settings)
    store = build_store(hash_settings)
    assert store.build_names() == [store.active_name()]
    assert len(folders(hash_settings)) == 1 and folders(hash_settings) == live_vector_folder(hash_settings)
    leases = hash_settings.chroma_path / "leases"
    assert {p.name for p in leases.iterdir()} <= {f"{store.active_name()}.lease"}  # no stale bookkeeping


def test_a_reader_keeps_its_build_until_it_follows_the_swap(hash_settings) -> None:
    rebuild(hash_settings)
    reader = build_store(hash_settings)
    served = {c.id for c in reader.load_chunks()}  # the running app: it reads this build
    read = reader.served_name
    for _ in range(5):
        rebuild(hash_settings)  # another process rebuilds five times meanwhile
    kept = folders(hash_settings)
    assert len(kept) == 2  # the live build, and the one the reader still holds (nothing of the other four)
    vector = HashingEmbedder().embed_query("人才公寓")
    hits = reader.search(vector, 3)  # its build is gone from the catalogue: it follows the swap
    assert hits and {h for h, _ in hits} <= served and reader.served_name != read
    assert folders(hash_settings) == live_vector_folder(hash_settings) and len(folders(hash_settings)) == 1


def test_the_app_lets_go_of_the_replaced_engines_build(hash_settings) -> None:
    from ui.holder import EngineHolder

    holder = EngineHolder(build_engine(hash_settings), hash_settings)
    for _ in range(3):
        holder.rebuild(force=True)
    assert folders(hash_settings) == live_vector_folder(hash_settings) and len(folders(hash_settings)) == 1
    answer = holder.engine.ask("计划建成多少套人才公寓？")
    assert answer.citations


HOLD_SCRIPT = """
import sys
from reportqa.engine import build_store
from tests.conftest import make_settings
from pathlib import Path
settings = make_settings(Path(sys.argv[1]), knowledge_dir=Path(sys.argv[2]), embedding_model="hashing")
store = build_store(settings)
store.load_chunks()
print(store.served_name, flush=True)
sys.stdin.readline()
"""


def test_a_reader_in_another_process_holds_its_folder_until_it_exits(hash_settings) -> None:
    rebuild(hash_settings)
    root = hash_settings.data_dir.parent
    reader = subprocess.Popen(
        [sys.executable, "-c", HOLD_SCRIPT, str(root), str(hash_settings.knowledge_dir)],
        cwd=ROOT,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert reader.stdout.readline().strip()
        rebuild(hash_settings)
        rebuild(hash_settings)
        assert len(folders(hash_settings)) == 2  # the live one and the one the other process reads
    finally:
        reader.communicate("\n", timeout=60)
    rebuild(hash_settings)  # the next writer (or the next start) sweeps what nobody holds any more
    assert folders(hash_settings) == live_vector_folder(hash_settings) and len(folders(hash_settings)) == 1


def test_what_a_crash_left_behind_is_removed_on_the_next_open(hash_settings) -> None:
    rebuild(hash_settings)
    store = build_store(hash_settings)
    live = live_vector_folder(hash_settings)
    # A crash mid-build: a half-written collection with its folder ...
    docs, _ = load_documents(hash_settings.knowledge_dir)
    chunks, embedder = chunk_document(docs[0])[:10], CountingEmbedder()
    half = store.create("f" * 64, 50)
    store.add(
        half, chunks, [etag(c, embedder) for c in chunks], embedder.embed_passages([c.text for c in chunks])
    )
    # ... and a crash between dropping a build from the catalogue and removing its folder.
    orphan = hash_settings.chroma_path / "0f0f0f0f-0000-4000-8000-000000000000"
    shutil.copytree(hash_settings.chroma_path / next(iter(live)), orphan)
    assert len(folders(hash_settings)) == 3
    engine = build_engine(hash_settings)  # the next start reuses the index and tidies
    assert engine.index_report is not None and not engine.index_report.rebuilt
    assert folders(hash_settings) == live
    assert build_store(hash_settings).build_names() == [store.active_name()]


def test_unreadable_catalogue_removes_nothing(tmp_path) -> None:
    (tmp_path / "0f0f0f0f-0000-4000-8000-000000000000").mkdir()
    (tmp_path / "chroma.sqlite3").write_bytes(b"not a database")
    assert chroma_files.remove_orphans(tmp_path) == []
    assert chroma_files.segment_folders(tmp_path) == {"0f0f0f0f-0000-4000-8000-000000000000"}
