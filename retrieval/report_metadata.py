"""Title, region and year of a report, read from its title line, first lines and file name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.regions import Region, find_province, region_named

HEAD_LINES = 6  # the title, its source, the "——2025年1月18日在河南省第十四届人民代表大会…" line, the speaker
_SENTENCE_END = "。！？；!?;"
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
_BARE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
# "2023年商丘市政府工作报告", "2025年宁夏政府工作报告", "郑州市人民政府工作报告"
_TITLE_REGION = re.compile(r"(?:(?:19|20)\d\d\s*年(?:度)?)?\s*([\u4e00-\u9fff]{2,12}?)(?:人民)?政府工作报告")
# "——2025年1月18日在河南省第十四届人民代表大会第三次会议上"
_CONGRESS = re.compile(r"在([\u4e00-\u9fff]{2,12}?)第[一二三四五六七八九十]+届\s*人民代表大会")
_CONGRESS_DATE = re.compile(r"((?:19|20)\d\d)年\d{1,2}月\d{1,2}日")
# Only a name that says it is a report is read for a region or year: an article titled "2008年夏季奥运会"
# is not the report of 2008 (the year decides which years a report answers for).
_REPORTISH = re.compile(r"报告|report", re.IGNORECASE)


@dataclass(frozen=True)
class ReportMetadata:
    title: str
    region: Region | None
    year: int | None


def _head(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()][:HEAD_LINES]


def _reportish(*names: str) -> list[str]:
    return [name for name in names if _REPORTISH.search(name)]


def guess_title(text: str, stem: str) -> str:
    """The first line when it is a report's title (short, no sentence end, says 报告), else the file name.

    Any other first line ("2023年工作安排", an article's opening) may be a section heading: the file name is safer."""
    head = _head(text)
    if head:
        line = head[0].strip(" \t*#")
        if len(line) <= 60 and _REPORTISH.search(line) and not any(ch in line for ch in _SENTENCE_END):
            return line
    return stem


def guess_region(title: str, text: str, stem: str) -> Region | None:
    """The region the title or file name names, else the people's congress the first lines name."""
    for candidate in _reportish(title, stem):
        if (m := _TITLE_REGION.search(candidate)) and (region := region_named(m.group(1))):
            return region
        if region := find_province(candidate):
            return region
    for line in _head(text):
        if (m := _CONGRESS.search(line)) and (region := region_named(m.group(1))):
            return region
    return None


def guess_year(title: str, text: str, stem: str) -> int | None:
    """The year the title or file name gives ("2025年…", "…-2023-…"), else the date of the congress session."""
    for candidate in _reportish(title, stem):
        if m := _YEAR.search(candidate) or _BARE_YEAR.search(candidate):
            return int(m.group(1))
    for line in _head(text):
        if "人民代表大会" in line and (m := _CONGRESS_DATE.search(line)):
            return int(m.group(1))
    return None


def read_metadata(text: str, stem: str) -> ReportMetadata:
    """What the document itself says it is (the manifest may override each field)."""
    title = guess_title(text, stem)
    return ReportMetadata(title, guess_region(title, text, stem), guess_year(title, text, stem))
