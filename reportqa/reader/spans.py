"""Scores → spans: the best start/end pair of a window against its no-answer score (pure numpy, tested)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_ANSWER_TOKENS = 48


@dataclass(frozen=True)
class Span:
    """The reader's best answer in one passage: characters [start, end) and how far it beats "no answer"."""

    passage: int
    start: int
    end: int
    score: float  # start + end score of the span
    null_score: float  # start + end score of position 0: the window does not answer

    @property
    def margin(self) -> float:
        return self.score - self.null_score


def best_token_span(
    start_scores: np.ndarray, end_scores: np.ndarray, allowed: np.ndarray, max_tokens: int = MAX_ANSWER_TOKENS
) -> tuple[int, int, float]:
    """The (start, end, score) maximising start+end over allowed tokens with start ≤ end < start + max_tokens."""
    positions = np.flatnonzero(allowed)
    if positions.size == 0:
        return 0, 0, float("-inf")
    s = start_scores[positions]
    e = end_scores[positions]
    pair = s[:, None] + e[None, :]
    offsets = positions[None, :] - positions[:, None]
    pair = np.where((offsets >= 0) & (offsets < max_tokens), pair, -np.inf)
    flat = int(np.argmax(pair))
    i, j = divmod(flat, positions.size)
    return int(positions[i]), int(positions[j]), float(pair[i, j])
