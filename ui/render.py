"""Answers, passages, verdicts and the report as HTML built from escaped text only (nothing user-supplied is markup)."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from reportqa.models import Answer, Citation, Verdict
from ui.i18n import t

_LEADING_NUMBER = re.compile(r"(?m)^(\s*\d+)\.")
_MARKER = re.compile(r"\[(\d+)\]")


def esc(text: object) -> str:
    """HTML-escape any value for use in element content or a quoted attribute."""
    return html.escape("" if text is None else str(text), quote=True)


def md_escape(text: str) -> str:
    """Escape for Markdown: every markdown-active character gets a backslash, so `~`, `3.`, `![]()`, `<x>` stay text."""
    text = html.escape(text or "", quote=False)  # & < > first: Markdown renderers pass raw HTML through
    text = re.sub(r"([\\`*_{}\[\]()#+\-!|~])", r"\\\1", text)
    return _LEADING_NUMBER.sub(r"\1\\.", text)


def highlighted(text: str, span: tuple[int, int] | None, cls: str = "rq-hit", mark_id: str = "") -> str:
    """Escaped text with text[span] wrapped in <mark>."""
    if not span or not (0 <= span[0] < span[1] <= len(text)):
        return esc(text)
    s, e = span
    ident = f' id="{esc(mark_id)}"' if mark_id else ""
    return f'{esc(text[:s])}<mark class="{cls}"{ident}>{esc(text[s:e])}</mark>{esc(text[e:])}'


def citation_attrs(turn: int, c: Citation) -> str:
    return f'data-kind="cite" data-turn="{turn}" data-n="{c.n}" title="{esc(c.source)} {c.start}–{c.end}"'


def answer_text(answer: Answer, turn: int) -> str:
    """The answer, escaped, with its [n] markers made clickable."""
    known = {c.n: c for c in answer.citations}

    def marker(m: re.Match) -> str:
        c = known.get(int(m.group(1)))
        return f'<button class="rq-marker" {citation_attrs(turn, c)}>[{c.n}]</button>' if c else m.group(0)

    return _MARKER.sub(marker, esc(answer.text))


def citation_card(c: Citation, turn: int, lang: str) -> str:
    """One cited passage: title › section path, then the passage with the answering sentence highlighted."""
    path = " › ".join(p for p in (c.title, c.section) if p)
    return (
        f'<li class="rq-cite"><button class="rq-cite-head" {citation_attrs(turn, c)}>'
        f'<span class="rq-n">[{c.n}]</span> {esc(path)}</button>'
        f'<div class="rq-passage">{highlighted(c.text, c.highlight)}</div></li>'
    )


def render_answer(answer: Answer, turn: int, lang: str) -> str:
    """An answer block: searched-for question, text, notice, citations and rating buttons."""
    parts = []
    if answer.standalone_question and answer.standalone_question != answer.question:
        parts.append(
            f'<div class="rq-searched">{esc(t("searched", lang, q=answer.standalone_question))}</div>'
        )
    if answer.verified:
        parts.append(f'<div class="rq-verified">✔ {esc(t("verified", lang))}</div>')
    cls = "rq-text rq-abstained" if answer.abstained else "rq-text"
    parts.append(f'<div class="{cls}">{answer_text(answer, turn)}</div>')
    if answer.notice:
        parts.append(f'<div class="rq-notice">{esc(answer.notice)}</div>')
    if answer.citations:
        cards = "".join(citation_card(c, turn, lang) for c in answer.citations)
        parts.append(
            f'<div class="rq-sources">{esc(t("sources", lang))}</div><ol class="rq-cites">{cards}</ol>'
        )
    parts.append(
        f'<div class="rq-rate"><button data-kind="rate" data-rating="up" data-turn="{turn}" '
        f'aria-label="{esc(t("helpful", lang))}">▲ {esc(t("helpful", lang))}</button>'
        f'<button data-kind="rate" data-rating="down" data-turn="{turn}" '
        f'aria-label="{esc(t("unhelpful", lang))}">▼ {esc(t("unhelpful", lang))}</button></div>'
    )
    return "".join(parts)


def render_chat(turns: Sequence[dict], lang: str = "zh") -> str:
    """The conversation; each turn is {'question', 'answer': Answer | None, 'error'}."""
    if not turns:
        return f'<div class="rq-chat"><p class="rq-empty">{esc(t("empty_chat", lang))}</p></div>'
    blocks = []
    for i, turn in enumerate(turns):
        if turn.get("error"):
            body = f'<div class="rq-error">{esc(turn["error"])}</div>'
        elif turn.get("answer") is None:
            body = f'<div class="rq-pending">{esc(t("thinking", lang))}</div>'
        else:
            body = render_answer(turn["answer"], i, lang)
        blocks.append(
            f'<div class="rq-turn" data-turn="{i}"><div class="rq-q">{esc(turn["question"])}</div>'
            f'<div class="rq-a">{body}</div></div>'
        )
    return f'<div class="rq-chat">{"".join(blocks)}</div>'


def render_report(
    text: str,
    title: str,
    source: str,
    span: tuple[int, int] | None = None,
    highlight: tuple[int, int] | None = None,
) -> str:
    """The whole document, escaped; the cited span marked (class rq-span) and the answering sentence inside it."""
    head = f'<div class="rq-report-title">{esc(title)} <small>{esc(source)}</small></div>'
    if not span or not (0 <= span[0] < span[1] <= len(text)):
        return f'<div class="rq-report">{head}<div class="rq-report-body">{esc(text)}</div></div>'
    s, e = span
    inner = highlighted(text[s:e], highlight) if highlight else esc(text[s:e])
    body = f'{esc(text[:s])}<mark class="rq-span">{inner}</mark>{esc(text[e:])}'
    return f'<div class="rq-report">{head}<div class="rq-report-body">{body}</div></div>'


def report_hint(lang: str) -> str:
    return f'<div class="rq-report"><p class="rq-empty">{esc(t("report_hint", lang))}</p></div>'


def render_verdicts(verdicts: Sequence[Verdict | str], lang: str = "zh") -> str:
    """A table of verdicts (a str item is an error message for that line)."""
    head = "".join(f"<th>{esc(t(k, lang))}</th>" for k in ("claim", "verdict", "evidence", "figures_cmp"))
    rows = []
    for v in verdicts:
        if isinstance(v, str):
            rows.append(f'<tr><td colspan="4" class="rq-error">{esc(v)}</td></tr>')
            continue
        figures = ""
        if v.claimed_figure or v.report_figure:
            figures = (
                f"{esc(t('claimed', lang))}: <b>{esc(v.claimed_figure or '—')}</b><br>"
                f"{esc(t('in_report', lang))}: <b>{esc(v.report_figure or '—')}</b>"
            )
        where = ""
        if v.citations:
            c = v.citations[0]
            where = f'<div class="rq-where">{esc(" › ".join(p for p in (c.title, c.section) if p))}</div>'
        rows.append(
            f'<tr class="rq-verdict-{esc(v.verdict)}"><td>{esc(v.claim)}</td>'
            f'<td><span class="rq-badge rq-{esc(v.verdict)}">{esc(t(v.verdict, lang))}</span>'
            f'<div class="rq-expl">{esc(v.explanation)}</div></td>'
            f"<td>{esc(v.evidence) or '—'}{where}</td><td>{figures}</td></tr>"
        )
    return f'<table class="rq-verdicts"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def render_notice(text: str, kind: str = "info") -> str:
    """A one-line escaped message."""
    return f'<div class="rq-msg rq-msg-{esc(kind)}">{esc(text)}</div>' if text else ""
