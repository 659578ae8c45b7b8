"""The concurrency benchmark's workload: distinct questions, so the app's query cache cannot flatter it."""

from __future__ import annotations

import pytest

from benchmarks.concurrency import workload


def test_every_request_asks_a_different_question() -> None:
    plan = workload(20, 5)
    assert len(plan) == 20 and all(len(turns) == 5 for turns in plan)
    questions = [item["question"] for turns in plan for item in turns]
    assert len(set(questions)) == 100


def test_follow_ups_keep_the_turns_they_refer_to() -> None:
    follow_ups = [item for turns in workload(20, 5) for item in turns if item.get("history")]
    assert follow_ups and all(isinstance(h, str) and h for item in follow_ups for h in item["history"])


def test_too_many_requests_for_the_question_sets_is_an_error() -> None:
    with pytest.raises(ValueError, match="distinct questions"):
        workload(100, 10)
