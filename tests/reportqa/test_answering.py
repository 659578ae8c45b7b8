"""Extractive answers through the real engine: cited, grounded, short; abstaining when the report is silent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reportqa.analysis import analyse
from reportqa.answering import ExtractiveAnswerer
from reportqa.evaluation import load_items, score_item
from reportqa.grounding import MARKER, check_grounding
from retrieval.text import has_cjk

ROOT = Path(__file__).resolve().parents[2]
QUESTION_SETS = {
    "public": ROOT.parent / "shared" / "eval" / "questions.jsonl",
    "dev": ROOT / "tests" / "data" / "dev_questions.jsonl",
}


def assert_well_formed(answer, report_text: str, max_citations: int = 3) -> None:
    assert len(answer.text) <= 240
    assert 1 <= len(answer.citations) <= max_citations
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for c in answer.citations:
        assert report_text[c.start : c.end] == c.text  # the passage as stored, at its exact offsets
        assert c.source == "shangqiu-2023-government-work-report.txt"
    if not answer.abstained:
        markers = {int(n) for n in MARKER.findall(answer.text)}
        assert markers and markers <= {c.n for c in answer.citations}
        first = answer.citations[0]
        assert first.highlight is not None
        s, e = first.highlight
        assert 0 <= s < e <= len(first.text)


# -- answerable questions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "figure", "evidence"),
    [
        ("计划建成多少套人才公寓？", "2000", "建成人才公寓2000套"),
        ("2023年生产总值预期增长多少？", "7.5%", "生产总值增长7.5%左右"),
        ("过去五年累计造林多少万亩？", "52.8万亩", "累计造林52.8万亩"),
        ("常住人口城镇化率提高了多少？", "7.1个百分点", "常住人口城镇化率提高7.1个百分点"),
        ("累计招引的3亿元以上项目总投资多少？", "3118.6亿元", "总投资3118.6亿元"),
        ("国家高新技术企业要达到多少家？", "240", "国家高新技术企业达到240家以上"),
        # colloquial
        ("今年打算盖多少套人才公寓啊？", "2000", "建成人才公寓2000套"),
        # traditional characters and full-width digits
        ("２０２３年生產總值預期增長多少？", "7.5%", "生产总值增长7.5%左右"),
        ("過去五年累計造林多少萬畝？", "52.8万亩", "累计造林52.8万亩"),
    ],
)
def test_answers_with_the_figure_and_cites_it(engine, report_text, question, figure, evidence) -> None:
    answer = engine.ask(question)
    assert not answer.abstained, answer.text
    assert figure in answer.text
    assert any(evidence in c.text for c in answer.citations)
    assert answer.language == "zh" and answer.mode == "extractive"
    assert answer.latency_ms > 0
    assert_well_formed(answer, report_text)
    assert check_grounding(answer.text, answer.citations).ok


def test_target_and_achievement_are_told_apart(engine) -> None:
    plan = engine.ask("今年固定资产投资计划增长多少？")
    review = engine.ask("过去五年固定资产投资年均增长多少？")
    assert "10.5%" in plan.text and "9.5%" not in plan.text.replace("10.5%", "")
    assert "9.5%" in review.text and "10.5%" not in review.text
    assert plan.text.startswith("按今年的工作安排")
    assert review.text.startswith("据本届政府工作回顾")


@pytest.mark.parametrize(
    ("question", "figure", "evidence"),
    [
        ("How many talent apartments will be built?", "2000", "建成人才公寓2000套"),
        ("What is the GDP growth target for 2023?", "7.5%", "生产总值增长7.5%左右"),
        ("How many acres were afforested in the past five years?", "52.8", "累计造林52.8万亩"),
    ],
)
def test_english_questions_get_an_english_lead_in_and_chinese_citations(
    engine, report_text, question, figure, evidence
) -> None:
    answer = engine.ask(question)
    assert not answer.abstained, answer.text
    assert answer.language == "en"
    assert answer.text.startswith("According to")
    assert figure in answer.text
    cited = [c for c in answer.citations if evidence in c.text]
    assert cited and has_cjk(cited[0].text)
    assert_well_formed(answer, report_text)
    assert check_grounding(answer.text, answer.citations).ok


def test_full_width_and_invisible_characters_in_the_question(engine) -> None:
    answer = engine.ask("计划建成\u200b多少套人才公寓\u202e？")
    assert "2000" in answer.text and not answer.abstained


def test_answer_is_cut_to_the_configured_length(engine) -> None:
    short = ExtractiveAnswerer(engine.extractive.stats, engine.extractive.scorer, max_chars=40)
    query = analyse(
        "今年经济社会发展的主要预期目标有哪些？", "今年经济社会发展的主要预期目标有哪些？", [2023]
    )
    answer = short.generate(query, engine.search(query))
    assert len(answer.text) <= 40
    assert check_grounding(answer.text, answer.citations).ok


def test_no_passages_means_abstaining(engine) -> None:
    query = analyse("计划建成多少套人才公寓？", "计划建成多少套人才公寓？")
    answer = engine.extractive.generate(query, [])
    assert answer.abstained and answer.citations == ()


# -- abstention ----------------------------------------------------------------------------------------------

UNANSWERABLE = [
    "商丘的地铁几号线开通了？",
    "人才公寓每月租金多少钱？",
    "商丘市委书记是谁？",
    "2025年生产总值目标是多少？",
    "商丘的平均工资是多少？",
    "2023年粮食产量目标是多少？",
    "市长的电话号码是多少？",
    "商丘的房价是多少？",
]
UNANSWERABLE_EN = [
    "What is the unemployment rate in Shangqiu?",
    "How many subway lines does Shangqiu have?",
    "Who is the mayor of Shangqiu?",
    "What was the GDP growth target for 2024?",
]


def assert_abstains_with_nearest_passages(answer, report_text: str) -> None:
    assert answer.abstained, answer.text
    assert answer.citations, "the nearest passages are offered"
    assert_well_formed(answer, report_text)
    assert not MARKER.search(answer.text)
    assert not re.search(r"\d", answer.text.replace(answer.question, ""))  # no figure in an abstention


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_abstains_in_chinese_when_the_report_is_silent(engine, report_text, question: str) -> None:
    answer = engine.ask(question)
    assert answer.text.startswith("报告中没有找到")
    assert_abstains_with_nearest_passages(answer, report_text)


@pytest.mark.parametrize("question", UNANSWERABLE_EN)
def test_abstains_in_english_when_the_report_is_silent(engine, report_text, question: str) -> None:
    answer = engine.ask(question)
    assert answer.text.startswith("The report does not say")
    assert answer.language == "en"
    assert_abstains_with_nearest_passages(answer, report_text)


def test_abstention_names_the_missing_topic(engine) -> None:
    assert "地铁" in engine.ask("商丘的地铁几号线开通了？").text


# English questions whose words the glossary does not know must abstain, not fall back on e5 similarity alone
# (which any text reaches: 'hello' used to be answered "According to the report: 2023。[1]").
OFF_TOPIC = [
    "hello",
    "What is the colour of the sky on Mars?",
    "Who won the football match yesterday?",
    "How many people live in Shangqiu?",
    "<img src=x onerror=alert(1)>",
    "商丘常住人口有多少？",
    "商丘有多少所大学？",
]


@pytest.mark.parametrize(
    "question",
    [
        *OFF_TOPIC,
        # the nouns are in the report but not the asked quantity, and another figure sits next to them
        "What is the population of Shangqiu?",  # 常住人口城镇化率提高7.1个百分点 is a rate, not the population
        "What is the area of Shangqiu?",
        "商丘的面积有多大？",  # 城市建成区绿化总面积 is the greening's area
        "人才公寓在哪里建？",  # a place was asked; 实施人才强市战略 names none
    ],
)
def test_abstains_on_questions_the_report_does_not_answer(engine, report_text, question: str) -> None:
    answer = engine.ask(question)
    assert_abstains_with_nearest_passages(answer, report_text)


# -- every answer of the public and dev sets is grounded -------------------------------------------------------


@pytest.fixture(scope="module")
def answered(engine) -> list[tuple[str, dict, object]]:
    """(set name, item, Answer or Verdict) for every item of the public and the dev question sets."""
    rows = []
    for name, path in QUESTION_SETS.items():
        if not path.exists():
            continue
        for item in load_items(path):
            if "claim" in item:
                rows.append((name, item, engine.check(item["claim"])))
            else:
                rows.append((name, item, engine.ask(item["question"], item.get("history") or ())))
    if not rows:
        pytest.skip("no question sets found")
    return rows


def contract(result) -> dict:
    if hasattr(result, "verdict"):
        return {"verdict": result.verdict, "citations": [c.to_dict() for c in result.citations]}
    return {
        "answer": result.text,
        "abstained": result.abstained,
        "citations": [c.to_dict() for c in result.citations],
    }


@pytest.mark.slow  # answers all ~190 items of both sets (~1-2 min on 2 cores)
def test_every_answer_passes_the_grounding_check(answered, report_text) -> None:
    answers = [(item, a) for _, item, a in answered if "question" in item]
    assert len(answers) > 100
    failures = []
    for item, answer in answers:
        assert_well_formed(answer, report_text)
        if not answer.abstained:
            report = check_grounding(answer.text, answer.citations)
            if not report.ok:
                failures.append((item["id"], answer.text, report.problems))
    assert failures == []


@pytest.mark.slow  # answers all ~190 items of both sets (~1-2 min on 2 cores)
def test_public_set_meets_the_bar(answered) -> None:
    rows = [(item, score_item(item, contract(a))) for name, item, a in answered if name == "public"]
    if not rows:
        pytest.skip("public question set not present")
    accuracy = sum(ok for _, (ok, _) in rows) / len(rows)
    failures = [(item["id"], why) for item, (ok, why) in rows if not ok]
    assert accuracy >= 0.95, failures
    for kind in {item["kind"] for item, _ in rows}:
        scored = [ok for item, (ok, _) in rows if item["kind"] == kind]
        assert sum(scored) / len(scored) >= 0.8, (kind, failures)


@pytest.mark.slow  # answers all ~190 items of both sets (~1-2 min on 2 cores)
def test_dev_set_has_no_regression(answered) -> None:
    """Our own labelled set: a floor below the current score, so that tuning cannot silently lose ground."""
    rows = [(item, score_item(item, contract(a))) for name, item, a in answered if name == "dev"]
    accuracy = sum(ok for _, (ok, _) in rows) / len(rows)
    assert accuracy >= 0.97, [(item["id"], why) for item, (ok, why) in rows if not ok]


@pytest.mark.slow  # 0.91 when first written (lists 0.67, follow-ups 0.75); 0.99 since 2026-11-26
def test_dev_set_meets_the_bar(answered) -> None:
    rows = [(item, score_item(item, contract(a))) for name, item, a in answered if name == "dev"]
    accuracy = sum(ok for _, (ok, _) in rows) / len(rows)
    assert accuracy >= 0.95
    for kind in {item["kind"] for item, _ in rows}:
        scored = [ok for item, (ok, _) in rows if item["kind"] == kind]
        assert sum(scored) / len(scored) >= 0.8, kind


def test_clause_similarity_keeps_vectors_and_warms_within_its_limits(report_chunks) -> None:
    from reportqa.clauses import split_clauses
    from reportqa.evidence import ClauseSimilarity
    from tests.fakes.counting_embedder import CountingEmbedder

    embedder = CountingEmbedder()
    similarity = ClauseSimilarity(embedder, cache_size=50)
    clauses = list(dict.fromkeys(c.text for chunk in report_chunks for c in split_clauses(chunk.text)))
    assert similarity.warm(report_chunks, limit=10) == 10 and len(similarity.cache) == 10
    assert similarity.warm(report_chunks, limit=1000) == 40  # the cache holds 50: warming never clears it
    assert similarity.warm(report_chunks, limit=1000) == 0
    embedder.reset()
    scores = similarity("How many talent apartments?", clauses[:3])
    assert scores.shape == (3,) and embedder.embedded == []  # warm clauses are not embedded again
    similarity("How many talent apartments?", clauses[60:62])
    assert embedder.embedded == clauses[60:62]


def test_clause_similarity_uses_the_given_query_embedder(report_chunks) -> None:
    from reportqa.evidence import ClauseSimilarity
    from tests.fakes.counting_embedder import CountingEmbedder

    embedder, asked = CountingEmbedder(), []

    def cached(text: str):
        asked.append(text)
        return embedder._inner.embed_query(text)

    ClauseSimilarity(embedder, embed_query=cached)("What is the GDP target?", ["生产总值增长7.5%左右"])
    assert asked == ["What is the GDP target?"] and embedder.queries == []


def test_sibling_measures_are_listed_each_with_its_passage(engine) -> None:
    """The report names one plan per paragraph ("实施工业“发动机”计划" …); 'which three' gets all three, cited."""
    answer = engine.ask("产业倍增方面实施了哪三个计划？")
    assert not answer.abstained
    for n, name in enumerate(("发动机", "金土地", "金钥匙"), start=1):
        assert f"“{name}”计划[{n}]" in answer.text and name in answer.citations[n - 1].text
    assert check_grounding(answer.text, answer.citations).ok
    single = engine.ask("工业方面实施的是什么计划？")  # one asked: one given
    assert "发动机" in single.text and "金钥匙" not in single.text


@pytest.mark.parametrize(
    ("question", "must"),
    [
        ("做大做强开发区的总体部署包括哪几个方面？", ["扩区", "调规", "优化", "提升"]),
        ("报告提出要不断提高哪几种政治能力？", ["政治判断力", "政治领悟力", "政治执行力"]),
        ("政府坚持的工作要求是哪几句？", ["讲政治", "开新局"]),  # a list the chunker once cut in two
    ],
)
def test_list_answers(engine, question: str, must: list[str]) -> None:
    answer = engine.ask(question)
    assert all(m in answer.text for m in must), answer.text


@pytest.mark.parametrize(
    "question",
    [
        "商丘市2023年一般公共预算支出总额是多少？",  # 一般公共预算收入增长6% is income, not spending
        "商丘的总面积是多少？",  # 城市建成区绿化总面积 is the greening's
        "Who is the party secretary of Shangqiu?",  # 习近平总书记 is the General Secretary
        "商丘的人均GDP是多少？",  # 生产总值增长7.5% is GDP, never per head
        "商丘的森林覆盖率是多少？",  # 森林抚育44.5万亩 is not a coverage rate
    ],
)
def test_a_neighbouring_figure_is_not_the_answer(engine, question: str) -> None:
    assert engine.ask(question).abstained


def test_a_follow_up_about_a_thing_without_a_figure_is_not_given_its_neighbours(engine) -> None:
    """瞪羚企业 has no target in the report; 国家高新技术企业达到240家 in the same sentence is another's."""
    answer = engine.ask("那瞪羚企业呢？", ["国家高新技术企业要达到多少家？"])
    assert answer.abstained and "240" not in answer.text and "400" not in answer.text


@pytest.mark.parametrize(
    ("question", "must"),
    [
        ("省级开发区有多少个？", "11个"),  # the count stands before the asked thing: "11个省级开发区"
        ("新兴产业要打造什么？", "新增长引擎"),  # answered where the report says what it 打造
        ("人才強市戰略包括哪些引才方式？", "柔性引才"),  # 方式 only names the kind of answer
        ("和高校共建的研究院叫什么？", "产业创新发展研究院"),  # 高校: the report says 大学
        ("消费在商丘经济中起什么作用？", "强劲动力"),
        ("What are the development directions for traditional industries?", "高端化"),
        ("2023年CPI涨幅控制在多少？", "3%"),  # CPI: the report's 居民消费价格指数
        ("What is the CPI target for 2023?", "3%"),  # …涨幅控制在3%: 涨 follows the asked index
        ("What happened to the three-year action plan for state-owned enterprise reform?", "收官"),
        # the year the question compares with is in the clause after the figure it names
        ("How much did industrial added value grow compared with 2017?", "25.6%"),
        ("国家湿地公园的数量在全省排第几？", "第1位"),  # the rank is in the clause after the count
        ("商丘双拥模范城是几连冠？", "八连冠"),  # the value opens with a quote: 模范城“八连冠”
        ("社保参保人数分别是多少？", "857.1"),  # 社保: the report's 社会养老保险、医疗保险
        ("Which wetland was listed as a wetland of international importance?", "民权黄河故道湿地"),
        ("How many industrial assistance projects were implemented?", "298"),  # 产业帮扶 continues with 项目
    ],
)
def test_plan_questions(engine, question: str, must: str) -> None:
    answer = engine.ask(question)
    assert must in answer.text, answer.text


def test_english_glossary_knows_enterprises_above_designated_size(engine) -> None:
    answer = engine.ask("How many industrial enterprises above designated size are there?")
    assert "1796" in answer.text
