"""Staff pages in the browser: login, a document with payloads added and answered from, feedback review."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
DOCUMENT = (
    "测试文档\n示范水塔建设。商丘市计划新建示范水塔88座。<img src=x onerror=alert(1)> "
    "![](http://example.com/x.png) <form action=http://example.com/f>。\n"
)


def login(page, user: str, password: str) -> None:
    page.get_by_role("tab", name="管理").click()
    page.fill("#rq-staff-user textarea, #rq-staff-user input", user)
    page.fill("#rq-staff-password input", password)
    page.click("#rq-login-button")


def test_wrong_password_is_refused(open_page, staff_login):
    page = open_page()
    login(page, staff_login[0], "wrong")
    page.wait_for_selector("#rq-login-message .rq-msg-error", timeout=60_000)
    assert not page.locator("#rq-staff-panel").is_visible()


def test_staff_adds_a_document_answers_from_it_safely_and_removes_it(open_page, staff_login, tmp_path):
    page = open_page()
    login(page, *staff_login)
    page.wait_for_function(  # the panels start empty; the login fills them
        "document.querySelector('#rq-kb-docs')?.innerText.includes('.txt')", timeout=60_000
    )
    assert "shangqiu-2023-government-work-report.txt" in page.inner_text("#rq-kb-docs")
    upload = tmp_path / "water-towers.txt"
    upload.write_text(DOCUMENT, encoding="utf-8")
    page.set_input_files("#rq-kb-upload input[type=file]", str(upload))
    page.wait_for_selector("#rq-kb-upload :text('water-towers.txt')", timeout=60_000)
    page.click("#rq-kb-add")
    page.wait_for_selector("#rq-kb-status .rq-msg-ok", timeout=180_000)
    assert "water-towers.txt" in page.inner_text("#rq-kb-docs")

    page.get_by_role("tab", name="问答").click()
    page.fill("#rq-question textarea", "计划新建示范水塔多少座？")
    page.click("#rq-send")
    page.wait_for_selector("#rq-chat .rq-a .rq-text", timeout=60_000)
    chat = page.locator("#rq-chat")
    assert "88" in chat.locator(".rq-text").inner_text()
    assert "<img src=x onerror=alert(1)>" in chat.locator(".rq-passage").first.inner_text()
    assert chat.locator("img, form, script").count() == 0
    assert not [u for u in page.requests if "example.com" in u]

    page.fill("#rq-comment textarea", "水塔答得对")
    chat.locator("[data-rating=up]").first.click()
    page.wait_for_selector("#rq-feedback-status .rq-msg", timeout=60_000)

    page.get_by_role("tab", name="管理").click()
    page.get_by_role("tab", name="反馈").click()
    page.click("#rq-fb-refresh")
    page.wait_for_function(
        "document.querySelector('#rq-fb-table').innerText.includes('水塔答得对')", timeout=60_000
    )

    page.get_by_role("tab", name="知识库").click()
    page.locator("#rq-kb-pick input").click()
    page.get_by_role("option", name="water-towers.txt").click()
    page.click("#rq-kb-remove")
    page.wait_for_function(
        "!document.querySelector('#rq-kb-docs').innerText.includes('water-towers.txt')", timeout=180_000
    )


def test_a_broken_upload_is_refused_and_the_index_kept(open_page, staff_login, tmp_path):
    page = open_page()
    login(page, *staff_login)
    page.wait_for_function(  # the panels start empty; the login fills them
        "document.querySelector('#rq-kb-docs')?.innerText.includes('.txt')", timeout=60_000
    )
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not really a pdf")
    page.set_input_files("#rq-kb-upload input[type=file]", str(broken))
    page.wait_for_selector("#rq-kb-upload :text('broken.pdf')", timeout=60_000)
    page.click("#rq-kb-add")
    page.wait_for_selector("#rq-kb-status .rq-msg-error", timeout=60_000)
    assert "broken.pdf" in page.inner_text("#rq-kb-status")
    assert "broken" not in page.inner_text("#rq-kb-docs")
