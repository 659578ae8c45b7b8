"""A real app server (app.py in a subprocess, tmp data and knowledge folders) and headless Debian Chromium."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from benchmarks.appserver import free_port, stop, wait_for

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "docs" / "screenshots"
STAFF = ("staff", "correct horse battery staple")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def copy_knowledge(folders: list[Path], dest: Path) -> Path:
    """One knowledge folder holding the documents of `folders`, their manifests merged."""
    dest.mkdir(parents=True, exist_ok=True)
    manifest: dict = {"documents": {}}
    for folder in folders:
        for path in folder.iterdir():
            if path.name == "manifest.json":
                manifest["documents"].update(json.loads(path.read_text(encoding="utf-8"))["documents"])
            elif path.is_file():
                shutil.copy(path, dest / path.name)
                (dest / path.name).chmod(0o644)
    (dest / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return dest


@contextmanager
def app_server(base: Path, knowledge: Path, **env: str) -> Iterator[str]:
    """`python app.py` on a free port over `knowledge`, its index in base/data; yields the page's URL."""
    port = free_port()
    environment = {
        **os.environ,
        "REPORTQA_DATA_DIR": str(base / "data"),
        "REPORTQA_KNOWLEDGE_DIR": str(knowledge),
        "REPORTQA_SERVER_HOST": "127.0.0.1",
        "REPORTQA_SERVER_PORT": str(port),
        "REPORTQA_STAFF_USER": STAFF[0],
        "REPORTQA_STAFF_PASSWORD": STAFF[1],
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "ANONYMIZED_TELEMETRY": "False",
        **env,
    }
    environment.pop("REPORTQA_LLM_BASE_URL", None)
    log = base / "app.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py")],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(url, process, log)
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="session")
def embed_port() -> int:
    """The port of http://127.0.0.1:<port>, the one other site allowed to embed the chat (tests/e2e/test_embed.py)."""
    return free_port()


@pytest.fixture(scope="session")
def server(tmp_path_factory, embed_port) -> Iterator[str]:
    """Start `python app.py` once per session on a free port; the index is built in a tmp data folder."""
    base = tmp_path_factory.mktemp("app")
    knowledge = copy_knowledge([ROOT / "knowledge"], base / "knowledge")
    with app_server(base, knowledge, REPORTQA_EMBED_ORIGINS=f"http://127.0.0.1:{embed_port}") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make browser-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, server):
    """open_page(viewport) -> a page on the app, loaded and ready, recording every request it makes."""
    contexts = []

    def _open(viewport: dict = DESKTOP):
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.requests = []
        page.on("request", lambda request: page.requests.append(request.url))
        page.set_default_timeout(60_000)  # the CI machine has 2 cores; the app and Chromium share them
        page.goto(server, wait_until="load")
        page.wait_for_selector("#rq-question textarea", timeout=60_000)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, name) saves docs/screenshots/<name>.png (the whole page) and returns its path."""

    def _save(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.wait_for_timeout(300)
        page.screenshot(path=str(path), full_page=True)
        return path

    return _save


@pytest.fixture
def staff_login():
    """The staff user and password the server was started with."""
    return STAFF
