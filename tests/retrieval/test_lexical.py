"""BM25 over jieba tokens, with figures and quoted terms kept whole."""

from __future__ import annotations

from retrieval.lexical import BM25Index, tokenize


def test_figures_are_kept_as_whole_tokens() -> None:
    tokens = tokenize("建成人才公寓2000套，生产总值增长7.5%左右，累计造林52.8万亩")
    for token in ("2000套", "7.5%", "52.8万亩", "人才", "公寓"):
        assert token in tokens


def test_quoted_terms_are_kept_as_tokens() -> None:
    assert "两个确保" in tokenize("锚定“两个确保”，实施“十大战略”")
    assert "十大战略" in tokenize("锚定“两个确保”，实施“十大战略”")


def test_tokens_are_normalised() -> None:
    # full-width digits, traditional characters and case fold to what the index holds
    assert "2000套" in tokenize("建成人才公寓２０００套")
    assert "公寓" in tokenize("人才公寓")
    assert tokenize("生產總值") == tokenize("生产总值")
    assert "gdp" in tokenize("GDP")


def test_stop_words_and_punctuation_are_dropped() -> None:
    tokens = tokenize("请问计划建成多少套人才公寓？")
    assert "多少" not in tokens and "请问" not in tokens and "？" not in tokens


def test_search_ranks_the_passage_with_the_figure_first(report_chunks) -> None:
    index = BM25Index([c.embedding_text() for c in report_chunks])
    assert len(index) == len(report_chunks)
    best, score = index.search("2000套", k=3)[0]
    assert "建成人才公寓2000套" in report_chunks[best].text
    assert score > 0
    best, _ = index.search("累计造林多少万亩", k=3)[0]
    assert "累计造林52.8万亩" in report_chunks[best].text


def test_figure_token_separates_passages_sharing_words() -> None:
    index = BM25Index(["科技型中小企业达到400家以上", "国家高新技术企业达到240家以上", "企业服务日活动"])
    assert index.search("240家", k=1)[0][0] == 1
    assert index.search("400家", k=1)[0][0] == 0


def test_search_without_shared_tokens_is_empty() -> None:
    index = BM25Index(["建成人才公寓2000套", "累计造林52.8万亩"])
    assert index.search("地铁") == []
    assert BM25Index([]).search("人才") == []


def test_search_respects_k_and_orders_by_score() -> None:
    index = BM25Index([f"企业{i}" + "企业" * i for i in range(10)])
    results = index.search("企业", k=4)
    assert len(results) == 4
    scores = [s for _, s in results]
    assert scores == sorted(scores, reverse=True)
