"""The retrieval test tab (检索测试) in headless Chromium against the real server: scores, threshold, reason."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def run_test(page, question: str, history: str = "") -> None:
    page.get_by_role("tab", name="检索测试").click()
    page.fill("#rq-rt-question textarea", question)
    page.fill("#rq-rt-history textarea", history)
    page.click("#rq-rt-run")
    page.wait_for_function(
        "q => (document.querySelector('#rq-rt-result .rq-rt') || {}).innerText?.includes(q)",
        arg=question.rstrip("？"),
        timeout=60_000,
    )


@pytest.mark.parametrize("device", VIEWPORTS)
def test_an_answer_shows_every_passages_scores_and_the_span_given(open_page, screenshot, device):
    page = open_page(VIEWPORTS[device])
    run_test(page, "计划建成多少套人才公寓？")
    rows = page.locator("#rq-rt-result tr.rq-rt-row")
    assert rows.count() == 8
    fused = [float(t) for t in page.locator("#rq-rt-result td[data-label='融合分']").all_inner_texts()]
    assert len(fused) == 8 and fused == sorted(fused, reverse=True) and fused[0] > 0
    dense = [float(t) for t in page.locator("#rq-rt-result td[data-label='向量分']").all_inner_texts()]
    assert max(dense) > 0.5
    ranks = page.locator("#rq-rt-result td[data-label='排名']").all_inner_texts()
    assert [int(r) for r in ranks] == list(range(1, 9))
    chosen = page.locator("#rq-rt-result tr.rq-rt-chosen")
    assert chosen.count() == 1 and chosen.locator("mark.rq-hit").inner_text() == "2000套"
    assert page.locator("#rq-rt-result tr.rq-rt-unread").count() == 3
    threshold = page.inner_text("#rq-rt-result .rq-rt-threshold")
    assert "作答" in threshold and "拒答阈值 0.25" in threshold
    reason = page.inner_text("#rq-rt-result .rq-rt-reason")
    assert "“2000套”" in reason and "不低于阈值 0.25，据此作答" in reason
    assert "建成人才公寓2000套" in page.inner_text("#rq-rt-result .rq-rt-answer")
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[device]["width"] + 1
    screenshot(page, f"retrieval-test-{device}")


def test_a_refusal_shows_the_probability_below_the_threshold_in_both_languages(open_page):
    page = open_page()
    run_test(page, "商丘的地铁几号线开通了？")
    assert "拒答" in page.inner_text("#rq-rt-result .rq-rt-threshold")
    reason = page.inner_text("#rq-rt-result .rq-rt-reason")
    assert "低于阈值 0.25，拒答" in reason
    assert "没有找到这个问题的答案" in page.inner_text("#rq-rt-result .rq-rt-answer")
    assert page.locator("#rq-rt-result tr.rq-rt-chosen").count() == 1  # the refused span is shown
    page.locator("#rq-lang").get_by_text("English").click()
    page.wait_for_function(
        "document.querySelector('#rq-rt-result .rq-rt-reason').innerText.includes('below the threshold 0.25')",
        timeout=60_000,
    )
    assert "Refused" in page.inner_text("#rq-rt-result .rq-rt-threshold")
    assert page.get_by_role("tab", name="Retrieval test").count() == 1


def test_a_follow_up_shows_the_question_searched(open_page):
    page = open_page()
    run_test(page, "那科技型中小企业呢？", "国家高新技术企业要达到多少家？")
    assert "实际检索的问题：科技型中小企业" in page.inner_text("#rq-rt-result .rq-rt-searched")
    assert "400" in page.inner_text("#rq-rt-result .rq-rt-answer")
