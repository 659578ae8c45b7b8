"""Every server-side render path escapes answers, passages, claims and documents: only our own tags come out."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportqa.models import Answer, Citation, Verdict
from ui.app import header
from ui.render import (
    md_escape,
    render_answer,
    render_chat,
    render_notice,
    render_report,
    render_verdicts,
)

PAYLOADS = (
    "<img src=http://127.0.0.1:9/x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<form action=http://example.com/f><input name=q></form>",
    "<style>body{background:url(http://example.com/bg)}</style>",
    '<a href="http://example.com">x</a><a href=javascript:alert(1)>y</a>',
    "<svg onload=alert(1)><iframe src=//example.com>",
    '" onmouseover="alert(1)" x="',
    "' autofocus onfocus='alert(1)",
    "![](http://example.com/x.png) [x](http://example.com)",
    "&lt;img src=x&gt; &#60;script&#62;",
    "</div></td></table><b>",
    "[1] [99] [0]",
)
OUR_TAGS = {
    "div",
    "button",
    "span",
    "ol",
    "li",
    "mark",
    "small",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "b",
    "br",
    "p",
    "h1",
}
OUR_ATTRIBUTES = {
    "class",
    "id",
    "title",
    "aria-label",
    "colspan",
    "data-kind",
    "data-turn",
    "data-n",
    "data-rating",
}
text = st.lists(st.sampled_from(PAYLOADS) | st.text(max_size=20), max_size=6).map("".join)


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def assert_only_our_markup(html: str) -> None:
    parser = Elements()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in OUR_TAGS, (tag, html)
        # No src/href/action/style/on* can appear; title and aria-label values are inert text.
        assert {name for name, _ in attrs} <= OUR_ATTRIBUTES, (tag, attrs, html)


def citation(n: int, body: str, title: str, section: str, source: str, highlight: bool) -> Citation:
    span = (0, min(5, len(body))) if highlight and body else None
    return Citation(n, body, source, section, 0, len(body), 0.5, title, span)


citations = st.lists(
    st.builds(citation, st.integers(1, 3), text, text, text, text, st.booleans()), max_size=3
)
QUICK = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


@QUICK
@given(text, text, text, text, citations, st.booleans(), st.sampled_from(["zh", "en"]))
def test_answers_and_their_passages_are_escaped(
    question, answer_text, searched, notice, cites, abstained, lang
):
    answer = Answer(question, searched, answer_text, abstained, tuple(cites), notice=notice)
    assert_only_our_markup(render_answer(answer, 0, lang))
    turns = [
        {"question": question, "answer": answer, "error": ""},
        {"question": question, "answer": None, "error": notice},
    ]
    assert_only_our_markup(render_chat(turns, lang))


@QUICK
@given(
    st.lists(
        st.builds(
            Verdict,
            text,
            st.sampled_from(["supported", "contradicted", "not_found"]),
            text,
            citations.map(tuple),
            text,
            text,
            text,
        )
        | text,
        max_size=4,
    )
)
def test_verdicts_and_claims_are_escaped(verdicts):
    assert_only_our_markup(render_verdicts(verdicts, "zh"))


@QUICK
@given(text, text, text, st.integers(0, 60), st.integers(0, 60), st.booleans())
def test_documents_in_the_report_view_are_escaped(body, title, source, start, length, highlight):
    span = (start, start + length) if length else None
    inner = (0, length // 2) if highlight and length > 1 else None
    assert_only_our_markup(render_report(body, title, source, span, inner))


@QUICK
@given(text, st.sampled_from(["info", "ok", "error", '"><img src=x>']))
def test_notices_and_the_header_are_escaped(message, kind):
    assert_only_our_markup(render_notice(message, kind))
    assert "<img" not in header("zh") + header("en")


@QUICK
@given(text)
def test_markdown_escaping_leaves_no_markup_active(value):
    escaped = md_escape(value)
    assert "<" not in escaped and "![" not in escaped and "](" not in escaped
