"""Thumbs up/down and comments on answers, kept in SQLite with the question, answer, citations and settings."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from reportqa.sqlite import SQLiteFile

RATINGS = ("up", "down")
COLUMNS = (
    "id",
    "time",
    "rating",
    "comment",
    "question",
    "standalone_question",
    "answer",
    "citations",
    "settings",
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    standalone_question TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL,
    citations TEXT NOT NULL DEFAULT '[]',
    settings TEXT NOT NULL DEFAULT '{}'
)
"""


@dataclass(frozen=True)
class FeedbackEntry:
    id: int
    time: str  # ISO 8601, UTC
    rating: str  # up or down
    comment: str
    question: str
    standalone_question: str
    answer: str
    citations: list  # citation dicts as shown to the user
    settings: dict  # the answer-relevant settings at the time


class FeedbackStore:
    """A small SQLite table (WAL, one connection per call) that Gradio's worker threads can share."""

    def __init__(self, path: Path) -> None:
        self.db = SQLiteFile(path, _SCHEMA)
        self.path = self.db.path

    def add(
        self,
        rating: str,
        question: str,
        answer: str,
        citations: list | tuple = (),
        comment: str = "",
        standalone_question: str = "",
        settings: dict | None = None,
    ) -> int:
        """Store one rating and return its id."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, not {rating!r}")
        row = (
            datetime.now(UTC).isoformat(timespec="seconds"),
            rating,
            (comment or "").strip()[:2000],
            question,
            standalone_question,
            answer,
            json.dumps(list(citations), ensure_ascii=False),
            json.dumps(settings or {}, ensure_ascii=False, default=str),
        )
        with self.db.write() as db:
            cursor = db.execute(
                "INSERT INTO feedback (time, rating, comment, question, standalone_question, answer, citations,"
                " settings) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cursor.lastrowid or 0)

    def entries(self, limit: int | None = None, rating: str | None = None) -> list[FeedbackEntry]:
        """Newest first; only one rating when `rating` is given."""
        sql = f"SELECT {', '.join(COLUMNS)} FROM feedback"
        params: tuple = ()
        if rating:
            sql, params = sql + " WHERE rating = ?", (rating,)
        sql += " ORDER BY id DESC"
        if limit:
            sql, params = sql + " LIMIT ?", (*params, limit)
        with self.db.read() as db:
            rows = db.execute(sql, params).fetchall()
        return [_entry(r) for r in rows]

    def get(self, entry_id: int) -> FeedbackEntry | None:
        """One entry by id, or None."""
        with self.db.read() as db:
            row = db.execute(
                f"SELECT {', '.join(COLUMNS)} FROM feedback WHERE id = ?", (entry_id,)
            ).fetchone()
        return _entry(row) if row else None

    def counts(self) -> dict[str, int]:
        """Number of entries per rating."""
        with self.db.read() as db:
            found = dict(db.execute("SELECT rating, COUNT(*) FROM feedback GROUP BY rating").fetchall())
        return {r: int(found.get(r, 0)) for r in RATINGS}

    def export_jsonl(self) -> str:
        """All entries, one JSON object a line, oldest first."""
        return "".join(json.dumps(asdict(e), ensure_ascii=False) + "\n" for e in reversed(self.entries()))

    def export_csv(self) -> str:
        """All entries as CSV (citations and settings as JSON text), oldest first."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for e in reversed(self.entries()):
            data = asdict(e)
            data["citations"] = json.dumps(e.citations, ensure_ascii=False)
            data["settings"] = json.dumps(e.settings, ensure_ascii=False)
            writer.writerow([data[c] for c in COLUMNS])
        return out.getvalue()


def _entry(r: tuple) -> FeedbackEntry:
    return FeedbackEntry(
        id=r[0],
        time=r[1],
        rating=r[2],
        comment=r[3],
        question=r[4],
        standalone_question=r[5],
        answer=r[6],
        citations=json.loads(r[7]),
        settings=json.loads(r[8]),
    )
