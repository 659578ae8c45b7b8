"""Question + passage → reader inputs: `<s> query: Q </s></s> passage: P </s>`, windowed, with character offsets."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

MAX_TOKENS = 256
MAX_QUESTION_TOKENS = 64
BOS, PAD, EOS = 0, 1, 2


@dataclass(frozen=True)
class Feature:
    """One window: token ids, and for each token the [start, end) characters of the passage it covers."""

    ids: tuple[int, ...]
    offsets: tuple[tuple[int, int] | None, ...]  # None for the question and special tokens

    @property
    def first_context(self) -> int:
        return next(i for i, span in enumerate(self.offsets) if span is not None)

    def token_span(self, start: int, end: int) -> tuple[int, int]:
        """Tokens covering passage characters [start, end); (0, 0) when this window does not hold them all."""
        first = last = None
        for index, span in enumerate(self.offsets):
            if span is None:
                continue
            if first is None and span[0] <= start < max(span[1], span[0] + 1):
                first = index
            if span[0] < end <= span[1]:
                last = index
        if first is None or last is None or last < first:
            return 0, 0
        return first, last


def _pieces(tokenizer, text: str) -> tuple[list[int], list[tuple[int, int]]]:
    encoding = tokenizer.encode(text, add_special_tokens=False)
    return list(encoding.ids), [tuple(o) for o in encoding.offsets]


def encode_pair(
    tokenizer, question: str, passage: str, max_tokens: int = MAX_TOKENS, stride: int = 64
) -> Iterator[Feature]:
    """Windows of the passage that fit beside the question; consecutive windows overlap by `stride` tokens."""
    question_ids, _ = _pieces(tokenizer, "query: " + question)
    question_ids = question_ids[:MAX_QUESTION_TOKENS]
    prefix_ids, _ = _pieces(tokenizer, "passage:")
    context_ids, context_offsets = _pieces(tokenizer, passage)
    head = [BOS, *question_ids, EOS, EOS, *prefix_ids]
    room = max_tokens - len(head) - 1
    start = 0
    while True:
        window = slice(start, start + room)
        ids = head + context_ids[window] + [EOS]
        offsets = [None] * len(head) + list(context_offsets[window]) + [None]
        yield Feature(tuple(ids), tuple(offsets))
        if start + room >= len(context_ids):
            return
        start += max(1, room - stride)
