"""'…分别…' lists."""

from __future__ import annotations

from reportqa.clauses import resolve_respectively


def test_respectively_picks_the_asked_item() -> None:
    clause = "社会养老保险、医疗保险参保人数分别达554.2万人、857.1万人"
    assert resolve_respectively(clause, "医疗保险参保人数是多少") == "医疗保险参保人数达857.1万人"
    assert resolve_respectively(clause, "社会养老保险参保人数是多少") == "社会养老保险参保人数达554.2万人"
    three = "供水、供暖、供气用户分别新增21万户、13万户、15万户"
    assert resolve_respectively(three, "供暖用户新增多少") == "供暖用户新增13万户"


def test_respectively_declines_when_unsure() -> None:
    clause = "社会养老保险、医疗保险参保人数分别达554.2万人、857.1万人"
    assert resolve_respectively(clause, "参保人数是多少") is None
    assert resolve_respectively("建成人才公寓2000套", "人才公寓") is None
