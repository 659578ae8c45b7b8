"""The retrieval test tab's callback and the `explain` API over a real engine (hashing embedder, real reader)."""

from __future__ import annotations

import html
import re

import gradio as gr
import pytest
from hypothesis import HealthCheck, given, settings

from tests.security.strategies import short_questions
from ui.app import build_app
from ui.holder import EngineHolder
from ui.i18n import t
from ui.retrieval_test import explain_question, render_explanation


def rows(page: str) -> list[str]:
    return re.findall(r'<tr class="rq-rt-row[^"]*">.*?</tr>', page)


def test_the_page_shows_every_passage_with_its_scores_the_threshold_reason_and_answer(shared_holder):
    page, x = explain_question(shared_holder, "计划建成多少套人才公寓？", "", "zh")
    engine = shared_holder.engine
    assert len(rows(page)) == len(x.passages) == engine.settings.top_k
    assert "融合分" in page and "向量分" in page and "词法分" in page and "阅读分" in page
    first = rows(page)[0]
    assert f'<td data-label="融合分">{x.passages[0].fused:.4f}</td>' in first
    assert html.escape(x.standalone_question) in page
    answer = engine.ask("计划建成多少套人才公寓？")
    assert x.answer.text == answer.text and esc_in(x.reason_zh, page)
    assert esc_in(answer.text.removesuffix("[1]"), page) and 'data-kind="cite"' in page
    threshold = f"最佳片段概率 {round(x.best_probability, 4):g}，拒答阈值 {x.threshold:g}"
    assert threshold in page
    unread = [r for r in rows(page) if "rq-rt-unread" in r]
    assert len(unread) == len(x.passages) - x.reader_passages and all("未阅读" in r for r in unread)
    chosen = [r for r in rows(page) if "rq-rt-chosen" in r]
    assert len(chosen) == 1 and "最佳片段" in chosen[0] and '<mark class="rq-hit">' in chosen[0]


def esc_in(text: str, page: str) -> bool:
    return html.escape(text) in page


def test_follow_ups_take_the_earlier_questions_one_a_line(shared_holder):
    page, x = explain_question(
        shared_holder, "那科技型中小企业呢？", "\n随便问问？\n国家高新技术企业要达到多少家？\n", "zh"
    )
    assert (
        x.standalone_question.startswith("科技型中小企业")
        and x.history[-1] == "国家高新技术企业要达到多少家?"
    )
    assert "实际检索的问题：科技型中小企业" in page and "原问题：那科技型中小企业呢" in page


def test_english_labels_and_reason(shared_holder):
    page, x = explain_question(shared_holder, "How many talent apartments will be built?", "", "en")
    assert "Fused" in page and "Reader score" in page and "Reason:" in page and esc_in(x.reason_en, page)
    assert render_explanation(x, "zh") != page and "原因：" in render_explanation(x, "zh")


def test_hostile_text_stays_text(shared_holder):
    page, x = explain_question(
        shared_holder, "<img src=x onerror=alert(1)>人才公寓多少套？", "<script>x</script>", "zh"
    )
    assert x is not None and "<img" not in page and "<script" not in page and "&lt;img src=x" in page


@pytest.mark.parametrize(
    ("question", "history", "message"),
    [(" \u200b ", "", "输入问题"), ("问" * 5000, "", "问题太长"), ("人才公寓？", "问" * 5000, "问题太长")],
)
def test_bad_input_gets_a_message(shared_holder, question, history, message):
    page, x = explain_question(shared_holder, question, history, "zh")
    assert x is None and message in page and "<table" not in page


def test_the_explain_api_returns_the_engines_explanation(shared_holder, store, tmp_path):
    app = build_app(shared_holder, shared_holder.settings, store, staff=None, public_set=tmp_path / "none")
    (fn,) = [f for f in app.fns.values() if f.api_name == "explain"]
    assert fn.api_visibility == "public"
    data = fn.fn("那科技型中小企业呢？", ["国家高新技术企业要达到多少家？"])
    expected = shared_holder.engine.explain(
        "那科技型中小企业呢？", ["国家高新技术企业要达到多少家？"]
    ).to_dict()
    for d in (data, expected):
        d["answer"].pop("latency_ms")
    assert data == expected
    with pytest.raises(gr.Error, match="请输入一个问题"):
        fn.fn("   ")
    with pytest.raises(gr.Error, match="history"):
        fn.fn("人才公寓？", "not a list")


class FailingEngine:
    """explain fails with an internal detail that must stay in the server log."""

    def explain(self, question, history=()):
        raise RuntimeError("/srv/secret/chroma.sqlite3 is locked")


def test_an_engine_failure_is_a_message_not_a_traceback(shared_holder):
    holder = EngineHolder(FailingEngine(), shared_holder.settings)
    page, x = explain_question(holder, "计划建成多少套人才公寓？", "", "en")
    assert x is None and "rq-msg-error" in page and t("failed", "en") in page and "secret" not in page


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=short_questions, history=short_questions)
def test_hostile_questions_and_history_stay_inert_text(shared_holder, question, history):
    page, _ = explain_question(shared_holder, question, history, "zh")
    assert "<script" not in page and "<img" not in page and "<form" not in page and "<style" not in page
