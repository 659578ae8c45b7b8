"""Normalisation shared by indexing, querying and scoring."""

from __future__ import annotations

from retrieval.text import has_cjk, is_english, normalize, squash, strip_invisible


def test_full_width_digits_and_traditional_characters() -> None:
    assert normalize("２０２３年生產總值預期增長多少？") == "2023年生产总值预期增长多少?"


def test_invisible_and_control_characters_are_removed() -> None:
    assert strip_invisible("人\u200b才\u202e公\ufeff寓\x07") == "人才公寓"


def test_thousands_separators_and_spaces() -> None:
    assert normalize("  投资 1,234  亿元\n") == "投资 1234 亿元"
    assert squash("投资 1,234  亿元") == "投资1234亿元"
    assert normalize("增长7.5%，8%") == "增长7.5%,8%"  # a comma before a short number is punctuation


def test_language_detection() -> None:
    assert is_english("How many talent apartments will be built?")
    assert not is_english("计划建成多少套人才公寓？")
    assert not is_english("GDP增长多少？")
    assert has_cjk("GDP增长") and not has_cjk("GDP")
