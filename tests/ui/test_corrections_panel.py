"""Staff correction and conversation-log callbacks over a real engine, and the chat writing the log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportqa.conversations import ConversationLog
from reportqa.corrections import CorrectionStore
from ui.chat import api_ask, on_chat_click, respond
from ui.conversations import export_log, log_frame
from ui.corrections import (
    corrections_frame,
    down_choices,
    entry_detail,
    export_corrections,
    passage_choices,
    passage_text,
    save_correction,
)

EVIDENCE = "森林抚育44.5万亩"


@pytest.fixture
def corrections(tmp_path) -> CorrectionStore:
    return CorrectionStore(tmp_path / "corrections.sqlite3")


@pytest.fixture
def log(tmp_path) -> ConversationLog:
    return ConversationLog(tmp_path / "conversations.sqlite3")


def final(holder, question, turns=(), conversations=None):
    *_, (html, turns, box) = respond(holder, question, list(turns), "zh", conversations)
    return html, turns


def test_a_thumbs_down_is_picked_detailed_and_corrected(shared_holder, store, corrections, log):
    _, turns = final(shared_holder, "森林抚育完成了多少万亩？", conversations=log)
    on_chat_click(
        shared_holder, store, {"kind": "rate", "turn": 0, "rating": "down"}, turns, "<b>不对</b>", "zh", log
    )
    store.add("up", "别的问题", "别的回答")
    ((label, entry_id),) = down_choices(store)
    entry = store.get(entry_id)
    assert label.startswith(f"#{entry_id} · 森林抚育")
    detail = entry_detail(entry, "zh")
    assert "&lt;b&gt;不对&lt;/b&gt;" in detail and "<b>不对</b>" not in detail and "森林抚育" in detail
    cited = passage_choices(shared_holder, entry=entry)
    assert cited and all(passage_text(shared_holder, chunk_id) for _, chunk_id in cited)
    found = passage_choices(shared_holder, "森林抚育 44.5")
    assert found and all(EVIDENCE in passage_text(shared_holder, chunk_id) for _, chunk_id in found)

    saved, message = save_correction(
        shared_holder, corrections, entry_id, "森林抚育完成了多少万亩？", "45万亩", EVIDENCE, "zh"
    )
    assert not saved and "rq-msg-error" in message and corrections.active() == []
    saved, message = save_correction(
        shared_holder,
        corrections,
        entry_id,
        "森林抚育完成了多少万亩？",
        "森林抚育完成44.5万亩。",
        EVIDENCE,
        "zh",
    )
    assert saved and "#1" in message
    (correction,) = corrections.active()
    assert (
        correction.feedback_id == entry_id and correction.source == shared_holder.engine.documents[0].source
    )
    frame, stale = corrections_frame(shared_holder, corrections, "zh")
    assert stale == 0 and frame.iloc[0]["status"] == "使用中"
    item = json.loads(Path(export_corrections(corrections)).read_text(encoding="utf-8"))
    assert item["question"] == "森林抚育完成了多少万亩？" and item["evidence"] == EVIDENCE


def test_a_correction_whose_passage_left_the_index_is_flagged(shared_holder, corrections):
    corrections.add("q", "44.5万亩", "这句话不在报告里面", shared_holder.engine.documents[0].source)
    frame, stale = corrections_frame(shared_holder, corrections, "en")
    assert stale == 1 and "no longer in the index" in frame.iloc[0]["status"]


def test_the_chat_and_the_api_write_the_log(shared_holder, store, log):
    _, turns = final(shared_holder, "计划建成多少套人才公寓？", conversations=log)
    assert turns[0]["log_id"] == 1
    on_chat_click(shared_holder, store, {"kind": "rate", "turn": 0, "rating": "down"}, turns, "", "zh", log)
    api_ask(shared_holder, "商丘市委书记叫什么名字？", None, log)
    (api_turn, chat_turn) = log.turns()
    assert (chat_turn.rating, chat_turn.channel, "2000" in chat_turn.answer) == ("down", "chat", True)
    assert chat_turn.citations and chat_turn.latency_ms > 0
    assert api_turn.channel == "api" and api_turn.abstained
    assert list(log_frame(log, down_only=True)["id"]) == [chat_turn.id]
    assert list(log_frame(log, refused_only=True)["id"]) == [api_turn.id]
    csv_path, jsonl_path = export_log(log, refused_only=True)
    assert "商丘市委书记" in Path(csv_path).read_text(encoding="utf-8-sig")
    assert len(Path(jsonl_path).read_text(encoding="utf-8").splitlines()) == 1


def test_a_broken_log_does_not_break_the_chat(shared_holder, tmp_path):
    log = ConversationLog(tmp_path / "broken.sqlite3")
    (tmp_path / "broken.sqlite3").unlink()
    (tmp_path / "broken.sqlite3").mkdir()  # every write now fails
    _, turns = final(shared_holder, "计划建成多少套人才公寓？", conversations=log)
    assert "2000" in turns[0]["answer"].text and "log_id" not in turns[0]
