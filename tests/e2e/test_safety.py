"""Questions and claims carrying HTML/Markdown payloads render as inert text and make no request."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
PAYLOAD = (
    "<img src=x onerror=alert(1)> <script>window.__pwned = 1</script> ![](http://example.com/x.png) "
    "<form action=http://example.com/f><input name=q></form> 5%~6%，8%~10%\n3. 第一项 5. 第二项"
)


def test_payload_question_renders_as_text(open_page):
    page = open_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.fill("#rq-question textarea", PAYLOAD)
    page.click("#rq-send")
    page.wait_for_selector("#rq-chat .rq-a .rq-text, #rq-chat .rq-a .rq-error", timeout=60_000)
    page.wait_for_timeout(500)
    chat = page.locator("#rq-chat")
    assert chat.locator("img, script, form, input, iframe, s, del").count() == 0
    shown = chat.locator(".rq-q").inner_text()
    assert "<img src=x onerror=alert(1)>" in shown and "<script>" in shown and "<form" in shown
    assert "![](http://example.com/x.png)" in shown
    assert "5%~6%，8%~10%" in shown
    assert "3. 第一项" in shown and "5. 第二项" in shown
    assert page.evaluate("window.__pwned") is None
    assert not dialogs
    assert not [u for u in page.requests if "example.com" in u]


def test_payload_claim_renders_as_text(open_page):
    page = open_page()
    page.get_by_role("tab", name="事实核查").click()
    page.fill("#rq-claims textarea", PAYLOAD.replace("\n", " "))
    page.click("#rq-check")
    page.wait_for_selector("#rq-verdicts tbody tr", timeout=60_000)
    verdicts = page.locator("#rq-verdicts")
    assert verdicts.locator("img, script, form, input, s, del").count() == 0
    shown = verdicts.inner_text()
    assert "<img src=x onerror=alert(1)>" in shown
    assert "5%~6%" in shown and "8%~10%" in shown  # the claim is shown NFKC-normalised, as checked
    assert "3. 第一项" in shown
    assert not [u for u in page.requests if "example.com" in u]
