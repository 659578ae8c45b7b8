"""The figure-grounding rule: every figure of an answer is in a passage it cites; no links, images or HTML."""

from __future__ import annotations

import pytest

from reportqa.grounding import check_grounding
from reportqa.models import Citation

TALENT = "集聚创新人才。实施人才强市战略，加大柔性引才、项目引才、平台引才工作力度，建成人才公寓2000套。"
TARGETS = (
    "今年经济社会发展的主要预期目标：生产总值增长7.5%左右，规模以上工业增加值增长8%，固定资产投资增长10.5%。"
)
FOREST = "森林商丘生态建设不断加强，累计造林52.8万亩，森林抚育44.5万亩。"


def cite(n: int, text: str) -> Citation:
    return Citation(n=n, text=text, source="report.txt", section="", start=0, end=len(text), score=1.0)


CITATIONS = [cite(1, TALENT), cite(2, TARGETS), cite(3, FOREST)]
# The answers' own convention (shared/eval/README.md, ExtractiveAnswerer) puts the marker after the full stop:
# "…2000套。[1]"; such a marker belongs to the sentence it follows.


@pytest.mark.parametrize(
    "answer",
    [
        "按今年的工作安排，建成人才公寓2000套。[1]",
        "生产总值增长7.5%左右。[2]",
        "建成人才公寓2000套[1]，累计造林52.8万亩[3]。",
        "累计造林52.8万亩。[3] 生产总值增长7.5%左右。[2]",
        "建成人才公寓２０００套。[1]",  # full-width digits are the same figure
        "According to the report's plan for this year: 建成人才公寓2000套。[1]",
        "报告中没有找到关于“地铁”的相关内容。",  # no figure, no marker
    ],
)
def test_grounded_answers_pass(answer: str) -> None:
    report = check_grounding(answer, CITATIONS)
    assert report.ok, report.problems
    assert report.problems == ()


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ("建成人才公寓3000套。[1]", "3000套"),  # invented figure
        ("生产总值增长8.5%。[2]", "8.5%"),
        ("生产总值增长5%。[2]", "5"),  # a substring of 7.5% is not the figure 5%
        ("累计造林52.8万亩[1]。", "52.8万亩"),  # the figure is in [3], not in the passage this sentence cites
        ("累计造林52.8万亩。[1]", "52.8万亩"),
        ("建成人才公寓2000套，新增就业45万人。[1]", "45万人"),
        ("建成人才公寓 2001 套。", "2001"),  # uncited sentence: checked against every passage
    ],
)
def test_ungrounded_figures_fail(answer: str, problem: str) -> None:
    report = check_grounding(answer, CITATIONS)
    assert not report.ok
    assert any(problem in p for p in report.problems), report.problems


def test_marker_without_a_citation_fails() -> None:
    report = check_grounding("建成人才公寓2000套。[7]", CITATIONS)
    assert not report.ok
    assert "marker [7] points to no given passage" in report.problems


def test_marker_zero_fails() -> None:
    assert not check_grounding("建成人才公寓2000套。[0]", CITATIONS).ok


def test_no_citations_means_no_figures() -> None:
    assert not check_grounding("建成人才公寓2000套。", []).ok
    assert check_grounding("报告中没有找到相关内容。", []).ok


@pytest.mark.parametrize(
    "answer",
    [
        "建成人才公寓2000套。![图](http://example.com/x.png)[1]",
        "详见[这里](https://example.com)。[1]",
        "建成人才公寓2000套。<img src=x onerror=alert(1)>[1]",
        "<script>alert(1)</script>建成人才公寓2000套。[1]",
        "建成人才公寓2000套。<a href='x'>点击</a>[1]",
        "访问 www.example.com 了解更多。[1]",
        "javascript:alert(1)",
    ],
)
def test_links_images_and_html_fail(answer: str) -> None:
    report = check_grounding(answer, CITATIONS)
    assert not report.ok
    assert "contains a link, image or HTML" in report.problems


def test_problems_are_not_repeated() -> None:
    report = check_grounding("建成人才公寓3000套，3000套。[1]", CITATIONS)
    assert len(report.problems) == len(set(report.problems))
