"""The reader network: a BERT encoder (multilingual-e5-small) and a start/end head; shared by training and use."""

from __future__ import annotations

import torch
from torch import nn


class SpanReader(nn.Module):
    """Start and end scores for every token; position 0 (`<s>`) scores "no answer" (SQuAD 2.0 style)."""

    def __init__(self, config: dict):
        super().__init__()
        from transformers import BertConfig, BertModel

        self.encoder = BertModel(BertConfig(**config), add_pooling_layer=False)
        self.head = nn.Linear(config["hidden_size"], 2)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        logits = self.head(hidden)
        return logits[..., 0], logits[..., 1]
