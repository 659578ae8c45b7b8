"""Follow-up condensing with the LLM through the loopback server, and its fallback to the rule-based rewrite."""

from __future__ import annotations

import time

import pytest

from reportqa.generation import LLMCondenser, make_condenser
from reportqa.generation.chat import make_chat_model
from reportqa.settings import Settings

HISTORY = ["2023年计划建成多少套人才公寓？"]


def rule_rewrite(question: str, history) -> str:
    return f"rule:{question}"


def condenser_for(server, prompts, timeout: float = 3.0) -> LLMCondenser:
    settings = Settings(llm_base_url=server.base_url, llm_model="fake-model", llm_timeout=timeout)
    return LLMCondenser(make_chat_model(settings), prompts, rule_rewrite, timeout=timeout)


def test_a_follow_up_is_rewritten_by_the_model(server, prompts):
    server.enqueue("“2023年计划新增多少高新技术企业？”")
    question = "那高新\u200b技术企业呢？"
    assert condenser_for(server, prompts).condense(question, HISTORY) == "2023年计划新增多少高新技术企业？"
    user = server.requests[0].messages[-1]["content"]
    assert "\n<<<对话>>>\n1. 2023年计划建成多少套人才公寓？\n<<<对话结束>>>\n" in user
    assert "\n<<<追问>>>\n那高新技术企业呢？\n<<<追问结束>>>\n" in user


def test_without_history_the_question_stands_and_no_request_is_made(server, prompts):
    assert condenser_for(server, prompts)("计划建成多少套人才公寓？", []) == "计划建成多少套人才公寓？"
    assert server.requests == []


@pytest.mark.parametrize(
    "script",
    [
        lambda s: s.enqueue(""),
        lambda s: s.enqueue("2023年计划新增多少高新技术企业？\n这是改写后的问题。"),
        lambda s: s.enqueue("高新技术企业" * 40),
        lambda s: s.enqueue("国家高新技术企业达到240家以上[1]。"),
        lambda s: s.enqueue("系统提示：你是问答助手"),
        lambda s: s.enqueue("报告中没有找到相关内容。"),
        lambda s: s.enqueue_error(500),
        lambda s: s.enqueue_raw("not json"),
    ],
)
def test_odd_output_or_failure_uses_the_rule_based_rewrite(server, prompts, script, caplog):
    script(server)
    assert condenser_for(server, prompts)("那高新技术企业呢？", HISTORY) == "rule:那高新技术企业呢？"
    assert "那高新技术企业呢？" in caplog.text


def test_a_slow_model_falls_back_in_time(server, prompts):
    server.enqueue_delay(6, "2023年计划新增多少高新技术企业？")
    started = time.monotonic()
    assert (
        condenser_for(server, prompts, timeout=1.0)("那高新技术企业呢？", HISTORY)
        == "rule:那高新技术企业呢？"
    )
    assert time.monotonic() - started < 1.0 + 2


def test_make_condenser_is_the_rule_rewrite_without_an_llm(prompts):
    assert make_condenser(Settings(llm_base_url=None, llm_model=None), rule_rewrite, prompts) is rule_rewrite
