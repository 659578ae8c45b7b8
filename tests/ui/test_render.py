"""Everything the page shows is escaped text; markers, citations and the report view are built around it."""

from __future__ import annotations

import re

from reportqa.models import Answer, Citation, Verdict
from ui.render import esc, highlighted, md_escape, render_chat, render_report, render_verdicts

PAYLOAD = (
    "<img src=x onerror=alert(1)> <script>x()</script> ![](http://example.com/x.png) <form> "
    "5%~6%，8%~10%\n3. 第一 5. 第二"
)


def tags(html: str) -> set[str]:
    return {m.lower() for m in re.findall(r"<\s*([a-zA-Z]+)", html)}


def citation(n=1, text="建成人才公寓2000套。", highlight=(0, 11)) -> Citation:
    return Citation(
        n=n,
        text=text,
        source="r.txt",
        section="工作安排 › 人才",
        start=5,
        end=5 + len(text),
        score=0.5,
        title="报告",
        highlight=highlight,
    )


def answer(
    text="建成人才公寓2000套。[1]", citations=None, question="多少套？", standalone="多少套？"
) -> Answer:
    return Answer(
        question=question,
        standalone_question=standalone,
        text=text,
        abstained=False,
        citations=tuple(citations if citations is not None else [citation()]),
    )


def test_esc_escapes_markup_and_quotes():
    assert esc('<a href="x">') == "&lt;a href=&quot;x&quot;&gt;"
    assert esc(None) == ""


def test_md_escape_keeps_tildes_numbers_and_images_literal():
    out = md_escape(PAYLOAD)
    assert "<" not in out and "&lt;img" in out
    assert r"5%\~6%" in out and r"8%\~10%" in out
    assert r"\!\[\]\(http://example.com/x.png\)" in out
    assert re.search(r"(?m)^3\\\.", out)


def test_chat_escapes_question_answer_and_passage():
    bad = citation(text=PAYLOAD, highlight=(0, 12))
    html = render_chat(
        [{"question": PAYLOAD, "answer": answer(PAYLOAD + " [1]", [bad], PAYLOAD, PAYLOAD), "error": ""}]
    )
    assert tags(html) <= {"div", "button", "ol", "li", "span", "mark"}
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "5%~6%" in html


def test_markers_become_buttons_only_for_known_citations():
    html = render_chat([{"question": "q", "answer": answer("a [1] b [7]"), "error": ""}])
    assert 'class="rq-marker" data-kind="cite" data-turn="0" data-n="1"' in html
    assert "[7]" in html and 'data-n="7"' not in html


def test_answer_shows_standalone_question_for_follow_ups_and_highlight():
    html = render_chat(
        [
            {
                "question": "那科技型呢？",
                "answer": answer(question="那科技型呢？", standalone="科技型要多少家？"),
                "error": "",
            }
        ]
    )
    assert "已按“科技型要多少家？”检索" in html
    assert '<mark class="rq-hit">建成人才公寓2000套</mark>' in html


def test_pending_and_error_turns():
    html = render_chat(
        [
            {"question": "q", "answer": None, "error": ""},
            {"question": "<b>", "answer": None, "error": "too <long>"},
        ],
        "en",
    )
    assert "Searching the report" in html and "too &lt;long&gt;" in html and "<b>" not in html


def test_report_marks_span_and_sentence_with_escaped_text():
    text = "前言<x>。建成人才公寓2000套。后记"
    html = render_report(text, "标题", "r.txt", (6, 18), (0, 11))
    assert '<mark class="rq-span"><mark class="rq-hit">建成人才公寓2000套</mark>。</mark>' in html
    assert "前言&lt;x&gt;。" in html
    assert "rq-span" not in render_report(text, "t", "r.txt", (5, 500))


def test_highlighted_ignores_bad_spans():
    assert highlighted("<a>", (2, 1)) == "&lt;a&gt;"


def test_verdicts_table_escapes_and_shows_both_figures():
    v = Verdict(
        claim=PAYLOAD,
        verdict="contradicted",
        evidence="增长7.5%左右",
        claimed_figure="8%",
        report_figure="7.5%",
        explanation="<i>不是</i>",
        citations=(citation(),),
    )
    html = render_verdicts([v, "line <2>: error"], "zh")
    assert "与报告不符" in html and "<b>8%</b>" in html and "<b>7.5%</b>" in html
    assert "<img" not in html and "<i>" not in html and "line &lt;2&gt;" in html
