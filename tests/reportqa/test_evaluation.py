"""Scoring by the rules of shared/eval/README.md, question-set loading, and the report."""

from __future__ import annotations

import re

import pytest

from reportqa.evaluation import EvalReport, load_items, normalise_for_scoring, score_item

NUMERIC = {
    "id": "n1",
    "question": "计划建成多少套人才公寓？",
    "answer_must": ["2000"],
    "answer_must_not": ["3000"],
    "evidence": "建成人才公寓2000套",
    "kind": "numeric",
}
PASSAGE = {
    "n": 1,
    "text": "实施人才强市战略，建成人才公寓 2000 套。",
    "source": "r.txt",
    "section": "",
    "start": 0,
    "end": 9,
    "score": 1.0,
}


def result(
    answer: str = "建成人才公寓2000套。[1]", abstained: bool = False, citations=None, verdict=None
) -> dict:
    return {
        "answer": answer,
        "abstained": abstained,
        "verdict": verdict,
        "citations": [PASSAGE] if citations is None else citations,
        "latency_ms": 10.0,
    }


def test_answerable_question_passes() -> None:
    assert score_item(NUMERIC, result()) == (True, "")


@pytest.mark.parametrize(
    ("res", "reason"),
    [
        (result(abstained=True), "abstained"),
        (result(answer="建成人才公寓3000套。[1]"), "missing /2000/"),
        (result(answer="建成人才公寓2000套，不是3000套。[1]"), "contains forbidden /3000/"),
        (result(citations=[]), "evidence not cited"),
        (result(answer="建成人才公寓2000套。" + "很" * 240), "answer too long"),
    ],
)
def test_answerable_question_failures(res: dict, reason: str) -> None:
    passed, why = score_item(NUMERIC, res)
    assert not passed and why.startswith(reason)


def test_scoring_normalises_full_width_separators_and_case() -> None:
    assert normalise_for_scoring("２,０００ 套\n\n人") == "2000 套 人"
    item = {**NUMERIC, "answer_must": ["gdp"]}
    assert score_item(item, result(answer="GDP 2000。[1]"))[0]


def test_unanswerable_item_needs_abstention() -> None:
    item = {"id": "u1", "question": "地铁？", "answer_must": [], "evidence": None, "kind": "unanswerable"}
    assert score_item(item, result(abstained=True, citations=[])) == (True, "")
    assert not score_item(item, result())[0]


def test_claim_items() -> None:
    item = {
        "id": "c1",
        "claim": "建成人才公寓3000套",
        "verdict": "contradicted",
        "evidence": "建成人才公寓2000套",
        "kind": "claim",
    }
    assert score_item(item, result(verdict="contradicted")) == (True, "")
    assert score_item(item, result(verdict="supported"))[1].startswith("verdict supported")
    assert score_item(item, result(verdict="contradicted", citations=[]))[1] == "evidence not cited"
    not_found = {**item, "verdict": "not_found"}
    assert score_item(not_found, result(verdict="not_found", citations=[]))[0]


def test_load_jsonl_and_csv(tmp_path) -> None:
    jsonl = tmp_path / "q.jsonl"
    jsonl.write_text(
        '{"question": "人才公寓？", "answer_must": ["2000"]}\n\n{"claim": "x", "verdict": "not_found"}\n',
        encoding="utf-8-sig",
    )
    items = load_items(jsonl)
    assert [i["id"] for i in items] == ["line1", "line3"]
    assert [i["kind"] for i in items] == ["question", "claim"]
    csv_file = tmp_path / "q.csv"
    csv_file.write_text("question,expected\n人才公寓多少套？,2000|套\n地铁？,\n", encoding="utf-8")
    rows = load_items(csv_file)
    assert rows[0]["answer_must"] == ["2000", "套"] and rows[1]["answer_must"] == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json}\n", "line 1: not valid JSON"),
        ('{"answer_must": []}\n', "needs a 'question' or a 'claim'"),
    ],
)
def test_bad_question_files_are_reported_by_line(tmp_path, text: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)):
        load_items(path)


SUMMARY = (
    r"accuracy=\d\.\d+ citation_hit=\S+ false_rejection=\S+ negative_rejection=\S+ "
    r"figure_grounding=\S+ p50_ms=\d+(\.\d+)? p95_ms=\d+(\.\d+)?"
)


def test_report_table_summary_and_markdown() -> None:
    report = EvalReport()
    for i, (passed, ms) in enumerate([(True, 10.0), (False, 30.0), (True, 20.0)]):
        item = {**NUMERIC, "id": f"n{i}", "kind": "numeric" if i < 2 else "list"}
        res = result(citations=[PASSAGE] if passed else [])
        res["latency_ms"] = ms
        report.rows.append({"item": item, "result": res, "passed": passed, "reason": "" if passed else "x"})
    assert report.accuracy == pytest.approx(2 / 3)
    assert report.by_kind() == {"list": (1, 1), "numeric": (1, 2)}
    assert report.metrics.citation_hit == pytest.approx(2 / 3)
    line = report.summary_line()
    assert re.fullmatch(SUMMARY, line)
    assert "p50_ms=20.0" in line
    md = report.markdown("Eval")
    assert md.startswith("# Eval") and "| numeric | 1 | 2 | 0.50 |" in md and "❌" in md
