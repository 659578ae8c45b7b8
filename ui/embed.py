"""The chat alone, at /chat: the page other sites embed in an iframe (allowed by REPORTQA_EMBED_ORIGINS)."""

from __future__ import annotations

import gradio as gr

from reportqa.conversations import ConversationLog
from reportqa.feedback import FeedbackStore
from ui.chat import build_chat_tab
from ui.holder import EngineHolder
from ui.i18n import Translator, t
from ui.origins import EMBED_PATH
from ui.render import render_chat


def build_embed_page(
    app: gr.Blocks, holder: EngineHolder, store: FeedbackStore, conversations: ConversationLog | None = None
) -> None:
    """Add the chat-only page to `app` (not in its navigation): the chat, its report view and a language toggle."""
    # A second page gives every page Gradio's navigation bar; style.css hides it (gr.Navbar(visible=False)
    # does not, in Gradio 6.31): the main page has its tabs, and the embedded chat links nowhere.
    with app.route(t("tab_chat"), f"/{EMBED_PATH}", show_in_navbar=False):
        tr = Translator()
        lang = gr.State("zh")
        toggle = gr.Radio(
            [("中文", "zh"), ("English", "en")],
            value="zh",
            show_label=False,
            container=False,
            elem_id="rq-lang",
        )
        chat = build_chat_tab(holder, store, tr, lang, conversations, api=False)
        toggle.change(
            lambda lg, turns: [lg, render_chat(turns, lg), *tr.updates(lg)],
            [toggle, chat["turns"]],
            [lang, chat["chat"], *tr.components],
            api_visibility="private",
        )
