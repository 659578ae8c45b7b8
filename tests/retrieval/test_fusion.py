"""Reciprocal rank fusion."""

from __future__ import annotations

import pytest

from retrieval.fusion import fuse_rankings


def test_rrf_scores_and_order() -> None:
    fused = fuse_rankings([["a", "b", "c"], ["b", "c", "d"]], k=60)
    scores = dict(fused)
    assert [item for item, _ in fused] == ["b", "c", "a", "d"]
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["a"] == pytest.approx(1 / 61)
    assert scores["d"] == pytest.approx(1 / 63)


def test_agreement_beats_a_single_first_place() -> None:
    fused = fuse_rankings([["x", "y"], ["z", "y"]])
    assert fused[0][0] == "y"


def test_weights_shift_the_order() -> None:
    dense_first = fuse_rankings([["a", "b"], ["b", "a"]], weights=[2.0, 1.0])
    lexical_first = fuse_rankings([["a", "b"], ["b", "a"]], weights=[1.0, 2.0])
    assert dense_first[0][0] == "a"
    assert lexical_first[0][0] == "b"


def test_smaller_k_rewards_top_ranks_more() -> None:
    sharp = dict(fuse_rankings([["a", "b"]], k=1))
    assert sharp["a"] / sharp["b"] == pytest.approx(3 / 2)


def test_empty_and_mismatched_inputs() -> None:
    assert fuse_rankings([]) == []
    assert fuse_rankings([[], []]) == []
    with pytest.raises(ValueError):
        fuse_rankings([["a"], ["b"]], weights=[1.0])
