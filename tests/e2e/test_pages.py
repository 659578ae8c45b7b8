"""The real page in headless Chromium: chat, follow-up, citations, fact check, evaluation, figures, screenshots."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def ask(page, question: str, turns: int) -> None:
    page.fill("#rq-question textarea", question)
    page.click("#rq-send")
    page.wait_for_function(
        f"document.querySelectorAll('#rq-chat .rq-a .rq-text, #rq-chat .rq-a .rq-error').length >= {turns}",
        timeout=60_000,
    )


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def assert_fits(page, width: int) -> None:
    """No horizontal page scrolling at this width."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


@pytest.mark.parametrize("device", VIEWPORTS)
def test_chat_answers_with_citation_and_opens_the_report_at_it(open_page, screenshot, device):
    page = open_page(VIEWPORTS[device])
    ask(page, "计划建成多少套人才公寓？", 1)
    answer = page.locator("#rq-chat .rq-a").last
    assert "2000" in answer.locator(".rq-text").inner_text()
    passages = answer.locator(".rq-cite .rq-passage").all_inner_texts()
    assert any("建成人才公寓2000套" in p for p in passages)
    assert "2000" in answer.locator(".rq-cite mark.rq-hit").first.inner_text()  # the answering sentence
    index = next(i for i, p in enumerate(passages) if "建成人才公寓2000套" in p)
    answer.locator(".rq-cite-head").nth(index).click()
    mark = page.locator("#rq-report mark.rq-span")
    mark.wait_for(timeout=60_000)
    assert "建成人才公寓2000套" in mark.inner_text()
    page.wait_for_timeout(400)
    assert page.evaluate("""() => {
        const m = document.querySelector('#rq-report mark.rq-span').getBoundingClientRect();
        return m.bottom > 0 && m.top < window.innerHeight;
    }"""), "the highlighted span was not scrolled into view"
    assert_fits(page, VIEWPORTS[device]["width"])
    screenshot(page, f"chat-{device}")


def test_follow_up_shows_the_standalone_question(open_page):
    page = open_page()
    ask(page, "国家高新技术企业要达到多少家？", 1)
    ask(page, "那科技型中小企业呢？", 2)
    last = page.locator("#rq-chat .rq-a").last
    searched = last.locator(".rq-searched").inner_text()
    assert searched.startswith("已按“") and "科技型中小企业" in searched
    assert "400" in last.locator(".rq-text").inner_text()
    page.click("#rq-clear")
    page.wait_for_function("document.querySelectorAll('#rq-chat .rq-turn').length === 0")


def test_example_question_is_asked_on_click(open_page):
    page = open_page()
    page.locator("#rq-examples").get_by_text("计划建成多少套人才公寓？").click()
    page.wait_for_selector("#rq-chat .rq-a .rq-text", timeout=60_000)
    assert "2000" in page.inner_text("#rq-chat .rq-a .rq-text")


@pytest.mark.parametrize("device", VIEWPORTS)
def test_fact_check_gives_verdicts_with_the_reports_figure(open_page, screenshot, device):
    page = open_page(VIEWPORTS[device])
    open_tab(page, "事实核查")
    page.fill("#rq-claims textarea", "2023年商丘生产总值增长目标是8%。\n计划建成人才公寓2000套。")
    page.click("#rq-check")
    page.wait_for_selector("#rq-verdicts tbody tr", timeout=60_000)
    rows = page.locator("#rq-verdicts tbody tr")
    assert rows.count() == 2
    assert "与报告不符" in rows.nth(0).inner_text() and "7.5%" in rows.nth(0).inner_text()
    assert "符合报告" in rows.nth(1).inner_text()
    assert_fits(page, VIEWPORTS[device]["width"])
    screenshot(page, f"factcheck-{device}")


@pytest.mark.parametrize("device", VIEWPORTS)
def test_evaluation_upload_shows_chart_table_and_downloads(open_page, screenshot, tmp_path, device):
    questions = tmp_path / "small.csv"
    questions.write_text(
        "question,expected\n计划建成多少套人才公寓？,2000\n2023年生产总值预期增长多少？,7\\.5%\n"
        "<img src=x onerror=alert(1)> 商丘有地铁吗？,\n",
        encoding="utf-8",
    )
    page = open_page(VIEWPORTS[device])
    open_tab(page, "准确率测试")
    page.set_input_files("#rq-eval-file input[type=file]", str(questions))
    page.wait_for_selector("#rq-eval-file :text('small.csv')", timeout=60_000)
    page.click("#rq-eval-run")
    page.wait_for_selector("#rq-eval-summary .rq-msg", timeout=120_000)
    assert "3" in page.inner_text("#rq-eval-summary")
    page.wait_for_selector("#rq-eval-chart canvas, #rq-eval-chart svg", timeout=60_000)
    table = page.locator("#rq-eval-table")
    assert "计划建成多少套人才公寓" in table.inner_text()
    assert "<img src=x onerror=alert(1)>" in table.inner_text()
    assert table.locator("img").count() == 0
    downloads = page.locator("#rq-eval-downloads").inner_text().replace("\n", "")
    assert "small-results.jsonl" in downloads and "small-results.csv" in downloads
    screenshot(page, f"evaluation-{device}")


def test_two_evaluation_runs_compared_on_the_page(open_page, screenshot, tmp_path):
    page = open_page(VIEWPORTS["desktop"])
    open_tab(page, "准确率测试")
    for n, expected in enumerate(["2000", "2001"]):  # the second run expects a wrong figure: one item broken
        questions = tmp_path / f"run{n}.csv"
        questions.write_text(f"question,expected\n计划建成多少套人才公寓？,{expected}\n", encoding="utf-8")
        if n:
            page.click("#rq-eval-file button[aria-label='Clear']")
        page.set_input_files("#rq-eval-file input[type=file]", str(questions))
        page.wait_for_selector(f"#rq-eval-file :text('run{n}.csv')", timeout=60_000)
        page.click("#rq-eval-run")
        page.wait_for_function(
            "n => document.querySelector('#rq-cmp-b input')?.value.includes('run' + n)", arg=n, timeout=120_000
        )
    assert "run0" in page.input_value("#rq-cmp-a input") and "run1" in page.input_value("#rq-cmp-b input")
    page.click("#rq-cmp-run")
    page.wait_for_selector("#rq-cmp-summary table", timeout=60_000)
    summary = page.inner_text("#rq-cmp-summary")
    assert "修复 0" in summary and "变差 1" in summary and "accuracy" in summary and "100.0%" in summary
    page.wait_for_selector("#rq-cmp-chart canvas, #rq-cmp-chart svg", timeout=60_000)
    assert "计划建成多少套人才公寓" in page.inner_text("#rq-cmp-changes")
    screenshot(page, "evaluation-compare")


@pytest.mark.parametrize("device", VIEWPORTS)
def test_figures_table_filters_and_links_rows_to_the_report(open_page, screenshot, device):
    page = open_page(VIEWPORTS[device])
    open_tab(page, "数据一览")
    page.wait_for_selector("#rq-fig-table table", timeout=60_000)
    screenshot(page, f"figures-{device}")
    page.fill("#rq-fig-search textarea, #rq-fig-search input", "人才公寓")
    page.wait_for_function(
        "!document.querySelector('#rq-fig-table').innerText.includes('7.5%')", timeout=60_000
    )
    page.locator("#rq-fig-table").get_by_text("建成人才公寓2000套", exact=True).locator(
        "visible=true"
    ).first.click()
    mark = page.locator("#rq-fig-report mark.rq-span")
    mark.wait_for(timeout=60_000)
    assert "建成人才公寓2000套" in mark.inner_text()
    assert page.inner_text("#rq-fig-report mark.rq-hit") == "2000套"


def test_english_toggle_relabels_the_page(open_page):
    page = open_page()
    page.locator("#rq-lang").get_by_text("English").click()
    page.get_by_role("tab", name="Chat").wait_for(timeout=60_000)
    assert page.get_by_role("tab", name="Fact check").count() == 1
    assert "Your question" in page.inner_text("#rq-question")
