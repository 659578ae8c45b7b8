"""Larger corpora made from the bundled report by a documented, deterministic transformation.

Copy i (i = 0, 1, …) of the report becomes the report of another city and an earlier year:
- city: CITIES[i % 17]; "商丘市" → that city, "商丘" → its name without "市";
- year: 2022 - i // 17; every four-digit year 1990–2049 followed by 年, a dash or a line end is shifted by the same amount;
- every other Arabic figure is changed: an integer n becomes n + 1 + (i + k) % 9 and a decimal gets its last
  digit raised by 1 + (i + k) % 3 (k = the figure's position in the text), so no copy repeats a figure of the
  original and the 2023 Shangqiu answers stay unique;
- file name `<pinyin>-<year>-government-work-report.txt`, with a manifest entry (title, city, year, source).
The original report stays in every corpus, so N× = the original + N-1 copies. No copy is of year 2023 or later.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

CITIES = (
    ("开封市", "kaifeng"),
    ("洛阳市", "luoyang"),
    ("平顶山市", "pingdingshan"),
    ("安阳市", "anyang"),
    ("鹤壁市", "hebi"),
    ("新乡市", "xinxiang"),
    ("焦作市", "jiaozuo"),
    ("濮阳市", "puyang"),
    ("许昌市", "xuchang"),
    ("漯河市", "luohe"),
    ("三门峡市", "sanmenxia"),
    ("南阳市", "nanyang"),
    ("信阳市", "xinyang"),
    ("周口市", "zhoukou"),
    ("驻马店市", "zhumadian"),
    ("济源市", "jiyuan"),
    ("郑州市", "zhengzhou"),
)
_YEAR = re.compile(r"(?<![\d.])(199\d|20[0-4]\d)(?=\s*(?:年|—|-|～|~|$))", re.M)
_FIGURE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])")


def copy_identity(i: int) -> tuple[str, str, int]:
    """(city, pinyin, year) of copy i."""
    city, pinyin = CITIES[i % len(CITIES)]
    return city, pinyin, 2022 - i // len(CITIES)


def _alter(figure: str, i: int, k: int) -> str:
    if "." in figure:
        whole, decimals = figure.split(".")
        step = 1 + (i + k) % 3
        value = int(whole + decimals) + step
        text = str(value).rjust(len(decimals) + 1, "0")
        return f"{text[: -len(decimals)]}.{text[-len(decimals) :]}"
    return str(int(figure) + 1 + (i + k) % 9)


def transform(text: str, i: int) -> str:
    """The report as copy i: other city, earlier year, every other figure changed."""
    city, _, year = copy_identity(i)
    shift = year - 2023
    text = text.replace("商丘市", city).replace("商丘", city[:-1])
    years: dict[int, str] = {}

    def keep_year(m: re.Match) -> str:
        years[m.start()] = str(int(m.group(1)) + shift)
        return "\x00" * len(m.group(1))  # placeholder of the same length: positions stay stable

    masked = _YEAR.sub(keep_year, text)
    counter = iter(range(10**9))
    altered = _FIGURE.sub(lambda m: _alter(m.group(0), i, next(counter)), masked)
    for _, value in sorted(years.items()):
        altered = altered.replace("\x00" * 4, value, 1)
    return altered


def write_corpus(report: Path, manifest: dict, folder: Path, scale: int) -> Path:
    """A knowledge folder holding the report and `scale - 1` transformed copies, with its manifest."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copy(report, folder / report.name)
    entries = {report.name: manifest[report.name]}
    text = report.read_text(encoding="utf-8")
    for i in range(scale - 1):
        city, pinyin, year = copy_identity(i)
        name = f"{pinyin}-{year}-government-work-report.txt"
        (folder / name).write_text(transform(text, i), encoding="utf-8")
        entries[name] = {
            "title": f"{year}年{city}政府工作报告",
            "city": city,
            "year": year,
            "source": f"synthetic copy {i} of {report.name} (benchmarks/corpus.py)",
        }
    (folder / "manifest.json").write_text(
        json.dumps({"documents": entries}, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return folder
