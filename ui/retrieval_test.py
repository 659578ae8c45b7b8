"""The retrieval test tab (检索测试): why an answer was given or refused, and the `explain` API."""

from __future__ import annotations

import gradio as gr

from reportqa.explanation import ExplainedPassage, Explanation
from ui.chat import api_history, failure_message, is_blank
from ui.holder import EngineHolder
from ui.i18n import Translator, t
from ui.limits import call_with_limit
from ui.render import answer_text, esc, highlighted, render_notice

EXAMPLES = ("计划建成多少套人才公寓？", "商丘的地铁几号线开通了？")
COLUMNS = ("rt_rank", "rt_passage", "rt_fused", "rt_dense", "rt_lexical", "rt_margin", "rt_span")


def history_lines(holder: EngineHolder, text: object) -> list[str]:
    """The earlier questions typed one a line: the last few, each cleaned like a question (QuestionError if not)."""
    if not isinstance(text, str):
        return []
    keep = holder.settings.max_history_turns
    if not keep:
        return []
    text = text[-4 * holder.settings.max_question_chars * keep :]  # a flood is cut before splitting
    return api_history(holder, [line for line in text.splitlines() if line.strip()][-keep:])


def explain_question(
    holder: EngineHolder, question: str, history: str, lang: str
) -> tuple[str, Explanation | None]:
    """The explanation rendered as escaped HTML (a message when the question cannot be asked), and the object."""
    if is_blank(question):
        return render_notice(t("rt_hint", lang)), None
    engine = holder.engine
    try:
        turns = history_lines(holder, history)
        explanation = call_with_limit(
            lambda: engine.explain(question.strip(), turns), holder.settings.event_timeout_s
        )
    except Exception as exc:  # the engine's own message, or a logged generic one; never a traceback
        return render_notice(failure_message(exc, lang), "error"), None
    return render_explanation(explanation, lang), explanation


def _score(value: float, digits: int) -> str:
    return f"{value:.{digits}f}" if value else "0"


def passage_row(p: ExplainedPassage, lang: str) -> str:
    """One retrieved passage: rank, where it is, its text with the reader's span marked, every score."""
    where = " › ".join(part for part in (p.title, p.section) if part)
    span = (p.reading.start, p.reading.end) if p.reading else None
    badges = ""
    if p.chosen:
        badges += f'<span class="rq-badge rq-rt-best">{esc(t("rt_best", lang))}</span> '
    if p.cited:
        badges += f'<span class="rq-badge rq-rt-cited">[{p.cited}]</span>'
    if p.reading:
        margin = (
            f'<span title="{esc(t("rt_margin_detail", lang, s=round(p.reading.score, 2), n=round(p.reading.null_score, 2)))}">'
            f"{p.reading.margin:.2f}</span>"
        )
        reader_span = esc(p.reading.span)
    else:
        margin = reader_span = esc(t("rt_no_span" if p.read else "rt_not_read", lang))
    cells = (
        f"{p.rank}",
        f'<div class="rq-where">{esc(where)}</div><div class="rq-passage">{highlighted(p.text, span)}</div>',
        _score(p.fused, 4),
        _score(p.dense, 4),
        _score(p.lexical, 3),
        margin,
        f"{badges}<div>{reader_span}</div>",
    )
    tds = "".join(
        f'<td data-label="{esc(t(key, lang))}">{cell}</td>' for key, cell in zip(COLUMNS, cells, strict=True)
    )
    classes = "rq-rt-row" + (" rq-rt-chosen" if p.chosen else "") + ("" if p.read else " rq-rt-unread")
    return f'<tr class="{classes}">{tds}</tr>'


def render_explanation(x: Explanation, lang: str = "zh") -> str:
    """The searched question, the passages table, threshold beside the best probability, the reason, the answer."""
    parts = [f'<div class="rq-rt-searched">{esc(t("rt_searched", lang, q=x.standalone_question))}</div>']
    if x.standalone_question != x.question:
        parts.append(f'<div class="rq-searched">{esc(t("rt_asked", lang, q=x.question))}</div>')
    head = "".join(f"<th>{esc(t(key, lang))}</th>" for key in COLUMNS)
    rows = "".join(passage_row(p, lang) for p in x.passages)
    parts.append(
        f'<div class="rq-where">{esc(t("rt_reader_note", lang, n=x.reader_passages))}</div>'
        f'<table class="rq-rt-passages"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    )
    best = "—" if x.best_probability is None else f"{round(x.best_probability, 4):g}"
    threshold = "—" if x.threshold is None else f"{x.threshold:g}"
    verdict = "rt_refused" if x.answer.abstained else "rt_answered"
    parts.append(
        f'<div class="rq-rt-threshold"><span class="rq-badge rq-{"not_found" if x.answer.abstained else "supported"}">'
        f"{esc(t(verdict, lang))}</span> {esc(t('rt_threshold', lang, p=best, t=threshold))}</div>"
    )
    parts.append(f'<div class="rq-rt-reason"><b>{esc(t("rt_reason", lang))}</b> {esc(x.reason(lang))}</div>')
    cls = "rq-text rq-abstained" if x.answer.abstained else "rq-text"
    parts.append(
        f'<div class="rq-rt-answer"><b>{esc(t("rt_answer", lang))}</b>'
        f'<div class="{cls}">{answer_text(x.answer, 0)}</div></div>'
    )
    if x.answer.notice:
        parts.append(f'<div class="rq-notice">{esc(x.answer.notice)}</div>')
    return f'<div class="rq-rt">{"".join(parts)}</div>'


def build_retrieval_test_tab(holder: EngineHolder, tr: Translator, lang: gr.State) -> dict:
    """Lay out the retrieval test tab and wire its events (open to everyone: it only reads the index)."""
    question = tr.add(
        gr.Textbox(
            label=t("question"),
            placeholder=t("question_hint"),
            lines=1,
            max_lines=4,
            elem_id="rq-rt-question",
            max_length=holder.settings.max_question_chars,
        ),
        label="question",
        placeholder="question_hint",
    )
    history = tr.add(
        gr.Textbox(label=t("rt_history"), lines=2, max_lines=10, elem_id="rq-rt-history"), label="rt_history"
    )
    run = tr.add(gr.Button(t("rt_run"), variant="primary", elem_id="rq-rt-run"), value="rt_run")
    examples = tr.add(
        gr.Dataset(
            components=[question],
            samples=[[q] for q in EXAMPLES],
            label=t("examples"),
            elem_id="rq-rt-examples",
        ),
        label="examples",
    )
    result = gr.HTML(render_notice(t("rt_hint")), elem_id="rq-rt-result")
    shown = gr.State(None)  # the last explanation, re-rendered when the language toggles

    args = {
        "fn": lambda q, h, lg: explain_question(holder, q, h, lg),
        "inputs": [question, history, lang],
        "outputs": [result, shown],
        "api_visibility": "private",
    }
    run.click(**args)
    question.submit(**args)
    examples.click(lambda sample: sample[0], examples, question, api_visibility="private").then(**args)
    lang.change(
        lambda x, lg: render_explanation(x, lg) if x is not None else render_notice(t("rt_hint", lg)),
        [shown, lang],
        result,
        api_visibility="private",
        show_progress="hidden",
    )

    def explain_api(question: str, history: list[str] | None = None) -> dict:
        """Why the report's answer to a question is what it is: passages, scores, threshold, reason, answer."""
        try:
            turns = api_history(holder, history)
            engine = holder.engine
            explanation = call_with_limit(
                lambda: engine.explain(question, turns), holder.settings.event_timeout_s
            )
        except Exception as exc:
            raise gr.Error(failure_message(exc, None), print_exception=False) from exc
        return explanation.to_dict()

    gr.api(explain_api, api_name="explain")
    return {"result": result}
