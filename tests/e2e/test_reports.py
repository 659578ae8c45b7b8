"""Several reports in one knowledge folder, in the real page: the report selector, a region-less question
answered per report, and a comparison across regions, each part cited."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DESKTOP, ROOT, app_server, copy_knowledge

pytestmark = pytest.mark.browser
QINGHAI = ROOT / "evalsets" / "probes" / "qinghai-2025"


@pytest.fixture(scope="module")
def reports_server(tmp_path_factory):
    base = tmp_path_factory.mktemp("reports")
    knowledge = copy_knowledge([ROOT / "knowledge", QINGHAI], base / "knowledge")
    with app_server(base, knowledge) as url:
        yield url


@pytest.fixture
def page(browser, reports_server):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(reports_server, wait_until="load")
    page.wait_for_selector("#rq-question textarea", timeout=60_000)
    yield page
    context.close()


def ask(page, question: str, turns: int) -> str:
    page.fill("#rq-question textarea", question)
    page.click("#rq-send")
    page.wait_for_function(
        f"document.querySelectorAll('#rq-chat .rq-a .rq-text, #rq-chat .rq-a .rq-error').length >= {turns}",
        timeout=90_000,
    )
    return page.locator("#rq-chat .rq-a").last.inner_text()


def test_the_report_selector_limits_the_answer_to_the_report_picked(page, screenshot) -> None:
    picker = page.locator("#rq-report-pick")
    assert picker.is_visible()
    picker.locator("input").click()
    page.get_by_role("option", name="2025年青海省政府工作报告").click()
    answer = ask(page, "今年地区生产总值增长目标是多少？", 1)
    assert "4.5%" in answer and "7.5%" not in answer and "商丘市：" not in answer
    screenshot(page, "reports-selector")


def test_a_region_less_question_is_answered_per_report_with_labels(page) -> None:
    answer = ask(page, "今年生产总值增长目标是多少？", 1)
    assert "商丘市：" in answer and "青海省：" in answer
    assert "7.5%" in answer and "4.5%" in answer
    passages = page.locator("#rq-chat .rq-a").last.locator(".rq-cite .rq-passage").all_inner_texts()
    assert any("7.5%" in p for p in passages) and any("4.5%" in p for p in passages)


def test_a_comparison_answers_each_region_with_its_citation(page, screenshot) -> None:
    answer = ask(page, "青海和商丘的地区生产总值增长目标分别是多少？", 1)
    qinghai, shangqiu = answer.index("青海省："), answer.index("商丘市：")
    assert "4.5%" in answer[qinghai:shangqiu] and "7.5%" not in answer[qinghai:shangqiu]
    assert "4.5%" not in answer[shangqiu:].split("出处")[0]  # 商丘's part never carries 青海's figure
    screenshot(page, "reports-comparison")
