"""Batch answering (the results contract of shared/eval/README.md) and scoring by its rules."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportqa.grounding import Cited, check_grounding
from reportqa.metrics import RunMetrics

_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d)")


def normalise_for_scoring(text: str) -> str:
    """NFKC, thousands separators between digits removed, runs of white space folded."""
    text = _THOUSANDS.sub("", unicodedata.normalize("NFKC", text or ""))
    return re.sub(r"\s+", " ", text).strip()


def _no_space(text: str) -> str:
    return re.sub(r"\s+", "", normalise_for_scoring(text))


def jsonl_records(raw: str, name: str) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) of each non-blank line; ValueError names the file and line of bad JSON."""
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{name}, line {number}: not valid JSON ({exc.msg})") from exc


def load_items(path: Path | str, text: str | None = None) -> list[dict]:
    """Items from JSONL, or from CSV with columns question,expected (expected: regex; empty = abstain)."""
    name = str(path)
    raw = text if text is not None else Path(path).read_text(encoding="utf-8-sig")
    if name.lower().endswith(".csv"):
        rows = list(csv.DictReader(io.StringIO(raw)))
        if rows and not {"question", "expected"} <= set(rows[0]):
            raise ValueError(f"{name}: a CSV question set needs the columns question,expected")
        return [
            {
                "id": f"c{i:03d}",
                "question": r["question"],
                "kind": r.get("kind") or "csv",
                "answer_must": [e.strip() for e in (r.get("expected") or "").split("|") if e.strip()],
                "evidence": r.get("evidence") or None,
            }
            for i, r in enumerate(rows, start=1)
        ]
    items = []
    for number, item in jsonl_records(raw, name):
        if "question" not in item and "claim" not in item:
            raise ValueError(f"{name}, line {number}: an item needs a 'question' or a 'claim'")
        item.setdefault("id", f"line{number}")
        item.setdefault("kind", "claim" if "claim" in item else "question")
        items.append(item)
    return items


def answer_item(engine, item: dict, generator=None) -> dict:
    """One line of the results contract."""
    if "claim" in item:
        v = engine.check(item["claim"])
        return {
            "id": item["id"],
            "answer": v.explanation or v.verdict,
            "abstained": False,
            "verdict": v.verdict,
            "citations": [_contract_citation(c) for c in v.citations],
            "latency_ms": round(v.latency_ms, 2),
        }
    a = engine.ask(item["question"], item.get("history") or (), generator=generator)
    return {
        "id": item["id"],
        "answer": a.text,
        "abstained": a.abstained,
        "verdict": None,
        "citations": [_contract_citation(c) for c in a.citations],
        "latency_ms": round(a.latency_ms, 2),
        "standalone_question": a.standalone_question,
        "notice": a.notice,
        "why": a.extras,  # the reader's span, its margin over "no answer" and the threshold it was held to
    }


def _contract_citation(c) -> dict:
    return {
        "n": c.n,
        "text": c.text,
        "source": c.source,
        "section": c.section,
        "start": c.start,
        "end": c.end,
        "score": c.score,
    }


def score_item(item: dict, result: dict) -> tuple[bool, str]:
    """(passed, reason) by the README's rules."""
    cited = [_no_space(c.get("text", "")) for c in result.get("citations", [])]
    evidence = item.get("evidence")
    evidence_ok = not evidence or any(_no_space(evidence) in c for c in cited)
    if "claim" in item:
        if result.get("verdict") != item["verdict"]:
            return False, f"verdict {result.get('verdict')} (expected {item['verdict']})"
        if item["verdict"] != "not_found" and not evidence_ok:
            return False, "evidence not cited"
        return True, ""
    musts = item.get("answer_must") or []
    if not musts:
        return (True, "") if result.get("abstained") else (False, "answered but the report does not say")
    if result.get("abstained"):
        return False, "abstained"
    answer = normalise_for_scoring(result.get("answer", ""))
    if len(answer) > 240:
        return False, f"answer too long ({len(answer)} chars)"
    for pattern in musts:  # patterns are compared in the same NFKC form as the answer ("，" → ",")
        if not re.search(unicodedata.normalize("NFKC", pattern), answer, re.IGNORECASE):
            return False, f"missing /{pattern}/"
    for pattern in item.get("answer_must_not") or []:
        if re.search(unicodedata.normalize("NFKC", pattern), answer, re.IGNORECASE):
            return False, f"contains forbidden /{pattern}/"
    if not evidence_ok:
        return False, "evidence not cited"
    return True, ""


def _grounded(result: dict) -> bool:
    cited = [Cited(c.get("n", 0), c.get("text", "")) for c in result.get("citations", [])]
    return check_grounding(result.get("answer", ""), cited).ok


def result_line(row: dict) -> dict:
    """A row as saved: the results contract, plus what scoring and the metrics need to be recomputed later."""
    item, result = row["item"], row["result"]
    evidence = item.get("evidence")
    is_question = "claim" not in item
    line = {
        **result,
        "question": item.get("question") or item.get("claim") or "",
        "kind": item.get("kind"),
        "passed": row["passed"],
        "reason": row["reason"],
        "answerable": bool(item.get("answer_must")) if is_question else None,
        "evidence_cited": (
            any(_no_space(evidence) in _no_space(c.get("text", "")) for c in result.get("citations", []))
            if evidence
            else None
        ),
    }
    if is_question and not result.get("abstained"):
        line["grounded"] = _grounded(result)
    return line


@dataclass
class EvalReport:
    rows: list[dict] = field(default_factory=list)  # item, result, passed, reason

    def lines(self) -> list[dict]:
        return [result_line(r) for r in self.rows]

    @property
    def metrics(self) -> RunMetrics:
        return RunMetrics.of(self.lines())

    @property
    def accuracy(self) -> float:
        return self.metrics.accuracy

    def by_kind(self) -> dict[str, tuple[int, int]]:
        return self.metrics.by_kind

    def summary_line(self) -> str:
        return self.metrics.summary_line()

    def markdown(self, title: str = "Evaluation") -> str:
        lines = [
            f"# {title}",
            "",
            f"`{self.summary_line()}`",
            "",
            "| kind | passed | total | accuracy |",
            "|---|---|---|---|",
        ]
        lines += [f"| {k} | {p} | {t} | {p / t:.2f} |" for k, (p, t) in self.by_kind().items()]
        lines += [
            "",
            "| id | kind | pass | reason | question / claim | answer |",
            "|---|---|---|---|---|---|",
        ]
        for r in self.rows:
            item, res = r["item"], r["result"]
            ask = (item.get("question") or item.get("claim") or "").replace("|", "\\|")
            shown = (res.get("verdict") or res.get("answer") or "").replace("|", "\\|").replace("\n", " ")
            lines.append(
                f"| {item['id']} | {item.get('kind')} | {'✅' if r['passed'] else '❌'} | {r['reason']} "
                f"| {ask} | {shown} |"
            )
        return "\n".join(lines) + "\n"


def evaluate(
    engine,
    items: Sequence[dict],
    progress: Callable[[Iterable], Iterable] = lambda x: x,
    generator=None,
    on_row: Callable[[dict], None] | None = None,
) -> EvalReport:
    """Answer and score every item."""
    report = EvalReport()
    for item in progress(items):
        result = answer_item(engine, item, generator)
        passed, reason = score_item(item, result)
        row = {"item": item, "result": result, "passed": passed, "reason": reason}
        report.rows.append(row)
        if on_row:
            on_row(row)
    return report
