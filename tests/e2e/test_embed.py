"""The embeddable chat in real Chromium: a page of an allowed site shows it and gets a cited answer; a page of
any other site gets nothing (its frame is blocked by the app's Content-Security-Policy: frame-ancestors)."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from benchmarks.appserver import free_port

pytestmark = pytest.mark.browser
README = Path(__file__).resolve().parents[2] / "README.md"


def embedding_page(folder: Path, app_url: str) -> None:
    """The README's snippet, pointed at the test server."""
    snippet = README.read_text(encoding="utf-8").split("<!-- embed-snippet -->")[1].split("```html")[1]
    snippet = snippet.split("```")[0].replace("https://qa.example.gov/", app_url)
    (folder / "index.html").write_text(f"<!doctype html><meta charset=utf-8><title>site</title>{snippet}")


@pytest.fixture
def site(tmp_path, server):
    """serve(port) -> a plain static site on 127.0.0.1:<port> whose page embeds the chat."""
    embedding_page(tmp_path, server)
    servers = []

    def serve(port: int) -> None:
        handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
        httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)

    yield serve
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def test_an_allowed_site_shows_the_chat_and_gets_a_cited_answer(browser, site, embed_port):
    site(embed_port)  # http://127.0.0.1:<embed_port> is REPORTQA_EMBED_ORIGINS of the test server
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"http://127.0.0.1:{embed_port}/", wait_until="load")
        chat = page.frame_locator("iframe#reportqa-chat")
        chat.locator("#rq-question textarea").fill("计划建成多少套人才公寓？")
        chat.locator("#rq-send").click()
        answer = chat.locator("#rq-chat .rq-a .rq-text")
        answer.wait_for(timeout=120_000)
        assert "2000" in answer.inner_text() and "[1]" in answer.inner_text()
        assert chat.locator("#rq-chat .rq-cite").count() >= 1  # the passages it cites
        assert chat.locator("#rq-tabs, #rq-staff-user").count() == 0  # the chat alone: no other tab
    finally:
        context.close()


def test_a_site_not_allowed_gets_its_frame_blocked(browser, site):
    port = free_port()
    site(port)
    context = browser.new_context()
    try:
        page = context.new_page()
        messages: list[str] = []
        page.on("console", lambda message: messages.append(message.text))
        page.goto(
            f"http://localhost:{port}/", wait_until="load"
        )  # another origin than 127.0.0.1:<embed_port>
        for _ in range(60):  # the refusal is reported on the console once the frame's response is in
            if any("frame-ancestors" in m for m in messages):
                break
            page.wait_for_timeout(250)
        frame = page.locator("iframe#reportqa-chat").element_handle().content_frame()
        assert frame is not None and not frame.url.startswith("http://127.0.0.1")  # chrome-error://
        assert frame.locator("#rq-question").count() == 0
        assert any("frame-ancestors" in m for m in messages), messages
    finally:
        context.close()
