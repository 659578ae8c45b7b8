"""The page: header with the language toggle, then the chat, fact-check, evaluation, figures, retrieval test and
staff tabs."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from reportqa.conversations import ConversationLog, open_log
from reportqa.corrections import CorrectionStore
from reportqa.feedback import FeedbackStore
from reportqa.runs import RunStore
from reportqa.settings import Settings
from ui.chat import build_chat_tab, selector_update
from ui.embed import build_embed_page
from ui.evaluation import PUBLIC_SET, build_evaluation_tab
from ui.factcheck import build_factcheck_tab
from ui.figures import build_figures_tab
from ui.figures import on_load as figures_on_load
from ui.holder import EngineHolder
from ui.i18n import Translator, t
from ui.lockdown import blocked_paths, request_guard
from ui.origins import origin_guard
from ui.render import esc, render_chat
from ui.retrieval_test import build_retrieval_test_tab
from ui.staff import staff_credentials

CSS = (Path(__file__).parent / "style.css").read_text(encoding="utf-8")


def header(lang: str, reports: int = 1) -> str:
    """The page title: the bundled report's name, or a general one when several reports are loaded."""
    title = t("title" if reports <= 1 else "title_many", lang)
    return f"<h1>{esc(title)}</h1><p>{esc(t('subtitle', lang))}</p>"


def build_app(
    holder: EngineHolder,
    settings: Settings,
    store: FeedbackStore | None = None,
    staff: tuple[str, str] | None | bool = False,
    public_set: Path = PUBLIC_SET,
    conversations: ConversationLog | None | bool = False,
) -> gr.Blocks:
    """The whole page; `staff` is (user, password), None for off, or False to read the environment;
    `conversations` is a log, None for none, or False for the one the settings ask for. Staff corrections are
    the engine's own store (build_engine(..., corrections=...)), when it has one."""
    from ui.staff_tab import build_staff_tab

    store = store or FeedbackStore(settings.data_dir / "feedback.sqlite3")
    runs = RunStore(settings.runs_path, settings.eval_runs_kept)
    if conversations is False:
        conversations = open_log(
            settings.conversations_path, settings.conversation_log, settings.conversation_retention_days
        )
    matcher = getattr(holder.engine, "corrections", None)
    corrections: CorrectionStore | None = matcher.store if matcher is not None else None
    credentials = staff_credentials() if staff is False else staff
    tr = Translator()
    # Anyone may post to Gradio's upload route, so uploaded files are swept out of its cache every half hour.
    with gr.Blocks(title=t("title"), analytics_enabled=False, delete_cache=(1800, 3600)) as app:
        lang = gr.State("zh")
        with gr.Row(elem_id="rq-top"):
            title = gr.HTML(
                header("zh", len(holder.engine.documents)), elem_id="rq-header", scale=1, min_width=260
            )
            toggle = gr.Radio(
                [("中文", "zh"), ("English", "en")],
                value="zh",
                show_label=False,
                container=False,
                elem_id="rq-lang",
                scale=0,
                min_width=210,
            )
        with gr.Tabs(elem_id="rq-tabs", overflow_behavior="wrap"):
            with tr.add(gr.Tab(t("tab_chat"), id="chat", elem_id="rq-tab-chat"), label="tab_chat"):
                chat = build_chat_tab(holder, store, tr, lang, conversations or None)
            with tr.add(gr.Tab(t("tab_check"), id="check", elem_id="rq-tab-check"), label="tab_check"):
                build_factcheck_tab(holder, tr, lang)
            with tr.add(gr.Tab(t("tab_eval"), id="eval", elem_id="rq-tab-eval"), label="tab_eval"):
                build_evaluation_tab(holder, runs, tr, lang, public_set)
            with tr.add(
                gr.Tab(t("tab_figures"), id="figures", elem_id="rq-tab-figures"), label="tab_figures"
            ):
                figures = build_figures_tab(holder, tr, lang)
            with tr.add(gr.Tab(t("tab_rt"), id="retrieval", elem_id="rq-tab-rt"), label="tab_rt"):
                build_retrieval_test_tab(holder, tr, lang)
            with tr.add(gr.Tab(t("tab_staff"), id="staff", elem_id="rq-tab-staff"), label="tab_staff"):
                build_staff_tab(holder, store, credentials, tr, lang, corrections, conversations or None)

        def relabel(lg, turns, query, kind, region):
            from ui.figures import current_frame

            table = current_frame(holder, query, kind, region, lg)
            reports = len(holder.engine.documents)
            return [lg, header(lg, reports), render_chat(turns, lg), table, *tr.updates(lg)]

        def on_load():
            return selector_update(holder), *figures_on_load(holder)

        app.load(
            on_load,
            None,
            [chat["report_pick"], figures["region"], figures["table"]],
            api_visibility="private",
            show_progress="hidden",
        )
        toggle.change(
            relabel,
            [toggle, chat["turns"], figures["query"], figures["kind"], figures["region"]],
            [lang, title, chat["chat"], figures["table"], *tr.components],
            api_visibility="private",
        )
    build_embed_page(app, holder, store, conversations or None)
    return app


def launch_options(settings: Settings) -> dict:
    """Keyword arguments of Blocks.launch: local only, no share link, SSR, telemetry or run history; files locked down."""
    return {
        "server_name": settings.server_host,
        "server_port": settings.server_port,
        "share": False,
        "ssr_mode": False,
        "enable_monitoring": False,
        "run_history": False,
        "mcp_server": False,
        "pwa": False,
        "max_file_size": f"{settings.max_upload_mb}mb",
        "allowed_paths": [],
        "blocked_paths": blocked_paths(settings),
        "app_kwargs": {"middleware": [origin_guard(settings), request_guard(settings)]},
        "css": CSS,
        "footer_links": ["api"],
        "show_error": False,  # unexpected errors stay in the server log; our own messages are gr.Error/HTML
    }


def queue_options(settings: Settings) -> dict:
    """Keyword arguments of Blocks.queue: a bounded queue and a limit on work done at once."""
    return {"max_size": settings.queue_size, "default_concurrency_limit": settings.concurrency_limit}


QUEUE_POLL_S = 0.005


def warm_up_gradio() -> None:
    """Gradio runs every event inside a matplotlib backend switch, which imports matplotlib on the first
    event when it is installed (0.7 s); do it before serving rather than in the first citizen's question."""
    try:
        import matplotlib
    except ImportError:
        return
    matplotlib.get_backend()


def tune_queue(app: gr.Blocks) -> gr.Blocks:
    """Gradio's queue loop polls every 1 ms while it is empty or all its workers are busy: about 8% of a core
    when idle, and under load a wake-up per millisecond that takes the interpreter lock from the workers
    answering questions. Every 5 ms costs at most 5 ms before a question starts (docs/benchmarks.md).
    Gradio offers no setting for it, so a Gradio without the attribute fails loudly here, not silently."""
    queue = app._queue
    if not hasattr(queue, "sleep_when_free"):
        raise RuntimeError("This Gradio's queue has no sleep_when_free: check ui.app.tune_queue against it.")
    queue.sleep_when_free = max(queue.sleep_when_free, QUEUE_POLL_S)
    return app
