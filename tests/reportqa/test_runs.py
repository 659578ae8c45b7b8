"""Kept evaluation runs: saved atomically with version and settings, bounded, listed, compared by item."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from reportqa.evaluation import result_line
from reportqa.runs import RunStore, compare_runs, engine_version, git_commit, read_results
from reportqa.settings import PROJECT_ROOT, Settings


def lines(*passed: bool) -> list[dict]:
    return [
        {
            "id": f"i{n}",
            "kind": "numeric",
            "question": f"q{n}",
            "answer": f"a{n}",
            "passed": p,
            "reason": "" if p else "abstained",
            "abstained": not p,
            "answerable": True,
            "latency_ms": 5.0,
        }
        for n, p in enumerate(passed)
    ]


@pytest.fixture
def store(tmp_path: Path) -> RunStore:
    return RunStore(tmp_path / "runs", keep=3)


def test_a_saved_run_is_listed_with_its_metrics_version_and_settings(store, tmp_path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "d", llm_api_key="secret")
    run = store.save("public", lines(True, False), settings)
    [listed] = store.list()
    assert listed.id == run.id and listed.set_name == "public" and listed.metrics.accuracy == 0.5
    assert "public · 0.500 (1/2)" in listed.label()
    meta = json.loads(run.path.with_suffix(".meta.json").read_text(encoding="utf-8"))
    assert meta["version"]["reader_weights"] and meta["settings"]["top_k"] == settings.top_k
    assert "llm_api_key" not in meta["settings"] and "secret" not in json.dumps(meta)
    assert read_results(run.path) == lines(True, False) == store.get(run.id).lines()


def test_only_the_newest_runs_are_kept_and_crash_leftovers_are_swept(store, tmp_path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "d")
    store.folder.mkdir(parents=True)
    (store.folder / ".tmp-crashed.jsonl").write_text("half", encoding="utf-8")
    (store.folder / "20000101T000000000000-unfinished.jsonl").write_text("{}", encoding="utf-8")
    ids = [store.save(f"s{i}", lines(True), settings).id for i in range(5)]
    assert [r.id for r in store.list()] == ids[::-1][:3]
    left = sorted(p.name for p in store.folder.iterdir())
    assert len([n for n in left if n.endswith(".meta.json")]) == 3
    assert not any(n.startswith(".tmp-") for n in left)
    with pytest.raises(ValueError, match="reportqa runs"):
        store.get(ids[0])


def test_a_damaged_record_is_skipped_not_fatal(store, tmp_path) -> None:
    run = store.save("x", lines(True), Settings(_env_file=None, data_dir=tmp_path / "d"))
    run.path.with_suffix(".meta.json").write_text("{broken", encoding="utf-8")
    assert store.list() == []


def test_compare_sorts_items_into_fixed_broken_unchanged_and_one_sided() -> None:
    a = lines(True, False, True, False)
    b = [*lines(False, True, True, False)[:4], {"id": "new", "passed": True}]
    c = compare_runs(a, b)
    assert [x["id"] for x in c.fixed] == ["i1"] and [x["id"] for x in c.broken] == ["i0"]
    assert c.fixed[0]["before"] == "a1" and c.unchanged_passed == ("i2",) and c.unchanged_failed == ("i3",)
    assert c.only_b == ("new",) and c.only_a == ()
    assert c.metrics_a.accuracy == 0.5 and c.metrics_b.accuracy == 0.6
    assert json.loads(json.dumps(c.to_dict()))["broken"][0]["id"] == "i0"


def test_results_files_are_checked_line_by_line(tmp_path) -> None:
    bad = tmp_path / "r.jsonl"
    bad.write_text('{"id": "a"}\n[1]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="r.jsonl, line 2: a result needs an 'id'"):
        read_results(bad)


def test_the_commit_is_read_without_running_git() -> None:
    if not (PROJECT_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    assert head and git_commit() == head[:12]
    assert engine_version()["commit"] == head[:12]
    assert git_commit(PROJECT_ROOT / "no-such-folder") is None


def test_result_line_records_whether_every_figure_is_grounded() -> None:
    passage = {"n": 1, "text": "建成人才公寓2000套。"}
    item = {
        "id": "a",
        "question": "人才公寓？",
        "answer_must": ["2000"],
        "evidence": "人才公寓2000套",
        "kind": "n",
    }
    good = {"answer": "建成人才公寓2000套。[1]", "abstained": False, "citations": [passage]}
    bad = {"answer": "建成人才公寓3000套。[1]", "abstained": False, "citations": [passage]}
    ok = result_line({"item": item, "result": good, "passed": True, "reason": ""})
    assert ok["grounded"] is True and ok["evidence_cited"] is True and ok["answerable"] is True
    assert result_line({"item": item, "result": bad, "passed": False, "reason": "x"})["grounded"] is False
    refused = result_line(
        {"item": item, "result": {**good, "abstained": True}, "passed": False, "reason": ""}
    )
    assert "grounded" not in refused
