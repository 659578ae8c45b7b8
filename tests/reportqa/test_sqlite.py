"""The SQLite stores survive `kill -9` mid-write: a real subprocess writes feedback and corrections through the
real store code and is killed; every entry it reported committed is there after a restart, and the file is sound."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from reportqa.corrections import CorrectionStore
from reportqa.feedback import FeedbackStore
from reportqa.sqlite import SQLiteFile

ROOT = Path(__file__).resolve().parents[2]
# Writes 20 feedback entries and 20 corrections, alternating, each with a large payload (so a kill lands inside
# a transaction more often than between two), printing each id once its transaction has committed.
WRITER = """
import sys
from pathlib import Path
from reportqa.corrections import CorrectionStore
from reportqa.feedback import FeedbackStore
folder, tag = Path(sys.argv[1]), sys.argv[2]
feedback, corrections = FeedbackStore(folder / "feedback.sqlite3"), CorrectionStore(folder / "corrections.sqlite3")
big = "很长的回答。" * 20000
for i in range(20):
    fid = feedback.add("down", f"{tag} question {i}", big, [{"n": 1, "text": big}], f"{tag} {i}")
    print("feedback", fid, flush=True)
    cid = corrections.add(f"{tag} question {i}", "44.5万亩", big, "report.txt", fid)
    print("correction", cid, flush=True)
print("done", flush=True)
"""


def write_and_kill(folder: Path, tag: str, after: int) -> tuple[set[int], set[int], bool]:
    """Run the writer, SIGKILL it once `after` commits were reported; the ids it reported, and whether it finished."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(folder), tag], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    assert process.stdout is not None
    lines = []
    while len(lines) < after:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.split())
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    lines += [line.split() for line in process.stdout.read().splitlines()]  # reported before it died
    feedback = {int(p[1]) for p in lines if p[0] == "feedback"}
    corrections = {int(p[1]) for p in lines if p[0] == "correction"}
    return feedback, corrections, ["done"] in lines


def test_committed_entries_survive_kill_9(tmp_path):
    reported_feedback: set[int] = set()
    reported_corrections: set[int] = set()
    killed_midway = 0
    for round_, after in enumerate((3, 11, 24)):
        feedback, corrections, finished = write_and_kill(tmp_path, f"round{round_}", after)
        killed_midway += not finished
        reported_feedback |= feedback
        reported_corrections |= corrections
        # a restart: fresh store objects on the same files (a leftover WAL is recovered on open)
        started = time.perf_counter()
        stored_feedback = {e.id for e in FeedbackStore(tmp_path / "feedback.sqlite3").entries()}
        stored_corrections = {c.id for c in CorrectionStore(tmp_path / "corrections.sqlite3").active()}
        assert time.perf_counter() - started < 10
        assert reported_feedback <= stored_feedback
        assert reported_corrections <= stored_corrections
        # at most the one transaction in flight committed without being reported
        assert (
            len(stored_feedback - reported_feedback) <= 1
            and len(stored_corrections - reported_corrections) <= 1
        )
        for name in ("feedback.sqlite3", "corrections.sqlite3"):
            assert SQLiteFile(tmp_path / name, "").integrity() == "ok"
    assert killed_midway >= 2, "the writer finished before it was killed: the test did not test a crash"
    entries = FeedbackStore(tmp_path / "feedback.sqlite3").entries()
    assert all(len(e.answer) == 120_000 for e in entries)  # no torn rows


def test_the_stores_use_wal(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    with store.db.read() as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_a_failed_write_rolls_back(tmp_path):
    store = CorrectionStore(tmp_path / "c.sqlite3")
    try:
        with store.db.write() as db:
            db.execute(
                "INSERT INTO corrections (time, question, answer, evidence, source) VALUES ('t', 'q', 'a', 'e', 's')"
            )
            raise RuntimeError("half-way")
    except RuntimeError:
        pass
    assert store.active() == []
