"""Which report a question is about: the regions (全称, 简称, one-character abbreviation, English name) the
documents cover, found in a question (the gazetteer is retrieval/regions.py's, shared with reading documents)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from retrieval.regions import PROVINCES, region_named

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
    found = region_named(full)
    return found.short or found.name if found else full


@lru_cache(maxsize=1024)  # asked for every province on every question
def region_of(name: str) -> Region:
    """A place under every name a question may use for it (retrieval/regions.py's gazetteer)."""
    found = region_named(name)
    if found is None:
        return Region(name, ())
    aliases = tuple(dict.fromkeys(a for a in (found.short, found.english) if a and a != found.name))
    return Region(found.name, aliases, found.abbreviation)


def find_region_names(text: str, known: Iterable[str] = ()) -> list[str]:
    """Full names of the gazetteer's provinces (and of `known` places) that a text names, first mention first."""
    found: list[tuple[int, str]] = []
    for region in [*(region_of(p.name) for p in PROVINCES), *(region_of(k) for k in known)]:
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
