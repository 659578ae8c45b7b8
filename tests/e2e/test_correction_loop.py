"""A thumbs-down, a staff correction, and the same question (and a close paraphrase) answered from the
correction, marked 已人工核对 — in Chromium against the real app."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_staff import login

pytestmark = pytest.mark.browser
QUESTION = "森林抚育完成了多少万亩？"
CORRECTED = "本届政府期间完成森林抚育44.5万亩。"


def ask(page, question: str, turn: int) -> None:
    page.fill("#rq-question textarea", question)
    page.click("#rq-send")
    page.wait_for_selector(f"#rq-chat .rq-turn[data-turn='{turn}'] .rq-rate", timeout=120_000)


def test_a_staff_correction_answers_the_question_again_verified(open_page, staff_login):
    page = open_page()
    ask(page, QUESTION, 0)
    chat = page.locator("#rq-chat")
    assert chat.locator(".rq-verified").count() == 0
    page.fill("#rq-comment textarea", "请人工核对这个数字")
    chat.locator("[data-rating=down]").first.click()
    page.wait_for_selector("#rq-feedback-status .rq-msg", timeout=60_000)

    login(page, *staff_login)
    page.get_by_role("tab", name="反馈").click()
    page.click("#rq-fb-refresh")
    page.locator("#rq-corr-pick input").click()
    page.get_by_role("option", name=re.compile("森林抚育完成了多少万亩")).first.click()
    page.wait_for_function(
        "document.querySelector('#rq-corr-detail').innerText.includes('请人工核对这个数字')", timeout=60_000
    )
    assert "森林抚育" in page.input_value("#rq-corr-question textarea")
    page.fill("#rq-corr-answer textarea", CORRECTED)
    page.fill("#rq-corr-find textarea", "森林抚育44.5万亩")
    page.click("#rq-corr-find-button")
    page.wait_for_timeout(500)
    page.locator("#rq-corr-passage input").click()
    page.get_by_role("option").first.click()
    page.wait_for_function(
        "document.querySelector('#rq-corr-evidence textarea').value.includes('森林抚育44.5万亩')",
        timeout=60_000,
    )
    page.click("#rq-corr-save")
    page.wait_for_selector("#rq-corr-status .rq-msg-ok", timeout=60_000)
    correction_id = re.search(r"#(\d+)", page.inner_text("#rq-corr-status")).group(1)
    assert "使用中" in page.inner_text("#rq-corr-table")

    page.get_by_role("tab", name="问答").click()
    ask(page, QUESTION, 1)
    second = chat.locator(".rq-turn[data-turn='1']")
    assert second.locator(".rq-verified").inner_text().strip().endswith("已人工核对")
    assert CORRECTED in second.locator(".rq-text").inner_text()
    assert "森林抚育44.5万亩" in second.locator(".rq-passage").first.inner_text()
    ask(page, "森林抚育一共完成了多少万亩？", 2)  # a close paraphrase gets it too
    assert chat.locator(".rq-turn[data-turn='2'] .rq-verified").count() == 1

    # retire it again, so other tests on this server see the reader's own answers
    page.get_by_role("tab", name="管理").click()
    page.fill("#rq-corr-retire-id input", correction_id)
    page.click("#rq-corr-retire")
    page.wait_for_function(
        "document.querySelector('#rq-corr-status').innerText.includes('已停用')", timeout=60_000
    )
    page.get_by_role("tab", name="问答").click()
    ask(page, QUESTION, 3)
    assert chat.locator(".rq-turn[data-turn='3'] .rq-verified").count() == 0
