"""build_engine wiring: bad documents refused and never indexed; question cleaning; streaming; sources."""

from __future__ import annotations

import json
import shutil

import pytest

from reportqa.engine import build_engine, clean_question
from reportqa.models import Answer, QuestionError
from retrieval.documents import DocumentError

REPORT = "shangqiu-2023-government-work-report.txt"


@pytest.mark.parametrize(
    ("bad_name", "data"),
    [
        ("broken.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
        ("empty.md", b""),
        ("latin1.txt", "Café crème brûlée".encode("latin-1") + b"\xff\xfe"),
    ],
)
def test_bad_file_is_refused_and_nothing_of_it_is_indexed(hash_settings, bad_name: str, data: bytes) -> None:
    (hash_settings.knowledge_dir / bad_name).write_bytes(data)
    engine = build_engine(hash_settings)
    assert [d.source for d in engine.documents] == [REPORT]
    assert len(engine.refused) == 1 and bad_name in str(engine.refused[0])
    assert engine.chunks and {c.source for c in engine.chunks} == {REPORT}
    assert engine.retriever.store.count() == len(engine.chunks)
    assert all(h.chunk.source == REPORT for h in engine.retriever.search("人才公寓", k=10))


def test_good_extra_documents_are_indexed(hash_settings) -> None:
    (hash_settings.knowledge_dir / "notes-gb.txt").write_bytes("地下综合管廊建成12公里。".encode("gb18030"))
    engine = build_engine(hash_settings)
    assert {c.source for c in engine.chunks} == {REPORT, "notes-gb.txt"}
    answer = engine.ask("地下综合管廊建成多少公里？", sources=["notes-gb.txt"])
    assert not answer.abstained and "12公里" in answer.text
    assert {c.source for c in answer.citations} == {"notes-gb.txt"}


def test_a_folder_without_readable_documents_is_an_error(hash_settings) -> None:
    shutil.rmtree(hash_settings.knowledge_dir)
    hash_settings.knowledge_dir.mkdir()
    (hash_settings.knowledge_dir / "bad.txt").write_bytes(b"\x00\x00")
    with pytest.raises(DocumentError, match="no readable"):
        build_engine(hash_settings)


@pytest.mark.parametrize("question", ["", "   ", "\u200b\u200b", None, "\n\t"])
def test_empty_questions_are_refused(question) -> None:
    with pytest.raises(QuestionError, match="请输入一个问题"):
        clean_question(question, 2000)


def test_overlong_questions_are_refused_with_the_limit() -> None:
    with pytest.raises(QuestionError, match=r"100000.*2000"):
        clean_question("问" * 100_000, 2000)


def test_question_is_cleaned() -> None:
    assert clean_question("  ２０２３年\u202e生产总值\u200b？ ", 2000) == "2023年生产总值?"


def test_engine_refuses_bad_questions(hash_engine) -> None:
    with pytest.raises(QuestionError):
        hash_engine.ask("")
    with pytest.raises(QuestionError):
        hash_engine.check("x" * 5000)


def test_hash_engine_answers_the_headline_question(hash_engine) -> None:
    answer = hash_engine.ask("计划建成多少套人才公寓？")
    assert isinstance(answer, Answer)
    assert "2000" in answer.text and not answer.abstained


def test_stream_ends_with_the_answer(engine) -> None:
    parts = list(engine.stream("计划建成多少套人才公寓？"))
    assert parts
    final = parts[-1]
    assert "2000" in final.text and not final.abstained
    assert final.text == engine.ask("计划建成多少套人才公寓？").text


def test_answer_serialises(engine) -> None:
    data = engine.ask("计划建成多少套人才公寓？").to_dict()
    assert data["answer"].endswith("[1]")
    assert data["standalone_question"] == data["question"]
    assert data["citations"][0]["n"] == 1 and data["citations"][0]["highlight"] is not None
    assert data["language"] == "zh" and data["mode"] == "extractive"
    why = data["why"]  # what a tester sees of why the answer was given
    assert "2000" in why["span"] and 0 <= why["p_right"] <= 1 and why["p_right"] >= why["threshold"]
    json.dumps(data, ensure_ascii=False)


def test_html_question_is_harmless(engine) -> None:
    answer = engine.ask("<img src=x onerror=alert(1)>")
    assert "<img" not in answer.text and "onerror" not in answer.text


def test_engine_reports_its_index(engine) -> None:
    report = engine.index_report
    assert report.passages == len(engine.chunks) > 30
    assert engine.years == [2023]
    assert engine.refused == []


def test_warm_up_uses_the_reader_not_the_configured_generator(hash_settings) -> None:
    """Warm-up answers through the reader (never a paid LLM) and embeds no passage again."""
    from tests.fakes.counting_embedder import CountingEmbedder

    embedder = CountingEmbedder()
    engine = build_engine(hash_settings, embedder=embedder)

    def never(*_args, **_kwargs):
        raise AssertionError("warm-up must not use the configured generator (it may be a paid LLM)")

    engine.generator = type("Refuses", (), {"generate": never, "stream": never})()
    embedder.reset()
    assert engine.warm_up() >= 0
    assert embedder.embedded == [] and len(embedder.queries) == 2
