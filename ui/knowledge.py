"""The knowledge panel (staff): documents with passage counts, add/remove with rebuild, passage browser."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import gradio as gr
import pandas as pd

from reportqa.converters import UPLOAD_SUFFIXES
from reportqa.knowledge import add_document, remove_document
from retrieval.documents import DocumentError
from retrieval.indexing import IndexBusyError
from ui.holder import EngineHolder
from ui.i18n import Translator, t
from ui.render import render_notice

# Gradio spots a progress parameter by its default; each call gets its own tracker in its place.
PROGRESS = gr.Progress()
log = logging.getLogger(__name__)
DOC_COLUMNS = ["source", "title", "city", "year", "passages"]
PASSAGE_COLUMNS = ["source", "section", "part", "start", "text"]


def docs_frame(holder: EngineHolder) -> pd.DataFrame:
    """Served documents with their passage counts."""
    counts = Counter(c.source for c in holder.engine.chunks)
    rows = [
        [d.source, d.title, d.city, d.year or "", counts.get(d.source, 0)] for d in holder.engine.documents
    ]
    return pd.DataFrame(rows, columns=DOC_COLUMNS)


def passages_frame(holder: EngineHolder, query: str = "", limit: int = 300) -> pd.DataFrame:
    """Passages whose text or section contains the query (all when empty)."""
    q = (query or "").strip().lower()
    rows = [
        [c.source, c.section, c.part, c.start, c.text]
        for c in holder.engine.chunks
        if not q or q in c.text.lower() or q in c.section.lower()
    ]
    return pd.DataFrame(rows[:limit], columns=PASSAGE_COLUMNS)


def progress_factory(progress):
    """Adapt gr.Progress to the indexer's (total, label) -> tick(n) protocol."""
    if progress is None:
        return None

    def factory(total: int, label: str):
        done = [0]
        if total:
            progress((0, total), desc=label)

        def tick(n: int) -> None:
            done[0] += n
            progress((min(done[0], total), total), desc=label)

        return tick

    return factory


def _refresh(holder: EngineHolder, message: str, kind: str) -> tuple:
    sources = [d.source for d in holder.engine.documents]
    return (
        render_notice(message, kind),
        docs_frame(holder),
        gr.update(choices=sources, value=None),
        passages_frame(holder),
    )


def _guarded(holder: EngineHolder, staff_ok: bool, lang: str, action) -> tuple:
    """Run a staff action; refusals and index errors become a message, the served engine stays as it was."""
    if not staff_ok:
        return render_notice(t("login_needed", lang), "error"), gr.skip(), gr.skip(), gr.skip()
    try:
        message = action()
    except (DocumentError, IndexBusyError, ValueError, OSError) as exc:
        log.warning("knowledge change refused: %s", exc)
        return _refresh(holder, str(exc), "error")
    except Exception:  # e.g. a failed index check: a message for staff, the details in the log
        log.exception("knowledge change failed")
        return _refresh(holder, t("failed", lang), "error")
    return _refresh(holder, message, "ok")


def add_upload(
    holder: EngineHolder,
    staff_ok: bool,
    path: str | None,
    title: str,
    city: str,
    year: str,
    lang: str,
    progress=None,
) -> tuple:
    """Add an uploaded file to the knowledge folder and rebuild; a refused file changes nothing."""

    def action() -> str:
        if not path:
            raise DocumentError("no file / 请先选择文件")
        name = Path(path).name
        meta = {
            "title": title.strip(),
            "city": city.strip(),
            "year": int(year) if str(year).strip() else None,
        }
        source, engine = add_document(
            holder.settings.knowledge_dir,
            Path(path),
            name,
            meta,
            lambda: holder.rebuild(progress_factory(progress)),
        )
        count = sum(1 for c in engine.chunks if c.source == source)
        return f"+ {source}: {count} passages / 段落"

    return _guarded(holder, staff_ok, lang, action)


def remove(holder: EngineHolder, staff_ok: bool, source: str | None, lang: str, progress=None) -> tuple:
    """Remove a document and rebuild; a failed rebuild restores it."""

    def action() -> str:
        if not source:
            raise DocumentError("no document selected / 请选择文档")
        remove_document(
            holder.settings.knowledge_dir, source, lambda: holder.rebuild(progress_factory(progress))
        )
        return f"− {source}"

    return _guarded(holder, staff_ok, lang, action)


def rebuild(holder: EngineHolder, staff_ok: bool, lang: str, progress=None) -> tuple:
    """Rebuild the index from scratch."""

    def action() -> str:
        engine = holder.rebuild(progress_factory(progress), force=True)
        return (
            f"✓ {engine.index_report.passages if engine.index_report else len(engine.chunks)} passages / 段落"
        )

    return _guarded(holder, staff_ok, lang, action)


def build_knowledge_panel(holder: EngineHolder, staff_ok: gr.State, tr: Translator, lang: gr.State) -> dict:
    """Lay out the knowledge panel and wire its events."""
    status = gr.HTML("", elem_id="rq-kb-status")
    # Empty until a login fills them: initial values are in the page's public /config.
    docs = tr.add(
        gr.Dataframe(
            pd.DataFrame(columns=DOC_COLUMNS), label=t("kb_docs"), interactive=False, elem_id="rq-kb-docs"
        ),
        label="kb_docs",
    )
    with gr.Row():
        upload = tr.add(
            gr.File(
                label=t("kb_upload"),
                file_types=list(UPLOAD_SUFFIXES),
                type="filepath",
                elem_id="rq-kb-upload",
                min_width=260,
            ),
            label="kb_upload",
        )
        with gr.Column(min_width=200):
            title = tr.add(gr.Textbox(label=t("kb_title"), elem_id="rq-kb-title"), label="kb_title")
            with gr.Row():
                city = tr.add(gr.Textbox(label=t("kb_city"), min_width=90), label="kb_city")
                year = tr.add(gr.Textbox(label=t("kb_year"), min_width=90), label="kb_year")
            add = tr.add(gr.Button(t("kb_add"), variant="primary", elem_id="rq-kb-add"), value="kb_add")
    with gr.Row():
        pick = tr.add(
            gr.Dropdown(
                [],
                label=t("kb_remove_pick"),
                elem_id="rq-kb-pick",
                min_width=220,
            ),
            label="kb_remove_pick",
        )
        drop = tr.add(gr.Button(t("kb_remove"), variant="stop", elem_id="rq-kb-remove"), value="kb_remove")
        again = tr.add(gr.Button(t("kb_rebuild"), elem_id="rq-kb-rebuild"), value="kb_rebuild")
    query = tr.add(gr.Textbox(label=t("kb_search"), elem_id="rq-kb-search"), label="kb_search")
    passages = tr.add(
        gr.Dataframe(
            pd.DataFrame(columns=PASSAGE_COLUMNS),
            label=t("kb_passages"),
            interactive=False,
            wrap=True,
            max_height=420,
            elem_id="rq-kb-passages",
        ),
        label="kb_passages",
    )
    outputs = [status, docs, pick, passages]

    def on_add(ok, path, ti, ci, ye, lg, progress=PROGRESS):
        return add_upload(holder, ok, path, ti, ci, ye, lg, progress)

    def on_remove(ok, source, lg, progress=PROGRESS):
        return remove(holder, ok, source, lg, progress)

    def on_rebuild(ok, lg, progress=PROGRESS):
        return rebuild(holder, ok, lg, progress)

    add.click(
        on_add,
        [staff_ok, upload, title, city, year, lang],
        outputs,
        api_visibility="private",
        concurrency_id="index",
        concurrency_limit=1,
    )
    drop.click(
        on_remove,
        [staff_ok, pick, lang],
        outputs,
        api_visibility="private",
        concurrency_id="index",
        concurrency_limit=1,
    )
    again.click(
        on_rebuild,
        [staff_ok, lang],
        outputs,
        api_visibility="private",
        concurrency_id="index",
        concurrency_limit=1,
    )
    query.change(
        lambda ok, q: passages_frame(holder, q) if ok else gr.skip(),
        [staff_ok, query],
        passages,
        api_visibility="private",
        show_progress="hidden",
    )

    def empty() -> tuple:
        return (
            "",
            pd.DataFrame(columns=DOC_COLUMNS),
            gr.update(choices=[], value=None),
            pd.DataFrame(columns=PASSAGE_COLUMNS),
        )

    return {"refresh": lambda: _refresh(holder, "", "info"), "empty": empty, "outputs": outputs}
