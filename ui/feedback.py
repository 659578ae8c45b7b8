"""The feedback review panel (staff): the latest ratings (or only the 👎 ones) and an export to CSV and JSONL."""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr
import pandas as pd

from reportqa.feedback import FeedbackStore
from ui.i18n import Translator, t
from ui.render import render_notice

COLUMNS = ["id", "time", "rating", "comment", "question", "answer", "citations"]


def citations_summary(citations: list, width: int = 60) -> str:
    """The cited passages in one cell: '[n] section: text…' per line."""
    lines = []
    for c in citations:
        text = str(c.get("text", ""))
        lines.append(
            f"[{c.get('n')}] {c.get('section', '')}: {text[:width]}{'…' if len(text) > width else ''}"
        )
    return "\n".join(lines)


def feedback_frame(store: FeedbackStore, limit: int = 200, down_only: bool = False) -> pd.DataFrame:
    """The newest entries as plain-text rows."""
    rows = [
        [
            e.id,
            e.time,
            "👍" if e.rating == "up" else "👎",
            e.comment,
            e.question,
            e.answer,
            citations_summary(e.citations),
        ]
        for e in store.entries(limit, rating="down" if down_only else None)
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def feedback_summary(store: FeedbackStore) -> str:
    counts = store.counts()
    return render_notice(f"👍 {counts['up']} · 👎 {counts['down']}")


def export_feedback(store: FeedbackStore) -> list[str]:
    """Write feedback.csv and feedback.jsonl to a fresh temporary folder; returns their paths."""
    folder = Path(tempfile.mkdtemp(prefix="reportqa-feedback-"))
    (folder / "feedback.csv").write_text(store.export_csv(), encoding="utf-8-sig")
    (folder / "feedback.jsonl").write_text(store.export_jsonl(), encoding="utf-8")
    return [str(folder / "feedback.csv"), str(folder / "feedback.jsonl")]


def build_feedback_panel(store: FeedbackStore, staff_ok: gr.State, tr: Translator, lang: gr.State) -> dict:
    """Lay out the feedback panel and wire its events."""
    summary = gr.HTML("", elem_id="rq-fb-summary")
    down_only = tr.add(
        gr.Checkbox(False, label=t("fb_down_only"), elem_id="rq-fb-down"), label="fb_down_only"
    )
    table = tr.add(
        gr.Dataframe(
            headers=COLUMNS,
            label=t("fb_table"),
            interactive=False,
            wrap=True,
            max_height=460,
            elem_id="rq-fb-table",
        ),
        label="fb_table",
    )
    with gr.Row():
        refresh = tr.add(gr.Button(t("fb_refresh"), elem_id="rq-fb-refresh"), value="fb_refresh")
        export = tr.add(gr.Button(t("fb_export"), elem_id="rq-fb-export"), value="fb_export")
    files = gr.File(file_count="multiple", interactive=False, elem_id="rq-fb-files", show_label=False)

    def on_refresh(ok, lg, down=False):
        if not ok:
            return render_notice(t("login_needed", lg), "error"), gr.skip()
        return feedback_summary(store), feedback_frame(store, down_only=bool(down))

    for event in (refresh.click, down_only.change):
        event(on_refresh, [staff_ok, lang, down_only], [summary, table], api_visibility="private")
    export.click(
        lambda ok: export_feedback(store) if ok else gr.skip(), staff_ok, files, api_visibility="private"
    )
    return {
        "refresh": on_refresh,
        "empty": lambda: ("", pd.DataFrame(columns=COLUMNS)),
        "outputs": [summary, table],
        "button": refresh,
    }
