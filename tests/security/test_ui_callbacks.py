"""UI callbacks under hostile input, a failing engine and a hanging engine: a message on the page, never a traceback."""

from __future__ import annotations

import threading
import time
import warnings
from pathlib import Path

import gradio as gr
import pytest

from reportqa.settings import Settings
from tests.conftest import copy_knowledge
from ui.chat import api_ask, clean_comment, on_chat_click, respond
from ui.factcheck import check_claims
from ui.holder import EngineHolder
from ui.i18n import t
from ui.knowledge import add_upload

LEAK = "/srv/secret/chroma.sqlite3 is locked"  # an internal detail that must stay in the server log


class FailingEngine:
    """Every call fails with an unexpected error carrying an internal path."""

    documents, chunks = [], []

    def stream(self, question, history=(), sources=()):
        raise RuntimeError(LEAK)
        yield  # a generator, like the real one

    def ask(self, question, history=(), sources=()):
        raise RuntimeError(LEAK)

    def check(self, claim):
        raise RuntimeError(LEAK)


class HangingEngine(FailingEngine):
    """Every call takes far longer than the time limit (until released)."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def stream(self, question, history=(), sources=()):
        self.release.wait(30)
        yield from ()

    def ask(self, question, history=(), sources=()):
        self.release.wait(30)

    def check(self, claim):
        self.release.wait(30)


class RecordingEngine:
    """Returns the real engine's answers and remembers the history it was given."""

    def __init__(self, engine) -> None:
        self.engine, self.histories = engine, []
        self.documents = engine.documents

    def ask(self, question, history=(), sources=()):
        self.histories.append(list(history))
        return self.engine.ask(question, history)


def settings_for(tmp_path: Path, **overrides) -> Settings:
    values = {
        "data_dir": tmp_path / "data",
        "knowledge_dir": tmp_path / "knowledge",
        "embedding_model": "hashing",
    }
    return Settings(_env_file=None, **{**values, **overrides})


@pytest.fixture
def failing(tmp_path) -> EngineHolder:
    return EngineHolder(FailingEngine(), settings_for(tmp_path))


@pytest.fixture
def hanging(tmp_path):
    engine = HangingEngine()
    yield EngineHolder(engine, settings_for(tmp_path, event_timeout_s=0.5))
    engine.release.set()


@pytest.fixture
def real(hostile_engine) -> EngineHolder:
    return EngineHolder(hostile_engine, hostile_engine.settings)


def last(steps):
    *_, step = steps
    return step


@pytest.mark.parametrize("question", ["", "   ", "\n\t", "\u200b\u200d\ufeff", "\u202e\x00", None, 42])
def test_a_blank_question_gets_the_hint_and_no_turn(real, question):
    with warnings.catch_warnings(record=True):
        html, turns, box = last(respond(real, question, [], "zh"))
    assert turns == [] and box == "" and "rq-error" not in html


@pytest.mark.parametrize("length", [2_001, 200_000, 2_000_000])
def test_an_over_long_question_is_a_clear_error_turn_and_is_not_echoed_whole(real, length):
    html, turns, _ = last(respond(real, "问" * length, [], "zh"))
    assert f"问题太长（{length} 个字符" in turns[0]["error"]
    assert len(turns[0]["question"]) <= real.settings.max_question_chars + 1
    assert len(html) < 10_000


def test_an_engine_failure_is_a_generic_message_not_a_traceback(failing):
    html, turns, _ = last(respond(failing, "计划建成多少套人才公寓？", [], "en"))
    assert turns[0]["error"] == t("failed", "en")
    assert "secret" not in html and "Traceback" not in html and "RuntimeError" not in html


def test_a_hanging_engine_is_given_up_after_the_time_limit(hanging):
    started = time.monotonic()
    html, turns, _ = last(respond(hanging, "计划建成多少套人才公寓？", [], "zh"))
    assert turns[0]["error"] == t("too_slow", "zh")
    assert time.monotonic() - started < 5


def test_the_api_turns_failures_and_time_outs_into_gradio_errors(failing, hanging):
    for holder, key in ((failing, "failed"), (hanging, "too_slow")):
        with pytest.raises(gr.Error) as caught:
            api_ask(holder, "计划建成多少套人才公寓？")
        assert t(key, "zh") in caught.value.message and t(key, "en") in caught.value.message
        assert "secret" not in caught.value.message


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ("not a list", "history must be a list"),
        ({"a": 1}, "history must be a list"),
        (["问" * 100_000], "太长"),
    ],
)
def test_the_api_refuses_a_malformed_history(real, history, message):
    with pytest.raises(gr.Error, match=message):
        api_ask(real, "那科技型中小企业呢？", history)


def test_the_api_keeps_only_the_last_turns_cleaned(hostile_engine):
    engine = RecordingEngine(hostile_engine)
    holder = EngineHolder(engine, hostile_engine.settings)
    history = [f"问题{i}\u200b\x00" for i in range(1000)] + ["  ", "国家高新技术企业要达到多少家？"]
    text, details = api_ask(holder, "那科技型中小企业呢？", history)
    sent = engine.histories[-1]
    assert len(sent) <= holder.settings.max_history_turns
    assert sent[-1] == "国家高新技术企业要达到多少家?" and all(
        "\x00" not in h and "\u200b" not in h for h in sent
    )
    assert text and "citations" in details


def test_claims_flood_failures_and_time_outs_are_rows_with_messages(real, failing, hanging):
    flood = check_claims(real, "生产总值增长8%。\n" * 100_000, "zh")
    assert "每次最多" in flood and "<script" not in flood
    failed = check_claims(failing, "生产总值增长8%。\n<img src=x onerror=alert(1)>", "zh")
    assert failed.count(t("failed", "zh")) == 2 and "secret" not in failed and "<img" not in failed
    started = time.monotonic()
    slow = check_claims(hanging, "生产总值增长8%。\n人才公寓2000套。", "zh")
    assert t("too_slow", "zh") in slow and time.monotonic() - started < 5


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "cite", "turn": "x", "n": 1},
        {"kind": "cite", "turn": 10**9, "n": -1},
        {"kind": "rate", "turn": [1], "rating": "up"},
        {"kind": "rate", "turn": 0, "rating": "<img src=x onerror=alert(1)>"},
        {"kind": "<script>", "turn": None},
        {},
    ],
)
def test_a_forged_chat_click_never_raises(real, tmp_path, data):
    from reportqa.feedback import FeedbackStore

    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    report, status, _ = on_chat_click(real, store, data, [], "", "zh")
    assert "Traceback" not in str(report) + str(status)


def test_a_feedback_comment_is_plain_and_bounded():
    assert clean_comment("好\x00\u202e评" + "论" * 100_000) == "好评" + "论" * 1998
    assert clean_comment("\u200b \n") == "" and clean_comment(None) == ""


def test_a_failing_rebuild_is_a_message_for_staff_and_serves_the_old_engine(hostile_engine, tmp_path):
    knowledge = copy_knowledge(tmp_path / "knowledge")

    def broken_build(*args, **kwargs):
        raise RuntimeError(LEAK)

    settings = settings_for(tmp_path, knowledge_dir=knowledge)
    holder = EngineHolder(hostile_engine, settings, build=broken_build)
    upload = tmp_path / "new.txt"
    upload.write_text("海棠新区计划建成测试公寓3210套。", encoding="utf-8")
    before = sorted(p.name for p in knowledge.iterdir())
    status, *_ = add_upload(holder, True, str(upload), "", "", "", "zh")
    assert t("failed", "zh") in status and "secret" not in status
    assert holder.engine is hostile_engine and sorted(p.name for p in knowledge.iterdir()) == before


@pytest.mark.parametrize(
    "lines",
    [
        ["5"],
        ["[1, 2]"],
        ['"just a string"'],
        ['{"question": ""}'],
        ['{"question": "计划建成多少套人才公寓？", "history": 5}'],
        ['{"question": 42}'],
        ['{"claim": "生产总值增长8%"}'],
        ['{"question": "计划建成多少套人才公寓？", "answer_must": ["(unclosed"]}'],
        ['{"question": "x"}'] * 301,
    ],
    ids=[
        "number",
        "list",
        "string",
        "empty",
        "bad-history",
        "number-question",
        "no-verdict",
        "bad-regex",
        "flood",
    ],
)
def test_a_malformed_question_set_is_a_message_on_the_evaluation_tab(real, tmp_path, lines):
    from ui.evaluation import run_set

    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, *_ = run_set(real, str(path), "zh")
    assert "set.jsonl" in status and "Traceback" not in status
