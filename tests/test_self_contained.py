"""The project stands on its own: no code, test or make target reads anything beside the clone."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Only the training scripts and benchmarks may read ../shared (data that is not shipped); nothing that runs the app
# or the tests does.
CHECKED = ["app.py", "Makefile", ".ci/run", "reportqa", "retrieval", "ui", "tests", "prompts", "pyproject.toml"]
OUTSIDE = re.compile(r"\.\./shared|/work/shared|parent\s*/\s*[\"']shared[\"']|parents\[\d\]\s*/\s*[\"']shared")


def test_nothing_that_runs_reads_outside_the_repository() -> None:
    offenders = []
    for entry in CHECKED:
        path = ROOT / entry
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.suffix in {".py", ".toml", ""}]
        for file in files:
            if file.is_file() and file != Path(__file__):
                text = file.read_text(encoding="utf-8", errors="replace")
                offenders += [f"{file.relative_to(ROOT)}: {m.group(0)}" for m in OUTSIDE.finditer(text)]
    assert offenders == []
