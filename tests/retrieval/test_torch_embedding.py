"""The torch encoder embedder on a tiny seeded BERT: mean pooling over real tokens, batches that change nothing."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from retrieval.embedding import Embedder  # noqa: E402
from retrieval.torch_embedding import MAX_TOKENS, TorchEncoderEmbedder  # noqa: E402

CHARACTERS = "建成人才公寓套累计造林万亩新增城镇就业passgequryHowmanyt:0123456789。.? "


def tiny_embedder(batch_size: int = 4) -> TorchEncoderEmbedder:
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import BertConfig, BertModel

    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3} | {
        ch: i + 4 for i, ch in enumerate(dict.fromkeys(CHARACTERS))
    }
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Split("", "isolated")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)]
    )
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=MAX_TOKENS,
        pad_token_id=1,
    )
    encoder = BertModel(config, add_pooling_layer=False).eval()
    return TorchEncoderEmbedder(encoder, tokenizer, "tiny", batch_size=batch_size)


TEXTS = ["建成人才公寓2000套。", "累计造林52.8万亩。新增城镇就业8万人。", "How many?", "建成", "新增城镇就业"]


def test_vectors_are_the_mean_of_the_token_states_normalised() -> None:
    embedder = tiny_embedder()
    assert isinstance(embedder, Embedder)
    ids = embedder.tokenizer.encode("passage: " + TEXTS[1]).ids
    with torch.inference_mode():
        hidden = embedder.encoder(input_ids=torch.tensor([ids])).last_hidden_state[0]
    expected = hidden.mean(0).numpy()
    got = embedder.embed_passages([TEXTS[1]])[0]
    np.testing.assert_allclose(got, expected / np.linalg.norm(expected), atol=1e-5)


def test_batching_and_padding_change_no_vector() -> None:
    together = tiny_embedder(batch_size=4).embed_passages(TEXTS)
    alone = np.vstack([tiny_embedder(batch_size=1).embed_passages([t]) for t in TEXTS])
    assert together.shape == (len(TEXTS), 16) and together.dtype == np.float32
    np.testing.assert_allclose(together, alone, atol=1e-5)  # sorted by length inside, returned in input order
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, rtol=1e-5)


def test_query_and_passage_prefixes_differ_and_empty_input_is_fine() -> None:
    embedder = tiny_embedder()
    assert not np.allclose(embedder.embed_query(TEXTS[0]), embedder.embed_passages([TEXTS[0]])[0])
    assert embedder.embed_passages([]).shape == (0, 16)


def test_a_text_longer_than_the_encoder_is_cut_not_refused() -> None:
    embedder = tiny_embedder()
    long = "建成人才公寓" * 200  # 1,200 tokens
    vector = embedder.embed_query(long)
    assert vector.shape == (16,) and np.isfinite(vector).all()
    assert len(embedder._ids([long])[0]) == MAX_TOKENS
