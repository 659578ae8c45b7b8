"""Over 50 broken or hostile documents: each refused by name or read correctly; the serving index never changes by a refusal."""

from __future__ import annotations

import hashlib
import re
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import pytest

from reportqa.engine import build_engine
from reportqa.knowledge import add_document, remove_document
from retrieval.documents import DocumentError, load_documents
from tests.conftest import make_settings
from tests.security.bad_files import READ, REFUSED, BadFile, GoodFile
from ui.holder import EngineHolder

QUESTIONS = ("计划建成多少套人才公寓？", "2023年生产总值预期增长多少？", "海棠新区计划建成多少套测试公寓？")


@dataclass(frozen=True)
class Snapshot:
    fingerprint: str
    answers: tuple[tuple[str, tuple[str, ...]], ...]
    folder: tuple[tuple[str, str], ...]  # (file name, sha256) of every knowledge file


def folder_state(folder: Path) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in folder.iterdir()))


def snapshot(holder: EngineHolder) -> Snapshot:
    """What serves now: a fresh build's fingerprint (the index the folder yields), answers, and the folder."""
    fresh = build_engine(holder.settings, embedder=holder.engine.retriever.embedder)
    answers = []
    for q in QUESTIONS:
        a = holder.engine.ask(q)
        answers.append((a.text, tuple(c.text for c in a.citations)))
    return Snapshot(
        fresh.index_report.fingerprint, tuple(answers), folder_state(holder.settings.knowledge_dir)
    )


@pytest.fixture(scope="module")
def holder(tmp_path_factory) -> EngineHolder:
    settings = make_settings(tmp_path_factory.mktemp("files"), embedding_model="hashing")
    return EngineHolder(build_engine(settings), settings)


@pytest.fixture(scope="module")
def baseline(holder) -> Snapshot:
    return snapshot(holder)


@pytest.fixture
def uploads(tmp_path) -> Path:
    folder = tmp_path / "uploads"
    folder.mkdir()
    return folder


def test_there_are_at_least_fifty_bad_documents():
    assert len(REFUSED) + len(READ) >= 50 and len({c.name for c in REFUSED}) == len(REFUSED)


@pytest.mark.parametrize("case", REFUSED, ids=[c.name for c in REFUSED])
def test_bad_upload_is_refused_by_name_and_changes_nothing(holder, baseline, uploads, case: BadFile):
    served = holder.engine
    upload = case.make(uploads)
    with pytest.raises(DocumentError) as caught:
        add_document(holder.settings.knowledge_dir, upload, case.name, {"title": "x"}, holder.rebuild)
    message = str(caught.value)
    assert message.startswith(f"{case.name}: ") and re.search(case.reason, message), message
    assert "Traceback" not in message and str(uploads) not in message  # no server path leaks to staff
    assert holder.engine is served
    assert snapshot(holder) == baseline


def test_a_100_mb_upload_is_refused_without_being_read(holder, uploads):
    case = next(c for c in REFUSED if c.name == "huge-100mb.txt")
    upload = case.make(uploads)
    assert upload.stat().st_size == 100 * 1_048_576
    tracemalloc.start()
    try:
        with pytest.raises(DocumentError, match="100.0 MB, over the 10 MB limit"):
            add_document(holder.settings.knowledge_dir, upload, case.name, {}, holder.rebuild)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1_048_576, f"{peak} bytes allocated while refusing a 100 MB file"


@pytest.mark.parametrize("case", READ, ids=[c.name for c in READ])
def test_awkward_upload_is_read_correctly_then_removed_cleanly(holder, baseline, uploads, case: GoodFile):
    source, engine = add_document(
        holder.settings.knowledge_dir,
        case.make(uploads),
        case.name,
        {"title": "海棠新区测试"},
        holder.rebuild,
    )
    assert holder.engine is engine
    served = next(d for d in engine.documents if d.source == source)
    assert served.text == case.text
    assert any(c.source == source for c in engine.chunks)
    remove_document(holder.settings.knowledge_dir, source, holder.rebuild)
    assert snapshot(holder) == baseline


def test_a_file_name_with_folders_cannot_escape_the_knowledge_folder(holder, baseline, uploads, tmp_path):
    case = READ[0]
    name = "../../" + str(tmp_path / "escaped.txt")
    source, _ = add_document(holder.settings.knowledge_dir, case.make(uploads), name, {}, holder.rebuild)
    assert source == "escaped.txt" and (holder.settings.knowledge_dir / source).is_file()
    assert not (tmp_path / "escaped.txt").exists()
    remove_document(holder.settings.knowledge_dir, source, holder.rebuild)
    assert snapshot(holder) == baseline


def test_a_duplicate_name_is_refused(holder, baseline, uploads):
    name = "shangqiu-2023-government-work-report.txt"
    with pytest.raises(DocumentError, match=f"{name}: a document named {name} already exists"):
        add_document(holder.settings.knowledge_dir, READ[0].make(uploads), name, {}, holder.rebuild)
    assert snapshot(holder) == baseline


def test_bad_files_dropped_into_the_knowledge_folder_are_refused_by_name(tmp_path, baseline, uploads):
    """The same files placed straight into knowledge/ (as an admin might): refused at load, index as before."""
    settings = make_settings(tmp_path / "kb", embedding_model="hashing")
    placed = []
    for case in REFUSED:
        if Path(case.name).suffix not in (".txt", ".md") or case.name == "just-over-10mb.txt":
            continue
        made = case.make(uploads)
        target = settings.knowledge_dir / case.name
        if made.is_symlink():
            target.symlink_to(made.readlink())
        elif made.exists():
            made.rename(target)
        else:
            continue
        placed.append(case.name)
    documents, errors = load_documents(settings.knowledge_dir)
    assert [d.source for d in documents] == ["shangqiu-2023-government-work-report.txt"]
    refused = {str(e).split(": ", 1)[0] for e in errors}
    assert refused == set(placed) - {"a-folder.txt"}  # folders are not knowledge; links and pipes are refused
    assert build_engine(settings).index_report.fingerprint == baseline.fingerprint
