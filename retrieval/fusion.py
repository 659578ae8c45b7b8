"""Reciprocal rank fusion of several rankings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import TypeVar

T = TypeVar("T", bound=Hashable)


def fuse_rankings(
    rankings: Sequence[Sequence[T]], weights: Sequence[float] | None = None, k: int = 60
) -> list[tuple[T, float]]:
    """RRF: score(d) = Σ w_i / (k + rank_i(d)); best first."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[T, float] = defaultdict(float)
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] += weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])
