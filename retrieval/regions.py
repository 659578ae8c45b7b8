"""Regions a report belongs to: full name, short form, one-character abbreviation and English name."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    """A province-level division (or a city) under every name a question may use for it."""

    name: str  # 全称: 河南省, 广西壮族自治区, 商丘市
    short: str = ""  # 简称 as used in running text: 河南, 广西, 商丘
    abbreviation: str = ""  # 单字简称: 豫, 桂 (ambiguous on its own: match it with care)
    english: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """Every non-empty name, longest first (the order to try them in text)."""
        found = {n for n in (self.name, self.short, self.abbreviation, self.english) if n}
        return tuple(sorted(found, key=lambda n: (-len(n), n)))


# name, short, abbreviation, English: the 34 province-level divisions.
_TABLE = """
北京市 北京 京 Beijing|天津市 天津 津 Tianjin|河北省 河北 冀 Hebei|山西省 山西 晋 Shanxi
内蒙古自治区 内蒙古 蒙 Inner_Mongolia|辽宁省 辽宁 辽 Liaoning|吉林省 吉林 吉 Jilin
黑龙江省 黑龙江 黑 Heilongjiang|上海市 上海 沪 Shanghai|江苏省 江苏 苏 Jiangsu|浙江省 浙江 浙 Zhejiang
安徽省 安徽 皖 Anhui|福建省 福建 闽 Fujian|江西省 江西 赣 Jiangxi|山东省 山东 鲁 Shandong|河南省 河南 豫 Henan
湖北省 湖北 鄂 Hubei|湖南省 湖南 湘 Hunan|广东省 广东 粤 Guangdong|广西壮族自治区 广西 桂 Guangxi
海南省 海南 琼 Hainan|重庆市 重庆 渝 Chongqing|四川省 四川 川 Sichuan|贵州省 贵州 黔 Guizhou
云南省 云南 滇 Yunnan|西藏自治区 西藏 藏 Tibet|陕西省 陕西 陕 Shaanxi|甘肃省 甘肃 甘 Gansu
青海省 青海 青 Qinghai|宁夏回族自治区 宁夏 宁 Ningxia|新疆维吾尔自治区 新疆 新 Xinjiang
香港特别行政区 香港 港 Hong_Kong|澳门特别行政区 澳门 澳 Macao|台湾省 台湾 台 Taiwan
"""
PROVINCES: tuple[Region, ...] = tuple(
    Region(name, short, abbreviation, english.replace("_", " "))
    for entry in _TABLE.replace("\n", "|").split("|")
    if entry.strip()
    for name, short, abbreviation, english in [entry.split()]
)
_BY_NAME = {n: r for r in PROVINCES for n in (r.name, r.short)}
_SUFFIXES = ("特别行政区", "自治区", "自治州", "地区", "省", "市", "州", "县", "盟", "区")
_LOCAL = re.compile(r"^[\u4e00-\u9fff]{2,12}$")


def province(name: str) -> Region | None:
    """The province-level division named by its full name or short form (河南省, 河南), else None."""
    return _BY_NAME.get(name.strip())


def region_named(name: str) -> Region | None:
    """The Region of a name as a manifest or a title gives it: a province (any form) or a city (商丘市 → 商丘)."""
    name = name.strip()
    if not name:
        return None
    if found := province(name):
        return found
    for suffix in _SUFFIXES:
        stem = name.removesuffix(suffix)
        if stem != name and len(stem) >= 2:
            return Region(name, stem)
    return Region(name) if _LOCAL.match(name) or name.isascii() else None


def find_province(text: str) -> Region | None:
    """The first province-level division whose full name or short form occurs in `text` (earliest position)."""
    best: tuple[int, int, Region] | None = None
    for region in PROVINCES:
        for name in (region.name, region.short):
            at = text.find(name)
            if at >= 0 and (best is None or (at, -len(name)) < (best[0], best[1])):
                best = (at, -len(name), region)
    return best[2] if best else None
