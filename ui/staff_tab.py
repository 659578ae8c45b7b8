"""The staff tab: a login (from the environment), then the knowledge and feedback panels."""

from __future__ import annotations

import gradio as gr

from reportqa.conversations import ConversationLog
from reportqa.corrections import CorrectionStore
from reportqa.feedback import FeedbackStore
from ui.conversations import build_log_panel
from ui.corrections import build_corrections_section
from ui.feedback import build_feedback_panel
from ui.holder import EngineHolder
from ui.i18n import Translator, t
from ui.knowledge import build_knowledge_panel
from ui.render import render_notice
from ui.staff import check_login


def build_staff_tab(
    holder: EngineHolder,
    store: FeedbackStore,
    credentials: tuple[str, str] | None,
    tr: Translator,
    lang: gr.State,
    corrections: CorrectionStore | None = None,
    conversations: ConversationLog | None = None,
) -> None:
    """Login form; the panels appear only after a successful login (and every action re-checks it)."""
    staff_ok = gr.State(False)
    if not credentials:
        tr.add(gr.Markdown(t("staff_off"), elem_id="rq-staff-off"), value="staff_off")
        return
    with gr.Row(elem_id="rq-login") as login_row:
        user = tr.add(
            gr.Textbox(label=t("staff_user"), elem_id="rq-staff-user", min_width=160), label="staff_user"
        )
        password = tr.add(
            gr.Textbox(
                label=t("staff_password"), type="password", elem_id="rq-staff-password", min_width=160
            ),
            label="staff_password",
        )
        login = tr.add(
            gr.Button(t("login"), variant="primary", elem_id="rq-login-button", min_width=80), value="login"
        )
    message = gr.HTML("", elem_id="rq-login-message")
    with gr.Column(visible=False, elem_id="rq-staff-panel") as panel:
        logout = tr.add(gr.Button(t("logout"), size="sm", elem_id="rq-logout"), value="logout")
        with gr.Tabs():
            with tr.add(gr.Tab(t("tab_kb"), elem_id="rq-tab-kb"), label="tab_kb"):
                knowledge = build_knowledge_panel(holder, staff_ok, tr, lang)
            with tr.add(gr.Tab(t("tab_fb"), elem_id="rq-tab-fb"), label="tab_fb"):
                feedback = build_feedback_panel(store, staff_ok, tr, lang)
                fixes = (
                    build_corrections_section(holder, store, corrections, staff_ok, tr, lang)
                    if corrections is not None
                    else {"refresh": lambda ok, lg: (), "outputs": []}
                )
            with tr.add(gr.Tab(t("tab_log"), elem_id="rq-tab-log"), label="tab_log"):
                logs = build_log_panel(conversations, staff_ok, tr, lang)
    if fixes["outputs"]:
        feedback["button"].click(
            fixes["refresh"], [staff_ok, lang], fixes["outputs"], api_visibility="private"
        )

    panels = [*knowledge["outputs"], *feedback["outputs"], *fixes["outputs"], *logs["outputs"]]

    def on_login(u, p, lg):
        if not check_login(u, p, credentials):
            return (
                False,
                render_notice(t("login_failed", lg), "error"),
                gr.update(),
                gr.update(visible=False),
                "",
                *[gr.skip()] * len(panels),
            )
        return (
            True,
            "",
            gr.update(visible=False),
            gr.update(visible=True),
            "",
            *knowledge["refresh"](),
            *feedback["refresh"](True, lg),
            *fixes["refresh"](True, lg),
            *logs["refresh"](True, lg),
        )

    outputs = [staff_ok, message, login_row, panel, password, *panels]
    login.click(on_login, [user, password, lang], outputs, api_visibility="private")
    password.submit(on_login, [user, password, lang], outputs, api_visibility="private")
    logout.click(
        lambda: (False, gr.update(visible=True), gr.update(visible=False)),
        None,
        [staff_ok, login_row, panel],
        api_visibility="private",
    )
