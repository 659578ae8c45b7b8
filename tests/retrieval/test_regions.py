"""Regions under every name: full name, short form, one-character abbreviation, English."""

from __future__ import annotations

import pytest

from retrieval.regions import PROVINCES, Region, find_province, province, region_named


def test_the_table_has_the_34_province_level_divisions_once_each() -> None:
    assert len(PROVINCES) == 34
    for field in ("name", "short", "abbreviation", "english"):
        values = [getattr(r, field) for r in PROVINCES]
        assert all(values) and len(set(values)) == 34, field


@pytest.mark.parametrize(
    ("name", "full", "short", "abbreviation", "english"),
    [
        ("河南省", "河南省", "河南", "豫", "Henan"),
        ("河南", "河南省", "河南", "豫", "Henan"),
        ("北京市", "北京市", "北京", "京", "Beijing"),
        ("宁夏", "宁夏回族自治区", "宁夏", "宁", "Ningxia"),
        ("内蒙古自治区", "内蒙古自治区", "内蒙古", "蒙", "Inner Mongolia"),
        (" 广西壮族自治区 ", "广西壮族自治区", "广西", "桂", "Guangxi"),
    ],
)
def test_a_province_is_found_under_its_full_or_short_name(
    name: str, full: str, short: str, abbreviation: str, english: str
) -> None:
    assert region_named(name) == Region(full, short, abbreviation, english)
    assert province(name) == region_named(name)


def test_names_are_listed_longest_first() -> None:
    assert region_named("河南").names == ("Henan", "河南省", "河南", "豫")


@pytest.mark.parametrize(
    ("name", "full", "short"),
    [
        ("商丘市", "商丘市", "商丘"),
        ("延边朝鲜族自治州", "延边朝鲜族自治州", "延边朝鲜族"),
        ("吉林市", "吉林市", "吉林"),
    ],
)
def test_a_city_keeps_its_name_and_drops_its_suffix_for_the_short_form(
    name: str, full: str, short: str
) -> None:
    region = region_named(name)
    assert region is not None and (region.name, region.short, region.abbreviation) == (full, short, "")
    assert province(name) is None  # 吉林市 is a city of 吉林省, not the province


def test_no_region_for_nothing_or_a_sentence() -> None:
    assert region_named("") is None
    assert region_named("这不是一个地名，而是一句话。") is None


def test_find_province_takes_the_earliest_and_longest_name() -> None:
    assert find_province("2025年宁夏政府工作报告").name == "宁夏回族自治区"
    assert find_province("河南和山东的目标").name == "河南省"
    assert find_province("黑龙江省的粮食").name == "黑龙江省"
    assert find_province("商丘市的人才公寓") is None
