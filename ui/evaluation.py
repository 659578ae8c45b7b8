"""The evaluation tab: upload or pick a question set, run it with progress, chart accuracy by kind, download."""

from __future__ import annotations

import csv
import io
import json
import logging
from pathlib import Path

import gradio as gr
import pandas as pd
from gradio.processing_utils import save_bytes_to_cache
from gradio.utils import get_upload_folder

from reportqa.evalsets import EVAL_SETS
from reportqa.evaluation import EvalReport, evaluate, load_items
from reportqa.runs import RunStore
from ui.holder import EngineHolder
from ui.i18n import Translator, t
from ui.render import render_notice
from ui.run_compare import build_compare_panel, picker_updates

# Gradio spots a progress parameter by its default; each call gets its own tracker in its place.
PROGRESS = gr.Progress()
log = logging.getLogger(__name__)
MAX_ITEMS = 300  # the page is public: a question set is a test, not a way to keep the server busy for hours
PUBLIC_SET = EVAL_SETS["public"].questions
TABLE_COLUMNS = ["id", "kind", "pass", "reason", "question", "answer", "citations"]
CSV_COLUMNS = [
    "id",
    "kind",
    "passed",
    "reason",
    "question",
    "answer",
    "abstained",
    "verdict",
    "citations",
    "latency_ms",
]


MODES = ("extractive", "llm", "compare")


def chart_frame(report: EvalReport, mode: str = "extractive") -> pd.DataFrame:
    """Accuracy per kind (and answer mode), for the bar plot."""
    return pd.DataFrame(
        [
            {"kind": k, "accuracy": round(p / n, 3), "items": f"{p}/{n}", "mode": mode}
            for k, (p, n) in report.by_kind().items()
        ],
        columns=["kind", "accuracy", "items", "mode"],
    )


def has_llm(holder: EngineHolder) -> bool:
    """An LLM endpoint is configured, so the two answer modes can be compared."""
    engine = holder.engine
    return engine.generator is not engine.extractive


def _cited(result: dict) -> str:
    return " | ".join(f"[{c['n']}] {c['section']}: {c['text'][:60]}" for c in result.get("citations", []))


def table_frame(report: EvalReport) -> pd.DataFrame:
    """One row per item: pass/fail, reason, what was asked, the answer and its citations (plain text cells)."""
    rows = [
        [
            r["item"]["id"],
            r["item"].get("kind", ""),
            "pass" if r["passed"] else "FAIL",
            r["reason"],
            r["item"].get("question") or r["item"].get("claim") or "",
            r["result"].get("verdict") or r["result"].get("answer", ""),
            _cited(r["result"]),
        ]
        for r in report.rows
    ]
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def results_jsonl(report: EvalReport) -> str:
    """The results contract of evalsets/public/SCORING.md, plus the scoring columns (`reportqa compare` reads it)."""
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in report.lines())


def results_csv(report: EvalReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in report.rows:
        item, res = r["item"], r["result"]
        writer.writerow(
            [
                item["id"],
                item.get("kind", ""),
                r["passed"],
                r["reason"],
                item.get("question") or item.get("claim") or "",
                res.get("answer", ""),
                res.get("abstained"),
                res.get("verdict") or "",
                json.dumps(res.get("citations", []), ensure_ascii=False),
                res.get("latency_ms"),
            ]
        )
    return out.getvalue()


def write_downloads(report: EvalReport, stem: str) -> list[str]:
    """results.jsonl and results.csv straight into Gradio's file cache, which the app sweeps (delete_cache):
    no folder of ours is left behind in the temporary folder."""
    cache = get_upload_folder()
    jsonl = save_bytes_to_cache(results_jsonl(report).encode("utf-8"), f"{stem}-results.jsonl", cache)
    # BOM: Excel opens Chinese CSV correctly
    table = save_bytes_to_cache(results_csv(report).encode("utf-8-sig"), f"{stem}-results.csv", cache)
    return [jsonl, table]


SUMMARY_METRICS = (
    ("citation_hit", "evidence cited", "引用命中"),
    ("false_rejection", "answerable refused", "误拒率"),
    ("negative_rejection", "unanswerable refused", "无答案拒答率"),
    ("figure_grounding", "figures grounded", "数字有据率"),
)


def summary(report: EvalReport, lang: str) -> str:
    """One line: passed, accuracy, the refusal/citation/grounding rates the set allows, p50/p95 latency."""
    m = report.metrics
    en = lang == "en"
    parts = [
        f"{m.passed}/{m.items} passed" if en else f"通过 {m.passed}/{m.items} 题",
        f"{'accuracy' if en else '准确率'} {m.accuracy:.1%}",
    ]
    for name, english, chinese in SUMMARY_METRICS:
        if (value := m.value(name)) is not None:
            parts.append(f"{english if en else chinese} {value:.1%}")
    parts.append(f"p50/p95 {m.p50_ms:.0f}/{m.p95_ms:.0f} ms")
    return render_notice(" · ".join(parts), "ok")


def run_set(
    holder: EngineHolder,
    path: str | None,
    lang: str,
    progress=None,
    mode: str = "extractive",
    runs: RunStore | None = None,
) -> tuple:
    """(summary html, chart frame, table frame, download paths) for the question set at `path`;
    mode 'llm' answers with the LLM generator, 'compare' runs both on the same set."""
    if not path:
        return render_notice(t("eval_need_file", lang), "error"), None, None, None
    name = Path(path).name
    try:
        items = load_items(name, text=Path(path).read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError, OSError, KeyError, TypeError, AttributeError) as exc:
        return render_notice(f"{name}: {exc}", "error"), None, None, None
    if not items:
        return render_notice(f"{name}: 0 items", "error"), None, None, None
    if len(items) > MAX_ITEMS:
        return (
            render_notice(f"{name}: {len(items)} items, at most {MAX_ITEMS} / 最多 {MAX_ITEMS} 条", "error"),
            None,
            None,
            None,
        )
    # A malformed item (wrong types, an empty question…) becomes a message, not a traceback.
    try:
        return _evaluate_modes(holder, name, items, lang, progress, mode, runs)
    except Exception as exc:
        log.warning("evaluation of %s failed", name, exc_info=exc)
        reason = str(exc) if isinstance(exc, ValueError) else type(exc).__name__
        return render_notice(f"{name}: {t('failed', lang)} ({reason[:200]})", "error"), None, None, None


def _evaluate_modes(
    holder: EngineHolder, name: str, items: list, lang: str, progress, mode: str, runs: RunStore | None
) -> tuple:
    """run_set's outputs for items already loaded: each wanted mode evaluated in turn."""
    engine = holder.engine
    wanted = ["extractive", "llm"] if mode == "compare" else [mode if mode in MODES else "extractive"]
    if "llm" in wanted and not has_llm(holder):
        return render_notice(t("eval_no_llm", lang), "error"), None, None, None
    summaries, charts, tables, files = [], [], [], []
    for each in wanted:
        track = (
            (lambda xs, d=f"{name} · {each}": progress.tqdm(xs, desc=d))
            if progress is not None
            else (lambda xs: xs)
        )
        generator = engine.extractive if each == "extractive" else engine.generator
        report = evaluate(engine, items, progress=track, generator=generator)
        summaries.append(
            summary(report, lang) if len(wanted) == 1 else f"<b>{each}</b> {summary(report, lang)}"
        )
        charts.append(chart_frame(report, each))
        table = table_frame(report)
        if len(wanted) > 1:
            table["id"] = table["id"].astype(str) + f" · {each}"
        tables.append(table)
        stem = Path(name).stem if len(wanted) == 1 else f"{Path(name).stem}-{each}"
        files += write_downloads(report, stem)
        if runs is not None:
            runs.save(stem, report.lines(), holder.settings)
    return "".join(summaries), pd.concat(charts), pd.concat(tables), files


def build_evaluation_tab(
    holder: EngineHolder, runs: RunStore, tr: Translator, lang: gr.State, public_set: Path = PUBLIC_SET
) -> dict:
    """Lay out the evaluation tab and wire its events."""
    with gr.Row():
        upload = tr.add(
            gr.File(
                label=t("eval_file"),
                file_types=[".jsonl", ".csv"],
                type="filepath",
                elem_id="rq-eval-file",
                scale=3,
                min_width=260,
            ),
            label="eval_file",
        )
        with gr.Column(scale=1, min_width=200):
            run = tr.add(gr.Button(t("eval_run"), variant="primary", elem_id="rq-eval-run"), value="eval_run")
            public = tr.add(
                gr.Button(t("eval_public"), elem_id="rq-eval-public", interactive=public_set.exists()),
                value="eval_public",
            )
            if not public_set.exists():
                gr.HTML(render_notice(t("eval_missing"), "error"))
    mode = gr.Radio(
        choices=[
            ("原文摘录 extractive", "extractive"),
            ("大模型 LLM", "llm"),
            ("两者对比 compare", "compare"),
        ],
        value="extractive",
        label="answer mode",
        elem_id="rq-eval-mode",
        visible=has_llm(holder),
    )
    status = gr.HTML("", elem_id="rq-eval-summary")
    chart = tr.add(
        gr.BarPlot(
            x="kind",
            y="accuracy",
            color="mode",
            y_lim=[0, 1],
            label=t("eval_chart"),
            elem_id="rq-eval-chart",
            height=260,
            x_title="kind",
            y_title="accuracy",
        ),
        label="eval_chart",
    )
    table = tr.add(
        gr.Dataframe(
            headers=TABLE_COLUMNS,
            label=t("eval_table"),
            elem_id="rq-eval-table",
            interactive=False,
            wrap=True,
            max_height=420,
            column_widths=[64, 90, 60, 150, 220, 260, 320],
        ),
        label="eval_table",
    )
    downloads = tr.add(
        gr.File(
            label=t("eval_downloads"), file_count="multiple", interactive=False, elem_id="rq-eval-downloads"
        ),
        label="eval_downloads",
    )
    compared = build_compare_panel(runs, tr, lang)
    outputs = [status, chart, table, downloads, *compared["pickers"]]

    def run_uploaded(path, lg, md, progress=PROGRESS):
        return *run_set(holder, path, lg, progress, md, runs), *picker_updates(runs)

    def run_public(lg, md, progress=PROGRESS):
        found = str(public_set) if public_set.exists() else None
        return *run_set(holder, found, lg, progress, md, runs), *picker_updates(runs)

    run.click(run_uploaded, [upload, lang, mode], outputs, api_visibility="private")
    public.click(run_public, [lang, mode], outputs, api_visibility="private")
    return {"chart": chart}
