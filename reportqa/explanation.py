"""Why an answer was given or refused (the retrieval test): the question searched, each retrieved passage with its
retrieval scores and the reader's span, the refusal threshold beside the best probability, the reason in words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportqa.models import Answer
from reportqa.query import Query
from reportqa.reading import (
    REFUSED_NO_PASSAGE,
    REFUSED_UNGROUNDED,
    REFUSED_UNLIKELY,
    REFUSED_YEAR,
    Judgement,
)
from retrieval.hybrid import Hit

# zh and en templates of the reason; {span}, {rank}, {where}, {p}, {threshold}, {years} are filled in.
REASONS: dict[str, tuple[str, str]] = {
    "answered": (
        "第 {rank} 段（{where}）中的片段“{span}”是阅读模型的最佳片段，概率 {p} 不低于阈值 {threshold}，据此作答。",
        "The reader's best span is “{span}” in passage {rank} ({where}); its probability {p} reaches the "
        "threshold {threshold}, so it is the answer.",
    ),
    "answered_unchecked": (
        "未启用拒答模型：直接采用阅读模型的最佳片段，第 {rank} 段（{where}）中的“{span}”。",
        "No abstention model is in use: the reader's best span, “{span}” in passage {rank} ({where}), is the answer.",
    ),
    REFUSED_UNLIKELY: (
        "最佳片段是第 {rank} 段（{where}）中的“{span}”，概率 {p} 低于阈值 {threshold}，拒答。",
        "The best span, “{span}” in passage {rank} ({where}), has probability {p}, below the threshold "
        "{threshold}: refused.",
    ),
    REFUSED_YEAR: (
        "最佳片段是第 {rank} 段（{where}）中的“{span}”（概率 {p}，阈值 {threshold}），但问题问的年份 {years} "
        "既没有写在该段中，也不在其报告覆盖的年份之内，拒答。",
        "The best span, “{span}” in passage {rank} ({where}; probability {p}, threshold {threshold}), is not "
        "about the year asked ({years}): the passage does not name it and its report does not cover it. Refused.",
    ),
    REFUSED_UNGROUNDED: (
        "最佳片段是第 {rank} 段（{where}）中的“{span}”（概率 {p}，阈值 {threshold}），但组成的回答中有数字"
        "在引用段落中核对不到，拒答。",
        "The best span, “{span}” in passage {rank} ({where}; probability {p}, threshold {threshold}), made an "
        "answer with a figure the cited passages do not hold: refused.",
    ),
    REFUSED_NO_PASSAGE: (
        "没有检索到可供阅读模型阅读的段落，拒答。",
        "No passage was retrieved for the reader to read: refused.",
    ),
    "llm": (
        "回答由大模型根据检索到的段落写成，并已通过数字与引用核验；阅读模型本身的判断：{reader}",
        "The answer was written by the LLM from the retrieved passages and passed the figure and citation "
        "checks; the reader's own judgement: {reader}",
    ),
    "llm_refused": (
        "大模型判断检索到的段落没有回答这个问题，拒答；阅读模型本身的判断：{reader}",
        "The LLM judged that the retrieved passages do not answer the question: refused; the reader's own "
        "judgement: {reader}",
    ),
    "notice": ("（{notice}）", " ({notice})"),
    "verified": (
        "回答来自工作人员记录的纠正（已人工核对），阅读模型本身的判断：{reader}",
        "The answer is a staff correction (verified by staff); the reader's own judgement: {reader}",
    ),
    "parts": (
        "问题涉及多份报告（{scope}），逐份作答；下表是合并检索的段落。阅读模型对合并检索的判断：{reader}",
        "The question concerns several reports ({scope}), each answered on its own; the table shows the joint "
        "search. The reader's judgement on it: {reader}",
    ),
}


@dataclass(frozen=True)
class PassageReading:
    """The reader's best span in one passage it read, and how far it beats "no answer" (the margin)."""

    span: str
    start: int  # offsets within the passage text
    end: int
    score: float
    null_score: float
    margin: float


@dataclass(frozen=True)
class ExplainedPassage:
    """One retrieved passage: where it stands in each ranking, and what the reader found in it."""

    rank: int  # 1 = retrieved first
    title: str
    section: str
    source: str
    start: int  # offsets of the passage in its document
    end: int
    text: str
    part: str  # the report part (plan, review, …) the retriever weighted
    fused: float  # the fused score the passages are ranked by (after part and year weighting)
    dense: float  # cosine similarity to the question (0: not among the dense candidates)
    lexical: float  # BM25 score (0: not among the lexical candidates)
    read: bool  # among the passages the reader reads
    reading: PassageReading | None  # None when not read, or read without a span
    chosen: bool  # holds the best span: the answer's, or the one refused
    cited: int | None  # its [n] under the answer, if shown there

    def to_dict(self) -> dict:
        return {
            "rank": self.rank,
            "title": self.title,
            "section": self.section,
            "source": self.source,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "part": self.part,
            "fused": round(self.fused, 4),
            "dense": round(self.dense, 4),
            "lexical": round(self.lexical, 4),
            "read": self.read,
            "reader": None
            if self.reading is None
            else {
                "span": self.reading.span,
                "start": self.reading.start,
                "end": self.reading.end,
                "score": round(self.reading.score, 3),
                "null_score": round(self.reading.null_score, 3),
                "margin": round(self.reading.margin, 3),
            },
            "chosen": self.chosen,
            "cited": self.cited,
        }


@dataclass(frozen=True)
class Explanation:
    """The retrieval test of one question: what was searched, found and read, and why the answer is what it is."""

    question: str
    standalone_question: str  # what was searched (a follow-up rewritten with the history)
    history: tuple[str, ...]
    passages: tuple[ExplainedPassage, ...]
    reader_passages: int  # how many of the top passages the reader reads
    best_probability: float | None  # the abstention model's P(right) for the best span
    threshold: float | None  # the probability an answer must reach; None: no abstention model
    answer: Answer  # exactly what `ask` gives
    refused: str  # the engine's reason for a refusal ('' when answered)
    reason_zh: str
    reason_en: str

    def reason(self, lang: str) -> str:
        return self.reason_en if lang == "en" else self.reason_zh

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "history": list(self.history),
            "passages": [p.to_dict() for p in self.passages],
            "reader_passages": self.reader_passages,
            "best_probability": None if self.best_probability is None else round(self.best_probability, 4),
            "threshold": self.threshold,
            "answered": not self.answer.abstained,
            "refused": self.refused,
            "reason": {"zh": self.reason_zh, "en": self.reason_en},
            "answer": self.answer.to_dict(),
        }


def explain_answer(
    query: Query,
    history: Sequence[str],
    hits: Sequence[Hit],
    judgement: Judgement,
    answer: Answer,
    reader_passages: int,
) -> Explanation:
    """The explanation of `answer`, which `judgement` of `hits` led to (both from the engine's one answering path)."""
    spans = {s.passage: s for s in judgement.spans}
    best = judgement.best
    passages = []
    for index, hit in enumerate(hits):
        c = hit.chunk
        span = spans.get(index) if index < reader_passages else None
        reading = (
            PassageReading(
                c.text[span.start : span.end], span.start, span.end, span.score, span.null_score, span.margin
            )
            if span is not None
            else None
        )
        cited = next(
            (x.n for x in answer.citations if (x.source, x.start, x.end) == (c.source, c.start, c.end)), None
        )
        passages.append(
            ExplainedPassage(
                index + 1,
                c.title,
                c.section,
                c.source,
                c.start,
                c.end,
                c.text,
                c.part,
                hit.score,
                hit.dense,
                hit.lexical,
                index < reader_passages,
                reading,
                best is not None and best.passage == index,
                cited,
            )
        )
    refused = str(answer.extras.get("refused", "")) if answer.abstained else ""
    zh, en = (reason(lang, query, hits, judgement, answer) for lang in ("zh", "en"))
    return Explanation(
        query.original,
        query.standalone,
        tuple(history),
        tuple(passages),
        reader_passages,
        judgement.probability,
        judgement.threshold,
        answer,
        refused,
        zh,
        en,
    )


def reason(lang: str, query: Query, hits: Sequence[Hit], judgement: Judgement, answer: Answer) -> str:
    """Why `answer` was given or refused, in words (zh or en)."""
    pick = 1 if lang == "en" else 0
    reader = _reader_reason(pick, query, hits, judgement, answer)
    if answer.mode == "llm":
        key = "llm_refused" if answer.abstained else "llm"
        reader = REASONS[key][pick].format(reader=reader)
    if answer.notice:
        reader += REASONS["notice"][pick].format(notice=answer.notice)
    if answer.verified:
        reader = REASONS["verified"][pick].format(reader=reader)
    elif "parts" in answer.extras:
        reader = REASONS["parts"][pick].format(scope="、".join(answer.extras["parts"]), reader=reader)
    return reader


def _reader_reason(pick: int, query: Query, hits: Sequence[Hit], judgement: Judgement, answer: Answer) -> str:
    best = judgement.best
    if answer.mode == "llm" or not answer.abstained:
        key = judgement.refused or ("answered" if judgement.probability is not None else "answered_unchecked")
    else:
        key = str(answer.extras.get("refused", ""))  # the answer's own reason (grounding is checked last)
    if key not in REASONS:
        return key
    if best is None:
        return REASONS[key][pick].format()
    chunk = hits[best.passage].chunk
    where = " › ".join(part for part in (chunk.title, chunk.section) if part)
    values = {
        "span": chunk.text[best.start : best.end],
        "rank": best.passage + 1,
        "where": where,
        # as `why` shows them: the decision compares the probability rounded to 4 places
        "p": "—" if judgement.probability is None else f"{round(judgement.probability, 4):g}",
        "threshold": "—" if judgement.threshold is None else f"{judgement.threshold:g}",
        "years": "、".join(str(y) for y in query.years) if pick == 0 else ", ".join(map(str, query.years)),
    }
    return REASONS[key][pick].format(**values)
