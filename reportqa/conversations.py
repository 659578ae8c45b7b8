"""The conversation log: each chat turn (time, question, searched-for question, answer, refusal, citations,
latency, the user's rating) in SQLite for staff review; no IP address or other identity is ever stored."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reportqa.models import Answer
from reportqa.sqlite import SQLiteFile

COLUMNS = (
    "id",
    "time",
    "question",
    "standalone_question",
    "answer",
    "abstained",
    "verified",
    "citations",
    "latency_ms",
    "rating",
    "channel",
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    question TEXT NOT NULL,
    standalone_question TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL,
    abstained INTEGER NOT NULL,
    verified INTEGER NOT NULL DEFAULT 0,
    citations TEXT NOT NULL DEFAULT '[]',
    latency_ms REAL NOT NULL DEFAULT 0,
    rating TEXT CHECK (rating IN ('up', 'down')),
    channel TEXT NOT NULL DEFAULT 'chat'
);
CREATE INDEX IF NOT EXISTS turns_time ON turns (time);
"""


@dataclass(frozen=True)
class Turn:
    id: int
    time: str  # ISO 8601, UTC
    question: str
    standalone_question: str
    answer: str
    abstained: bool
    verified: bool  # answered by a staff correction
    citations: list  # citation dicts as shown
    latency_ms: float
    rating: str | None  # the user's 👍/👎, if any
    channel: str  # 'chat' (the page) or 'api'


class ConversationLog:
    """Chat turns, each kept `retention_days` (older ones are deleted whenever a turn is written)."""

    def __init__(self, path: Path, retention_days: int = 30) -> None:
        self.retention_days = retention_days
        self.db = SQLiteFile(path, _SCHEMA)
        self.path = self.db.path

    def add(self, answer: Answer, channel: str = "chat", now: datetime | None = None) -> int:
        """Log one answered turn (and drop turns past the retention); returns its id."""
        now = now or datetime.now(UTC)
        row = (
            now.isoformat(timespec="seconds"),
            answer.question,
            answer.standalone_question,
            answer.text,
            int(answer.abstained),
            int(answer.verified),
            json.dumps([c.to_dict() for c in answer.citations], ensure_ascii=False),
            round(answer.latency_ms, 1),
            channel,
        )
        with self.db.write() as db:
            db.execute("DELETE FROM turns WHERE time < ?", (self._cutoff(now),))
            cursor = db.execute(
                "INSERT INTO turns (time, question, standalone_question, answer, abstained, verified, citations,"
                " latency_ms, channel) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cursor.lastrowid or 0)

    def rate(self, turn_id: int, rating: str) -> None:
        """Record the user's 👍/👎 on a logged turn."""
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be up or down, not {rating!r}")
        with self.db.write() as db:
            db.execute("UPDATE turns SET rating = ? WHERE id = ?", (rating, turn_id))

    def _cutoff(self, now: datetime) -> str:
        return (now - timedelta(days=self.retention_days)).isoformat(timespec="seconds")

    def purge(self, now: datetime | None = None) -> int:
        """Delete turns older than the retention; how many went."""
        with self.db.write() as db:
            return db.execute(
                "DELETE FROM turns WHERE time < ?", (self._cutoff(now or datetime.now(UTC)),)
            ).rowcount

    def turns(
        self, refused_only: bool = False, down_only: bool = False, limit: int | None = None
    ) -> list[Turn]:
        """Newest first, optionally only refusals and/or only turns rated 👎."""
        where = [w for w, on in (("abstained = 1", refused_only), ("rating = 'down'", down_only)) if on]
        sql = f"SELECT {', '.join(COLUMNS)} FROM turns"
        sql += f" WHERE {' AND '.join(where)}" if where else ""
        sql += " ORDER BY id DESC" + (" LIMIT ?" if limit else "")
        with self.db.read() as db:
            rows = db.execute(sql, (limit,) if limit else ()).fetchall()
        return [
            Turn(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6]), json.loads(r[7]), r[8], r[9], r[10])
            for r in rows
        ]

    def export_jsonl(self, **filters: bool) -> str:
        """The (filtered) turns, one JSON object a line, oldest first."""
        turns = reversed(self.turns(**filters))
        return "".join(json.dumps(asdict(t), ensure_ascii=False) + "\n" for t in turns)

    def export_csv(self, **filters: bool) -> str:
        """The (filtered) turns as CSV (citations as JSON text), oldest first."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for t in reversed(self.turns(**filters)):
            data = {**asdict(t), "citations": json.dumps(t.citations, ensure_ascii=False)}
            writer.writerow([data[c] for c in COLUMNS])
        return out.getvalue()


def open_log(path: Path, enabled: bool, retention_days: int) -> ConversationLog | None:
    """The log the settings ask for (turns past the retention deleted now), or None when logging is off."""
    if not enabled:
        return None
    log = ConversationLog(path, retention_days)
    log.purge()
    return log
