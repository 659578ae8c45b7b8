"""Clauses of a passage and '…分别…' lists."""

from __future__ import annotations

from reportqa.clauses import resolve_respectively, split_clauses

PASSAGE = "建成县医院共17家。社会养老保险、医疗保险参保人数分别达554.2万人、857.1万人，实现应保尽保。"


def test_clauses_have_exact_offsets_and_sentences() -> None:
    clauses = split_clauses(PASSAGE)
    assert [c.text for c in clauses] == [
        "建成县医院共17家",
        "社会养老保险、医疗保险参保人数分别达554.2万人、857.1万人",
        "实现应保尽保",
    ]
    for c in clauses:
        assert PASSAGE[c.start : c.end] == c.text
        s, e = c.sentence
        assert s <= c.start < c.end <= e
    assert [c.index for c in clauses] == [0, 1, 2]
    assert clauses[1].sentence == clauses[2].sentence != clauses[0].sentence


def test_figure_lists_are_cut_between_items() -> None:
    texts = [c.text for c in split_clauses("国家高新技术企业达到240家以上、科技型中小企业达到400家以上。")]
    assert texts == ["国家高新技术企业达到240家以上", "科技型中小企业达到400家以上"]


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
