"""Figures with units and magnitudes; Chinese numerals normalised (两千套 == 2000套)."""

from __future__ import annotations

import pytest

from retrieval.figures import chinese_to_number, find_figures, numbers_in


def only(text: str):
    figures = find_figures(text)
    assert len(figures) == 1, figures
    return figures[0]


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("2000套", 2000, "套"),
        ("两千套", 2000, "套"),
        ("52.8万亩", 528_000, "亩"),
        ("528000亩", 528_000, "亩"),
        ("7.1个百分点", 7.1, "个百分点"),
        ("3118.6亿元", 311_860_000_000, "元"),
        ("7.5%", 7.5, "%"),
        ("45万人", 450_000, "人"),
        ("93.6万人次", 936_000, "人次"),
        ("1873.6公里", 1873.6, "公里"),
        ("一万二千人", 12_000, "人"),
        ("二十五家", 25, "家"),
        ("十个", 10, "个"),
        ("240家以上", 240, "家"),
    ],
)
def test_find_figures_value_and_unit(text: str, value: float, unit: str) -> None:
    figure = only(text)
    assert figure.value == pytest.approx(value)
    assert figure.unit == unit


def test_chinese_and_arabic_numerals_are_the_same_quantity() -> None:
    assert only("两千套").same_quantity(only("2000套"))
    assert only("52.8万亩").same_quantity(only("528000亩"))
    assert only("3118.6亿元").same_quantity(only("31186000万元"))
    assert not only("2000套").same_quantity(only("2000家"))  # unit-aware
    assert not only("7.1个百分点").same_quantity(only("7.1%"))
    assert not only("52.8万亩").same_quantity(only("52.8亩"))


def test_comparable_needs_the_same_unit() -> None:
    assert only("240家").comparable(only("400家"))
    assert not only("240家").comparable(only("400套"))
    assert not only("2023").comparable(only("2023"))  # a bare number has no unit to compare


def test_figures_keep_their_offsets_and_written_form() -> None:
    text = "常住人口城镇化率提高7.1个百分点，供水、供暖用户分别新增21万户、13万户。"
    figures = find_figures(text)
    assert [f.text for f in figures] == ["7.1个百分点", "21万户", "13万户"]
    for f in figures:
        assert text[f.start : f.end] == f.text
    assert [f.value for f in figures] == [7.1, 210_000, 130_000]
    assert {f.unit for f in figures[1:]} == {"户"}


def test_names_are_not_counts() -> None:
    assert find_figures("打造一批新增长引擎") == []
    assert find_figures("推进一流大学建设") == []


def test_magnitude_without_unit() -> None:
    f = only("突破3000亿")
    assert (f.text, f.value, f.unit) == ("3000亿", 3e11, "")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("两千", 2000),
        ("一万二千", 12000),
        ("二十五", 25),
        ("十", 10),
        ("三百零五", 305),
        ("五亿", 5e8),
        ("零", 0),
    ],
)
def test_chinese_to_number(text: str, value: float) -> None:
    assert chinese_to_number(text) == value


@pytest.mark.parametrize("text", ["", "两千套", "abc", "2000"])
def test_chinese_to_number_refuses_non_numerals(text: str) -> None:
    assert chinese_to_number(text) is None


def test_numbers_in_finds_bare_numbers() -> None:
    assert numbers_in("生产总值增长7.5%左右，2023年，新增21万户") == ["7.5", "2023", "21"]
