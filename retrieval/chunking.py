"""Structure-aware passages: headings, '- 聚焦…' items and lead sentences → sections; sentence-bounded cuts."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from retrieval.documents import Document

MAX_PASSAGE_CHARS = 200
SECTION_SEP = " › "

# Which part of a government work report a heading opens; checked in this order.
PART_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("review", ("回顾", "过去五年", "过去一年", "本届政府")),
    ("self_building", ("自身建设",)),
    ("plan", ("工作安排", "主要任务", "重点工作")),
    ("overall", ("总体要求", "目标任务", "总体思路")),
)
PART_LABELS = {
    "overall": "今后五年总体要求",
    "plan": "年度目标与工作安排",
    "review": "过去五年工作回顾",
    "self_building": "政府自身建设",
    "other": "其他",
}

_SENTENCE_END = "。！？；!?;"
_SENTENCE = re.compile(r"[^。！？；!?;]*[。！？；!?;]+[”’」』)）]*|[^。！？；!?;]+$")
_SOFT_BREAK = re.compile(r"[，、,：:]")
_ITEM = re.compile(
    r"^\s*(?:#{1,6}\s+|[-*•·]\s+|[（(][一二三四五六七八九十\d]+[)）]\s*|[一二三四五六七八九十]+、)"
)
_HEADING_TRIM = " \t*#“”\"'「」"
_TOP_HEADING = re.compile(r"^\s*[一二三四五六七八九十]+、")


@dataclass(frozen=True)
class Chunk:
    """A passage of a document, with exact offsets into the document text."""

    id: str
    source: str
    text: str
    start: int
    end: int
    section: str
    paragraph: int
    part: str
    title: str = ""
    year: int | None = None
    region: str = ""  # the document's region, full name (河南省); the store also keeps its short form

    def embedding_text(self) -> str:
        """What the dense and lexical indexes see: the section path gives the passage its context."""
        return f"{self.section}\n{self.text}" if self.section else self.text


def part_of_heading(heading: str) -> str | None:
    """The report part a heading opens, or None for an ordinary heading."""
    for part, keywords in PART_KEYWORDS:
        if any(k in heading for k in keywords):
            # "2025年工作总体要求和主要目标": one year's requirements and targets are that year's plan; the
            # overall part is the term's outlook (今后五年…)
            return "plan" if part == "overall" and re.search(r"20\d\d年", heading) else part
    if re.search(r"20\d\d年", heading) and ("工作" in heading or "任务" in heading):
        return "plan"
    return None


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every non-blank line, trimmed of surrounding white space."""
    pos = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        stripped = body.strip()
        if stripped:
            start = pos + body.index(stripped)
            yield start, start + len(stripped)
        pos += len(raw)


def _trim(text: str, start: int, end: int, chars: str) -> tuple[int, int]:
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def _is_heading_like(line: str) -> bool:
    return len(line) <= 40 and not any(ch in line for ch in _SENTENCE_END)


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    for m in _SENTENCE.finditer(text, start, end):
        s, e = _trim(text, m.start(), m.end(), " \t")
        if e > s:
            spans.append((s, e))
    return spans


def _split_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Cut an over-long sentence at commas, not inside “quoted” names or lists when it can help it (or hard at
    the limit when it has no comma)."""
    pieces = []
    while end - start > limit:
        cut = quoted_cut = None
        for m in _SOFT_BREAK.finditer(text, start, start + limit):
            before = text[start : m.start()]
            if before.count("“") > before.count("”"):
                quoted_cut = m.end()
            else:
                cut = m.end()
        cut = cut or quoted_cut
        cut = cut if cut and cut > start else start + limit
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def pack_sentences(text: str, start: int, end: int, limit: int = MAX_PASSAGE_CHARS) -> list[tuple[int, int]]:
    """Group consecutive sentences of one paragraph into spans of at most `limit` characters."""
    units: list[tuple[int, int]] = []
    for s, e in _sentences(text, start, end):
        units.extend(_split_long(text, s, e, limit) if e - s > limit else [(s, e)])
    spans: list[tuple[int, int]] = []
    for s, e in units:
        if spans and e - spans[-1][0] <= limit:
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
    return spans


def _lead(text: str, start: int, end: int) -> str:
    """A paragraph's lead sentence ('集聚创新人才。') when it works as a short title."""
    m = re.match(r"[^。！？；，,]{2,8}。", text[start:end])
    return m.group(0)[:-1] if m and end - start > len(m.group(0)) else ""


def _chunk_id(source: str, start: int, end: int, text: str) -> str:
    return hashlib.sha1(f"{source}\x00{start}\x00{end}\x00{text}".encode()).hexdigest()[:16]


def _merged_lines(text: str) -> Iterator[tuple[int, int]]:
    """Lines, with runs of very short slogan lines ('讲政治', '重担当', …) joined into one span."""
    run: list[tuple[int, int]] = []
    for start, end in _lines(text):
        line = text[start:end]
        if (
            end - start <= 8
            and _is_heading_like(line)
            and not _ITEM.match(line)
            and not part_of_heading(line)
        ):
            run.append((start, end))
            continue
        if run:
            yield run[0][0], run[-1][1]
            run = []
        yield start, end
    if run:
        yield run[0][0], run[-1][1]


def chunk_document(doc: Document, limit: int = MAX_PASSAGE_CHARS) -> list[Chunk]:
    """Parse the document's structure and cut it into passages with exact offsets."""
    text = doc.text
    part, part_heading, sub_heading = "other", "", ""
    chunks: list[Chunk] = []
    for paragraph, (start, end) in enumerate(_merged_lines(text), start=1):
        line = text[start:end]
        top = _TOP_HEADING.match(line)  # "一、2024年工作回顾": numbered, as most reports number their parts
        if top and end - start <= 30 and (opened := part_of_heading(line[top.end() :])):
            part, part_heading, sub_heading = opened, line[top.end() :].strip(_HEADING_TRIM), ""
            continue
        item = _ITEM.match(line)
        is_item = item is not None
        is_quoted = line.startswith("“") and line.endswith("”") and len(line) <= 42
        if is_item or is_quoted:
            start, end = _trim(text, start + (item.end() if item else 0), end, _HEADING_TRIM)
            sub_heading = text[start:end]
        elif _is_heading_like(line) and (opened := part_of_heading(line)):
            part, part_heading, sub_heading = opened, line.strip(_HEADING_TRIM), ""
            continue
        if end <= start or is_item or is_quoted:
            continue  # a sub-heading is not a passage of its own: it heads its passages' section path
        lead = "" if is_item or is_quoted else _lead(text, start, end)
        path = [h for h in (part_heading, sub_heading, lead) if h]
        if is_item or is_quoted:
            path = path[:-1] if len(path) > 1 else path
        section = SECTION_SEP.join(path)
        for s, e in pack_sentences(text, start, end, limit):
            body = text[s:e]
            chunks.append(
                Chunk(
                    id=_chunk_id(doc.source, s, e, body),
                    source=doc.source,
                    text=body,
                    start=s,
                    end=e,
                    section=section,
                    paragraph=paragraph,
                    part=part,
                    title=doc.title,
                    year=doc.year,
                    region=doc.region,
                )
            )
    return chunks
