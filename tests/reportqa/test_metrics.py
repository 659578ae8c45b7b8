"""RunMetrics: every tester-facing rate computed from saved result lines."""

from __future__ import annotations

import pytest

from reportqa.metrics import RunMetrics, percentile


def line(i: int, **fields) -> dict:
    return {
        "id": f"x{i}",
        "kind": "numeric",
        "passed": True,
        "answerable": True,
        "abstained": False,
        "latency_ms": 10.0 * (i + 1),
        "evidence_cited": True,
        "grounded": True,
        **fields,
    }


def test_rates_count_only_the_items_they_are_about() -> None:
    lines = [
        line(0),
        line(1, passed=False, abstained=True, grounded=None),  # an answerable question refused
        line(2, kind="unanswerable", answerable=False, abstained=True, evidence_cited=None),
        line(3, kind="unanswerable", answerable=False, passed=False, grounded=False, evidence_cited=None),
        line(4, kind="claim", answerable=None, evidence_cited=False),
    ]
    del lines[1]["grounded"], lines[2]["grounded"]
    m = RunMetrics.of(lines)
    assert (m.items, m.passed) == (5, 3)
    assert m.false_rejection == pytest.approx(1 / 2)
    assert m.negative_rejection == pytest.approx(1 / 2)
    assert m.citation_hit == pytest.approx(2 / 3)  # evidence of x0, x1 cited; the claim's not
    assert m.figure_grounding == pytest.approx(1 / 2)  # answers: x0 grounded, x3 not
    assert m.by_kind == {"claim": (1, 1), "numeric": (1, 2), "unanswerable": (1, 2)}
    assert m.p50_ms == 30.0 and m.p95_ms == percentile([10, 20, 30, 40, 50], 95)
    assert RunMetrics.from_dict(m.to_dict()) == m


def test_a_set_without_refusable_items_says_n_a() -> None:
    m = RunMetrics.of([line(0, answerable=None, evidence_cited=None)])
    assert m.false_rejection is None and m.negative_rejection is None and m.citation_hit is None
    assert "false_rejection=n/a" in m.summary_line() and "figure_grounding=n/a" in m.summary_line()
    assert RunMetrics.of([]).accuracy == 0.0
