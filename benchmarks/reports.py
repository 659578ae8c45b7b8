"""Many real reports in one knowledge folder: accuracy of region-named and region-less questions under each
scoping policy, latency and memory, written to docs/reports-benchmarks.{json,md}.

    python benchmarks/reports.py [--corpus evalsets/provincial/corpus] [--questions evalsets/provincial/questions.jsonl]

The corpus is the 29 provincial 2025 reports (.docx, as published) plus the bundled report; the questions are the
held-out provincial set (evalsets/provincial/README.md). Policies for questions that name no region: "per report"
(each report that answers, labelled; the default) and "default report" (REPORTQA_DEFAULT_REPORT = the bundled
report, as a city deployment would set it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from reportqa.engine import build_engine  # noqa: E402
from reportqa.evaluation import evaluate, load_items  # noqa: E402
from reportqa.metrics import RunMetrics  # noqa: E402
from reportqa.settings import Settings  # noqa: E402

DEFAULT_REPORT = "shangqiu-2023-government-work-report.txt"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(settings: Settings, items: list[dict]) -> dict:
    """Accuracy overall, of region-named and of region-less items, latency and memory under `settings`."""
    started = time.perf_counter()
    engine = build_engine(settings)
    ready_s = time.perf_counter() - started
    report = evaluate(engine, items)
    lines = report.lines()
    named = [x for x, item in zip(lines, items, strict=True) if item.get("region_named", True)]
    unnamed = [x for x, item in zip(lines, items, strict=True) if not item.get("region_named", True)]
    return {
        "engine_ready_s": round(ready_s, 1),
        "all": RunMetrics.of(lines).to_dict(),
        "region_named": RunMetrics.of(named).to_dict(),
        "region_less": RunMetrics.of(unnamed).to_dict(),
        "documents": len(engine.documents),
        "passages": len(engine.chunks),
        "peak_rss_mb": round(peak_rss_mb()),
        "failures": [
            {"id": x["id"], "kind": x["kind"], "reason": x["reason"], "answer": x["answer"][:120]}
            for x in lines
            if not x["passed"]
        ],
    }


def markdown(results: dict, corpus: Path, questions: Path) -> str:
    per, default = results["per_report"], results["default_report"]

    def row(name: str, key: str) -> str:
        a, b = per[key], default[key]
        return (
            f"| {name} | {a['passed']}/{a['items']} = {a['accuracy']:.3f} | {b['passed']}/{b['items']} = "
            f"{b['accuracy']:.3f} |"
        )

    return "\n".join(
        [
            "# Many real reports: scoping, accuracy, latency, memory",
            "",
            f"`python benchmarks/reports.py` on {results['machine']}, {results['date']}. Corpus `{corpus.relative_to(ROOT)}`: "
            f"{per['documents']} reports ({per['passages']} passages), the 29 provincial 2025 reports as published "
            f"(.docx) and the bundled report. Questions: `{questions.relative_to(ROOT)}` ({per['all']['items']} "
            "items, written before any multi-report change and never tuned on).",
            "",
            "| questions | per report (default) | default report = the bundled report |",
            "|---|---|---|",
            row("all", "all"),
            row("naming a region (or its follow-up)", "region_named"),
            row("naming none (a fact only one report has)", "region_less"),
            "",
            "| | per report | default report |",
            "|---|---|---|",
            f"| false rejection | {per['all']['false_rejection']:.3f} | {default['all']['false_rejection']:.3f} |",
            f"| negative rejection | {per['all']['negative_rejection']:.3f} | "
            f"{default['all']['negative_rejection']:.3f} |",
            f"| p50 / p95 latency (ms) | {per['all']['p50_ms']:.0f} / {per['all']['p95_ms']:.0f} | "
            f"{default['all']['p50_ms']:.0f} / {default['all']['p95_ms']:.0f} |",
            f"| peak memory of the process (MB) | {per['peak_rss_mb']} | {default['peak_rss_mb']} |",
            "",
            "Under the default-report policy a question naming no region is answered from the bundled report only, so the "
            "region-less items (facts of one provincial report) are refused there by design; the row shows what a "
            "city deployment gives up by setting it. Latency includes the follow-up rewriting and, for region-less "
            "questions under the per-report policy, one reading per candidate report (the reports of the passages found, at most 6; the likeliest 3 answers kept).",
            "",
            "Failures (per report): "
            + "; ".join(f"{f['id']} ({f['kind']}: {f['reason']})" for f in per["failures"]),
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "evalsets" / "provincial" / "corpus")
    parser.add_argument(
        "--questions", type=Path, default=ROOT / "evalsets" / "provincial" / "questions.jsonl"
    )
    parser.add_argument("--data", type=Path, default=ROOT / ".reportqa" / "bench-reports")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reports-benchmarks")
    args = parser.parse_args()
    items = load_items(args.questions)
    base = Settings(_env_file=None, knowledge_dir=args.corpus.resolve(), data_dir=args.data.resolve())
    results = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start",
        "per_report": measure(base, items),
        "default_report": measure(base.model_copy(update={"default_report": DEFAULT_REPORT}), items),
    }
    args.out.with_suffix(".json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    args.out.with_suffix(".md").write_text(
        markdown(results, args.corpus.resolve(), args.questions.resolve()), encoding="utf-8"
    )
    print(args.out.with_suffix(".md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
