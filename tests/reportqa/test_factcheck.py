"""Claim verdicts: supported, contradicted (with both figures), not_found; unit-aware, Chinese numerals."""

from __future__ import annotations

import unicodedata

import pytest

from reportqa.factcheck import claim_figures
from reportqa.models import VERDICTS


def assert_cites_evidence(verdict, evidence: str, report_text: str) -> None:
    assert evidence in verdict.evidence
    assert verdict.evidence in verdict.citations[0].text  # the deciding sentence is in the first citation
    assert verdict.citations[0].highlight is not None
    for c in verdict.citations:
        assert report_text[c.start : c.end] == c.text


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        ("2023年生产总值增长目标是7.5%", "生产总值增长7.5%左右"),
        ("计划建成人才公寓2000套", "建成人才公寓2000套"),
        ("计划建成人才公寓两千套", "建成人才公寓2000套"),  # Chinese numerals normalised
        ("过去五年累计造林52.8万亩", "累计造林52.8万亩"),
        ("过去五年累计造林528000亩", "累计造林52.8万亩"),  # unit-aware: 52.8万亩 == 528000亩
        ("常住人口城镇化率提高了7.1个百分点", "常住人口城镇化率提高7.1个百分点"),
        ("国家高新技术企业要达到240家以上", "国家高新技术企业达到240家以上"),
        ("医疗保险参保人数达857.1万人", "857.1万人"),  # an item of a '…分别…' list
    ],
)
def test_supported(engine, report_text, claim: str, evidence: str) -> None:
    verdict = engine.check(claim)
    assert verdict.verdict == "supported", verdict.explanation
    assert unicodedata.normalize("NFKC", verdict.claim) == unicodedata.normalize("NFKC", claim)
    assert verdict.claimed_figure == "" and verdict.report_figure == ""
    assert_cites_evidence(verdict, evidence, report_text)


@pytest.mark.parametrize(
    ("claim", "claimed", "reported", "evidence"),
    [
        ("2023年商丘生产总值增长目标是8%。", "8%", "7.5%", "生产总值增长7.5%左右"),
        ("计划建成人才公寓三千套", "三千套", "2000套", "建成人才公寓2000套"),
        ("过去五年累计造林62.8万亩", "62.8万亩", "52.8万亩", "累计造林52.8万亩"),
        ("国家高新技术企业要达到300家以上", "300家", "240家", "国家高新技术企业达到240家以上"),
        ("常住人口城镇化率提高了5个百分点", "5个百分点", "7.1个百分点", "常住人口城镇化率提高7.1个百分点"),
        ("医疗保险参保人数达554.2万人", "554.2万人", "857.1万人", "857.1万人"),  # the sibling's figure
    ],
)
def test_contradicted(engine, report_text, claim: str, claimed: str, reported: str, evidence: str) -> None:
    verdict = engine.check(claim)
    assert verdict.verdict == "contradicted", verdict.explanation
    assert verdict.claimed_figure == claimed
    assert verdict.report_figure == reported
    assert reported in verdict.explanation and claimed in verdict.explanation
    assert_cites_evidence(verdict, evidence, report_text)


@pytest.mark.parametrize(
    "claim",
    [
        "商丘计划开通地铁3号线",
        "商丘市委书记是张三",
        "2025年生产总值增长目标是7%",
        "今年要建成人才公寓租金每月500元",
    ],
)
def test_not_found(engine, claim: str) -> None:
    verdict = engine.check(claim)
    assert verdict.verdict == "not_found", (verdict.evidence, verdict.explanation)
    assert verdict.evidence == ""
    assert verdict.claimed_figure == "" and verdict.report_figure == ""
    assert verdict.explanation
    assert verdict.citations  # the nearest passages are still shown


def test_claim_without_figures(engine) -> None:
    supported = engine.check("商合杭高铁建成通车")
    assert supported.verdict == "supported"
    assert "商合杭高铁建成通车" in supported.evidence
    assert engine.check("商丘建成了跨海大桥").verdict == "not_found"


def test_verdict_serialises(engine) -> None:
    data = engine.check("2023年生产总值增长目标是8%").to_dict()
    assert data["verdict"] in VERDICTS
    assert set(data) >= {
        "claim",
        "verdict",
        "evidence",
        "citations",
        "claimed_figure",
        "report_figure",
        "explanation",
    }
    assert data["latency_ms"] >= 0


def test_claim_figures_ignore_years() -> None:
    assert [f.text for f in claim_figures("2023年生产总值增长目标是8%，五年来新增45万人")] == ["8%", "45万人"]
