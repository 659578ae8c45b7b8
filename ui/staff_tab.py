"""The staff tab: a login (from the environment), then the knowledge and feedback panels."""

from __future__ import annotations

import logging
import math

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
from ui.login_throttle import LoginThrottle
from ui.render import render_notice
from ui.staff import check_login

log = logging.getLogger(__name__)


def client_key(request: gr.Request | None) -> str:
    """Whom a login attempt comes from: the client's address (behind a proxy, the proxy's unless it forwards it)."""
    client = getattr(request, "client", None)
    return str(getattr(client, "host", None) or "unknown")


def build_staff_tab(
    holder: EngineHolder,
    store: FeedbackStore,
    credentials: tuple[str, str] | None,
    tr: Translator,
    lang: gr.State,
    corrections: CorrectionStore | None = None,
    conversations: ConversationLog | None = None,
    throttle: LoginThrottle | None = None,
) -> None:
    """Login form; the panels appear only after a successful login (and every action re-checks it).

    The panels start empty: what they show reaches the page only through the login callback."""
    s = holder.settings
    throttle = throttle or LoginThrottle(s.login_free_attempts, s.login_backoff_s, s.login_backoff_max_s)
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
                    else {"refresh": lambda ok, lg: (), "empty": lambda: (), "outputs": []}
                )
            with tr.add(gr.Tab(t("tab_log"), elem_id="rq-tab-log"), label="tab_log"):
                logs = build_log_panel(conversations, staff_ok, tr, lang)
    if fixes["outputs"]:
        feedback["button"].click(
            fixes["refresh"], [staff_ok, lang], fixes["outputs"], api_visibility="private"
        )

    panels = [*knowledge["outputs"], *feedback["outputs"], *fixes["outputs"], *logs["outputs"]]

    def refused(message: str) -> tuple:
        return (
            False,
            render_notice(message, "error"),
            gr.update(),
            gr.update(visible=False),
            "",
            *[gr.skip()] * len(panels),
        )

    def on_login(u, p, lg, request: gr.Request):
        client = client_key(request)
        wait = throttle.wait_s(client)
        if wait > 0:  # not even checked: a locked-out client learns nothing about the password
            log.warning("staff login from %s refused: locked out for %.0f s more", client, wait)
            return refused(t("login_locked", lg, s=math.ceil(wait)))
        if not check_login(u, p, credentials):
            attempts = throttle.failed(client)
            locked = attempts.locked_until - attempts.last
            log.warning(
                "staff login failed from %s (user %r, %d in a row%s)",
                client,
                str(u or "")[:64],
                attempts.failures,
                f", locked out for {locked:.0f} s" if locked else "",
            )
            return refused(t("login_locked", lg, s=math.ceil(locked)) if locked else t("login_failed", lg))
        throttle.succeeded(client)
        log.info("staff login from %s", client)
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
    # One login checked at a time (each takes microseconds): parallel guesses cannot slip past the back-off.
    one_at_a_time = {"api_visibility": "private", "concurrency_id": "staff-login", "concurrency_limit": 1}
    login.click(on_login, [user, password, lang], outputs, **one_at_a_time)
    password.submit(on_login, [user, password, lang], outputs, **one_at_a_time)
    logout.click(  # the panels are emptied too: nothing of them stays in the page
        lambda: (
            False,
            gr.update(visible=True),
            gr.update(visible=False),
            *knowledge["empty"](),
            *feedback["empty"](),
            *fixes["empty"](),
            *logs["empty"](),
        ),
        None,
        [staff_ok, login_row, panel, *panels],
        api_visibility="private",
    )
