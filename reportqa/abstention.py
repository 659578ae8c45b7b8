"""When to refuse: a logistic model over the reader's scores and the retrieval evidence, fitted on labelled sets
that hold unanswerable questions (training/calibrate_reader.py), with one probability threshold."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from reportqa.reader.spans import Span
from retrieval.hybrid import Hit

FEATURES = (
    "margin",  # best span score − its passage's no-answer score
    "global_margin",  # best span score − the lowest no-answer score of the passages read
    "span_score",
    "runner_up_gap",  # best margin − the second passage's best margin
    "dense",  # cosine of the answering passage to the question
    "lexical",  # log(1 + BM25) of the answering passage
    "rank",  # retrieval rank of the answering passage (0 = first)
    "coverage",  # share of the question's characters (CJK, letters, digits) found in the answering passage
    "span_chars",  # log(1 + answer span length)
)
_ASKED = re.compile(r"[\u4e00-\u9fff]|[a-z]+|\d+", re.IGNORECASE)


def evidence_features(
    question: str, best: Span, spans: Sequence[Span], hits: Sequence[Hit]
) -> dict[str, float]:
    """The numbers the abstention model sees for the best span."""
    hit = hits[best.passage]
    margins = sorted((s.margin for s in spans), reverse=True)
    asked = set(_ASKED.findall(question.lower()))
    passage = hit.chunk.text.lower()
    return {
        "margin": best.margin,
        "global_margin": best.score - min(s.null_score for s in spans),
        "span_score": best.score,
        "runner_up_gap": margins[0] - margins[1] if len(margins) > 1 else 10.0,
        "dense": hit.dense,
        "lexical": math.log1p(max(hit.lexical, 0.0)),
        "rank": float(best.passage),
        "coverage": sum(token in passage for token in asked) / max(1, len(asked)),
        "span_chars": math.log1p(best.end - best.start),
    }


@dataclass(frozen=True)
class AbstentionModel:
    """P(the reader's answer is right) = σ(w · standardised features + b); answer when it reaches `threshold`."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    threshold: float

    @classmethod
    def from_dict(cls, data: dict) -> AbstentionModel:
        if tuple(data["features"]) != FEATURES:
            raise ValueError(
                "the abstention model was fitted on other features; re-run training/calibrate_reader.py"
            )
        return cls(
            tuple(data["weights"]), data["bias"], tuple(data["mean"]), tuple(data["scale"]), data["threshold"]
        )

    def to_dict(self) -> dict:
        return {
            "features": list(FEATURES),
            "weights": list(self.weights),
            "bias": self.bias,
            "mean": list(self.mean),
            "scale": list(self.scale),
            "threshold": self.threshold,
        }

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias + sum(
            w * (features[name] - m) / s
            for w, name, m, s in zip(self.weights, FEATURES, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def fit_abstention(
    rows: Sequence[dict[str, float]], labels: Sequence[bool], l2: float = 1.0
) -> AbstentionModel:
    """Logistic regression (Newton steps, L2) of `labels` (the answer would be right) on the features."""
    import numpy as np

    x = np.array([[row[name] for name in FEATURES] for row in rows], dtype=float)
    y = np.array(labels, dtype=float)
    mean, scale = x.mean(0), x.std(0) + 1e-6
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.eye(z.shape[1]) * l2
    penalty[-1, -1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-z @ w))
        gradient = z.T @ (p - y) + penalty @ w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return AbstentionModel(tuple(w[:-1]), float(w[-1]), tuple(mean), tuple(scale), 0.5)
