"""Title, region and year read from a report's title line, first lines and file name."""

from __future__ import annotations

import pytest

from retrieval.report_metadata import guess_region, guess_title, guess_year, read_metadata


@pytest.mark.parametrize(
    ("first_lines", "stem", "title", "region", "year"),
    [
        ("2025年河南省政府工作报告\n——2025年1月18日…", "henan", "2025年河南省政府工作报告", "河南省", 2025),
        ("2025年宁夏政府工作报告\n来源：宁夏日报", "x", "2025年宁夏政府工作报告", "宁夏回族自治区", 2025),
        ("2023年商丘市政府工作报告\n", "sq", "2023年商丘市政府工作报告", "商丘市", 2023),
        ("2024年郑州市人民政府工作报告\n", "zz", "2024年郑州市人民政府工作报告", "郑州市", 2024),
        # no title line: the file name says it, or the people's congress line does
        (
            "各位代表：\n现在我代表省人民政府报告工作。",
            "2025年山东省政府工作报告",
            "2025年山东省政府工作报告",
            "山东省",
            2025,
        ),
        (
            "政府工作报告\n——2024年1月20日在江苏省第十四届人民代表大会第二次会议上\n各位代表：",
            "jiangsu",
            "政府工作报告",
            "江苏省",
            2024,
        ),
        (
            "2023\n\n今后五年目标任务\n谱写新时代中原更加出彩的商丘绚丽篇章",
            "shangqiu-2023-government-work-report",
            "shangqiu-2023-government-work-report",
            None,
            2023,
        ),
    ],
)
def test_reports(first_lines: str, stem: str, title: str, region: str | None, year: int | None) -> None:
    found = read_metadata(first_lines + "\n正文。", stem)
    assert found.title == title
    assert (found.region.name if found.region else None) == region
    assert found.year == year


def test_a_document_that_is_not_a_report_gets_no_region_or_year_from_its_name() -> None:
    text = "2008年夏季奥运会在北京举行。\n比赛共设28个大项。"
    found = read_metadata(text, "2008年夏季奥运会")
    assert (found.title, found.region, found.year) == ("2008年夏季奥运会", None, None)


def test_a_section_heading_on_the_first_line_is_not_the_title() -> None:
    assert guess_title("2023年工作安排\n建成人才公寓2000套。", "plan") == "plan"
    assert guess_title("关于报告的说明，共三点。\n", "note") == "note"  # a sentence, not a title


def test_the_title_wins_over_the_file_name() -> None:
    assert guess_region("2025年河南省政府工作报告", "", "2024年山东省政府工作报告").name == "河南省"
    assert guess_year("2025年河南省政府工作报告", "", "2024年山东省政府工作报告") == 2025
