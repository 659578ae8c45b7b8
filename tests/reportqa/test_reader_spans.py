"""Scores → spans, and question/passage → windows with character offsets."""

from __future__ import annotations

import numpy as np
import pytest

from reportqa.reader.features import Feature
from reportqa.reader.spans import Span, best_token_span


def test_best_span_respects_order_length_and_allowed_tokens() -> None:
    start = np.array([9.0, 0.0, 5.0, 1.0, 0.0, 0.0])
    end = np.array([9.0, 0.0, 0.0, 1.0, 4.0, 8.0])
    allowed = np.array([False, True, True, True, True, True])
    assert best_token_span(start, end, allowed) == (2, 5, 13.0)
    # at most 3 tokens long: 2..4 beats 2..5 (which is 4 long)
    assert best_token_span(start, end, allowed, max_tokens=3) == (2, 4, 9.0)
    # an end before its start never wins, whatever its score
    start2 = np.array([0.0, 0.0, 0.0, 7.0])
    end2 = np.array([0.0, 0.0, 6.0, 0.0])
    s, e, _ = best_token_span(start2, end2, np.array([False, True, True, True]))
    assert s <= e


def test_no_allowed_token_gives_no_span() -> None:
    assert best_token_span(np.zeros(3), np.zeros(3), np.zeros(3, bool))[2] == float("-inf")


def test_margin_is_span_over_no_answer() -> None:
    assert Span(0, 1, 3, score=5.0, null_score=2.0).margin == pytest.approx(3.0)


def test_token_span_maps_characters_to_tokens() -> None:
    feature = Feature(
        ids=(0, 10, 2, 2, 11, 12, 13, 2), offsets=(None, None, None, None, (0, 2), (2, 6), (6, 7), None)
    )
    assert feature.first_context == 4
    assert feature.token_span(2, 6) == (5, 5)
    assert feature.token_span(3, 7) == (5, 6)  # a boundary inside a token takes the whole token
    assert feature.token_span(0, 9) == (0, 0)  # runs past the window: not in this window
