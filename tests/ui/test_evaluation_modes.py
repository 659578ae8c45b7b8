"""The evaluation tab compares the extractive and LLM answer modes on the same set (LLM over loopback HTTP)."""

from __future__ import annotations

from reportqa.engine import build_engine
from reportqa.settings import Settings
from tests.fakes.openai_server import FakeOpenAIServer
from tests.ui.conftest import make_settings
from ui.evaluation import has_llm, run_set
from ui.holder import EngineHolder


def test_compare_mode_runs_both_generators_on_the_same_set(tmp_path, shared_holder):
    questions = tmp_path / "two.csv"
    questions.write_text(
        "question,expected\n计划建成多少套人才公寓？,2000\n商丘有地铁吗？,\n", encoding="utf-8"
    )
    base = make_settings(tmp_path)
    with FakeOpenAIServer() as server:
        settings = Settings(
            **{
                **base.model_dump(),
                "llm_base_url": server.base_url,
                "llm_model": "fake-model",
                "llm_timeout": 5.0,
            }
        )
        holder = EngineHolder(build_engine(settings), settings)
        assert has_llm(holder) and not has_llm(shared_holder)
        server.enqueue("按今年的工作安排，建成人才公寓2000套。[1]")
        server.enqueue("报告中没有找到相关内容。")
        summary, chart, table, files = run_set(holder, str(questions), "en", mode="compare")
        assert len(server.requests) >= 2  # the LLM mode really asked the endpoint
    assert "extractive" in summary and "llm" in summary
    assert sorted(set(chart["mode"])) == ["extractive", "llm"]
    assert len(table) == 4 and any(i.endswith("· llm") for i in table["id"])
    assert len(files) == 4


def test_llm_mode_without_an_llm_is_refused_with_a_message(tmp_path, shared_holder):
    questions = tmp_path / "one.csv"
    questions.write_text("question,expected\n计划建成多少套人才公寓？,2000\n", encoding="utf-8")
    summary, *rest = run_set(shared_holder, str(questions), "en", mode="llm")
    assert "No LLM is configured" in summary and rest == [None, None, None]
