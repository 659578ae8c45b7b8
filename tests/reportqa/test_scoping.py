"""Several reports loaded: questions are answered from the region or year they name, follow-ups keep the
region, comparisons answer each region, region-less questions go to the default report or to each that answers."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from reportqa.engine import build_engine
from reportqa.regions import focus_question
from reportqa.scoping import ReportScoper
from tests.conftest import KNOWLEDGE, make_settings

ROOT = Path(__file__).resolve().parents[2]
QINGHAI = ROOT / "evalsets" / "probes" / "qinghai-2025"
SQ, QH = "shangqiu-2023-government-work-report.txt", "qinghai-2025-government-work-report.txt"


@dataclass(frozen=True)
class Doc:
    source: str
    title: str
    region: str = ""
    city: str = ""
    year: int | None = None


DOCS = [
    Doc("henan.docx", "2025年河南省政府工作报告", region="河南省", year=2025),
    Doc("shandong.docx", "2025年山东省政府工作报告", region="山东省", year=2025),
    Doc("sq.txt", "2023年商丘市政府工作报告", city="商丘市", year=2023),
]


def test_plans_follow_region_year_history_and_default() -> None:
    scoper = ReportScoper(DOCS)
    plan = scoper.plan("河南今年GDP增长目标是多少？")
    assert plan.single and plan.scopes[0].sources == ("henan.docx",)
    plan = scoper.plan("那城镇新增就业呢？", ["豫今年经济增长目标？"])
    assert plan.single and plan.scopes[0].sources == ("henan.docx",)
    plan = scoper.plan("河南和山东的目标分别是多少？")
    assert [(s.label, s.sources, s.question) for s in plan.scopes] == [
        ("河南省", ("henan.docx",), "河南的目标是多少？"),
        ("山东省", ("shandong.docx",), "山东的目标是多少？"),
    ]
    plan = scoper.plan("海南的目标是多少？")
    assert plan.scopes == () and plan.missing == ("海南省",) and not plan.single
    assert scoper.plan("2023年计划建成多少套人才公寓？").scopes[0].sources == ("sq.txt",)
    assert scoper.plan("2024年粮食产量多少？").scopes[0].sources == ("henan.docx", "shandong.docx")
    assert scoper.plan("目标是多少？").per_report
    assert scoper.plan("目标是多少？", sources=["sq.txt"]).scopes[0].sources == ("sq.txt",)
    with_default = ReportScoper(DOCS, default_report="sq.txt")
    assert with_default.plan("目标是多少？").scopes[0].sources == ("sq.txt",)
    assert ReportScoper(DOCS[:1]).plan("河南的目标").single  # one report: nothing to choose
    articles = [Doc("a.txt", "岑朗天"), Doc("b.txt", "佛堂门天后古庙")]  # documents of no region
    assert ReportScoper(articles).plan("岑朗天笔名叫什么？").single
    assert (
        ReportScoper(articles).plan("岑朗天在香港做什么？").single
    )  # a place named in an article's question
    assert scoper.label_of("henan.docx") == "河南省"


def test_a_comparison_is_asked_of_each_region_alone() -> None:
    assert focus_question(
        "What are the GDP targets of Henan and Shandong respectively?", "山东省", ["河南省", "山东省"]
    ) == ("What are the GDP targets of Shandong?")
    assert focus_question("河南、山东和湖北的目标", "山东省", ["河南省", "山东省", "湖北省"]) == "山东的目标"


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory):
    """The bundled 商丘 2023 report and the 2025 青海 report in one knowledge folder, with the real model."""
    root = tmp_path_factory.mktemp("two")
    knowledge = root / "knowledge"
    knowledge.mkdir()
    shutil.copy(KNOWLEDGE / SQ, knowledge)
    shutil.copy(QINGHAI / QH, knowledge)
    manifest = {"documents": {}}
    for folder in (KNOWLEDGE, QINGHAI):
        manifest["documents"].update(
            json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["documents"]
        )
    (knowledge / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return build_engine(make_settings(root, knowledge_dir=knowledge))


def test_a_named_region_is_answered_from_its_report_only(two_reports) -> None:
    answer = two_reports.ask("青海2025年地区生产总值增长目标是多少？")
    assert "4.5%" in answer.text and {c.source for c in answer.citations} == {QH}
    answer = two_reports.ask("商丘计划建成多少套人才公寓？")
    assert "2000" in answer.text and {c.source for c in answer.citations} == {SQ}
    answer = two_reports.ask("青海2025年地區生產總值增長目標是多少？")  # traditional characters
    assert {c.source for c in answer.citations} == {QH}


def test_a_follow_up_keeps_the_region_of_the_earlier_turn(two_reports) -> None:
    answer = two_reports.ask("那城镇新增就业呢？", ["青海2025年地区生产总值增长目标是多少？"])
    # the earlier turn asked for a 2025 target: the follow-up is about 2025 too (6.45万 is 2024's result)
    assert (
        "6万人以上" in answer.text
        and "6.45" not in answer.text
        and {c.source for c in answer.citations} == {QH}
    )


def test_a_comparison_answers_each_region_with_its_citation(two_reports) -> None:
    answer = two_reports.ask("青海和商丘的地区生产总值增长目标分别是多少？")
    first, second = answer.text.split("\n")
    assert first.startswith("青海省：") and second.startswith("商丘市：")
    assert "4.5%" in first and "7.5%" not in first  # 青海's own figure, never 商丘's
    assert (
        "4.5%" not in second
    )  # whether the reader answers 商丘's part or refuses it, never with 青海's figure
    cited = {c.n: c.source for c in answer.citations}
    marker = re.compile(r"\[(\d+)\]")
    assert {cited[int(n)] for n in marker.findall(first)} == {QH}
    assert {cited[int(n)] for n in marker.findall(second)} <= {SQ}


def test_a_region_without_a_report_is_refused_not_answered_from_another(two_reports) -> None:
    answer = two_reports.ask("河南2025年生产总值增长目标是多少？")
    assert answer.abstained and "河南省" in answer.text and "%" not in answer.text and not answer.citations


def test_a_region_less_question_is_answered_per_report_that_answers(two_reports) -> None:
    answer = two_reports.ask("计划建成多少套人才公寓？")
    assert answer.text.startswith("商丘市：") and "2000" in answer.text and "青海省" not in answer.text
    both = two_reports.ask("今年生产总值增长目标是多少？")
    assert "商丘市：" in both.text and "青海省：" in both.text and not both.abstained
