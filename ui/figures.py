"""The figures tab (数据一览): every figure of the reports, filterable by region, kind and words, sortable, each row
linked to its place."""

from __future__ import annotations

from functools import lru_cache

import gradio as gr
import pandas as pd

from reportqa.figures_table import FigureRow, figure_rows, parse_location
from ui.holder import EngineHolder
from ui.i18n import Translator, t
from ui.render import render_report, report_hint

COLUMNS = {
    "zh": ["地区", "数字", "数值", "单位", "类型", "上下文", "章节", "所在句子", "位置", "文件"],
    "en": ["region", "figure", "value", "unit", "kind", "context", "section", "sentence", "offsets", "file"],
}
KIND_CHOICES = ("all", "target", "achievement", "other")
ALL = "all"


@lru_cache(maxsize=2)
def engine_rows(engine) -> tuple[FigureRow, ...]:
    """The figures of an engine's passages, computed once per engine (a rebuild makes a new engine)."""
    return tuple(figure_rows(engine.chunks))


def region_labels(engine) -> dict[str, str]:
    """Source → the region (or title) its figures are listed under."""
    return {d.source: engine.scoper.label_of(d.source) for d in engine.documents}


def region_choices(engine) -> list[str]:
    return sorted(set(region_labels(engine).values()))


def first_region(engine) -> str:
    """What the page opens on: every figure for one report, the default report's for several."""
    labels = region_labels(engine)
    if len(set(labels.values())) <= 1:
        return ALL
    default = engine.settings.default_report
    return labels.get(default) or region_choices(engine)[0]


def figures_frame(
    rows,
    query: str = "",
    kind: str = "all",
    lang: str = "zh",
    region: str = ALL,
    labels: dict[str, str] | None = None,
) -> pd.DataFrame:
    """The rows of the region matching the query (in figure, unit, sentence or section) and kind, as a table."""
    query = (query or "").strip().lower()
    labels = labels or {}
    picked = [
        r
        for r in rows
        if (kind in (ALL, "", None) or r.kind == kind)
        and (region in (ALL, "", None) or labels.get(r.source, r.source) == region)
        and (not query or any(query in s.lower() for s in (r.figure, r.unit, r.sentence, r.section)))
    ]
    data = [
        [
            labels.get(r.source, ""),
            r.figure,
            r.value,
            r.unit,
            t(r.kind, lang),
            r.clause,
            r.section,
            r.sentence,
            f"{r.start}-{r.end}",
            r.source,
        ]
        for r in picked
    ]
    return pd.DataFrame(data, columns=COLUMNS["en" if lang == "en" else "zh"])


def show_location(holder: EngineHolder, location: str, lang: str) -> str:
    """The report view with the figure's sentence marked and the figure highlighted in it."""
    where = parse_location(location)
    doc = holder.document(where[0]) if where else None
    if doc is None or where is None:
        return report_hint(lang)
    source, start, end = where
    row = next(
        (r for r in engine_rows(holder.engine) if r.source == source and r.start == start and r.end == end),
        None,
    )
    if row is None:
        return render_report(doc.text, doc.title, doc.source, (start, end))
    s = row.sentence_start
    return render_report(doc.text, doc.title, doc.source, (s, row.sentence_end), (start - s, end - s))


def current_frame(holder: EngineHolder, query: str, kind: str, region: str, lang: str) -> pd.DataFrame:
    engine = holder.engine
    return figures_frame(engine_rows(engine), query, kind, lang, region, region_labels(engine))


def on_load(holder: EngineHolder, lang: str = "zh") -> tuple:
    """The region filter's choices and the first table, as the page opens (one report's rows when several)."""
    engine = holder.engine
    region = first_region(engine)
    choices = [(t("kind_all", lang), ALL)] + [(r, r) for r in region_choices(engine)]
    return gr.update(choices=choices, value=region), current_frame(holder, "", ALL, region, lang)


def build_figures_tab(holder: EngineHolder, tr: Translator, lang: gr.State) -> dict:
    """Lay out the figures tab and wire its events (its content arrives with the page's load event)."""
    with gr.Row():
        region = tr.add(
            gr.Dropdown(  # regions and rows arrive with the page's load event (on_load), not in /config
                [(t("kind_all"), ALL)],
                value=ALL,
                label=t("fig_region"),
                scale=1,
                min_width=160,
                elem_id="rq-fig-region",
            ),
            label="fig_region",
        )
        query = tr.add(
            gr.Textbox(label=t("fig_search"), scale=3, min_width=200, elem_id="rq-fig-search"),
            label="fig_search",
        )
        kind = tr.add(
            gr.Radio(
                [(t("kind_all"), "all")] + [(t(k), k) for k in KIND_CHOICES[1:]],
                value="all",
                label=t("fig_kind"),
                scale=2,
                min_width=200,
                elem_id="rq-fig-kind",
            ),
            label="fig_kind",
        )
    table = tr.add(
        gr.Dataframe(
            pd.DataFrame(columns=COLUMNS["zh"]),
            label=t("fig_table"),
            interactive=False,
            wrap=True,
            max_height=460,
            elem_id="rq-fig-table",
            column_widths=[80, 80, 50, 90, 200, 180, 320, 90, 120],
        ),
        label="fig_table",
    )
    report = gr.HTML(
        report_hint("zh"),
        elem_id="rq-fig-report",
        max_height=420,
        js_on_load="watch('value', () => setTimeout(() => "
        "element.querySelector('mark.rq-span')?.scrollIntoView({block: 'center'}), 80));",
    )

    def refilter(q, k, r, lg):
        return current_frame(holder, q, k, r, lg)

    for event in (query.change, kind.change, region.change):
        event(refilter, [query, kind, region, lang], table, api_visibility="private", show_progress="hidden")

    def picked(lg, evt: gr.SelectData):
        row = evt.row_value or []
        return show_location(holder, f"{row[-1]}:{row[-2]}" if len(row) >= 2 else "", lg)

    table.select(picked, [lang], report, api_visibility="private")
    return {"table": table, "query": query, "kind": kind, "region": region}
