"""Which report a question is about: the regions (全称, 简称, one-character abbreviation, English name) the
documents cover, found in a question. A gazetteer of China's provincial-level divisions, not a list of questions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# full name, short name, one-character abbreviation, English name(s)
PROVINCES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("北京市", "北京", "京", ("Beijing",)),
    ("天津市", "天津", "津", ("Tianjin",)),
    ("河北省", "河北", "冀", ("Hebei",)),
    ("山西省", "山西", "晋", ("Shanxi",)),
    ("内蒙古自治区", "内蒙古", "蒙", ("Inner Mongolia", "Nei Mongol")),
    ("辽宁省", "辽宁", "辽", ("Liaoning",)),
    ("吉林省", "吉林", "吉", ("Jilin",)),
    ("黑龙江省", "黑龙江", "黑", ("Heilongjiang",)),
    ("上海市", "上海", "沪", ("Shanghai",)),
    ("江苏省", "江苏", "苏", ("Jiangsu",)),
    ("浙江省", "浙江", "浙", ("Zhejiang",)),
    ("安徽省", "安徽", "皖", ("Anhui",)),
    ("福建省", "福建", "闽", ("Fujian",)),
    ("江西省", "江西", "赣", ("Jiangxi",)),
    ("山东省", "山东", "鲁", ("Shandong",)),
    ("河南省", "河南", "豫", ("Henan",)),
    ("湖北省", "湖北", "鄂", ("Hubei",)),
    ("湖南省", "湖南", "湘", ("Hunan",)),
    ("广东省", "广东", "粤", ("Guangdong",)),
    ("广西壮族自治区", "广西", "桂", ("Guangxi",)),
    ("海南省", "海南", "琼", ("Hainan",)),
    ("重庆市", "重庆", "渝", ("Chongqing",)),
    ("四川省", "四川", "川", ("Sichuan",)),
    ("贵州省", "贵州", "黔", ("Guizhou",)),
    ("云南省", "云南", "滇", ("Yunnan",)),
    ("西藏自治区", "西藏", "藏", ("Tibet", "Xizang")),
    ("陕西省", "陕西", "陕", ("Shaanxi",)),
    ("甘肃省", "甘肃", "甘", ("Gansu",)),
    ("青海省", "青海", "青", ("Qinghai",)),
    ("宁夏回族自治区", "宁夏", "宁", ("Ningxia",)),
    ("新疆维吾尔自治区", "新疆", "新", ("Xinjiang",)),
    ("香港特别行政区", "香港", "港", ("Hong Kong",)),
    ("澳门特别行政区", "澳门", "澳", ("Macau", "Macao")),
    ("台湾省", "台湾", "台", ("Taiwan",)),
)
_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "省",
    "市",
    "地区",
    "盟",
    "县",
    "区",
)
# A one-character abbreviation names a region only on its own: at the start or after a separator, and followed by
# what follows a region's name in a question (its report, a year, a possessive, a verb of planning).
_ABBREVIATION_AFTER = "(?:的|省|两|三|等|各|今年|去年|明年|20\\d\\d|政府|地区|全省|计划|预计|目标|要|将|GDP|生产总值|经济|和|与|、|，|,|？|\\?|$)"
_ABBREVIATION_BEFORE = "(?:^|[，,、和与跟及同比较对\\s])"


@dataclass(frozen=True)
class Region:
    name: str  # the full name as the documents give it (河南省, 商丘市)
    aliases: tuple[str, ...]  # other names that mean it in a question (河南, Henan)
    abbreviation: str = ""  # one character (豫), matched only on its own


def short_name(full: str) -> str:
    """河南省 → 河南, 广西壮族自治区 → 广西, 商丘市 → 商丘 (a name already short is returned as it is)."""
    for province in PROVINCES:
        if full in (province[0], province[1]):
            return province[1]
    for suffix in _SUFFIXES:
        if full.endswith(suffix) and len(full) - len(suffix) >= 2:
            return full[: -len(suffix)]
    return full


def region_of(name: str) -> Region:
    """The Region for a full or short name; a place outside the gazetteer gets its own short name as alias."""
    for full, short, abbreviation, english in PROVINCES:
        if name in (full, short):
            return Region(full, (short, *english), abbreviation)
    short = short_name(name)
    return Region(name, tuple(dict.fromkeys(a for a in (short,) if a != name)))


def find_region_names(text: str, known: Iterable[str] = ()) -> list[str]:
    """Full names of the gazetteer's provinces (and of `known` places) that a text names, first mention first."""
    found: list[tuple[int, str]] = []
    for region in [*(region_of(p[0]) for p in PROVINCES), *(region_of(k) for k in known)]:
        position = _first_mention(region, text)
        if position is not None:
            found.append((position, region.name))
    return list(dict.fromkeys(name for _, name in sorted(found)))


def _first_mention(region: Region, text: str) -> int | None:
    positions = []
    for alias in (region.name, *region.aliases):
        if alias.isascii():
            match = re.search(rf"\b{re.escape(alias)}(?:'s)?\b", text, re.IGNORECASE)
        else:
            match = re.search(re.escape(alias), text)
        if match:
            positions.append(match.start())
    if region.abbreviation and not positions:
        match = re.search(
            f"{_ABBREVIATION_BEFORE}({re.escape(region.abbreviation)}){_ABBREVIATION_AFTER}", text
        )
        if match:
            positions.append(match.start(1))
    return min(positions) if positions else None


@dataclass(frozen=True)
class RegionIndex:
    """Documents by the region they are about; built from the documents' own metadata."""

    by_region: dict[str, tuple[str, ...]]  # full region name -> document sources

    @classmethod
    def of(cls, documents: Sequence) -> RegionIndex:
        """`documents` carry `source` and a region (`region`, else `city`)."""
        table: dict[str, list[str]] = {}
        for doc in documents:
            name = getattr(doc, "region", "") or getattr(doc, "city", "")
            if name:
                table.setdefault(region_of(name).name, []).append(doc.source)
        return cls({k: tuple(v) for k, v in table.items()})

    def regions_in(self, text: str) -> list[str]:
        """The regions a text names, in order of first mention (all of them, with or without a report)."""
        return find_region_names(text, self.by_region)

    def sources_for(self, regions: Sequence[str]) -> tuple[str, ...]:
        """The documents about those regions (none for a region without a report)."""
        return tuple(s for r in regions for s in self.by_region.get(r, ()))


_JOINS = "(?:和|与|、|及|跟|同|以及|,|，|\\s+and\\s+|\\s*,\\s*)"
_BOTH = re.compile(
    r"分别|各自|两省|两地|两市|三省|三地|各省|\brespectively\b|\bboth\b|\beach\b", re.IGNORECASE
)


def focus_question(text: str, region: str, others: Sequence[str]) -> str:
    """A comparison question asked of one region: the other regions named (with the word joining them) and
    "分别 / respectively" taken out, so "河南和山东的目标分别是多少" becomes "河南的目标是多少" for 河南."""
    for other in others:
        if other == region:
            continue
        entry = region_of(other)
        for alias in sorted({entry.name, *entry.aliases}, key=len, reverse=True):
            name = rf"\b{re.escape(alias)}(?:'s)?\b" if alias.isascii() else re.escape(alias)
            flags = re.IGNORECASE if alias.isascii() else 0
            for pattern in (f"{name}{_JOINS}", f"{_JOINS}{name}", name):
                text, n = re.subn(pattern, "", text, count=1, flags=flags)
                if n:
                    break
    text = re.sub(r"\s{2,}", " ", _BOTH.sub("", text))
    return re.sub(r"\s+([?？,，.。])", r"\1", text).strip()
