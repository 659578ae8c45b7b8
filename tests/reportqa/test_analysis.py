"""Question analysis: language, period cues, years, colloquial wording."""

from __future__ import annotations

import pytest

from reportqa.analysis import analyse, part_weights


@pytest.mark.parametrize(
    ("question", "part"),
    [
        ("今年固定资产投资计划增长多少？", "plan"),
        ("2023年的目标是什么？", "plan"),
        ("过去五年累计造林多少万亩？", "review"),
        ("本届政府以来新增多少学位？", "review"),
        ("今后五年要打造几个强市？", "overall"),
        ("What is the target for this year?", "plan"),
        ("What was achieved in the past five years?", "review"),
        ("人才公寓有多少套？", None),
    ],
)
def test_time_cues_pick_the_report_part(question: str, part: str | None) -> None:
    weights, explicit = part_weights(question)
    assert explicit == part
    if part:
        assert weights[part] == max(weights.values())


def test_weak_cues_only_lean() -> None:
    weights, explicit = part_weights("计划建成多少套人才公寓？")
    assert explicit is None and weights["plan"] > weights["review"]


def test_analyse_chinese_question() -> None:
    q = analyse("計劃建成多少套人才公寓？", "計劃建成多少套人才公寓？", [2023])
    assert q.language == "zh"
    assert q.text == "计划建成多少套人才公寓?"
    assert q.lexical_text == q.text


def test_document_year_means_the_plan() -> None:
    q = analyse("2023年生产总值增长多少？", "2023年生产总值增长多少？", [2023])
    assert q.years == (2023,) and q.part_weights["plan"] == max(q.part_weights.values())


def test_analyse_english_question_translates_terms() -> None:
    q = analyse("How many talent apartments will be built?", "How many talent apartments will be built?")
    assert q.language == "en"
    assert "人才公寓" in q.lexical_text and "talent" in q.lexical_text


@pytest.mark.parametrize(
    ("colloquial", "formal"),
    [
        ("人才公寓要盖几套啊", "人才公寓要建成几套"),
        ("商丘的森林覆盖率是多少？", "商丘的森林覆盖率是多少？"),  # 覆盖 is no building
        ("CPI涨幅控制在多少", "CPI涨幅控制在多少"),  # 涨幅 is the report's own word
        ("工资涨了多少", "工资增长多少"),
    ],
)
def test_colloquial_words_are_formalised_only_where_they_are_words(colloquial: str, formal: str) -> None:
    from reportqa.analysis import formalise

    assert formalise(colloquial) == formal


def test_the_year_before_a_report_means_its_review() -> None:
    q = analyse("2024年城镇新增就业多少人？", "2024年城镇新增就业多少人？", document_years=[2025])
    assert q.part_weights["review"] == max(q.part_weights.values())
    assert analyse("2019年的人口", "2019年的人口", document_years=[2025]).part_weights == {}
