"""Regions named in questions: full names, short names, abbreviations on their own, English names."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from reportqa.regions import RegionIndex, find_region_names, region_of, short_name


@dataclass(frozen=True)
class Doc:
    source: str
    region: str = ""
    city: str = ""


INDEX = RegionIndex.of(
    [Doc("henan.docx", region="河南省"), Doc("shandong.docx", region="山东"), Doc("sq.txt", city="商丘市")]
)


@pytest.mark.parametrize(
    ("question", "regions"),
    [
        ("河南省2025年生产总值增长目标是多少？", ["河南省"]),
        ("河南今年GDP目标多少", ["河南省"]),
        ("豫今年经济增长目标？", ["河南省"]),
        ("What is Henan's GDP growth target?", ["河南省"]),
        ("河南和山东2025年生产总值增长目标分别是多少？", ["河南省", "山东省"]),
        ("鲁、豫两省的目标", ["山东省", "河南省"]),
        ("商丘计划建成多少套人才公寓？", ["商丘市"]),
        ("内蒙古的粮食产量", ["内蒙古自治区"]),
        ("新增就业多少人？", []),  # 新 inside a word is not 新疆
        ("京津冀协同发展有什么进展", []),
        ("计划建成多少套人才公寓？", []),
        ("Shaanxi or Shanxi? Shanxi's coal output", ["陕西省", "山西省"]),
    ],
)
def test_regions_named_in_a_question(question: str, regions: list[str]) -> None:
    assert INDEX.regions_in(question) == regions


def test_sources_follow_the_documents_metadata() -> None:
    assert INDEX.sources_for(["河南省", "山东省"]) == ("henan.docx", "shandong.docx")
    assert INDEX.sources_for(["海南省"]) == ()  # named, but no report of it is loaded
    assert INDEX.regions_in("海南的目标") == ["海南省"]


def test_names_short_and_full() -> None:
    assert (
        short_name("广西壮族自治区") == "广西"
        and short_name("商丘市") == "商丘"
        and short_name("河南") == "河南"
    )
    assert region_of("河南").name == "河南省" and "Henan" in region_of("河南省").aliases
    assert region_of("商丘市").aliases == ("商丘",)
    assert find_region_names("广西壮族自治区") == ["广西壮族自治区"]
