"""The figures table: quantities with unit, clause, sentence, kind and offsets; years and slogans left out."""

from __future__ import annotations

from reportqa.figures_table import clause_around, figure_rows, parse_location
from retrieval.chunking import Chunk


def chunk(text: str, part: str, start: int = 100) -> Chunk:
    return Chunk(
        id="c",
        source="r.txt",
        text=text,
        start=start,
        end=start + len(text),
        section="节",
        paragraph=1,
        part=part,
    )


def test_targets_achievements_offsets_and_clauses():
    rows = figure_rows(
        [
            chunk("人才工作。建成人才公寓2000套，新增就业5.2万人。", "plan"),
            chunk("五年来，新增高新技术企业240家。", "review", start=300),
        ]
    )
    by_figure = {r.figure: r for r in rows}
    apartments = by_figure["2000套"]
    assert apartments.kind == "target" and apartments.unit == "套" and apartments.value == 2000
    assert apartments.clause == "建成人才公寓2000套"
    assert apartments.sentence == "建成人才公寓2000套，新增就业5.2万人。"
    assert (apartments.start, apartments.end) == (100 + 11, 100 + 16)
    assert by_figure["5.2万人"].value == 52000 and by_figure["240家"].kind == "achievement"


def test_years_bare_numbers_and_quoted_slogans_are_left_out():
    rows = figure_rows(
        [chunk("2023年是关键之年，学习党的二十大精神，坚持“四个全面”，完成12项任务。", "overall")]
    )
    assert [r.figure for r in rows] == ["12项"]


def test_location_round_trip():
    row = figure_rows([chunk("建成人才公寓2000套。", "plan")])[0]
    assert parse_location(row.location) == ("r.txt", row.start, row.end)
    assert parse_location("nonsense") is None


def test_clause_around():
    assert clause_around("甲，乙增长8%左右；丙", 5, 7) == "乙增长8%左右"


def test_the_table_lines_up_one_indicator_across_regions():
    from dataclasses import replace

    from ui.figures import figures_frame

    henan = replace(chunk("地区生产总值增长5.5%左右。", "plan"), source="henan.docx")
    shandong = replace(chunk("地区生产总值增长5%以上。", "plan"), source="shandong.docx")
    rows = figure_rows([henan, shandong])
    labels = {"henan.docx": "河南省", "shandong.docx": "山东省"}
    both = figures_frame(rows, "生产总值", "target", "zh", "all", labels)
    assert both[["地区", "数字"]].values.tolist() == [["河南省", "5.5%"], ["山东省", "5%"]]
    one = figures_frame(rows, "", "all", "en", "山东省", labels)
    assert one["region"].tolist() == ["山东省"] and one["file"].tolist() == ["shandong.docx"]
