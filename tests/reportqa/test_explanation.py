"""The retrieval test's explanation: the same answer as `ask`, the retriever's own scores, the reader's spans,
the threshold and the reason in words; the index is only read."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from reportqa.abstention import FEATURES, AbstentionModel
from reportqa.explanation import explain_answer
from reportqa.query import Query
from reportqa.reader.spans import Span
from reportqa.reading import (
    REFUSED_NO_PASSAGE,
    REFUSED_UNLIKELY,
    REFUSED_YEAR,
    ReaderAnswerer,
    ReaderPolicy,
)
from retrieval.chunking import Chunk
from retrieval.hybrid import Hit

QUESTIONS = [
    ("计划建成多少套人才公寓？", ()),
    ("商丘的地铁几号线开通了？", ()),  # refused by the abstention model
    ("2026年生产总值增长多少？", ()),  # refused: the report does not cover 2026
    ("那科技型中小企业呢？", ("国家高新技术企业要达到多少家？",)),  # a follow-up
    ("How many talent apartments will be built?", ()),
    ("过去五年新增城镇就业多少人？", ()),
]


def same_answer(a, b) -> None:
    """Everything the user and the API see, except the time taken."""
    assert (a.question, a.standalone_question, a.text, a.abstained) == (
        b.question,
        b.standalone_question,
        b.text,
        b.abstained,
    )
    assert (a.citations, a.language, a.mode, a.notice) == (b.citations, b.language, b.mode, b.notice)
    assert a.extras == b.extras  # the same `why`: span, margin, features, probability, threshold, reason


@pytest.mark.parametrize(("question", "history"), QUESTIONS)
def test_explain_gives_exactly_the_answer_ask_gives(engine, question, history) -> None:
    explanation = engine.explain(question, history)
    same_answer(explanation.answer, engine.ask(question, history))
    assert explanation.standalone_question == explanation.answer.standalone_question
    assert explanation.refused == explanation.answer.extras.get("refused", "")


def test_the_passages_carry_the_retrievers_own_scores_and_the_readers_spans(engine) -> None:
    question = "计划建成多少套人才公寓？"
    explanation = engine.explain(question)
    hits = engine.search(engine._query(question, (), ()))  # what ask searched
    assert [p.rank for p in explanation.passages] == list(range(1, len(hits) + 1))
    assert len(hits) == engine.settings.top_k
    for p, h in zip(explanation.passages, hits, strict=True):
        assert (p.text, p.source, p.start, p.end) == (
            h.chunk.text,
            h.chunk.source,
            h.chunk.start,
            h.chunk.end,
        )
        assert (p.fused, p.dense, p.lexical) == (h.score, h.dense, h.lexical)
    fused = [p.fused for p in explanation.passages]
    assert fused == sorted(fused, reverse=True) and all(p.dense or p.lexical for p in explanation.passages)
    n = engine.settings.reader_passages
    assert explanation.reader_passages == n
    assert [p.read for p in explanation.passages] == [i < n for i in range(len(hits))]
    assert all(p.reading is None for p in explanation.passages[n:])
    for p in explanation.passages[:n]:
        assert p.reading is not None and p.text[p.reading.start : p.reading.end] == p.reading.span
        assert p.reading.margin == pytest.approx(p.reading.score - p.reading.null_score)
    (chosen,) = [p for p in explanation.passages if p.chosen]
    why = explanation.answer.extras
    assert chosen.reading.span == why["span"] == "2000套"
    assert max(p.reading.margin for p in explanation.passages[:n]) == chosen.reading.margin
    assert round(chosen.reading.margin, 3) == why["margin"]
    assert chosen.cited == 1 and "建成人才公寓2000套" in chosen.text
    cited = sorted(p.cited for p in explanation.passages if p.cited)
    assert cited == [c.n for c in explanation.answer.citations]


def test_an_answer_names_its_span_passage_and_probability_against_the_threshold(engine) -> None:
    x = engine.explain("计划建成多少套人才公寓？")
    assert not x.answer.abstained and x.refused == ""
    p, threshold = round(x.best_probability, 4), x.threshold
    assert p == x.answer.extras["p_right"] and threshold == x.answer.extras["threshold"] and p >= threshold
    assert "“2000套”" in x.reason_zh and "第 1 段" in x.reason_zh and "集聚创新人才" in x.reason_zh
    assert f"概率 {p:g} 不低于阈值 {threshold:g}，据此作答" in x.reason_zh
    assert f"probability {p:g} reaches the threshold {threshold:g}" in x.reason_en


def test_a_refusal_gives_the_probability_below_the_threshold(engine) -> None:
    x = engine.explain("商丘的地铁几号线开通了？")
    assert x.answer.abstained and x.refused == REFUSED_UNLIKELY
    assert x.best_probability < x.threshold
    p = round(x.best_probability, 4)
    assert f"概率 {p:g} 低于阈值 {x.threshold:g}，拒答" in x.reason_zh
    assert f"below the threshold {x.threshold:g}: refused" in x.reason_en
    assert sum(p.chosen for p in x.passages) == 1  # the refused span is still shown


def test_a_year_the_report_does_not_cover_is_the_reason(engine) -> None:
    x = engine.explain("2026年生产总值增长多少？")
    assert x.answer.abstained and x.refused == REFUSED_YEAR
    assert x.best_probability >= x.threshold  # the span was likely, the year was not covered
    assert "2026" in x.reason_zh and "拒答" in x.reason_zh and "2026" in x.reason_en


def test_a_follow_up_shows_the_standalone_question(engine) -> None:
    x = engine.explain("那科技型中小企业呢？", ["国家高新技术企业要达到多少家？"])
    assert x.question.startswith("那科技型中小企业呢")
    assert x.standalone_question.startswith("科技型中小企业")
    assert x.history == ("国家高新技术企业要达到多少家?",)  # cleaned (NFKC), as the engine rewrote with it
    assert "400" in x.answer.text


def test_to_dict_is_json_with_every_score(engine) -> None:
    data = json.loads(json.dumps(engine.explain("计划建成多少套人才公寓？").to_dict(), ensure_ascii=False))
    assert {
        "question",
        "standalone_question",
        "passages",
        "threshold",
        "best_probability",
        "reason",
        "answer",
    } <= set(data)
    assert data["answered"] is True and set(data["reason"]) == {"zh", "en"}
    first = data["passages"][0]
    assert {
        "rank",
        "title",
        "section",
        "text",
        "fused",
        "dense",
        "lexical",
        "reader",
        "chosen",
        "cited",
    } <= set(first)
    assert first["reader"]["span"] == "2000套" and data["answer"]["answer"].startswith("按今年的工作安排")


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_explain_never_changes_the_index(engine, engine_settings) -> None:
    engine.ask("计划建成多少套人才公寓？")  # anything opened lazily is opened before the snapshot
    before, served = snapshot(engine_settings.data_dir), engine.retriever.store.served_name
    for question, history in QUESTIONS:
        engine.explain(question, history)
    assert snapshot(engine_settings.data_dir) == before
    assert engine.retriever.store.served_name == served


# -- the reasons, with a hand-written reader (no model) -----------------------------------------------------

PASSAGE = "实施人才强市战略，建成人才公寓2000套、新增高技能人才1.2万人。"


class QueuedReader:
    def __init__(self, spans: list[Span]) -> None:
        self.spans = spans

    def read(self, question, passages, headers=None) -> list[Span]:
        return self.spans


def hit(text: str, n: int = 0) -> Hit:
    chunk = Chunk(f"c{n}", "r.txt", text, 100 * n, 100 * n + len(text), "工作安排", n, "plan", "报告", 2023)
    return Hit(chunk, 0.2 - n / 100, 0.8, 3.0)


def query(text: str, years: tuple[int, ...] = ()) -> Query:
    return Query(original=text, standalone=text, text=text, language="zh", lexical_text=text, years=years)


def at_least(margin: float) -> AbstentionModel:
    n = len(FEATURES)
    return AbstentionModel((1.0,) + (0.0,) * (n - 1), -margin, (0.0,) * n, (1.0,) * n, 0.5)


def explain_with(spans: list[Span], hits: list[Hit], q: Query, model: AbstentionModel | None):
    answerer = ReaderAnswerer(QueuedReader(spans), ReaderPolicy(abstention=model, passages=2))
    judgement = answerer.judge(q, hits)
    answer = answerer.answer(q, hits, judgement)
    assert answer == answerer.generate(q, hits)
    return explain_answer(q, (), hits, judgement, answer, 2)


def test_no_passage_to_read_is_said() -> None:
    x = explain_with([], [], query("问题？"), at_least(1.0))
    assert x.refused == REFUSED_NO_PASSAGE and x.passages == () and x.best_probability is None
    assert x.reason_zh.startswith("没有检索到") and x.reason_en.startswith("No passage")


def test_without_an_abstention_model_the_best_span_is_given_and_unread_passages_are_marked() -> None:
    start = PASSAGE.index("2000套")
    hits = [hit(PASSAGE), hit("另一段。", 1), hit("第三段。", 2)]
    x = explain_with([Span(0, start, start + 5, 1.0, 2.0)], hits, query("人才公寓多少套？"), None)
    assert not x.answer.abstained and x.threshold is None and x.best_probability is None
    assert x.reason_zh.startswith("未启用拒答模型") and "“2000套”" in x.reason_zh
    assert [p.read for p in x.passages] == [True, True, False]
    assert x.passages[1].reading is None and x.passages[0].reading.margin == -1.0


def test_a_year_refusal_shows_the_probability_and_threshold() -> None:
    start = PASSAGE.index("2000套")
    x = explain_with(
        [Span(0, start, start + 5, 5.0, 0.0)],
        [hit(PASSAGE)],
        query("2030年建成多少套？", (2030,)),
        at_least(1.0),
    )
    assert x.refused == REFUSED_YEAR and "2030" in x.reason_en and "threshold 0.5" in x.reason_en


def test_an_llm_answer_says_who_wrote_it_and_a_notice_is_kept() -> None:
    start = PASSAGE.index("2000套")
    q, hits = query("人才公寓多少套？"), [hit(PASSAGE)]
    answerer = ReaderAnswerer(
        QueuedReader([Span(0, start, start + 5, 5.0, 0.0)]), ReaderPolicy(at_least(1.0))
    )
    judgement = answerer.judge(q, hits)
    written = replace(
        answerer.answer(q, hits, judgement), mode="llm", text="建成人才公寓2000套。[1]", extras={}
    )
    x = explain_answer(q, (), hits, judgement, written, 5)
    assert x.reason_zh.startswith("回答由大模型") and "“2000套”" in x.reason_zh
    fallback = replace(answerer.answer(q, hits, judgement), notice="大模型回答未通过核验")
    assert explain_answer(q, (), hits, judgement, fallback, 5).reason_zh.endswith("（大模型回答未通过核验）")
