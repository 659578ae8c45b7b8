"""Compare two kept evaluation runs: metrics side by side (table and chart), items fixed and broken."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from reportqa.metrics import METRIC_NAMES, RATES
from reportqa.runs import RunComparison, RunStore, compare_runs
from ui.i18n import Translator, t
from ui.render import esc, render_notice

CHANGE_COLUMNS = ["change", "id", "kind", "question", "A", "B", "reason"]


def run_choices(runs: RunStore) -> list[tuple[str, str]]:
    """(label, id) of every kept run, newest first."""
    return [(run.label(), run.id) for run in runs.list()]


def picker_updates(runs: RunStore) -> tuple:
    """Both pickers refreshed: A = the second newest run, B = the newest."""
    choices = run_choices(runs)
    ids = [value for _, value in choices]
    a = ids[1] if len(ids) > 1 else (ids[0] if ids else None)
    return gr.update(choices=choices, value=a), gr.update(choices=choices, value=ids[0] if ids else None)


def _shown(metric: str, value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1%}" if metric in RATES else f"{value:.0f} ms"


def metrics_html(c: RunComparison, lang: str) -> str:
    """Counts of fixed / broken / unchanged, then a metric table A | B | change (escaped)."""
    counts = (
        f"{t('cmp_fixed', lang)} {len(c.fixed)} · {t('cmp_broken', lang)} {len(c.broken)} · "
        f"{t('cmp_unchanged', lang)} {len(c.unchanged_passed) + len(c.unchanged_failed)}"
    )
    rows = []
    for metric in METRIC_NAMES:
        a, b = c.metrics_a.value(metric), c.metrics_b.value(metric)
        delta = "" if a is None or b is None else f"{(b - a) * (100 if metric in RATES else 1):+.1f}"
        rows.append(
            f"<tr><td>{esc(metric)}</td><td>{esc(_shown(metric, a))}</td>"
            f"<td>{esc(_shown(metric, b))}</td><td>{esc(delta)}</td></tr>"
        )
    table = (
        '<table class="rq-compare"><thead><tr><th></th><th>A</th><th>B</th><th>Δ</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return render_notice(counts, "ok") + table


def chart_frame(c: RunComparison) -> pd.DataFrame:
    """The rate metrics of both runs, a bar each (Gradio stacks bars of one x, so A and B get their own x)."""
    rows = [
        {"metric": f"{metric} · {name}", "run": name, "value": round(value, 4)}
        for metric in RATES
        for name, metrics in (("A", c.metrics_a), ("B", c.metrics_b))
        if (value := metrics.value(metric)) is not None
    ]
    return pd.DataFrame(rows, columns=["metric", "run", "value"])


def changes_frame(c: RunComparison, lang: str) -> pd.DataFrame:
    """Fixed and broken items with both answers (plain text cells)."""
    rows = [
        [t(label, lang), x["id"], x["kind"], x["question"], x["before"], x["after"], x["reason"]]
        for label, changes in (("cmp_fixed", c.fixed), ("cmp_broken", c.broken))
        for x in changes
    ]
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def compare(runs: RunStore, a: str | None, b: str | None, lang: str) -> tuple:
    """(summary html, chart frame, changes frame) for two kept runs."""
    if not a or not b:
        return render_notice(t("cmp_pick", lang), "error"), None, None
    try:
        comparison = compare_runs(runs.get(a).lines(), runs.get(b).lines())
    except (ValueError, OSError) as exc:
        return render_notice(str(exc), "error"), None, None
    return metrics_html(comparison, lang), chart_frame(comparison), changes_frame(comparison, lang)


def build_compare_panel(runs: RunStore, tr: Translator, lang: gr.State) -> dict:
    """Two run pickers, a compare button, the metric table, a chart and the changed items."""
    choices = run_choices(runs)
    tr.add(gr.Markdown(t("cmp_title_md")), value="cmp_title_md")
    with gr.Row():
        pick_a = tr.add(
            gr.Dropdown(choices=choices, label=t("cmp_a"), elem_id="rq-cmp-a", scale=3), label="cmp_a"
        )
        pick_b = tr.add(
            gr.Dropdown(choices=choices, label=t("cmp_b"), elem_id="rq-cmp-b", scale=3), label="cmp_b"
        )
        with gr.Column(scale=1, min_width=140):
            go = tr.add(gr.Button(t("cmp_run"), elem_id="rq-cmp-run"), value="cmp_run")
            refresh = tr.add(
                gr.Button(t("cmp_refresh"), size="sm", elem_id="rq-cmp-refresh"), value="cmp_refresh"
            )
    result = gr.HTML("", elem_id="rq-cmp-summary")
    chart = gr.BarPlot(
        x="metric", y="value", color="run", y_lim=[0, 1], elem_id="rq-cmp-chart", height=240, label="A / B"
    )
    changes = tr.add(
        gr.Dataframe(
            headers=CHANGE_COLUMNS,
            label=t("cmp_changes"),
            elem_id="rq-cmp-changes",
            interactive=False,
            wrap=True,
            max_height=360,
        ),
        label="cmp_changes",
    )
    go.click(
        lambda a, b, lg: compare(runs, a, b, lg),
        [pick_a, pick_b, lang],
        [result, chart, changes],
        api_visibility="private",
    )
    refresh.click(lambda: picker_updates(runs), None, [pick_a, pick_b], api_visibility="private")
    return {"pickers": [pick_a, pick_b]}
