"""Starting-point helpers for anything that runs `app.py` as a real server on loopback (benchmarks, tests)."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path | None = None, timeout: float = 300) -> None:
    """Return once `url` answers 200; fail early (with the app's log tail) if the process exits or time runs out."""
    tail = (lambda: "\n" + log.read_text()[-3000:]) if log else (lambda: "")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app.py exited with {process.returncode}:{tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"app.py did not answer at {url} within {timeout} s:{tail()}")


def local_client(url: str):
    """A gradio_client session with the app on loopback. ssl_verify=False: the app is plain HTTP, so nothing is
    encrypted either way, but httpx otherwise builds a verifying SSL context (loading the CA bundle, ~25 ms of
    CPU) for each of gradio_client's requests, on the same 2 cores the app needs (4.8 s p95 against ~0.7 s with
    20 sessions; docs/benchmarks.md)."""
    from gradio_client import Client

    return Client(url, verbose=False, ssl_verify=False)


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    """Ask a server process to exit (SIGTERM); kill it if it has not after `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
