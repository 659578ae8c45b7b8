"""Question analysis: language, period cues, years, what is asked, content terms."""

from __future__ import annotations

import pytest

from reportqa.analysis import analyse, part_weights, strip_frame_words


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
    assert "人才公寓" in "".join(q.terms)
    assert q.wants_figure and not q.wants_list


def test_document_year_means_the_plan() -> None:
    q = analyse("2023年生产总值增长多少？", "2023年生产总值增长多少？", [2023])
    assert q.years == (2023,) and q.explicit_part == "plan"


def test_analyse_english_question_translates_terms() -> None:
    q = analyse("How many talent apartments will be built?", "How many talent apartments will be built?")
    assert q.language == "en"
    assert "人才公寓" in q.terms
    assert "人才公寓" in q.lexical_text and "talent" in q.lexical_text


def test_list_questions() -> None:
    assert analyse("有哪些未来产业？", "有哪些未来产业？").wants_list


def test_frame_words_are_stripped() -> None:
    stripped = strip_frame_words("商丘市今年人才公寓建设情况怎么样")
    assert "人才公寓" in stripped and "商丘市" not in stripped and "情况" not in stripped


@pytest.mark.parametrize(
    ("question", "present", "absent"),
    [
        # budget words jieba tags as verbs still name what is asked about
        ("商丘市2023年一般公共预算支出总额是多少？", ["预算", "支出"], []),
        # the noun run after 哪几种 names the answer type, not content the passage must hold
        ("报告提出要不断提高哪几种政治能力？", [], ["政治", "能力"]),
        ("哪些县市成功创建全国文明城市？", ["文明城市"], ["县市"]),
        # characters jieba cannot place join the noun after them
        ("瞪羚企业要达到多少家？", ["瞪羚企业"], ["企业"]),
        # words that only name the kind of answer
        ("人才强市战略包括哪些引才方式？", ["人才"], ["方式"]),
        ("消费在商丘经济中起什么作用？", ["消费"], ["作用"]),
    ],
)
def test_content_words(question: str, present: list[str], absent: list[str]) -> None:
    terms = analyse(question, question).terms
    assert all(t in terms for t in present) and not any(t in terms for t in absent), terms


def test_gdp_in_a_chinese_question_is_the_reports_shengchan_zongzhi() -> None:
    from reportqa.analysis import term_variants

    terms = analyse("商丘的GDP突破了多少亿元？", "商丘的GDP突破了多少亿元？").terms
    assert any("生产总值" in term_variants(t) for t in terms), terms


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
