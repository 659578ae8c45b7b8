"""Figures (number + magnitude + unit) found in text, with Chinese numerals normalised: 两千套 → 2000 套."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = (
    "个百分点|百分点|个位次|位次|%|‰|平方公里|平方米|万千瓦|千瓦时|千瓦|千伏|公里|千米|公顷|万亩|亩|人次|万人|人|亿元|万元|元|"
    "万户|户|套|个|家|所|位|处|座|条|项|批|倍|年|次|辆|吨|张|间|名|届|台|天|小时|分钟|强|米|km|GW|MW|kW"
)
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_MAGNITUDE = {"万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2}

UNITS = _UNITS  # the unit words figures are written with, as a regex alternation
ARABIC_FIGURE = re.compile(
    rf"(?<![\d.])(?P<num>\d+(?:\.\d+)?)(?P<mag>万亿|亿|万|千)?(?P<unit>{_UNITS})?(?P<approx>以上|左右|以内|多)?"
)
CHINESE_FIGURE = re.compile(
    rf"(?P<num>[零〇一二两三四五六七八九十百千万亿]+)(?P<unit>{_UNITS}|大(?=[\u4e00-\u9fff“]))"
)
# Chinese numerals followed by these are names, not counts (一批, 两个确立 are still caught by unit 个).
_NOT_COUNTS = ("一流", "一批", "一张", "一年", "一次")


@dataclass(frozen=True)
class Figure:
    text: str  # as written
    value: float  # magnitude applied: 52.8万亩 → 528000
    unit: str  # canonical unit without magnitude: 亩, 元, %, 个百分点, '' when none
    start: int
    end: int

    def same_quantity(self, other: Figure) -> bool:
        """Equal value in the same unit (or either unit unknown)."""
        if self.unit and other.unit and self.unit != other.unit:
            return False
        return abs(self.value - other.value) <= 1e-9 * max(abs(self.value), abs(other.value), 1.0)

    def comparable(self, other: Figure) -> bool:
        """Both speak of the same kind of quantity (units agree)."""
        return bool(self.unit) and self.unit == other.unit


def chinese_to_number(text: str) -> float | None:
    """Parse Chinese numerals (两千, 一万二千, 二十五, 十) into a number; None if it is not one."""
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_SMALL and ch not in _CN_BIG for ch in text):
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        else:
            section += digit or 0
            total += (section or 1) * _CN_BIG[ch]
            section, digit = 0, None
    return float(total + section + (digit or 0))


def _canonical(mag: str, unit: str) -> tuple[float, str]:
    factor = 1.0
    for ch in mag:
        factor *= _MAGNITUDE[ch]
    if unit.startswith("万") and len(unit) > 1:
        factor, unit = factor * 1e4, unit[1:]
    elif unit.startswith("亿") and len(unit) > 1:
        factor, unit = factor * 1e8, unit[1:]
    if unit == "百分点":
        unit = "个百分点"
    if unit == "个位次":
        unit = "位次"
    if unit == "千米":
        unit = "公里"
    return factor, unit


def find_figures(text: str) -> list[Figure]:
    """Every figure in the text, left to right (Arabic and Chinese numerals with a unit)."""
    found: list[Figure] = []
    taken: set[int] = set()
    for m in ARABIC_FIGURE.finditer(text):
        factor, unit = _canonical(m.group("mag") or "", m.group("unit") or "")
        value = float(m.group("num")) * factor
        end = m.end("unit") if m.group("unit") else m.end("mag") if m.group("mag") else m.end("num")
        found.append(Figure(text[m.start() : end], value, unit, m.start(), end))
        taken.update(range(m.start(), end))
    for m in CHINESE_FIGURE.finditer(text):
        if m.start() in taken or text[m.start() : m.start() + 2] in _NOT_COUNTS:
            continue
        raw = m.group("num")
        if not re.search("[零〇一二两三四五六七八九十]", raw):
            continue  # '万元', '亿元': a magnitude alone is not a number
        mag = ""
        while raw and raw[-1] in "万亿" and len(raw) > 1 and chinese_to_number(raw[:-1]) is not None:
            mag, raw = raw[-1] + mag, raw[:-1]
        number = chinese_to_number(raw)
        if number is None:
            continue
        factor, unit = _canonical(mag, m.group("unit"))
        found.append(Figure(m.group(0), number * factor, unit, m.start(), m.end()))
    return sorted(found, key=lambda f: f.start)


def numbers_in(text: str) -> list[str]:
    """Bare Arabic numbers in the text ('2000', '7.5'): what the grounding check compares."""
    return re.findall(r"(?<![\d.])\d+(?:\.\d+)?", text)
