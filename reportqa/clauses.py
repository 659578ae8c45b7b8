"""The '…分别…' lists that pair items with figures: the asked item's figure only."""

from __future__ import annotations

import re


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
