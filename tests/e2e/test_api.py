"""The named Gradio API endpoints, called with gradio_client against the real server."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(server):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from gradio_client import Client

    return Client(server, verbose=False)


def test_ask_returns_answer_and_citations(client):
    answer, details = client.predict("计划建成多少套人才公寓？", api_name="/ask")
    assert "2000" in answer
    assert any("建成人才公寓2000套" in c["text"] for c in details["citations"])
    assert {"n", "text", "source", "section", "start", "end", "highlight"} <= set(details["citations"][0])


def test_ask_with_history_rewrites_the_follow_up(client):
    answer, details = client.predict(
        "那科技型中小企业呢？", ["国家高新技术企业要达到多少家？"], api_name="/ask"
    )
    assert "400" in answer
    assert "科技型中小企业" in details["standalone_question"]


def test_check_returns_a_verdict(client):
    verdict = client.predict("2023年商丘生产总值增长目标是8%。", api_name="/check")
    assert verdict["verdict"] == "contradicted" and verdict["report_figure"] == "7.5%"


def test_explain_returns_scores_threshold_and_reason(client):
    question = "商丘的地铁几号线开通了？"
    data = client.predict(question, api_name="/explain")
    answer, _ = client.predict(question, api_name="/ask")
    assert data["answer"]["answer"] == answer and data["answered"] is False
    assert data["best_probability"] < data["threshold"] == 0.25
    assert "拒答" in data["reason"]["zh"] and "refused" in data["reason"]["en"]
    assert len(data["passages"]) == 8 and all(p["fused"] > 0 for p in data["passages"])
    assert [p["read"] for p in data["passages"]] == [True] * 5 + [False] * 3
    followed = client.predict("那科技型中小企业呢？", ["国家高新技术企业要达到多少家？"], api_name="/explain")
    assert followed["standalone_question"].startswith("科技型中小企业") and followed["answered"] is True
