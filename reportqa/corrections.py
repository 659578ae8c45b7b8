"""Staff corrections: the right answer to a question and the report passage it rests on, kept in SQLite,
checked against the current index, turned into verified answers and exported as evaluation items."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reportqa.grounding import MARKER, check_grounding
from reportqa.models import Answer, Citation
from reportqa.sqlite import SQLiteFile
from retrieval.chunking import Chunk
from retrieval.figures import find_figures
from retrieval.text import squash

MAX_ANSWER_CHARS = 240  # the evaluation rules' longest answer
MAX_QUESTION_CHARS = 500
MIN_EVIDENCE_CHARS = 4
_SCHEMA = """
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    evidence TEXT NOT NULL,
    source TEXT NOT NULL,
    feedback_id INTEGER,
    retired INTEGER NOT NULL DEFAULT 0
);
"""
_COLUMNS = "id, time, question, answer, evidence, source, feedback_id"


class CorrectionError(ValueError):
    """A correction that cannot be recorded as given; the message says what to fix."""


@dataclass(frozen=True)
class Correction:
    id: int
    time: str  # ISO 8601, UTC
    question: str  # the question it answers (the standalone form of the rated one, as staff left it)
    answer: str  # the right answer, without [n] markers
    evidence: str  # text of the report the answer rests on (inside one passage of the index)
    source: str  # the document that text is in
    feedback_id: int | None = None  # the thumbs-down it answers, when recorded from one


def find_evidence(evidence: str, chunks: Sequence[Chunk], source: str | None = None) -> Chunk | None:
    """The passage of the index holding `evidence` (white space and character forms ignored), or None."""
    needle = squash(evidence)
    if len(needle) < MIN_EVIDENCE_CHARS:
        return None
    return next(
        (c for c in chunks if (source is None or c.source == source) and needle in squash(c.text)), None
    )


def check_correction(question: str, answer: str, evidence: str, chunks: Sequence[Chunk]) -> Chunk:
    """The passage a correction rests on; CorrectionError when the question, answer or evidence will not do."""
    question, answer, evidence = (question or "").strip(), (answer or "").strip(), (evidence or "").strip()
    if not question or len(question) > MAX_QUESTION_CHARS:
        raise CorrectionError(f"问题不能为空，且不超过 {MAX_QUESTION_CHARS} 字。 (A question is needed.)")
    if not answer or len(answer) > MAX_ANSWER_CHARS:
        raise CorrectionError(
            f"答案不能为空，且不超过 {MAX_ANSWER_CHARS} 字。 (An answer of at most {MAX_ANSWER_CHARS} characters.)"
        )
    if MARKER.search(answer):
        raise CorrectionError("答案里不要写 [n] 引用标记，出处会自动加上。 (Leave out [n] markers.)")
    chunk = find_evidence(evidence, chunks)
    if chunk is None:
        raise CorrectionError(
            "当前索引中找不到这段原文：请从报告中原样粘贴一句（在同一段内），或选择一个段落。"
            " (This text is not in the current index: paste a sentence exactly as the report has it.)"
        )
    grounding = check_grounding(f"{answer}[1]", [passage_citation(chunk, evidence)])
    if not grounding.ok:
        raise CorrectionError(
            "答案中的数字必须出现在所选原文所在的段落中："
            + "；".join(grounding.problems)
            + " (Every figure of the answer must appear in the passage it cites.)"
        )
    return chunk


def passage_citation(chunk: Chunk, evidence: str, score: float = 1.0) -> Citation:
    """The passage holding the evidence as citation [1], the evidence highlighted when found as written."""
    at = chunk.text.find(evidence.strip())
    highlight = (at, at + len(evidence.strip())) if at >= 0 else None
    return Citation(
        1, chunk.text, chunk.source, chunk.section, chunk.start, chunk.end, score, chunk.title, highlight
    )


def corrected_answer(
    question: str,
    standalone: str,
    correction: Correction,
    chunks: Sequence[Chunk],
    score: float,
    language: str = "zh",
) -> Answer | None:
    """The correction as a verified answer citing its passage in the current index; None when that passage is
    gone (a re-index changed or removed it) or the answer's figures are no longer in it."""
    chunk = find_evidence(correction.evidence, chunks, correction.source)
    if chunk is None:
        return None
    text, citation = f"{correction.answer}[1]", passage_citation(chunk, correction.evidence, round(score, 4))
    if not check_grounding(text, [citation]).ok:
        return None
    return Answer(
        question=question,
        standalone_question=standalone,
        text=text,
        abstained=False,
        citations=(citation,),
        language=language,
        mode="correction",
        verified=True,
        extras={
            "correction": correction.id,
            "matched_question": correction.question,
            "similarity": round(score, 4),
        },
    )


class CorrectionStore:
    """Corrections in SQLite (WAL); retired ones are kept for the record but no longer used."""

    def __init__(self, path: Path) -> None:
        self.db = SQLiteFile(path, _SCHEMA)
        self.path = self.db.path

    def add(
        self, question: str, answer: str, evidence: str, source: str, feedback_id: int | None = None
    ) -> int:
        """Store one (already checked) correction and return its id."""
        row = (
            datetime.now(UTC).isoformat(timespec="seconds"),
            question.strip(),
            answer.strip(),
            evidence.strip(),
            source,
            feedback_id,
        )
        with self.db.write() as db:
            cursor = db.execute(
                "INSERT INTO corrections (time, question, answer, evidence, source, feedback_id)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cursor.lastrowid or 0)

    def active(self) -> list[Correction]:
        """The corrections in use, newest first."""
        with self.db.read() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM corrections WHERE retired = 0 ORDER BY id DESC"
            ).fetchall()
        return [Correction(*row) for row in rows]

    def retire(self, correction_id: int) -> bool:
        """Stop using a correction; False when there was no such active correction."""
        with self.db.write() as db:
            cursor = db.execute(
                "UPDATE corrections SET retired = 1 WHERE id = ? AND retired = 0", (correction_id,)
            )
            return cursor.rowcount > 0

    def export_jsonl(self) -> str:
        """The active corrections as evaluation items (the public set's format), oldest first."""
        items = [evaluation_item(c) for c in reversed(self.active())]
        return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)


def evaluation_item(correction: Correction) -> dict:
    """A question item of the evaluation format: the answer must hold the correction's figures (or, without
    figures, its longest stretch of the evidence), and the evidence must be cited."""
    return {
        "id": f"corr{correction.id:04d}",
        "question": correction.question,
        "kind": "correction",
        "answer_must": answer_patterns(correction.answer, correction.evidence),
        "evidence": correction.evidence,
    }


def answer_patterns(answer: str, evidence: str) -> list[str]:
    """Regexes an answer must match: each figure of the staff answer, else its longest run found in the evidence."""
    body = squash(MARKER.sub("", answer))
    figures = list(dict.fromkeys(f.text for f in find_figures(body)))
    if figures:
        return [rf"(?<![\d.]){re.escape(f)}" for f in figures]
    source = squash(evidence)
    best = ""
    for i in range(len(body)):
        for j in range(len(body), i + max(len(best), 1), -1):
            if body[i:j] in source:
                best = body[i:j]
                break
    return [re.escape(best)] if len(best) >= 2 else [re.escape(body)]
