"""What testers read of a run: accuracy overall and by kind, refusals, citations, grounding and latency.

Computed from result lines alone (the results contract plus the scoring columns written by
`reportqa.evaluation.result_line`), so a run saved last week and one made now are measured the same way."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass

METRIC_NAMES = (
    "accuracy",
    "citation_hit",
    "false_rejection",
    "negative_rejection",
    "figure_grounding",
    "p50_ms",
    "p95_ms",
)
RATES = METRIC_NAMES[:5]  # shares between 0 and 1; the rest are milliseconds


def _share(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def percentile(values: Sequence[float], q: int) -> float:
    """The q-th percentile (statistics.quantiles, exclusive method); the value itself for one value."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return statistics.quantiles(ordered, n=100)[q - 1] if len(ordered) > 1 else ordered[0]


@dataclass(frozen=True)
class RunMetrics:
    """None where a run has no item the metric is about (no unanswerable item, no evidence…)."""

    items: int
    passed: int
    accuracy: float
    citation_hit: float | None  # answerable items whose evidence is inside a citation
    false_rejection: float | None  # answerable questions refused
    negative_rejection: float | None  # unanswerable questions refused
    figure_grounding: float | None  # answers (not refusals) whose every figure is in a cited passage
    p50_ms: float
    p95_ms: float
    by_kind: dict[str, tuple[int, int]]  # kind -> (passed, total)

    @classmethod
    def of(cls, lines: Sequence[dict]) -> RunMetrics:
        """Metrics of result lines (each with passed, kind, answerable, evidence_cited, grounded)."""
        kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for line in lines:
            kinds[str(line.get("kind") or "?")][0] += bool(line.get("passed"))
            kinds[str(line.get("kind") or "?")][1] += 1
        questions = [line for line in lines if line.get("answerable") is not None]
        answerable = [line for line in questions if line["answerable"]]
        answered = [line for line in questions if not line.get("abstained")]
        latencies = [float(line.get("latency_ms") or 0.0) for line in lines]
        passed = sum(bool(line.get("passed")) for line in lines)
        return cls(
            items=len(lines),
            passed=passed,
            accuracy=passed / len(lines) if lines else 0.0,
            citation_hit=_share(
                [bool(x["evidence_cited"]) for x in lines if x.get("evidence_cited") is not None]
            ),
            false_rejection=_share([bool(x.get("abstained")) for x in answerable]),
            negative_rejection=_share([bool(x.get("abstained")) for x in questions if not x["answerable"]]),
            figure_grounding=_share([bool(x.get("grounded")) for x in answered if "grounded" in x]),
            p50_ms=percentile(latencies, 50),
            p95_ms=percentile(latencies, 95),
            by_kind={k: (v[0], v[1]) for k, v in sorted(kinds.items())},
        )

    def value(self, name: str) -> float | None:
        return getattr(self, name)

    def to_dict(self) -> dict:
        return {**asdict(self), "by_kind": {k: list(v) for k, v in self.by_kind.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> RunMetrics:
        return cls(**{**data, "by_kind": {k: (v[0], v[1]) for k, v in data["by_kind"].items()}})

    def summary_line(self) -> str:
        """One greppable line: accuracy, citation hit, refusals, grounding, latency."""

        def rate(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.3f}"

        return (
            f"accuracy={self.accuracy:.3f} citation_hit={rate(self.citation_hit)} "
            f"false_rejection={rate(self.false_rejection)} negative_rejection={rate(self.negative_rejection)} "
            f"figure_grounding={rate(self.figure_grounding)} p50_ms={self.p50_ms:.1f} p95_ms={self.p95_ms:.1f}"
        )
