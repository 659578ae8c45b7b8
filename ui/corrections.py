"""The correction section of the feedback panel (staff): pick a 👎 answer, record the right answer and the
report text it rests on, see which corrections still hold after a re-index, retire them, export them."""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr
import pandas as pd

from reportqa.corrections import CorrectionError, CorrectionStore, check_correction, find_evidence
from reportqa.feedback import FeedbackEntry, FeedbackStore
from ui.holder import EngineHolder
from ui.i18n import Translator, t
from ui.render import esc, render_notice

COLUMNS = ["id", "time", "question", "answer", "evidence", "source", "status"]


def down_choices(store: FeedbackStore, limit: int = 200) -> list[tuple[str, int]]:
    """The 👎 ratings as dropdown choices, newest first."""
    return [(f"#{e.id} · {e.question[:50]}", e.id) for e in store.entries(limit, rating="down")]


def entry_detail(entry: FeedbackEntry | None, lang: str) -> str:
    """A rated answer as escaped HTML: question, comment, the answer given and its passages."""
    if entry is None:
        return ""
    rows = [
        (t("question", lang), entry.question),
        (t("fb_comment", lang), entry.comment or "—"),
        (t("fb_answer", lang), entry.answer),
    ]
    head = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows)
    cites = "".join(
        f"<li><b>[{esc(c.get('n'))}] {esc(c.get('section', ''))}</b> {esc(c.get('text', ''))}</li>"
        for c in entry.citations
    )
    return f'<dl class="rq-fb-detail">{head}</dl><ol class="rq-cites">{cites}</ol>'


def passage_choices(holder: EngineHolder, words: str = "", entry: FeedbackEntry | None = None) -> list:
    """Passages of the current index to rest a correction on: those containing every word, or else those the
    rated answer cited (as dropdown choices: label, passage id)."""
    chunks = holder.engine.chunks
    terms = (words or "").split()
    if terms:
        found = [c for c in chunks if all(w.lower() in c.text.lower() for w in terms)]
    elif entry is not None:
        found = [c for cited in entry.citations if (c := find_evidence(str(cited.get("text", "")), chunks))]
    else:
        found = []
    return [(f"{c.section[-30:]} · {c.text[:60]}", c.id) for c in found[:30]]


def passage_text(holder: EngineHolder, chunk_id: str | None) -> str | None:
    return next((c.text for c in holder.engine.chunks if c.id == chunk_id), None)


def save_correction(
    holder: EngineHolder,
    store: CorrectionStore,
    feedback_id: int | None,
    question: str,
    answer: str,
    evidence: str,
    lang: str,
) -> tuple[bool, str]:
    """Check the correction against the current index and store it; (saved, message HTML)."""
    try:
        chunk = check_correction(question, answer, evidence, holder.engine.chunks)
    except CorrectionError as exc:
        return False, render_notice(str(exc), "error")
    new_id = store.add(question, answer, evidence, chunk.source, int(feedback_id) if feedback_id else None)
    return True, render_notice(t("corr_saved", lang, n=new_id), "ok")


def corrections_frame(holder: EngineHolder, store: CorrectionStore, lang: str) -> tuple[pd.DataFrame, int]:
    """The corrections in use with their status against the current index, and how many no longer hold."""
    rows, stale = [], 0
    for c in store.active():
        holds = find_evidence(c.evidence, holder.engine.chunks, c.source) is not None
        stale += not holds
        rows.append(
            [
                c.id,
                c.time,
                c.question,
                c.answer,
                c.evidence,
                c.source,
                t("corr_ok" if holds else "corr_missing", lang),
            ]
        )
    return pd.DataFrame(rows, columns=COLUMNS), stale


def export_corrections(store: CorrectionStore) -> str:
    """corrections.jsonl (evaluation items) in a fresh temporary folder; returns its path."""
    path = Path(tempfile.mkdtemp(prefix="reportqa-corrections-")) / "corrections.jsonl"
    path.write_text(store.export_jsonl(), encoding="utf-8")
    return str(path)


def build_corrections_section(
    holder: EngineHolder,
    feedback: FeedbackStore,
    store: CorrectionStore,
    staff_ok: gr.State,
    tr: Translator,
    lang: gr.State,
) -> dict:
    """Lay out the correction form and the list of corrections; wire their events (each re-checks the login)."""
    tr.add(gr.Markdown(f"### {t('corr_head')}"), value="corr_head")
    pick = tr.add(gr.Dropdown([], label=t("fb_pick"), elem_id="rq-corr-pick"), label="fb_pick")
    detail = gr.HTML("", elem_id="rq-corr-detail")
    question = tr.add(gr.Textbox(label=t("corr_question"), elem_id="rq-corr-question"), label="corr_question")
    answer = tr.add(gr.Textbox(label=t("corr_answer"), elem_id="rq-corr-answer"), label="corr_answer")
    evidence = tr.add(
        gr.Textbox(label=t("corr_evidence"), lines=2, elem_id="rq-corr-evidence"), label="corr_evidence"
    )
    with gr.Row():
        words = tr.add(gr.Textbox(label=t("corr_find"), scale=4, elem_id="rq-corr-find"), label="corr_find")
        find = tr.add(
            gr.Button(t("corr_find_button"), scale=1, elem_id="rq-corr-find-button"), value="corr_find_button"
        )
    passage = tr.add(
        gr.Dropdown([], label=t("corr_passage"), elem_id="rq-corr-passage"), label="corr_passage"
    )
    save = tr.add(gr.Button(t("corr_save"), variant="primary", elem_id="rq-corr-save"), value="corr_save")
    status = gr.HTML("", elem_id="rq-corr-status")
    stale = gr.HTML("", elem_id="rq-corr-stale")
    table = tr.add(
        gr.Dataframe(
            headers=COLUMNS, label=t("corr_table"), interactive=False, wrap=True, elem_id="rq-corr-table"
        ),
        label="corr_table",
    )
    with gr.Row():
        retire_id = tr.add(
            gr.Number(label=t("corr_retire_id"), precision=0, elem_id="rq-corr-retire-id"),
            label="corr_retire_id",
        )
        retire = tr.add(gr.Button(t("corr_retire"), elem_id="rq-corr-retire"), value="corr_retire")
        export = tr.add(gr.Button(t("corr_export"), elem_id="rq-corr-export"), value="corr_export")
    file = gr.File(interactive=False, elem_id="rq-corr-file", show_label=False)

    def listing(lg):
        frame, n = corrections_frame(holder, store, lg)
        return (render_notice(t("corr_stale", lg, n=n), "error") if n else ""), frame

    def on_refresh(ok, lg):
        if not ok:
            return gr.skip(), gr.skip(), gr.skip()
        return gr.update(choices=down_choices(feedback), value=None), *listing(lg)

    def on_pick(ok, entry_id, lg):
        entry = feedback.get(int(entry_id)) if ok and entry_id else None
        if entry is None:
            return "", gr.skip(), gr.skip()
        choices = passage_choices(holder, entry=entry)
        return (
            entry_detail(entry, lg),
            entry.standalone_question or entry.question,
            gr.update(choices=choices, value=None),
        )

    def on_find(ok, text, lg):
        return gr.update(choices=passage_choices(holder, text), value=None) if ok else gr.skip()

    def on_passage(ok, chunk_id):
        text = passage_text(holder, chunk_id) if ok else None
        return text if text is not None else gr.skip()

    def on_save(ok, entry_id, q, a, ev, lg):
        if not ok:
            return render_notice(t("login_needed", lg), "error"), gr.skip(), gr.skip()
        saved, message = save_correction(holder, store, entry_id, q, a, ev, lg)
        return message, *(listing(lg) if saved else (gr.skip(), gr.skip()))

    def on_retire(ok, number, lg):
        if not ok:
            return render_notice(t("login_needed", lg), "error"), gr.skip(), gr.skip()
        done = number is not None and store.retire(int(number))
        message = t("corr_retired", lg, n=int(number)) if done else t("corr_unknown", lg)
        return render_notice(message, "ok" if done else "error"), *listing(lg)

    private = {"api_visibility": "private"}
    pick.change(on_pick, [staff_ok, pick, lang], [detail, question, passage], **private)
    find.click(on_find, [staff_ok, words, lang], passage, **private)
    words.submit(on_find, [staff_ok, words, lang], passage, **private)
    passage.change(on_passage, [staff_ok, passage], evidence, **private)
    save.click(on_save, [staff_ok, pick, question, answer, evidence, lang], [status, stale, table], **private)
    retire.click(on_retire, [staff_ok, retire_id, lang], [status, stale, table], **private)
    export.click(lambda ok: export_corrections(store) if ok else gr.skip(), staff_ok, file, **private)
    return {
        "refresh": on_refresh,
        "empty": lambda: (gr.update(choices=[], value=None), "", pd.DataFrame(columns=COLUMNS)),
        "outputs": [pick, stale, table],
    }
