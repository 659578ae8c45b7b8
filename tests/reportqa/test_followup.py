"""Follow-up questions rewritten into standalone ones with the chat history."""

from __future__ import annotations

import unicodedata

import pytest

from reportqa.followup import is_followup, rewrite_followup


@pytest.mark.parametrize(
    ("question", "history", "must", "must_not"),
    [
        ("那医疗保险呢？", ["社会养老保险参保人数是多少？"], ["医疗保险", "参保人数"], ["养老"]),
        (
            "科技型中小企业呢？",
            ["国家高新技术企业要达到多少家？"],
            ["科技型中小企业", "多少家"],
            ["高新技术"],
        ),
        ("那供暖呢？", ["供水用户新增了多少户？"], ["供暖", "新增", "户"], ["供水"]),
        ("过去五年呢？", ["今年固定资产投资计划增长多少？"], ["过去五年", "固定资产投资"], ["今年"]),
        ("森林抚育呢？", ["累计造林多少万亩？"], ["森林抚育", "万亩"], ["造林"]),
        ("它的目标是多少？", ["生产总值增长多少？"], ["生产总值", "目标"], ["它"]),
        # "它" is the previous subject, without its period and predicate
        (
            "那过去五年它突破了多少？",
            ["2023年一般公共预算收入预期增长多少？"],
            ["过去五年一般公共预算收入突破"],
            ["2023", "预期增长"],
        ),
        (
            "它们的总投资是多少？",
            ["累计招引了多少个3亿元以上的项目？"],
            ["3亿元以上的项目", "总投资"],
            ["它", "们"],
        ),
        # 预算 is tagged a verb, but "一般公共预算收入" is one noun phrase: it replaces the previous subject
        (
            "一般公共预算收入呢？",
            ["生产总值过去五年在全省提升了几个位次？"],
            ["一般公共预算收入过去五年在全省提升了几个位次"],
            ["生产总值"],
        ),
    ],
)
def test_followups_are_rewritten(
    question: str, history: list[str], must: list[str], must_not: list[str]
) -> None:
    assert is_followup(question, history)
    standalone = rewrite_followup(question, history)
    for word in must:
        assert word in standalone, standalone
    for word in must_not:
        assert word not in standalone, standalone


@pytest.mark.parametrize(
    ("question", "history"),
    [
        ("计划建成多少套人才公寓？", ["社会养老保险参保人数是多少？"]),
        ("2023年生产总值预期增长多少？", ["国家高新技术企业要达到多少家？"]),
        ("How many talent apartments will be built?", ["计划建成多少套人才公寓？"]),
        ("那医疗保险呢？", []),  # nothing to lean on
    ],
)
def test_standalone_questions_stay_unchanged(question: str, history: list[str]) -> None:
    assert rewrite_followup(question, history) == question
    assert not is_followup(question, history)


def test_bare_repeat_falls_back_to_the_previous_question() -> None:
    assert rewrite_followup("还有呢？", ["计划建成多少套人才公寓？"]) == "计划建成多少套人才公寓？"


def test_uses_the_latest_turn() -> None:
    standalone = rewrite_followup(
        "那医疗保险呢？", ["国家高新技术企业要达到多少家？", "社会养老保险参保人数是多少？"]
    )
    assert "医疗保险" in standalone and "参保人数" in standalone and "高新技术" not in standalone


def test_chained_followups_are_resolved_turn_by_turn() -> None:
    history = ["供水用户新增了多少户？", "那供暖呢？"]
    standalone = rewrite_followup("供气呢？", history)
    assert "供气" in standalone and "户" in standalone and "供暖" not in standalone


def test_followup_in_traditional_characters_and_full_width() -> None:
    standalone = rewrite_followup("那醫療保險呢？", ["社會養老保險參保人數是多少？"])
    assert "医疗保险" in standalone and "参保人数" in standalone


def test_followup_replaces_the_noun_phrase_not_the_verb() -> None:
    standalone = rewrite_followup("幼儿园呢？", ["新建改扩建了多少所中小学校？"])
    assert "幼儿园" in standalone and "改扩建" in standalone and "中小学校" not in standalone


def test_followup_with_a_new_period_keeps_the_topic() -> None:
    standalone = rewrite_followup("那2022年有多少？", ["规模以上工业企业有多少家？"])
    assert "2022年" in standalone and "规模以上工业企业" in standalone


def test_english_followup_replaces_the_topic() -> None:
    standalone = rewrite_followup(
        "What about medical insurance?", ["How many people have pension insurance?"]
    )
    assert "medical insurance" in standalone and "pension" not in standalone and "？" not in standalone


def test_followup_replaces_the_whole_compound() -> None:
    standalone = rewrite_followup("那三级以上医院呢？", ["建成县医院共多少家？"])
    assert "三级以上医院" in standalone and "县" not in standalone


# -- through the engine ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "history", "standalone_has", "answer_has", "answer_not"),
    [
        ("那医疗保险呢？", ["社会养老保险参保人数是多少？"], ["医疗保险", "参保人数"], "857.1万", "554.2"),
        ("科技型中小企业呢？", ["国家高新技术企业要达到多少家？"], ["科技型中小企业"], "400", "240"),
        ("那供暖呢？", ["供水用户新增了多少户？"], ["供暖"], "13万户", "21万户"),
        ("过去五年呢？", ["今年固定资产投资计划增长多少？"], ["过去五年", "固定资产投资"], "9.5%", "10.5%"),
    ],
)
def test_engine_answers_followups(engine, question, history, standalone_has, answer_has, answer_not) -> None:
    answer = engine.ask(question, history)
    assert unicodedata.normalize("NFKC", answer.question) == unicodedata.normalize(
        "NFKC", question
    )  # as asked
    assert answer.standalone_question != answer.question
    for word in standalone_has:
        assert word in answer.standalone_question
    assert not answer.abstained
    assert answer_has in answer.text and answer_not not in answer.text
    assert any(answer_has in c.text for c in answer.citations)


def test_engine_keeps_standalone_questions(engine) -> None:
    answer = engine.ask("计划建成多少套人才公寓？", ["社会养老保险参保人数是多少？"])
    assert "人才公寓" in answer.standalone_question and "养老" not in answer.standalone_question
    assert "2000" in answer.text


def test_engine_ignores_blank_history(engine) -> None:
    answer = engine.ask("计划建成多少套人才公寓？", ["", "  ", "\u200b"])
    assert answer.standalone_question == answer.question
    assert "2000" in answer.text


def test_a_pronoun_question_refers_back() -> None:
    """'它们的总投资' asks about the earlier subject; '那医疗保险呢' names a new one."""
    from reportqa.followup import refers_back

    assert refers_back("它们的总投资是多少？") and not refers_back("那医疗保险呢？")
