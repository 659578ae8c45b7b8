"""The conversation log panel (staff): recent chat turns, filtered to refusals or 👎, exported as CSV and JSONL."""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr
import pandas as pd

from reportqa.conversations import ConversationLog
from ui.feedback import citations_summary
from ui.i18n import Translator, t
from ui.render import render_notice

COLUMNS = [
    "id",
    "time",
    "question",
    "standalone_question",
    "answer",
    "abstained",
    "verified",
    "rating",
    "latency_ms",
    "citations",
]


def log_frame(
    log: ConversationLog, refused_only: bool = False, down_only: bool = False, limit: int = 300
) -> pd.DataFrame:
    """The newest turns as plain-text rows."""
    rows = [
        [
            turn.id,
            turn.time,
            turn.question,
            turn.standalone_question,
            turn.answer,
            "✔" if turn.abstained else "",
            "✔" if turn.verified else "",
            {"up": "👍", "down": "👎"}.get(turn.rating or "", ""),
            turn.latency_ms,
            citations_summary(turn.citations),
        ]
        for turn in log.turns(refused_only, down_only, limit)
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def export_log(log: ConversationLog, refused_only: bool = False, down_only: bool = False) -> list[str]:
    """conversations.csv and conversations.jsonl (the filtered turns) in a fresh temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="reportqa-conversations-"))
    filters = {"refused_only": bool(refused_only), "down_only": bool(down_only)}
    (folder / "conversations.csv").write_text(log.export_csv(**filters), encoding="utf-8-sig")
    (folder / "conversations.jsonl").write_text(log.export_jsonl(**filters), encoding="utf-8")
    return [str(folder / "conversations.csv"), str(folder / "conversations.jsonl")]


def build_log_panel(log: ConversationLog | None, staff_ok: gr.State, tr: Translator, lang: gr.State) -> dict:
    """Lay out the log panel and wire its events (each re-checks the login); a notice when the log is off."""
    if log is None:
        tr.add(gr.Markdown(t("log_off"), elem_id="rq-log-off"), value="log_off")
        return {"refresh": lambda ok, lg: (), "empty": lambda: (), "outputs": []}
    summary = gr.HTML("", elem_id="rq-log-summary")
    with gr.Row():
        refused = tr.add(
            gr.Checkbox(False, label=t("log_refused"), elem_id="rq-log-refused"), label="log_refused"
        )
        down = tr.add(gr.Checkbox(False, label=t("log_down"), elem_id="rq-log-down"), label="log_down")
    table = tr.add(
        gr.Dataframe(
            headers=COLUMNS,
            label=t("log_table"),
            interactive=False,
            wrap=True,
            max_height=460,
            elem_id="rq-log-table",
        ),
        label="log_table",
    )
    with gr.Row():
        refresh = tr.add(gr.Button(t("log_refresh"), elem_id="rq-log-refresh"), value="log_refresh")
        export = tr.add(gr.Button(t("log_export"), elem_id="rq-log-export"), value="log_export")
    files = gr.File(file_count="multiple", interactive=False, elem_id="rq-log-files", show_label=False)

    def on_refresh(ok, lg, refused_only=False, down_only=False):
        if not ok:
            return render_notice(t("login_needed", lg), "error"), gr.skip()
        frame = log_frame(log, bool(refused_only), bool(down_only))
        return render_notice(t("log_summary", lg, n=len(frame), days=log.retention_days)), frame

    inputs = [staff_ok, lang, refused, down]
    for event in (refresh.click, refused.change, down.change):
        event(on_refresh, inputs, [summary, table], api_visibility="private")
    export.click(
        lambda ok, r, d: export_log(log, r, d) if ok else gr.skip(),
        [staff_ok, refused, down],
        files,
        api_visibility="private",
    )
    return {
        "refresh": on_refresh,
        "empty": lambda: ("", pd.DataFrame(columns=COLUMNS)),
        "outputs": [summary, table],
    }
