"""Fact check, evaluation, figures and staff callbacks over a real engine."""

from __future__ import annotations

import json
from pathlib import Path

from ui.evaluation import run_set
from ui.factcheck import MAX_CLAIMS, check_claims
from ui.figures import figures_frame, show_location
from ui.staff import check_login, staff_credentials


def test_fact_check_table(shared_holder):
    html = check_claims(shared_holder, "2023年商丘生产总值增长目标是8%。\n\n计划建成人才公寓2000套。", "zh")
    assert (
        html.count("<tr class=") == 2
        and "与报告不符" in html
        and "<b>7.5%</b>" in html
        and "符合报告" in html
    )
    assert "每次最多" in check_claims(shared_holder, "\n".join(["人才公寓2000套"] * (MAX_CLAIMS + 1)), "zh")
    assert "例如" in check_claims(shared_holder, "  ", "zh")


def test_evaluation_of_a_csv_set(shared_holder, tmp_path):
    path = tmp_path / "set.csv"
    path.write_text("question,expected\n计划建成多少套人才公寓？,2000\n商丘有地铁吗？,\n", encoding="utf-8")
    summary, chart, table, files = run_set(shared_holder, str(path), "en")
    assert "/2 passed" in summary
    assert list(chart.columns) == ["kind", "accuracy", "items", "mode"] and chart["kind"].tolist() == ["csv"]
    assert table["question"].tolist() == ["计划建成多少套人才公寓？", "商丘有地铁吗？"]
    jsonl, csv_file = (Path(f) for f in files)
    first = json.loads(jsonl.read_text(encoding="utf-8").splitlines()[0])
    assert {"id", "answer", "abstained", "citations", "latency_ms", "passed", "reason"} <= set(first)
    assert csv_file.read_text(encoding="utf-8-sig").startswith("id,kind,passed,reason")


def test_evaluation_refuses_bad_input(shared_holder, tmp_path):
    assert "rq-msg-error" in run_set(shared_holder, None, "zh")[0]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    summary, *rest = run_set(shared_holder, str(bad), "zh")
    assert "bad.jsonl" in summary and "line 1" in summary and rest == [None, None, None]


def test_figures_filter_and_location(shared_holder):
    from reportqa.figures_table import figure_rows

    rows = figure_rows(shared_holder.engine.chunks)
    table = figures_frame(rows, "人才公寓", "target")
    assert table["数字"].tolist() == ["2000套"] and table["类型"].tolist() == ["2023 年目标"]
    assert set(figures_frame(rows, kind="achievement", lang="en")["kind"]) == {"Past achievement"}
    html = show_location(shared_holder, f"{table['文件'][0]}:{table['位置'][0]}", "zh")
    assert '<mark class="rq-hit">2000套</mark>' in html
    assert "rq-span" not in show_location(shared_holder, "nowhere", "zh")


def test_staff_credentials_and_login():
    assert staff_credentials({}) is None and staff_credentials({"REPORTQA_STAFF_USER": "a"}) is None
    creds = staff_credentials({"REPORTQA_STAFF_USER": "a", "REPORTQA_STAFF_PASSWORD": "pw"})
    assert (
        check_login("a", "pw", creds) and not check_login("a", "PW", creds) and not check_login("", "", None)
    )


def test_each_evaluation_is_kept_and_leaves_no_temporary_folder(shared_holder, tmp_path):
    import tempfile

    from reportqa.runs import RunStore

    runs = RunStore(tmp_path / "runs", keep=5)
    path = tmp_path / "one.csv"
    path.write_text("question,expected\n计划建成多少套人才公寓？,2000\n", encoding="utf-8")
    temp = Path(tempfile.gettempdir())
    before = {p.name for p in temp.iterdir()}
    for _ in range(20):
        summary, *_ = run_set(shared_holder, str(path), "en", runs=runs)
        assert "1/1 passed" in summary
    assert {p.name for p in temp.iterdir()} - before <= {"gradio"}  # Gradio's own cache, swept by the app
    assert len(runs.list()) == 5 and len(list(runs.folder.iterdir())) == 10


def test_two_kept_runs_compared(shared_holder, tmp_path):
    from reportqa.runs import RunStore
    from ui.run_compare import compare, picker_updates

    runs = RunStore(tmp_path / "runs")
    path = tmp_path / "set.csv"
    path.write_text("question,expected\n计划建成多少套人才公寓？,2000\n", encoding="utf-8")
    run_set(shared_holder, str(path), "en", runs=runs)
    path.write_text("question,expected\n计划建成多少套人才公寓？,2001\n", encoding="utf-8")
    run_set(shared_holder, str(path), "en", runs=runs)
    a, b = picker_updates(runs)
    assert a["value"] != b["value"] and len(a["choices"]) == 2
    html, chart, changes = compare(runs, a["value"], b["value"], "en")
    assert "broken 1" in html and "fixed 0" in html and "accuracy" in html
    assert set(chart["run"]) == {"A", "B"}
    assert changes["id"].tolist() == ["c001"] and changes["change"].tolist() == ["broken"]
    assert "rq-msg-error" in compare(runs, None, b["value"], "zh")[0]
    assert "no stored evaluation run" in compare(runs, "gone", b["value"], "en")[0]
