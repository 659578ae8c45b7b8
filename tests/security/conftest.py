"""Hostile-input fixtures: a hashing-embedder engine built once, and the real app started as a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.appserver import free_port, stop, wait_for
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
SECRET = "rq-secret-7f3a9c1e5b"  # planted in a .env and in the data folder; must never be served


@pytest.fixture(scope="session")
def hostile_engine(tmp_path_factory):
    """One engine (hashing embedder, extractive answers) over a private copy of the report."""
    from reportqa.engine import build_engine

    return build_engine(make_settings(tmp_path_factory.mktemp("hostile"), embedding_model="hashing"))


@dataclass
class RunningApp:
    url: str
    port: int
    pid: int
    base: Path  # the working directory of the app: data/, knowledge/, .env, app.log

    @property
    def data_dir(self) -> Path:
        return self.base / "data"


def start_app(
    base: Path, extra_env: dict[str, str] | None = None, gradio_env: bool = False
) -> tuple[subprocess.Popen, RunningApp]:
    """`python app.py` in `base` (its cwd) on a free loopback port; knowledge copied in unless already there.

    `gradio_env`: say where to listen with GRADIO_SERVER_NAME/_PORT instead of REPORTQA_SERVER_HOST/_PORT."""
    knowledge = base / "knowledge"
    if not knowledge.exists():
        shutil.copytree(ROOT / "knowledge", knowledge)
        for path in knowledge.iterdir():
            path.chmod(0o644)
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("REPORTQA_", "GRADIO_"))},
        "REPORTQA_DATA_DIR": str(base / "data"),
        "REPORTQA_KNOWLEDGE_DIR": str(knowledge),
        "REPORTQA_EMBEDDING_MODEL": "hashing",
        **(
            {"GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port)}
            if gradio_env
            else {"REPORTQA_SERVER_HOST": "127.0.0.1", "REPORTQA_SERVER_PORT": str(port)}
        ),
        "HF_HUB_OFFLINE": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        **(extra_env or {}),
    }
    log = base / "app.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py")], cwd=base, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(url, process, log, timeout=180)
    except BaseException:
        stop_app(process)
        raise
    return process, RunningApp(url, port, process.pid, base)


def stop_app(process: subprocess.Popen) -> None:
    stop(process)


@pytest.fixture(scope="module")
def app_factory(tmp_path_factory) -> Iterator[Callable[..., RunningApp]]:
    """app_factory(setup=None, env=None) starts an app (setup(base) runs first) and stops it after the module."""
    processes: list[subprocess.Popen] = []

    def _start(
        setup: Callable[[Path], None] | None = None,
        env: dict[str, str] | None = None,
        gradio_env: bool = False,
    ) -> RunningApp:
        base = tmp_path_factory.mktemp("app")
        if setup:
            setup(base)
        process, app = start_app(base, env, gradio_env)
        processes.append(process)
        return app

    yield _start
    for process in processes:
        stop_app(process)
