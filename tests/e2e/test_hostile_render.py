"""Markup payloads in a question, a document and an LLM reply reach headless Chromium only as inert text."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DESKTOP, STAFF
from tests.fakes.openai_server import FakeOpenAIServer
from tests.security.conftest import start_app, stop_app

pytestmark = pytest.mark.browser
ACTIVE = "img, script, form, input, style, iframe, svg, object, embed, link, video, audio, a[href]"
DOC_NAME = "haitang-hostile.md"


def payload(image_url: str, tag: str) -> str:
    """Every kind of markup that could load, run, restyle or submit something, each marked with `tag`."""
    return (
        f"<img src={image_url}/{tag}.png onerror=alert(1)> ![](http://example.com/{tag}.png) "
        f"<form action=http://example.com/{tag}><input name=q></form> "
        f"<style>body{{background:url(http://example.com/{tag}-bg.png)}}</style> "
        f"<a href=http://example.com/{tag}>link</a> <script>window.__pwned = '{tag}'</script> "
        f"<svg onload=alert(1)></svg> <iframe src=http://example.com/{tag}></iframe>"
    )


@pytest.fixture(scope="module")
def llm():
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, llm):
    """The app with a hostile document in its knowledge folder and its LLM pointed at the fake server."""
    import shutil

    from tests.e2e.conftest import ROOT

    base = tmp_path_factory.mktemp("hostile-app")
    shutil.copytree(ROOT / "knowledge", base / "knowledge")
    image = llm.base_url.removesuffix("/v1")
    (base / "knowledge" / DOC_NAME).write_text(
        f"# 海棠新区建设 {payload(image, 'title')}\n\n"
        f"海棠新区计划建成测试公寓3210套。{payload(image, 'doc')}\n\n"
        f"海棠新区新增绿地45.6万平方米。\n",
        encoding="utf-8",
    )
    env = {
        "REPORTQA_LLM_BASE_URL": llm.base_url,
        "REPORTQA_LLM_MODEL": "fake-model",
        "REPORTQA_LLM_API_KEY": "not-a-real-key",
        "REPORTQA_LLM_TIMEOUT": "10",
        "REPORTQA_STAFF_USER": STAFF[0],
        "REPORTQA_STAFF_PASSWORD": STAFF[1],
    }
    process, app = start_app(base, env)
    yield app, image
    stop_app(process)


@pytest.fixture
def page(browser, hostile):
    """A fresh page on the hostile app recording requests and dialogs."""
    app, _ = hostile
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.requests, page.dialogs = [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(app.url, wait_until="load")
    page.wait_for_selector("#rq-question textarea", timeout=60_000)
    yield page
    context.close()


def assert_inert(page, image: str, *areas: str) -> None:
    """No active element inside the areas, nothing fetched from the payload hosts, no script ran."""
    # Tables are checked cell by cell (`td`): Gradio's own toolbar icons and file input sit around them.
    page.wait_for_timeout(500)
    for area in areas:
        assert page.locator(f"{area} :is({ACTIVE})").count() == 0, area
    leaked = [u for u in page.requests if "example.com" in u or u.startswith(image)]
    assert not leaked, leaked
    assert not page.dialogs
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("getComputedStyle(document.body).backgroundImage") == "none"


def ask(page, question: str) -> None:
    page.fill("#rq-question textarea", question)
    page.click("#rq-send")
    page.wait_for_selector("#rq-chat .rq-a .rq-text, #rq-chat .rq-a .rq-error", timeout=60_000)
    page.wait_for_function("!document.querySelector('#rq-chat .rq-pending')", timeout=60_000)


def test_payload_in_a_question(page, hostile):
    _, image = hostile
    ask(page, payload(image, "question") + " 海棠新区计划建成多少套测试公寓？")
    shown = page.locator("#rq-chat .rq-q").inner_text()
    assert "<img src=" in shown and "<script>" in shown and "<style>" in shown
    assert_inert(page, image, "#rq-chat", "#rq-report")


def test_payload_in_a_document_passage_and_the_report_view(page, hostile):
    _, image = hostile
    ask(page, "海棠新区计划建成多少套测试公寓？")
    chat = page.locator("#rq-chat")
    assert "3210" in chat.locator(".rq-text").inner_text()
    passages = chat.locator(".rq-passage").all_inner_texts()
    assert any("<img src=" in p and "doc.png" in p for p in passages)
    chat.locator(".rq-cite-head").first.click()
    page.wait_for_selector("#rq-report .rq-report-body", timeout=60_000)
    assert "<script>window.__pwned" in page.inner_text("#rq-report")
    assert_inert(page, image, "#rq-chat", "#rq-report")


def test_payload_in_an_llm_reply(page, hostile, llm):
    _, image = hostile
    before = len(llm.requests)
    reply = f"海棠新区计划建成测试公寓3210套。[1]{payload(image, 'llm')}"
    for _ in range(3):
        llm.enqueue(reply)
    ask(page, "海棠新区计划建成多少套测试公寓？")
    assert len(llm.requests) > before, "the app did not call the fake LLM"
    assert page.locator("#rq-chat .rq-notice").count() == 1  # the reply was replaced, and the page says so
    assert "llm.png" not in page.inner_text("#rq-chat")
    assert_inert(page, image, "#rq-chat", "#rq-report")
    while llm.pending:  # leave no scripted reply for the next test
        llm._replies.popleft()


def test_payload_in_a_claim_and_in_the_evidence(page, hostile):
    _, image = hostile
    page.get_by_role("tab", name="事实核查").click()
    page.fill("#rq-claims textarea", f"海棠新区计划建成测试公寓3000套。\n{payload(image, 'claim')}")
    page.click("#rq-check")
    page.wait_for_selector("#rq-verdicts tbody tr", timeout=60_000)
    shown = page.inner_text("#rq-verdicts")
    assert "claim.png" in shown
    assert_inert(page, image, "#rq-verdicts")


def test_payload_in_the_figures_table_and_its_report_view(page, hostile):
    _, image = hostile
    page.get_by_role("tab", name="数据一览").click()
    page.fill("#rq-fig-search textarea, #rq-fig-search input", "3210")
    page.wait_for_function(
        "document.querySelector('#rq-fig-table').innerText.includes('3210')", timeout=60_000
    )
    assert "title.png" in page.inner_text("#rq-fig-table")  # the section heading carries a payload
    page.locator("#rq-fig-table").get_by_text("3210套", exact=True).locator("visible=true").first.click()
    page.wait_for_selector("#rq-fig-report mark.rq-span", timeout=60_000)
    assert_inert(page, image, "#rq-fig-table td", "#rq-fig-report")


def test_payload_in_staff_tables_a_file_name_and_a_feedback_comment(page, hostile, tmp_path):
    _, image = hostile
    ask(page, "海棠新区计划建成多少套测试公寓？")
    page.fill("#rq-comment textarea", payload(image, "comment"))
    page.locator("#rq-chat [data-rating=up]").first.click()
    page.wait_for_selector("#rq-feedback-status .rq-msg", timeout=60_000)

    page.get_by_role("tab", name="管理").click()
    page.fill("#rq-staff-user textarea, #rq-staff-user input", STAFF[0])
    page.fill("#rq-staff-password input", STAFF[1])
    page.click("#rq-login-button")
    page.wait_for_function(  # the panels start empty; the login fills them
        "document.querySelector('#rq-kb-docs')?.innerText.includes('.txt')", timeout=60_000
    )
    page.fill("#rq-kb-search textarea, #rq-kb-search input", "海棠")
    page.wait_for_function(
        "document.querySelector('#rq-kb-passages').innerText.includes('3210')", timeout=60_000
    )
    bad = tmp_path / "<img src=x onerror=alert(1)>.txt"  # an allowed type, so the browser uploads it
    bad.write_bytes(b"")
    page.set_input_files("#rq-kb-upload input[type=file]", str(bad))
    page.wait_for_function(
        "document.querySelector('#rq-kb-upload').innerText.includes('onerror')", timeout=15_000
    )
    page.click("#rq-kb-add")
    page.wait_for_selector("#rq-kb-status .rq-msg-error", timeout=60_000)
    assert "onerror=alert(1).txt: the file is empty" in page.inner_text("#rq-kb-status")  # Gradio drops <>

    page.get_by_role("tab", name="反馈").click()
    page.click("#rq-fb-refresh")
    page.wait_for_function(
        "document.querySelector('#rq-fb-table').innerText.includes('comment.png')", timeout=60_000
    )
    assert_inert(page, image, "#rq-kb-status", "#rq-kb-docs td", "#rq-kb-passages td", "#rq-fb-table td")
