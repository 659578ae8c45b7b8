"""Chat callbacks over a real engine: streaming turns, follow-ups, citation clicks, ratings and the API."""

from __future__ import annotations

import gradio as gr
import pytest

from ui.chat import api_ask, citation_of, history_of, on_chat_click, respond


def final(holder, question, turns=()):
    *_, (html, turns, box) = respond(holder, question, list(turns), "zh")
    return html, turns, box


def test_respond_shows_pending_then_the_cited_answer(shared_holder):
    steps = list(respond(shared_holder, "计划建成多少套人才公寓？", [], "zh"))
    assert "正在检索报告" in steps[0][0] and steps[0][1][0]["answer"] is None
    html, turns, box = steps[-1]
    assert box == "" and "2000" in turns[0]["answer"].text
    assert "建成人才公寓2000套" in html and 'data-kind="cite"' in html


def test_follow_up_uses_earlier_turns_and_shows_the_standalone_question(shared_holder):
    _, turns, _ = final(shared_holder, "国家高新技术企业要达到多少家？")
    html, turns, _ = final(shared_holder, "那科技型中小企业呢？", turns)
    assert history_of(turns) == ["国家高新技术企业要达到多少家？", "那科技型中小企业呢？"]
    assert "400" in turns[1]["answer"].text and "已按“" in html


def test_an_over_long_question_becomes_an_error_turn(shared_holder):
    html, turns, _ = final(shared_holder, "问" * 5000)
    assert turns[0]["error"] and "太长" in html
    assert history_of(turns) == []


def test_citation_click_opens_the_report_at_the_span(shared_holder, store):
    _, turns, _ = final(shared_holder, "计划建成多少套人才公寓？")
    c = next(c for c in turns[0]["answer"].citations if "建成人才公寓2000套" in c.text)
    report, status, comment = on_chat_click(
        shared_holder, store, {"kind": "cite", "turn": 0, "n": c.n}, turns, "", "zh"
    )
    assert '<mark class="rq-span">' in report
    cited = report.split('<mark class="rq-span">')[1]
    assert '建成人才公寓<mark class="rq-hit">2000套</mark>' in cited  # the reader's span, marked in its passage
    assert status is gr.skip() or isinstance(status, dict)
    assert citation_of(turns, 5, 1) is None and citation_of(turns, 0, 99) is None


def test_rating_stores_feedback_with_the_comment(shared_holder, store):
    _, turns, _ = final(shared_holder, "计划建成多少套人才公寓？")
    _, status, comment = on_chat_click(
        shared_holder, store, {"kind": "rate", "turn": 0, "rating": "down"}, turns, "引用不对", "zh"
    )
    entry = store.entries()[0]
    assert "已记录" in status and comment == ""
    assert (entry.rating, entry.comment, entry.question) == ("down", "引用不对", "计划建成多少套人才公寓?")
    assert entry.citations and entry.settings["embedding_model"] == "hashing"


def test_api_ask_returns_text_and_citations(shared_holder):
    text, details = api_ask(shared_holder, "那科技型中小企业呢？", ["国家高新技术企业要达到多少家？"])
    assert "400" in text and details["citations"] and "科技型中小企业" in details["standalone_question"]
    with pytest.raises(gr.Error):
        api_ask(shared_holder, "   ")
