"""The chat tab: streaming cited answers, click-to-source report view, ratings, and the `ask` API."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterator, Sequence

import gradio as gr

from reportqa.conversations import ConversationLog
from reportqa.engine import clean_question
from reportqa.feedback import FeedbackStore
from reportqa.models import QuestionError
from ui.holder import EngineHolder
from ui.i18n import Translator, t
from ui.limits import CallTimeout, call_with_limit, stream_with_limit
from ui.render import render_chat, render_notice, render_report, report_hint

log = logging.getLogger(__name__)
MAX_TURNS = 40  # turns kept in a chat: bounds the session state and the HTML re-rendered on each answer
EXAMPLES = (
    "计划建成多少套人才公寓？",
    "2023年生产总值预期增长多少？",
    "国家高新技术企业要达到多少家？",
    "过去五年新增城镇就业多少人？",
)
# Clicks on [n] markers, citation headings and 👍/👎 inside the chat HTML become one 'click' event with data.
CHAT_JS = """
element.addEventListener('click', (ev) => {
  const b = ev.target.closest('[data-kind]');
  if (!b || !element.contains(b)) return;
  ev.preventDefault();
  trigger('click', {kind: b.dataset.kind, turn: Number(b.dataset.turn), n: Number(b.dataset.n || 0),
                    rating: b.dataset.rating || ''});
});
"""
# After the report view re-renders, bring the marked span into view.
REPORT_JS = """
watch('value', () => setTimeout(() => {
  const m = element.querySelector('mark.rq-span');
  if (m) m.scrollIntoView({block: 'center'});
}, 80));
"""


def history_of(turns: list[dict]) -> list[str]:
    """Earlier user turns that got an answer, oldest first: what follow-ups are rewritten with."""
    return [turn["question"] for turn in turns if turn.get("answer") is not None]


def is_blank(text: object) -> bool:
    """Nothing visible typed: only spaces, controls, zero-width or bidi characters (or not text at all)."""
    if not isinstance(text, str):
        return True
    return len(text) < 10_000 and all(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in text)


def shown(question: str, limit: int) -> str:
    """The question as echoed in the chat: an over-long one is cut (the engine's message gives its length)."""
    return question if len(question) <= limit else f"{question[:limit]}…"


def log_turn(conversations: ConversationLog | None, answer, channel: str) -> int | None:
    """Write an answered turn to the conversation log (when there is one); a failing log never fails the chat."""
    if conversations is None or answer is None:
        return None
    try:
        return conversations.add(answer, channel)
    except Exception:
        log.exception("conversation log: the turn was not written")
        return None


def respond(
    holder: EngineHolder,
    question: str,
    turns: list[dict],
    lang: str,
    conversations: ConversationLog | None = None,
    sources: Sequence[str] = (),
) -> Iterator[tuple]:
    """Stream (chat html, turns, cleared question box) while the engine answers; the final answer is logged.
    `sources`: the report picked in the selector (none: the engine scopes by what the question names)."""
    if is_blank(question):
        gr.Warning(t("question_hint", lang))
        yield render_chat(turns, lang), turns, ""
        return
    question = question.strip()
    history = history_of(turns)
    turns = [
        *turns[-(MAX_TURNS - 1) :],
        {"question": shown(question, holder.settings.max_question_chars), "answer": None, "error": ""},
    ]
    yield render_chat(turns, lang), turns, ""
    engine, limit = holder.engine, holder.settings.event_timeout_s
    try:
        # One answer behind: the final answer is shown by the last yield, already logged, so the event ends as
        # soon as it appears (a click on 提问 while an event is pending is dropped by Gradio).
        shown_answer = None
        for answer in stream_with_limit(lambda: engine.stream(question, history, sources), limit):
            if shown_answer is not None:
                turns = [*turns[:-1], {**turns[-1], "answer": shown_answer}]
                yield render_chat(turns, lang), turns, ""
            shown_answer = answer
        turns = [*turns[:-1], {**turns[-1], "answer": shown_answer}]
        log_id = log_turn(conversations, shown_answer, "chat") if shown_answer is not None else None
        if log_id is not None:
            turns = [*turns[:-1], {**turns[-1], "log_id": log_id}]
        yield render_chat(turns, lang), turns, ""
    except Exception as exc:  # whatever goes wrong becomes a message in the chat, never a traceback
        turns = [*turns[:-1], {**turns[-1], "answer": None, "error": failure_message(exc, lang)}]
        yield render_chat(turns, lang), turns, ""


def failure_message(exc: Exception, lang: str | None) -> str:
    """The engine's own message, or a generic one (logged); both languages when `lang` is None (API callers)."""
    if isinstance(exc, QuestionError):
        return str(exc)
    if isinstance(exc, CallTimeout):
        log.warning("question timed out: %s", exc)
        key = "too_slow"
    else:
        log.error("question failed", exc_info=exc)
        key = "failed"
    return t(key, lang) if lang else f"{t(key, 'zh')} ({t(key, 'en')})"


def citation_of(turns: list[dict], turn: int, n: int):
    """The citation [n] of answer number `turn`, or None."""
    if not 0 <= turn < len(turns) or turns[turn].get("answer") is None:
        return None
    return next((c for c in turns[turn]["answer"].citations if c.n == n), None)


def show_citation(holder: EngineHolder, turns: list[dict], turn: int, n: int, lang: str) -> str:
    """The report view for a citation: the whole document, the passage marked and scrolled to."""
    c = citation_of(turns, turn, n)
    doc = holder.document(c.source) if c else None
    if doc is None:
        return report_hint(lang)
    hl = c.highlight if c.highlight else None
    return render_report(doc.text, doc.title, doc.source, (c.start, c.end), hl)


def answer_settings(holder: EngineHolder, answer) -> dict:
    """The settings that shaped an answer, stored with its feedback."""
    s = holder.settings
    return {
        "mode": answer.mode,
        "embedding_model": s.embedding_model,
        "top_k": s.top_k,
        "max_citations": s.max_citations,
        "llm_model": s.llm_model if answer.mode == "llm" else None,
    }


def rate(
    store: FeedbackStore,
    holder: EngineHolder,
    turns: list[dict],
    turn: int,
    rating: str,
    comment: str,
    lang: str,
    conversations: ConversationLog | None = None,
) -> str:
    """Store a 👍/👎 (with the optional comment) for answer number `turn`; returns the status HTML."""
    if not 0 <= turn < len(turns) or turns[turn].get("answer") is None or rating not in ("up", "down"):
        return ""
    answer = turns[turn]["answer"]
    store.add(
        rating,
        answer.question,
        answer.text,
        [c.to_dict() for c in answer.citations],
        comment or "",
        answer.standalone_question,
        answer_settings(holder, answer),
    )
    if conversations is not None and turns[turn].get("log_id"):
        conversations.rate(int(turns[turn]["log_id"]), rating)
    return render_notice(t("thanks", lang))


def on_chat_click(
    holder: EngineHolder,
    store: FeedbackStore,
    data: dict,
    turns: list[dict],
    comment: str,
    lang: str,
    conversations: ConversationLog | None = None,
) -> tuple:
    """Dispatch a click inside the chat: a citation opens the report view, a thumb stores feedback."""
    try:
        kind, turn = data.get("kind"), int(data.get("turn") or 0)
        if kind == "cite":
            return show_citation(holder, turns, turn, int(data.get("n") or 0), lang), gr.skip(), gr.skip()
        if kind == "rate":
            comment = clean_comment(comment)
            status = rate(store, holder, turns, turn, str(data.get("rating")), comment, lang, conversations)
            return gr.skip(), status, ""
    except Exception:  # a forged click payload gets a message, not a traceback
        log.exception("chat click failed: %r", data)
        return gr.skip(), render_notice(t("failed", lang), "error"), gr.skip()
    return gr.skip(), gr.skip(), gr.skip()


def clean_comment(comment: str | None, max_chars: int = 2000) -> str:
    """A feedback comment as plain, bounded text (empty when it is nothing but invisible characters)."""
    try:
        return clean_question(str(comment or "")[: 4 * max_chars], 4 * max_chars)[:max_chars]
    except QuestionError:
        return ""


def api_history(holder: EngineHolder, history) -> list[str]:
    """The caller's earlier turns: a list of strings, each cleaned and limited like a question, the last few kept."""
    if history in (None, ""):
        return []
    if not isinstance(history, list | tuple):
        raise QuestionError("history 必须是问题列表。 (history must be a list of earlier questions.)")
    keep = holder.settings.max_history_turns
    recent = list(history)[-keep:] if keep else []
    return [clean_question(h, holder.settings.max_question_chars) for h in recent if str(h or "").strip()]


def api_ask(
    holder: EngineHolder,
    question: str,
    history: list[str] | None = None,
    conversations: ConversationLog | None = None,
    report: str | None = None,
) -> tuple[str, dict]:
    """The answer text and a JSON object with the citations and the searched-for question (the turn is logged);
    `report` limits the answer to one report (a file name of the knowledge folder)."""
    try:
        turns = api_history(holder, history)
        engine = holder.engine
        sources = picked_report(holder, report)
        answer = call_with_limit(
            lambda: engine.ask(question, turns, sources), holder.settings.event_timeout_s
        )
    except Exception as exc:
        raise gr.Error(failure_message(exc, None), print_exception=False) from exc
    log_turn(conversations, answer, "api")
    data = answer.to_dict()
    return answer.text, {
        k: data[k] for k in ("citations", "standalone_question", "abstained", "mode", "notice", "verified")
    }


def report_choices(holder: EngineHolder, lang: str = "zh") -> list[tuple[str, str]]:
    """The report selector: "every report" (scoped by what the question names), then each report by title."""
    everyone = t("report_all", lang)
    return [(everyone, "")] + [(d.title or d.source, d.source) for d in holder.engine.documents]


def selector_update(holder: EngineHolder, lang: str = "zh"):
    """The report selector as the page opens: the reports loaded now, shown when there are several."""
    return gr.update(choices=report_choices(holder, lang), value="", visible=len(holder.engine.documents) > 1)


def picked_report(holder: EngineHolder, report: str | None) -> tuple[str, ...]:
    """The sources for a picked report; an unknown one is refused with the list of names."""
    if not report:
        return ()
    known = {d.source for d in holder.engine.documents}
    if report not in known:
        raise QuestionError(f"没有这份报告：{report}。 (No such report; known: {', '.join(sorted(known))})")
    return (report,)


def build_chat_tab(
    holder: EngineHolder,
    store: FeedbackStore,
    tr: Translator,
    lang: gr.State,
    conversations: ConversationLog | None = None,
    api: bool = True,
) -> dict:
    """Lay out the chat tab and wire its events (and the `ask` API unless `api` is False, for a second copy
    of the chat such as the embeddable page); returns the components the app needs."""
    turns = gr.State([])
    with gr.Row(equal_height=False, elem_classes="rq-chat-row"):
        with gr.Column(scale=3, min_width=300):
            chat = gr.HTML(
                render_chat([]), elem_id="rq-chat", js_on_load=CHAT_JS, autoscroll=True, max_height=640
            )
            several = len(holder.engine.documents) > 1
            report_pick = tr.add(
                gr.Dropdown(  # its reports arrive with the page's load event (selector_update), not in /config
                    [(t("report_all"), "")],
                    value="",
                    label=t("report_pick"),
                    elem_id="rq-report-pick",
                    visible=several,
                ),
                label="report_pick",
            )
            with gr.Row(elem_classes="rq-ask-row"):
                question = tr.add(
                    gr.Textbox(
                        label=t("question"),
                        placeholder=t("question_hint"),
                        lines=1,
                        max_lines=4,
                        scale=5,
                        min_width=180,
                        elem_id="rq-question",
                        autofocus=True,
                        max_length=holder.settings.max_question_chars,
                    ),
                    label="question",
                    placeholder="question_hint",
                )
                send = tr.add(
                    gr.Button(t("send"), variant="primary", scale=1, min_width=72, elem_id="rq-send"),
                    value="send",
                )
            examples = tr.add(
                gr.Dataset(
                    components=[question],
                    samples=[[q] for q in EXAMPLES],
                    label=t("examples"),
                    elem_id="rq-examples",
                ),
                label="examples",
            )
            with gr.Row(elem_classes="rq-ask-row"):
                comment = tr.add(
                    gr.Textbox(label=t("comment"), lines=1, scale=5, min_width=180, elem_id="rq-comment"),
                    label="comment",
                )
                clear = tr.add(
                    gr.Button(t("clear"), scale=1, min_width=72, elem_id="rq-clear"), value="clear"
                )
            status = gr.HTML("", elem_id="rq-feedback-status")
        with gr.Column(scale=2, min_width=300):
            report = gr.HTML(
                report_hint("zh"),
                elem_id="rq-report",
                js_on_load=REPORT_JS,
                max_height=640,
                label=t("report"),
            )

    def stream_answer(q, ts, lg, rp):
        try:
            sources = picked_report(holder, rp)
        except QuestionError:
            sources = ()  # the picked report was removed since the page loaded: every report
        yield from respond(holder, q, ts, lg, conversations, sources)

    ask_args = {
        "fn": stream_answer,
        "inputs": [question, turns, lang, report_pick],
        "outputs": [chat, turns, question],
        "api_visibility": "private",
        "show_progress": "hidden",
    }
    question.submit(**ask_args)
    send.click(**ask_args)
    examples.click(
        lambda sample: sample[0], examples, question, api_visibility="private", show_progress="hidden"
    ).then(**ask_args)
    clear.click(
        lambda lg: (render_chat([], lg), [], report_hint(lg), ""),
        lang,
        [chat, turns, report, status],
        api_visibility="private",
    )

    def clicked(ts, cm, lg, evt: gr.EventData):
        return on_chat_click(holder, store, dict(evt._data or {}), ts, cm, lg, conversations)

    chat.click(
        clicked,
        [turns, comment, lang],
        [report, status, comment],
        api_visibility="private",
        show_progress="hidden",
    )

    def ask_api(
        question: str, history: list[str] | None = None, report: str | None = None
    ) -> tuple[str, dict]:
        """Ask the reports a question (optionally one report, by file name); returns the answer text and
        {citations, standalone_question, ...}."""
        return api_ask(holder, question, history, conversations, report)

    if api:
        gr.api(ask_api, api_name="ask")
    return {"chat": chat, "turns": turns, "report": report, "report_pick": report_pick}
