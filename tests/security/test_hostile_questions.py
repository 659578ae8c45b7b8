"""Generated hostile questions through Engine.ask/stream/check and the CLI: an answer or a clear message, never a crash."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportqa.engine import clean_question
from reportqa.models import VERDICTS, Answer, QuestionError, Verdict
from tests.security.strategies import FRAGMENTS, questions, short_questions

FAST = settings(deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)
MAX = 2000  # the default settings.max_question_chars
# Counted by the tests below: the brief asks for at least 1,000 generated inputs through the engine.
ENGINE_EXAMPLES = {"ask": 500, "stream": 150, "check": 300, "history": 150}


def assert_clean_text(text: str) -> None:
    """What the UI, the JSON API and the CLI print must encode as UTF-8 and carry no control character."""
    text.encode("utf-8")
    assert not any(ord(ch) < 32 and ch not in "\n\t\r" for ch in text)


def assert_reply(reply: Answer | Verdict) -> None:
    if isinstance(reply, Answer):
        assert isinstance(reply.text, str) and reply.text.strip()
        assert_clean_text(reply.question)
        json.dumps(reply.to_dict(), ensure_ascii=False).encode("utf-8")
    else:
        assert isinstance(reply, Verdict) and reply.verdict in VERDICTS
        assert_clean_text(reply.claim)
        json.dumps(reply.to_dict(), ensure_ascii=False).encode("utf-8")


def assert_message(error: QuestionError) -> None:
    message = str(error)
    assert message.strip() and len(message) < 300 and "Traceback" not in message


def outcome(call, *args) -> None:
    """Either a well-formed reply or a QuestionError with a message; any other exception fails the test."""
    try:
        reply = call(*args)
    except QuestionError as error:
        assert_message(error)
        return
    assert_reply(reply)


@FAST
@given(st.text(st.characters(codec=None, exclude_categories=()), max_size=3000) | questions)
def test_clean_question_output_is_clean_and_bounded(text):
    try:
        cleaned = clean_question(text, MAX)
    except QuestionError as error:
        assert_message(error)
        return
    assert 0 < len(cleaned) <= MAX
    assert_clean_text(cleaned)
    assert cleaned == cleaned.strip() and "  " not in cleaned
    assert not any(ch in cleaned for ch in "\u202e\u2066\u200b\u200d\ufeff\u061c")
    assert clean_question(cleaned, MAX) == cleaned  # idempotent: the engine may clean twice


@pytest.mark.parametrize("text", ["", " ", "\n\t", "\u3000", "\u200b\u200d\ufeff", "\u202e\x00\x1b", None])
def test_empty_and_invisible_questions_get_the_friendly_prompt(text):
    with pytest.raises(QuestionError, match="请输入一个问题.*Please type a question"):
        clean_question(text, MAX)


@pytest.mark.parametrize("length", [MAX + 1, 4 * MAX + 1, 100_000, 200_000, 5_000_000])
def test_over_long_questions_get_a_clear_message(length):
    with pytest.raises(QuestionError, match=rf"问题太长（{length} 个字符，上限 {MAX}）.*too long"):
        clean_question("问" * length, MAX)


@pytest.mark.parametrize("value", [42, ["问题"], {"q": 1}, b"bytes"])
def test_a_question_that_is_not_text_is_refused(value):
    with pytest.raises(QuestionError, match="must be text"):
        clean_question(value, MAX)


@settings(FAST, max_examples=ENGINE_EXAMPLES["ask"])
@given(questions)
def test_engine_ask_never_crashes(hostile_engine, question):
    outcome(hostile_engine.ask, question)


@settings(FAST, max_examples=ENGINE_EXAMPLES["stream"])
@given(questions)
def test_engine_stream_never_crashes(hostile_engine, question):
    outcome(lambda q: list(hostile_engine.stream(q))[-1], question)


@settings(FAST, max_examples=ENGINE_EXAMPLES["check"])
@given(questions)
def test_engine_check_never_crashes(hostile_engine, claim):
    outcome(hostile_engine.check, claim)


def without_surrogates(text: str) -> str:
    return "".join(ch for ch in text if not "\ud800" <= ch <= "\udfff")


@settings(FAST, max_examples=ENGINE_EXAMPLES["history"])
# Huge history items are refused by the UI and API before the engine (tests/security/test_ui_callbacks.py).
@given(questions, st.lists(short_questions.map(without_surrogates), max_size=4))
def test_follow_ups_with_hostile_history_never_crash(hostile_engine, question, history):
    outcome(hostile_engine.ask, question, history)


@pytest.mark.parametrize("history", [["\ud800"], ["人才公寓\udcff"]])
def test_a_lone_surrogate_in_the_history_is_cleaned(hostile_engine, history):
    outcome(hostile_engine.ask, "那科技型中小企业呢？", history)


def test_at_least_a_thousand_generated_inputs_reach_the_engine():
    assert sum(ENGINE_EXAMPLES.values()) >= 1000


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_every_fragment_alone_gets_an_answer_or_a_message(hostile_engine, fragment):
    outcome(hostile_engine.ask, fragment)
    outcome(hostile_engine.check, fragment)


# The CLI, in-process: each call builds the engine from the environment (the index is reused).


@pytest.fixture(scope="module")
def cli_environment(hostile_engine):
    settings_ = hostile_engine.settings
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {
            "REPORTQA_DATA_DIR": str(settings_.data_dir),
            "REPORTQA_KNOWLEDGE_DIR": str(settings_.knowledge_dir),
            "REPORTQA_EMBEDDING_MODEL": "hashing",
        }.items():
            mp.setenv(key, value)
        mp.delenv("REPORTQA_LLM_BASE_URL", raising=False)
        yield


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """main(argv) in-process: (exit code, stdout, stderr); argparse's own refusals exit with 2."""
    from reportqa.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def assert_cli_json(code: int, out: str, err: str, key: str) -> None:
    assert "Traceback" not in out + err
    if code == 2 and not out:  # argparse refused the arguments (e.g. a question starting with "-")
        assert "error:" in err
        return
    data = json.loads(out)
    if code == 0:
        assert key in data
    else:
        assert code == 2 and data["error"].strip()


@settings(FAST, max_examples=60)
@given(questions)
def test_cli_ask_json_never_crashes(cli_environment, question):
    assert_cli_json(*run_cli(["ask", question, "--json"]), key="answer")


@settings(FAST, max_examples=40)
@given(questions)
def test_cli_check_json_never_crashes(cli_environment, claim):
    assert_cli_json(*run_cli(["check", claim, "--json"]), key="verdict")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("", "请输入一个问题"),
        ("问" * 100_000, "问题太长（100000 个字符"),
        ("<img src=x onerror=alert(1)><script>alert(1)</script><form action=http://example.com>", None),
    ],
    ids=["empty", "100k", "html"],
)
def test_cli_ask_json_bar_of_the_issue(cli_environment, question, expected):
    code, out, err = run_cli(["ask", question, "--json"])
    assert "Traceback" not in out + err
    data = json.loads(out)
    if expected:
        assert code == 2 and expected in data["error"]
    else:
        assert code == 0 and data["answer"] and "<img" in data["question"]
