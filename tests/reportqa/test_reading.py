"""Reader answers: clause around the span, calibrated refusal, the year check, citations and grounding."""

from __future__ import annotations

import pytest

from reportqa.abstention import FEATURES, AbstentionModel
from reportqa.query import Query
from reportqa.reader.spans import Span
from reportqa.reading import ReaderAnswerer, ReaderPolicy, clause_around
from retrieval.chunking import Chunk
from retrieval.hybrid import Hit


class QueuedReader:
    """A hand-written fake: returns the spans it was given, and records what it was asked to read."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans, self.calls = spans, []

    def read(self, question: str, passages: list[str], headers: list[str] | None = None) -> list[Span]:
        self.calls.append((question, passages, headers))
        return self.spans


def hit(text: str, n: int = 0, part: str = "plan", year: int | None = 2023) -> Hit:
    chunk = Chunk(
        f"c{n}", "report.txt", text, 100 * n, 100 * n + len(text), "工作安排", n, part, "2023年报告", year
    )
    return Hit(chunk, 1.0 - n / 10, 0.8, 3.0)


def query(text: str, years: tuple[int, ...] = ()) -> Query:
    return Query(original=text, standalone=text, text=text, language="zh", lexical_text=text, years=years)


def margin_at_least(threshold: float) -> ReaderPolicy:
    """A policy whose abstention model answers exactly when the span's margin reaches `threshold`."""
    n = len(FEATURES)
    model = AbstentionModel((1.0,) + (0.0,) * (n - 1), -threshold, (0.0,) * n, (1.0,) * n, 0.5)
    return ReaderPolicy(abstention=model)


PASSAGE = "实施人才强市战略，建成人才公寓2000套、新增高技能人才1.2万人；全市生产总值增长7.5%左右。"


def span_of(passage: str, needle: str, margin: float = 5.0, index: int = 0) -> Span:
    start = passage.index(needle)
    return Span(index, start, start + len(needle), score=margin, null_score=0.0)


def test_clause_around_cuts_at_commas_and_between_figured_siblings() -> None:
    start = PASSAGE.index("2000套")
    left, right = clause_around(PASSAGE, start, start + 5)
    assert PASSAGE[left:right] == "建成人才公寓2000套"
    whole = PASSAGE.index("建成")
    left, right = clause_around(PASSAGE, whole, PASSAGE.index("1.2万人") + 5)
    assert PASSAGE[left:right] == "建成人才公寓2000套、新增高技能人才1.2万人"


def test_answer_is_the_spans_clause_with_a_marker_and_the_span_highlighted() -> None:
    reader = QueuedReader([span_of(PASSAGE, "2000套")])
    answerer = ReaderAnswerer(reader, margin_at_least(1.0))
    hits = [hit(PASSAGE), hit("另一段。", 1)]
    answer = answerer.generate(query("计划建成多少套人才公寓？"), hits)
    assert not answer.abstained
    assert answer.text == "按今年的工作安排，建成人才公寓2000套。[1]"
    first = answer.citations[0]
    assert first.text[first.highlight[0] : first.highlight[1]] == "2000套"
    assert [c.n for c in answer.citations] == [1, 2]
    assert answer.extras["margin"] == pytest.approx(5.0)


def test_a_margin_below_the_threshold_is_refused_naming_the_documents() -> None:
    reader = QueuedReader([span_of(PASSAGE, "2000套", margin=0.5)])
    answer = ReaderAnswerer(reader, margin_at_least(1.0)).generate(
        query("人才公寓租金多少？"), [hit(PASSAGE)]
    )
    assert answer.abstained
    assert "《2023年报告》" in answer.text and "没有找到" in answer.text
    assert answer.extras["refused"].startswith("the abstention model")
    assert answer.extras["p_right"] < 0.5
    assert answer.citations  # the nearest passages are still offered


def test_the_widest_margin_wins_across_passages() -> None:
    other = "过去五年，累计造林52.8万亩。"
    reader = QueuedReader([span_of(PASSAGE, "2000套", 2.0, 0), span_of(other, "52.8万亩", 6.0, 1)])
    answer = ReaderAnswerer(reader, margin_at_least(1.0)).generate(
        query("造林多少？"), [hit(PASSAGE), hit(other, 1, part="review")]
    )
    assert "52.8万亩" in answer.text and answer.citations[0].text == other


def test_a_year_the_passage_does_not_cover_is_refused() -> None:
    reader = QueuedReader([span_of(PASSAGE, "7.5%")])
    answerer = ReaderAnswerer(reader, margin_at_least(1.0))
    assert answerer.generate(query("2024年生产总值增长目标是多少？", (2024,)), [hit(PASSAGE)]).abstained
    assert not answerer.generate(query("2023年生产总值增长目标是多少？", (2023,)), [hit(PASSAGE)]).abstained


def test_only_the_top_passages_are_read() -> None:
    reader = QueuedReader([])
    answerer = ReaderAnswerer(reader, ReaderPolicy(abstention=None, passages=2))
    answer = answerer.generate(query("问题？"), [hit(PASSAGE, n) for n in range(5)])
    assert answer.abstained
    assert len(reader.calls[0][1]) == 2


def test_english_refusal_is_in_english() -> None:
    q = Query(original="rent?", standalone="rent?", text="rent?", language="en", lexical_text="rent?")
    answer = ReaderAnswerer(QueuedReader([]), margin_at_least(0.0)).generate(q, [hit(PASSAGE)])
    assert answer.abstained and answer.text.startswith("2023年报告 does not say")


def test_a_respectively_list_gives_only_the_asked_items_figure() -> None:
    passage = "社会养老保险、医疗保险参保人数分别达554.2万人、857.1万人。"
    reader = QueuedReader([span_of(passage, "554.2万人、857.1万人")])
    answer = ReaderAnswerer(reader, margin_at_least(1.0)).generate(
        query("医疗保险参保人数是多少？"), [hit(passage, part="review")]
    )
    assert "857.1万人" in answer.text and "554.2" not in answer.text


def test_a_clause_without_the_asked_subject_keeps_the_clause_before_it() -> None:
    passage = "规模以上工业企业达1796家，较2017年增长56.9%。"
    reader = QueuedReader([span_of(passage, "56.9%")])
    answer = ReaderAnswerer(reader, margin_at_least(1.0)).generate(
        query("规模以上工业企业比2017年增长了多少？"), [hit(passage, part="review")]
    )
    assert "规模以上工业企业达1796家，较2017年增长56.9%" in answer.text


def test_a_respectively_list_is_not_cut_at_its_commas() -> None:
    passage = "供水、供暖、供气用户分别新增21万户、13万户、15万户。"
    reader = QueuedReader([span_of(passage, "13万户")])
    answer = ReaderAnswerer(reader, margin_at_least(1.0)).generate(
        query("供暖用户新增了多少户？"), [hit(passage, part="review")]
    )
    assert "13万户" in answer.text and "21万" not in answer.text and "15万" not in answer.text


def test_the_abstention_model_learns_to_separate_and_round_trips() -> None:
    import random

    from reportqa.abstention import fit_abstention

    rng = random.Random(0)
    rows, labels = [], []
    for _ in range(200):
        right = rng.random() < 0.5
        rows.append({name: rng.gauss(3.0 if right and name == "margin" else 0.0, 1.0) for name in FEATURES})
        labels.append(right)
    model = fit_abstention(rows, labels)
    accuracy = sum((model.probability(r) >= 0.5) == y for r, y in zip(rows, labels, strict=True)) / len(rows)
    assert accuracy > 0.85
    assert AbstentionModel.from_dict(model.to_dict()) == model
    with pytest.raises(ValueError, match="other features"):
        AbstentionModel.from_dict({**model.to_dict(), "features": ["margin"]})


def test_a_reports_review_years_are_covered_but_later_years_are_not() -> None:
    review = "全省生产总值增长5.4%。"
    reader = QueuedReader([span_of(review, "5.4%")])
    answerer = ReaderAnswerer(reader, margin_at_least(1.0))
    last_year = answerer.generate(
        query("2024年生产总值增长了多少？", (2024,)), [hit(review, part="review", year=2025)]
    )
    assert not last_year.abstained
    assert answerer.generate(query("2026年生产总值增长多少？", (2026,)), [hit(review, year=2025)]).abstained
