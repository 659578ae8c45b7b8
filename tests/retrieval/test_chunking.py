"""Structure-aware passages: exact offsets, sentence-bounded cuts, section paths, report parts, stable ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.chunking import (
    MAX_PASSAGE_CHARS,
    SECTION_SEP,
    Chunk,
    chunk_document,
    pack_sentences,
    part_of_heading,
)
from retrieval.documents import Document, read_document

SENTENCE_END = "。！？；!?;"
CLOSERS = "”’」』)）"
SOFT_BREAKS = "，、,：:"


def assert_offsets_exact(doc: Document, chunks: list[Chunk]) -> None:
    assert chunks, "a document with text must give passages"
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text, c
        assert c.text == c.text.strip(), f"passage not trimmed: {c.text!r}"
        assert c.source == doc.source
        assert len(c.text) <= MAX_PASSAGE_CHARS, len(c.text)


def sentence_bounded(text: str, c: Chunk) -> bool:
    """The passage ends at a sentence end, at the end of its line, or at a comma of an over-long sentence."""
    tail = c.text.rstrip(CLOSERS)
    if tail and tail[-1] in SENTENCE_END:
        return True
    if text[c.end : c.end + 1] in ("", "\n", "\r"):
        return True
    # Otherwise only an over-long sentence may be cut (at a comma when it has one).
    start = max(text.rfind(ch, 0, c.start) for ch in SENTENCE_END + "\n")
    stop = min((i for i in (text.find(ch, c.end) for ch in SENTENCE_END + "\n") if i >= 0), default=len(text))
    has_comma = any(ch in SOFT_BREAKS for ch in text[c.start : c.end])
    return stop - start > MAX_PASSAGE_CHARS and (c.text[-1] in SOFT_BREAKS or not has_comma)


# -- the bundled report ---------------------------------------------------------------------------------


def test_every_passage_of_the_report_has_exact_offsets(report_document, report_chunks) -> None:
    assert len(report_chunks) >= 30
    assert_offsets_exact(report_document, report_chunks)


def test_report_text_is_all_in_passages_or_section_paths(report_text, report_chunks) -> None:
    """Nothing is lost: a line that is in no passage is a heading, and then it names a section."""
    covered = bytearray(len(report_text))
    for c in report_chunks:
        covered[c.start : c.end] = b"\x01" * (c.end - c.start)
    headings = {h for c in report_chunks for h in c.section.split(SECTION_SEP)}
    pos = 0
    for line in report_text.splitlines(keepends=True):
        body = line.strip()
        if body and not any(covered[pos : pos + len(line)]):
            heading = body.strip(" -*“”")
            assert heading in headings or heading == "今后五年目标任务", f"lost line: {body!r}"
        pos += len(line)


def test_report_passages_are_cut_at_sentence_boundaries(report_text, report_chunks) -> None:
    for c in report_chunks:
        assert sentence_bounded(report_text, c), c.text


def test_report_passages_are_packed_up_to_the_limit(report_chunks) -> None:
    """Consecutive passages of one paragraph could not have been one passage (greedy packing)."""
    for a, b in zip(report_chunks, report_chunks[1:], strict=False):
        if a.paragraph == b.paragraph:
            assert b.end - a.start > MAX_PASSAGE_CHARS, (a.text, b.text)


def test_report_passages_do_not_overlap_and_are_in_order(report_chunks) -> None:
    for a, b in zip(report_chunks, report_chunks[1:], strict=False):
        assert a.end <= b.start


def chunk_with(chunks: list[Chunk], needle: str) -> Chunk:
    found = [c for c in chunks if needle in c.text]
    assert len(found) == 1, f"{needle!r} in {len(found)} passages"
    return found[0]


def test_section_path_of_a_plan_passage(report_chunks) -> None:
    c = chunk_with(report_chunks, "建成人才公寓2000套")
    assert c.section.startswith("2023年工作安排 › 聚焦创新驱动，着力培育发展动能")
    assert c.section.split(SECTION_SEP)[-1] == "集聚创新人才"  # the paragraph's lead sentence
    assert "**" not in c.section
    assert c.part == "plan"
    assert c.title == "2023年商丘市政府工作报告"
    assert c.year == 2023


@pytest.mark.parametrize(
    ("needle", "part", "section_start"),
    [
        ("累计造林52.8万亩", "review", "本届政府工作回顾 › 生态环境全面改善"),
        ("生产总值增长7.5%左右", "plan", "2023年工作安排"),
        (
            "国家高新技术企业达到240家以上",
            "plan",
            "2023年工作安排 › 聚焦创新驱动，着力培育发展动能 › 培育创新主体",
        ),
        ("固定资产投资年均增长9.5%", "review", "本届政府工作回顾 › 综合实力显著提升"),
        ("总投资3118.6亿元", "review", "本届政府工作回顾 › 改革开放纵深推进"),
        ("锚定“两个确保”", "overall", "今后五年政府工作的总体要求"),
        ("提高政治站位", "self_building", "全面加强政府自身建设 › 坚持党的领导，加强政治建设"),
    ],
)
def test_parts_and_sections_of_the_report(report_chunks, needle: str, part: str, section_start: str) -> None:
    c = chunk_with(report_chunks, needle)
    assert c.part == part
    assert c.section.startswith(section_start), c.section


def test_paragraph_numbers_follow_the_text(report_chunks) -> None:
    numbers = [c.paragraph for c in report_chunks]
    assert numbers == sorted(numbers)
    assert (
        chunk_with(report_chunks, "累计造林52.8万亩").paragraph
        > chunk_with(report_chunks, "建成人才公寓2000套").paragraph
    )


def test_ids_are_deterministic_and_unique(report_document, report_chunks) -> None:
    knowledge = Path(__file__).resolve().parents[2] / "knowledge"
    again = chunk_document(
        read_document(
            knowledge / report_document.source,
            {"title": report_document.title, "year": report_document.year, "region": report_document.region},
        )
    )
    assert [c.id for c in again] == [c.id for c in report_chunks]
    assert again == report_chunks
    assert len({c.id for c in report_chunks}) == len(report_chunks)


def test_ids_depend_on_source_and_text(report_document, report_chunks) -> None:
    renamed = Document(source="copy.txt", text=report_document.text, title=report_document.title)
    assert {c.id for c in chunk_document(renamed)}.isdisjoint({c.id for c in report_chunks})


def test_embedding_text_carries_the_section(report_chunks) -> None:
    c = chunk_with(report_chunks, "建成人才公寓2000套")
    assert c.embedding_text() == f"{c.section}\n{c.text}"


# -- synthetic documents -----------------------------------------------------------------------------------

PLAN_DOC = (
    "今后五年政府工作的总体要求\n\n坚持稳中求进工作总基调。\n\n"
    "2023年工作安排\n\n- 聚焦创新驱动，着力培育发展动能**\n"
    "集聚创新人才。实施人才强市战略，建成人才公寓2000套。新增就业1万人！\n\n"
    "本届政府工作回顾\n\n- 生态环境全面改善**\n累计造林52.8万亩；森林抚育44.5万亩。\n"
)


def synthetic(text: str, name: str = "synthetic.txt") -> Document:
    return Document(source=name, text=text, title="测试")


@pytest.mark.parametrize(
    "text",
    [
        PLAN_DOC,
        PLAN_DOC.replace("\n", "\r\n"),
        "   前导空白。\n\t缩进的段落，第二句。  \n",
        "# 2023年工作安排\n\n## 聚焦创新驱动\n\n建成人才公寓2000套。\n\n### 民生\n\n新增就业1万人。\n",
        "甲" * 450,
        "一" * 150 + "，" + "二" * 150 + "。" + "三" * 30 + "。",
        "没有句号的一行\n另一行也没有\n",
        "English text. It has sentences! Does it work? Yes; it does.\n",
    ],
    ids=[
        "report-like",
        "crlf",
        "whitespace",
        "markdown",
        "no-punctuation",
        "long-sentence",
        "no-full-stop",
        "english",
    ],
)
def test_offsets_exact_for_synthetic_documents(text: str) -> None:
    doc = synthetic(text)
    chunks = chunk_document(doc)
    assert_offsets_exact(doc, chunks)
    for c in chunks:
        assert "\r" not in c.text
        assert sentence_bounded(text, c), c.text


def test_crlf_gives_the_same_passages_as_lf() -> None:
    lf, crlf = chunk_document(synthetic(PLAN_DOC)), chunk_document(synthetic(PLAN_DOC.replace("\n", "\r\n")))
    assert [(c.text, c.section, c.part) for c in lf] == [(c.text, c.section, c.part) for c in crlf]


def test_utf8_bom_file_offsets_are_exact(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + PLAN_DOC.encode("utf-8"))
    doc = read_document(path)
    chunks = chunk_document(doc)
    assert_offsets_exact(doc, chunks)
    assert not any("\ufeff" in c.text for c in chunks)
    assert chunk_with(chunks, "2000套").part == "plan"


def test_gb18030_file_offsets_are_exact(tmp_path: Path) -> None:
    path = tmp_path / "gb.txt"
    path.write_bytes(PLAN_DOC.replace("\n", "\r\n").encode("gb18030"))
    doc = read_document(path)
    chunks = chunk_document(doc)
    assert_offsets_exact(doc, chunks)
    c = chunk_with(chunks, "2000套")
    assert c.section == "2023年工作安排 › 聚焦创新驱动，着力培育发展动能 › 集聚创新人才"


def test_synthetic_sections_and_parts() -> None:
    chunks = chunk_document(synthetic(PLAN_DOC))
    assert chunk_with(chunks, "稳中求进").part == "overall"
    talent = chunk_with(chunks, "2000套")
    assert (talent.part, talent.section) == (
        "plan",
        "2023年工作安排 › 聚焦创新驱动，着力培育发展动能 › 集聚创新人才",
    )
    forest = chunk_with(chunks, "52.8万亩")
    assert (forest.part, forest.section) == ("review", "本届政府工作回顾 › 生态环境全面改善")
    assert not any(
        c.text.startswith(("2023年工作安排", "本届政府工作回顾")) for c in chunks
    )  # headings are paths


def test_long_paragraph_without_punctuation_is_cut_hard_at_the_limit() -> None:
    text = "甲" * 450
    chunks = chunk_document(synthetic(text))
    assert [(c.start, c.end) for c in chunks] == [(0, 200), (200, 400), (400, 450)]


def test_long_sentence_is_cut_at_a_comma() -> None:
    text = "一" * 150 + "，" + "二" * 150 + "。"
    chunks = chunk_document(synthetic(text))
    assert [c.text[-1] for c in chunks] == ["，", "。"]
    assert all(len(c.text) <= MAX_PASSAGE_CHARS for c in chunks)


def test_short_sentences_are_packed_and_never_split() -> None:
    sentences = [f"第{i}句话说了一件事情，内容是{i * 7}项工作。" for i in range(1, 30)]
    text = "".join(sentences)
    spans = pack_sentences(text, 0, len(text))
    pieces = [text[s:e] for s, e in spans]
    assert "".join(pieces) == text
    assert all(len(p) <= MAX_PASSAGE_CHARS and p.endswith("。") for p in pieces)
    for a, b in zip(spans, spans[1:], strict=False):
        assert b[1] - a[0] > MAX_PASSAGE_CHARS  # greedy: the next sentence did not fit


def test_smaller_limit_is_respected(report_document) -> None:
    chunks = chunk_document(report_document, limit=80)
    assert_offsets_exact(report_document, chunks)
    assert max(len(c.text) for c in chunks) <= 80


@pytest.mark.parametrize(
    ("heading", "part"),
    [
        ("本届政府工作回顾", "review"),
        ("过去五年工作回顾", "review"),
        ("全面加强政府自身建设", "self_building"),
        ("2023年工作安排", "plan"),
        ("2024年重点工作", "plan"),
        ("今后五年政府工作的总体要求", "overall"),
        ("2025年工作总体要求和主要目标", "plan"),  # one year's targets: that year's plan
        ("聚焦创新驱动", None),
    ],
)
def test_part_of_heading(heading: str, part: str | None) -> None:
    assert part_of_heading(heading) == part


def test_markdown_headings_become_section_paths() -> None:
    text = "# 2023年工作安排\n\n## 聚焦创新驱动\n\n集聚创新人才。建成人才公寓2000套。\n\n## 民生保障\n\n新增就业1万人。\n"
    chunks = chunk_document(synthetic(text, "plan.md"))
    assert not any(c.text.startswith("#") for c in chunks), [c.text for c in chunks]
    assert "聚焦创新驱动" in chunk_with(chunks, "2000套").section
    assert "民生保障" in chunk_with(chunks, "新增就业").section


def test_an_overlong_sentence_is_not_cut_inside_a_quoted_list() -> None:
    """The comma nearest the limit sits inside “…”: the cut goes to the last comma outside the quotes."""
    sentence = (
        "在今后五年里，坚持“讲政治、重担当、作表率、开新局”的工作要求，"
        + "聚焦建设桥头堡、" * 20
        + "谱写新篇章。"
    )
    limit = sentence.index("”")  # the first window ends inside the quotes; the next one past them
    spans = pack_sentences(sentence, 0, len(sentence), limit=limit)
    assert sentence[spans[0][0] : spans[0][1]] == "在今后五年里，"
    assert sentence[spans[1][0] : spans[1][1]].startswith("坚持“讲政治、重担当、作表率、开新局”")
    assert "".join(sentence[a:b] for a, b in spans) == sentence
    quoted = "“讲政治、重担当、作表率、开新局”"
    assert "".join(quoted[a:b] for a, b in pack_sentences(quoted, 0, len(quoted), limit=8)) == quoted


def test_numbered_part_headings_of_provincial_reports_open_their_parts() -> None:
    from retrieval.documents import Document

    text = (
        "2025年河南省政府工作报告\n各位代表：\n一、2024年工作回顾\n城镇新增就业120万人。\n"
        "二、2025年工作总体要求和主要目标\n城镇新增就业110万人以上。\n三、2025年重点工作\n"
        "（一）着力扩大内需\n实施消费提振行动。\n"
    )
    chunks = chunk_document(Document("henan.docx", text, "2025年河南省政府工作报告"))
    parts = {c.text: (c.part, c.section.split(" › ")[0]) for c in chunks}
    assert parts["城镇新增就业120万人。"] == ("review", "2024年工作回顾")
    assert parts["城镇新增就业110万人以上。"] == ("plan", "2025年工作总体要求和主要目标")
    assert parts["实施消费提振行动。"][0] == "plan"
