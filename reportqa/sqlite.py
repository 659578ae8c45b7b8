"""SQLite files for the small stores (feedback, corrections, conversation log): WAL, full sync, short transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class SQLiteFile:
    """One database file; a connection per call, so Gradio's worker threads and other processes can share it.

    WAL lets readers work while one writer commits, and a process killed mid-write leaves the last committed
    state (the half-written transaction is discarded on the next open); synchronous=FULL makes a commit durable
    once `write()` returns. Writers take the write lock up front (BEGIN IMMEDIATE), so two writers queue on the
    busy timeout instead of failing half-way through a read-then-write.
    """

    def __init__(self, path: Path, schema: str, busy_timeout_s: float = 10.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.busy_timeout_s = busy_timeout_s
        db = self._open()
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(schema)
        finally:
            db.close()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None)
        db.execute("PRAGMA synchronous=FULL")
        db.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_s * 1000)}")
        return db

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection for queries (autocommit; each statement sees the last committed state)."""
        db = self._open()
        try:
            yield db
        finally:
            db.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        db = self._open()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    def integrity(self) -> str:
        """PRAGMA integrity_check's verdict: 'ok' for a sound file."""
        with self.read() as db:
            return str(db.execute("PRAGMA integrity_check").fetchone()[0])
