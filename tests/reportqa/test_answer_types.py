"""The answer-kind model: labels from answer text, the shipped weights (checksum-checked), and what they learned."""

from __future__ import annotations

import shutil

import pytest

from reportqa.answer_types import KINDS, WEIGHTS, AnswerTypeModel, answer_kind, meta_path, read_meta
from retrieval.text import normalize


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ("7.5%左右", "percent"),
        ("提高7.1个百分点", "percent"),
        ("12万人", "people"),
        ("约3.5亿元", "money"),
        ("52.8万亩", "measure"),
        ("2000套", "count"),
        ("1995年", "date"),
        ("唐朝", "date"),
        ("120", "number"),
        ("朗天、霍惊觉", "text"),
    ],
)
def test_answers_are_labelled_by_their_own_text(answer: str, kind: str) -> None:
    assert answer_kind(answer) == kind


@pytest.fixture(scope="module")
def model() -> AnswerTypeModel:
    return AnswerTypeModel.load()


def test_the_shipped_model_was_measured_on_held_out_articles(model) -> None:
    meta = read_meta()
    assert meta["kinds"] == list(KINDS)
    assert meta["held_out"]["accuracy"] > meta["majority_baseline"] + 0.2
    p = model.probabilities(normalize("计划建成多少套人才公寓？"))
    assert sum(p.values()) == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize(
    ("question", "fits", "misfits"),
    [
        ("计划建成多少套人才公寓？", "2000套", "30%"),
        ("2023年生产总值预期增长多少？", "7.5%左右", "2000套"),
        ("城镇新增就业多少人？", "6.45万人", "2.5%"),
        ("岑朗天的笔名叫什么？", "朗天、霍惊觉", "1995年"),
    ],
)
def test_a_span_of_the_kind_asked_fits_better_than_one_of_another_kind(
    model, question, fits, misfits
) -> None:
    q = normalize(question)
    assert model.fit(q, fits) > 0.5 > 0.3 > model.fit(q, misfits)


@pytest.mark.parametrize(
    ("question", "misfit"),
    [
        ("商丘的常住人口是多少？", "常住人口城镇化率提高7.1个百分点"),
        ("人才公寓的租金是多少？", "建成人才公寓2000套"),
    ],
)
def test_the_attribute_swaps_the_reader_lets_through_fit_poorly(model, question, misfit) -> None:
    assert model.fit(normalize(question), misfit) < 0.3


def test_weights_that_do_not_match_their_checksum_are_refused(tmp_path) -> None:
    copy = tmp_path / WEIGHTS.name
    shutil.copy(WEIGHTS, copy)
    shutil.copy(meta_path(), meta_path(copy))
    assert AnswerTypeModel.load(copy).weights.shape[1] == len(KINDS)
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="checksum"):
        AnswerTypeModel.load(copy)
