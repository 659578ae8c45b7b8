"""Clauses of a passage, and the '…分别…' lists that pair items with figures."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE = re.compile(r"[^。！？；!?;]+[。！？；!?;]*")
_CLAUSE_BREAK = re.compile(r"[，,：:]")
# A '、' after a figure and before a new subject with its own figure: "…240家以上、科技型中小企业达到400家以上"
_FIGURE_ENUM = re.compile(r"(?<=[\d%])(?:[^\d、，。]{0,3})?、(?=[^\d、，。]{2,}\d)")


@dataclass(frozen=True)
class Clause:
    text: str
    start: int  # offsets within the passage
    end: int
    sentence: tuple[int, int]  # the sentence it belongs to, offsets within the passage
    index: int  # position among the passage's clauses


def split_clauses(passage: str) -> list[Clause]:
    """Sentences cut at commas and colons (and at '、' between figure-bearing items)."""
    clauses: list[Clause] = []
    for sm in _SENTENCE.finditer(passage):
        s_start, s_end = sm.start(), sm.end()
        sentence = (s_start, s_end)
        pos = s_start
        cuts = [m.end() for m in _CLAUSE_BREAK.finditer(passage, s_start, s_end)]
        body = passage[s_start:s_end]
        if "分别" not in body:
            cuts += [s_start + m.end() for m in _FIGURE_ENUM.finditer(body)]
        for cut in sorted(set(cuts)) + [s_end]:
            a, b = pos, cut
            while a < b and passage[a] in " \n\t“”":
                a += 1
            while b > a and passage[b - 1] in "，,：:、。！？；!?; \n\t":
                b -= 1
            if b > a:
                clauses.append(Clause(passage[a:b], a, b, sentence, len(clauses)))
            pos = cut
    return clauses


def _longest_common(a: str, b: str) -> int:
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


def resolve_respectively(clause: str, question: str) -> str | None:
    """'社会养老保险、医疗保险参保人数分别达554.2万人、857.1万人' + a question about 医疗保险
    → '医疗保险参保人数达857.1万人'; None when the clause has no such list or the question picks no item."""
    idx = clause.find("分别")
    if idx <= 0:
        return None
    left, right = clause[:idx], clause[idx + 2 :]
    m = re.match(r"([^\d]*)(.+)", right)
    if not m:
        return None
    verb, values = m.group(1), re.split(r"、|和", m.group(2))
    items = left.split("、")
    if len(items) < 2 or len(items) != len(values):
        return None
    last, previous = items[-1], items[-2]
    item_end = None
    for k in (2, 1):
        pos = last.find(previous[-k:]) if len(previous) >= k else -1
        if pos >= 0:
            item_end = pos + k
            break
    if item_end is None or item_end >= len(last):
        item_end = min(len(previous), len(last))
    items[-1], suffix = last[:item_end], last[item_end:]
    scores = [_longest_common(item, question) for item in items]
    best = max(range(len(items)), key=lambda i: (scores[i], scores[i] == len(items[i])))
    if (
        scores[best] < min(2, len(items[best]))
        or scores.count(scores[best]) > 1
        and scores[best] < len(items[best])
    ):
        return None
    return f"{items[best]}{suffix}{verb}{values[best]}"
