"""Corpus statistics and clause scoring: which clause of the retrieved passages answers the question."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from reportqa.clauses import Clause, split_clauses
from reportqa.query import Query
from retrieval.chunking import Chunk
from retrieval.figures import find_figures
from retrieval.hybrid import Hit
from retrieval.text import squash

_ASKED_UNIT = re.compile(
    r"(?:多少|几)(个百分点|万|亿)?(个位次|位次|套|家|所|个|人次|人|户|亩|公里|千瓦|平方米|元|位|处|座|条|项|倍|年|次)"
)
ENUMERATION = re.compile(r"[、和及与]|”“")
WHEN = re.compile(r"哪一年|哪年|什么时候|何时|几月|when|which year|what year", re.I)
TIME = re.compile(r"\d{4}年|\d+月|年底|年内|今年|明年|上半年|下半年")
_CONFLICTS = {("plan", "review"), ("review", "plan"), ("overall", "review"), ("review", "overall")}


def _bigrams(text: str) -> set[str]:
    return {
        text[i : i + 2] for i in range(len(text) - 1) if text[i : i + 2].isalnum() or "%" in text[i : i + 2]
    }


class CorpusStats:
    """Document frequencies of character bigrams over the passages; corpus text for presence checks."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self.n = max(len(chunks), 1)
        self.chunks = sorted(chunks, key=lambda c: (c.source, c.start))
        self.df: Counter[str] = Counter()
        for chunk in chunks:
            self.df.update(_bigrams(squash(chunk.text)))
        self.text = "\n".join(squash(c.text) for c in chunks)

    def idf(self, bigram: str) -> float:
        df = self.df.get(bigram, 0)
        return 0.0 if df == 0 else math.log(1 + self.n / df)

    def section_of(self, chunk: Chunk) -> list[Chunk]:
        """The passages under the same heading of the same document, in reading order."""
        return [c for c in self.chunks if c.source == chunk.source and c.section == chunk.section]

    def contains(self, term: str) -> bool:
        """The term, or most of its bigrams, occurs in the corpus."""
        term = squash(term)
        if term in self.text:
            return True
        grams = _bigrams(term)
        return len(term) >= 3 and bool(grams) and sum(g in self.text for g in grams) >= 0.67 * len(grams)


@dataclass(frozen=True)
class Candidate:
    hit: Hit
    rank: int
    clause: Clause
    lexical: float  # share of the question's bigram weight found in and around the clause
    score: float

    @property
    def chunk(self) -> Chunk:
        return self.hit.chunk


# "…要打造什么": the two characters before the question word, usually its verb.
_DONE_WHAT = re.compile(r"([\u4e00-\u9fff]{2})(?:什么|哪些)")
# "X的Y包括哪些": Y names what the answer lists.
_LISTED = re.compile(r"的([\u4e00-\u9fff]{2,6}?)(?:主要)?(?:包括|包含|有|是)(?:哪些|哪几)")


@lru_cache(maxsize=4096)  # read once per question, used for every candidate clause
def _asked_phrases(text: str) -> tuple[str, str]:
    """(the verb before 什么/哪些, what a "…的Y包括哪些" question lists), each '' when absent."""
    done, listed = _DONE_WHAT.search(text), _LISTED.search(text)
    return (done.group(1) if done else "", listed.group(1) if listed else "")


def question_bigrams(query: Query, stats: CorpusStats) -> dict[str, float]:
    """Weighted bigrams that carry the question's content (question words weigh nothing: not in the corpus)."""
    from reportqa.analysis import strip_frame_words, term_variants

    if query.language == "en":
        source = " ".join(query.terms)
    else:
        extra = [v for t in query.terms for v in term_variants(t)[1:]]
        source = " ".join([strip_frame_words(squash(query.text)), *extra])
    return {g: w for g in _bigrams(source) if (w := stats.idf(g)) > 0}


def asked_unit(query: Query) -> str | None:
    m = _ASKED_UNIT.search(query.text)
    if m:
        if m.group(1) == "个百分点":
            return "个百分点"
        return "位次" if m.group(2).endswith("位次") else m.group(2)
    if re.search(r"增长|增速|涨幅|比重|占比|比例|百分|percent|rate|growth", query.text, re.I):
        return "%"
    if re.search(r"排第几|第几位|第几名|排名|名次", query.text):
        return "位"  # a rank: "居全省第1位"
    return None


class ClauseScorer:
    """Scores every clause of the retrieved passages against the question."""

    def __init__(
        self, stats: CorpusStats, clause_similarity: Callable[[str, Sequence[str]], np.ndarray] | None = None
    ):
        self.stats = stats
        self.clause_similarity = clause_similarity

    def candidates(self, query: Query, hits: Sequence[Hit]) -> list[Candidate]:
        weights = question_bigrams(query, self.stats)
        total = sum(weights.values()) or 1.0
        unit = asked_unit(query)
        out: list[Candidate] = []
        listed = _asked_phrases(query.text)[1]
        for rank, hit in enumerate(hits):
            passage = hit.chunk.text
            here = squash(passage + hit.chunk.section)
            clauses = split_clauses(passage)
            context = squash(hit.chunk.section.split(" › ")[-1]) if " › " in hit.chunk.section else ""
            for clause in clauses:
                lexical = self._coverage(weights, total, clause, clauses, passage, context)
                if listed and listed in clause.text and all(squash(t) in here for t in query.terms):
                    lexical = max(lexical, 0.7)  # "…的总体部署" in a passage about the asked 开发区
                if query.focus and all(squash(f) in squash(clause.text) for f in query.focus):
                    lexical = max(
                        lexical, 0.8
                    )  # a follow-up's new subject, found: the old predicate may not fit
                score = lexical + self._bonus(query, unit, hit, clause) + 0.12 / (1 + rank)
                out.append(Candidate(hit, rank, clause, lexical, score))
        if query.language == "en" and self.clause_similarity and out:
            out = self._add_similarity(query, out)
        return sorted(out, key=lambda c: -c.score)

    @staticmethod
    def _coverage(weights, total, clause: Clause, clauses, passage: str, context: str) -> float:
        here = squash(clause.text)
        # the clause before usually holds the subject ("规模以上工业企业达1796家，较2017年增长56.9%")
        near = "".join(
            squash(c.text) for c in clauses if c.index == clause.index - 1 and c.sentence == clause.sentence
        )
        sentence = squash(passage[clause.sentence[0] : clause.sentence[1]])
        whole = squash(passage)
        got = 0.0
        for gram, weight in weights.items():
            if gram in here:
                got += weight
            elif gram in near:
                got += 0.6 * weight
            elif gram in sentence:
                got += 0.35 * weight
            elif gram in context:
                got += 0.5 * weight
            elif gram in whole:
                got += 0.2 * weight
        return got / total

    @staticmethod
    def _bonus(query: Query, unit: str | None, hit: Hit, clause: Clause) -> float:
        figures = find_figures(clause.text)
        bonus = 0.0
        if query.wants_list and ENUMERATION.search(clause.text):
            bonus += 0.15
        if clause.index == 0 and clause.end < len(hit.chunk.text) and hit.chunk.section.endswith(clause.text):
            bonus -= 0.6  # a lead sentence that is the paragraph's title, not an answer
        if query.wants_figure and not query.wants_list:
            bonus += 0.2 if figures else -0.3
            if unit and any(f.unit == unit for f in figures):
                bonus += 0.2
        from reportqa.answering import asked_head

        head = asked_head(query)
        if head and head in squash(clause.text):
            bonus += 0.2  # the asked quantity is named here ("总投资" in "…总投资多少？")
        done, listed = _asked_phrases(query.text)
        if done and done in clause.text:
            bonus += 0.3  # "新兴产业要打造什么" is answered where the report says what it 打造
        if listed and listed in clause.text:
            bonus += 0.25  # what the list is of is named here ("…的总体部署包括哪几个方面" → "…的总体部署")
        if query.focus:
            here = squash(clause.text)
            bonus += 0.35 * sum(squash(f) in here for f in query.focus) / len(query.focus)
        part = hit.chunk.part
        if query.explicit_part:
            if part == query.explicit_part:
                bonus += 0.15
            elif (query.explicit_part, part) in _CONFLICTS:
                bonus -= 0.6
        elif query.part_weights:
            bonus += 0.25 * math.log(query.part_weights.get(part, 1.0))
        return bonus

    def _add_similarity(self, query: Query, out: list[Candidate]) -> list[Candidate]:
        if self.clause_similarity is None:
            return out
        pool = sorted(out, key=lambda c: -c.score)[:24]
        sims = self.clause_similarity(query.text, [c.clause.text for c in pool])
        # e5 similarities bunch together (answerable and not alike, measured on our dev set): they rank
        # clauses, but never stand in for the coverage that abstention is decided on
        rescored = [
            Candidate(c.hit, c.rank, c.clause, c.lexical, c.score + 2.5 * max(0.0, float(s) - 0.78))
            for c, s in zip(pool, sims, strict=True)
        ]
        return rescored


class ClauseSimilarity:
    """Cross-lingual clause similarity with the retrieval embedder. Clause vectors are kept (up to
    `cache_size`), so a warm engine embeds only the question, and not even that when `embed_query` is the
    retriever's cached one, which has just embedded the same text. A clause costs about 20 ms to embed, an
    English question compares with up to 24 new ones: `warm` embeds the corpus's clauses ahead of time."""

    def __init__(
        self, embedder, cache_size: int = 20_000, embed_query: Callable[[str], np.ndarray] | None = None
    ) -> None:
        self.embedder, self.cache_size = embedder, cache_size
        self.embed_query = embed_query or embedder.embed_query
        self.cache: dict[str, np.ndarray] = {}

    def _add(self, texts: Sequence[str]) -> None:
        new = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if not new:
            return
        if len(self.cache) + len(new) > self.cache_size:
            self.cache.clear()
        self.cache.update(zip(new, self.embedder.embed_passages(new), strict=True))

    def __call__(self, question: str, clauses: Sequence[str]) -> np.ndarray:
        q = self.embed_query(question)
        self._add(clauses)
        return np.vstack([self.cache[c] for c in clauses]) @ q

    def warm(self, chunks: Sequence[Chunk], limit: int, batch: int = 64) -> int:
        """Embed the clauses of `chunks` (at most `limit`, and never past the cache); how many were new."""
        texts = list(dict.fromkeys(c.text for chunk in chunks for c in split_clauses(chunk.text)))
        todo = [t for t in texts if t not in self.cache][
            : max(0, min(limit, self.cache_size - len(self.cache)))
        ]
        for i in range(0, len(todo), batch):
            self._add(todo[i : i + batch])
        return len(todo)
