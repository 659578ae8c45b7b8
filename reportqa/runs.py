"""Evaluation runs kept on disk (dated, with the engine's version and settings) and compared item by item."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from reportqa.evaluation import jsonl_records
from reportqa.metrics import RunMetrics
from reportqa.settings import PROJECT_ROOT, Settings

WEIGHTS_CHECKSUM = PROJECT_ROOT / "reportqa" / "reader" / "weights" / "reader.safetensors.sha256"
_SLUG = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff_-]+")


def git_commit(root: Path = PROJECT_ROOT) -> str | None:
    """The checked-out commit, read from .git without running git (None outside a clone)."""
    git = root / ".git"
    try:
        if git.is_file():  # a worktree: "gitdir: <path>"
            git = Path(git.read_text(encoding="utf-8").split(":", 1)[1].strip())
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref: "):
            return head[:12]
        ref = head[5:]
        common = Path((git / "commondir").read_text().strip()) if (git / "commondir").exists() else None
        for base in filter(None, (git, (git / common) if common else None)):
            if (base / ref).exists():
                return (base / ref).read_text(encoding="utf-8").strip()[:12]
            packed = base / "packed-refs"
            if packed.exists():
                for line in packed.read_text(encoding="utf-8").splitlines():
                    if line.endswith(" " + ref):
                        return line[:12]
    except (OSError, IndexError):
        return None
    return None


def engine_version() -> dict:
    """What answered: package version, commit, and the reader weights' checksum."""
    try:
        package = metadata.version("reportqa")
    except metadata.PackageNotFoundError:
        package = "unknown"
    try:
        weights = WEIGHTS_CHECKSUM.read_text(encoding="utf-8").split()[0][:16]
    except (OSError, IndexError):
        weights = None
    return {"package": package, "commit": git_commit(), "reader_weights": weights}


def settings_snapshot(settings: Settings) -> dict:
    """The settings a run was answered under (secrets left out)."""
    return settings.model_dump(mode="json", exclude={"llm_api_key"})


@dataclass(frozen=True)
class StoredRun:
    id: str  # file stem: <UTC time>-<set name>
    path: Path
    time: str
    set_name: str
    metrics: RunMetrics
    version: dict

    def label(self) -> str:
        """One line for a picker: time, set, accuracy, items."""
        return (
            f"{self.time[:16].replace('T', ' ')} · {self.set_name} · "
            f"{self.metrics.accuracy:.3f} ({self.metrics.passed}/{self.metrics.items})"
        )

    def lines(self) -> list[dict]:
        return read_results(self.path)


def read_results(path: Path) -> list[dict]:
    """Result lines of a JSONL file; ValueError names the file and line of anything malformed."""
    lines = []
    for number, line in jsonl_records(Path(path).read_text(encoding="utf-8-sig"), str(path)):
        if not isinstance(line, dict) or "id" not in line:
            raise ValueError(f"{path}, line {number}: a result needs an 'id'")
        lines.append(line)
    return lines


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class RunStore:
    """A folder of runs: <id>.jsonl (result lines) and <id>.meta.json; the oldest beyond `keep` are removed."""

    def __init__(self, folder: Path, keep: int = 50) -> None:
        self.folder = Path(folder)
        self.keep = keep

    def save(self, set_name: str, lines: Sequence[dict], settings: Settings) -> StoredRun:
        """Write a run (meta last, so a run without meta was never finished and is not listed)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        run_id = f"{now:%Y%m%dT%H%M%S%f}-{_SLUG.sub('_', set_name)[:40] or 'set'}"
        path = self.folder / f"{run_id}.jsonl"
        _write_atomically(path, "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
        metrics = RunMetrics.of(lines)
        time, version = now.isoformat(timespec="seconds"), engine_version()
        meta = {
            "time": time,
            "set": set_name,
            "version": version,
            "settings": settings_snapshot(settings),
            "metrics": metrics.to_dict(),
        }
        _write_atomically(path.with_suffix(".meta.json"), json.dumps(meta, ensure_ascii=False, indent=1))
        self._prune()
        return StoredRun(run_id, path, time, set_name, metrics, version)

    def list(self) -> list[StoredRun]:
        """Finished runs, newest first."""
        runs = []
        for meta_path in sorted(self.folder.glob("*.meta.json"), reverse=True):
            results = meta_path.with_name(meta_path.name.removesuffix(".meta.json") + ".jsonl")
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                metrics = RunMetrics.from_dict(meta["metrics"])
            except (OSError, ValueError, KeyError, TypeError):
                continue  # a damaged record is skipped, not fatal to the page
            if results.exists():
                runs.append(
                    StoredRun(results.stem, results, meta["time"], meta["set"], metrics, meta["version"])
                )
        return runs

    def get(self, run_id: str) -> StoredRun:
        for run in self.list():
            if run.id == run_id:
                return run
        raise ValueError(f"no stored evaluation run {run_id!r}: `reportqa runs` lists them")

    def _prune(self) -> None:
        for run in self.list()[self.keep :]:
            run.path.with_suffix(".meta.json").unlink(missing_ok=True)
            run.path.unlink(missing_ok=True)
        for stray in self.folder.glob(".tmp-*"):  # left by a crash mid-write
            stray.unlink(missing_ok=True)


@dataclass(frozen=True)
class RunComparison:
    """B against A: items fixed (failed in A, pass in B), broken, unchanged; metrics side by side."""

    fixed: tuple[dict, ...]  # B's line, with the reason A failed under "before"
    broken: tuple[dict, ...]
    unchanged_passed: tuple[str, ...]
    unchanged_failed: tuple[str, ...]
    only_a: tuple[str, ...]
    only_b: tuple[str, ...]
    metrics_a: RunMetrics
    metrics_b: RunMetrics

    def to_dict(self) -> dict:
        return {
            "fixed": list(self.fixed),
            "broken": list(self.broken),
            "unchanged_passed": list(self.unchanged_passed),
            "unchanged_failed": list(self.unchanged_failed),
            "only_a": list(self.only_a),
            "only_b": list(self.only_b),
            "metrics_a": self.metrics_a.to_dict(),
            "metrics_b": self.metrics_b.to_dict(),
        }


def _change(a: dict, b: dict) -> dict:
    return {
        "id": b["id"],
        "kind": b.get("kind"),
        "question": b.get("question", ""),
        "before": a.get("verdict") or a.get("answer", ""),
        "after": b.get("verdict") or b.get("answer", ""),
        "reason": b.get("reason") or a.get("reason", ""),
    }


def compare_runs(a: Sequence[dict], b: Sequence[dict]) -> RunComparison:
    """Compare two runs of (mostly) the same items by id."""
    by_id_a, by_id_b = {x["id"]: x for x in a}, {x["id"]: x for x in b}
    common = [i for i in by_id_a if i in by_id_b]
    fixed = [
        _change(by_id_a[i], by_id_b[i])
        for i in common
        if not by_id_a[i].get("passed") and by_id_b[i].get("passed")
    ]
    broken = [
        _change(by_id_a[i], by_id_b[i])
        for i in common
        if by_id_a[i].get("passed") and not by_id_b[i].get("passed")
    ]
    same = [i for i in common if bool(by_id_a[i].get("passed")) == bool(by_id_b[i].get("passed"))]
    return RunComparison(
        fixed=tuple(fixed),
        broken=tuple(broken),
        unchanged_passed=tuple(i for i in same if by_id_b[i].get("passed")),
        unchanged_failed=tuple(i for i in same if not by_id_b[i].get("passed")),
        only_a=tuple(i for i in by_id_a if i not in by_id_b),
        only_b=tuple(i for i in by_id_b if i not in by_id_a),
        metrics_a=RunMetrics.of(a),
        metrics_b=RunMetrics.of(b),
    )
