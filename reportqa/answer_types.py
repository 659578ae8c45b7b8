"""What kind of answer a question asks for (a share, a number of people, an amount of money, a date, a name…),
learned from reading-comprehension data (training/train_answer_types.py), and how well a span fits it.

The reader finds the most answer-like span; it does not check that a "how many people" question got a number of
people. The fit of the span's kind to the question is one of the abstention model's features."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WEIGHTS = Path(__file__).resolve().parent / "reader" / "weights" / "answer_types.npz"
KINDS = ("percent", "people", "money", "measure", "count", "date", "number", "text")
BUCKETS = 1 << 16

_PERCENT = re.compile(r"%|％|‰|百分点|百分之|成(?![功为立果员本都])")
_PEOPLE = re.compile(
    r"\d[\d.万亿千百]*\s*(?:人次|人|名|户|位)|[零〇一二两三四五六七八九十百千万亿]+(?:人次|人|名|户|位)"
)
_MONEY = re.compile(r"元|美元|港元|镑|欧元|日元|円|美金")
_MEASURE = re.compile(
    r"平方公里|平方米|平方千米|公顷|亩|公里|千米|米|厘米|毫米|吨|千克|公斤|克|千瓦|瓦|伏|升|立方|度|英尺|英里|"
    r"km|kg|m\b|ft\b|mph"
)
_DATE = re.compile(
    r"(?:\d{1,4}|[〇零一二三四五六七八九十]{2,4})\s*年(?!代?[来间内])|\d{1,2}\s*月\s*\d{0,2}|世纪|年代|朝|时期|前\d+年"
)
_COUNT = re.compile(
    r"[\d零〇一二两三四五六七八九十百千万亿]+\s*[个家项所座套辆台架艘条部种次场支只本首届批件处枚栋间颗匹头]"
)
_NUMBER = re.compile(r"\d|[零〇一二两三四五六七八九十百千万亿]{2,}")


def answer_kind(text: str) -> str:
    """The kind of an answer, from its own text (the label the model learns, and what a span is judged as)."""
    text = unicodedata.normalize("NFKC", text or "")
    if _PERCENT.search(text):
        return "percent"
    if _DATE.search(text) and not _COUNT.search(text):
        return "date"
    if _MONEY.search(text) and _NUMBER.search(text):
        return "money"
    if _PEOPLE.search(text):
        return "people"
    if _MEASURE.search(text) and _NUMBER.search(text):
        return "measure"
    if _COUNT.search(text):
        return "count"
    if _NUMBER.search(text):
        return "number"
    return "text"


def question_features(question: str) -> np.ndarray:
    """Hashed character 1-, 2- and 3-grams of the question (NFKC, lower case), without repeats."""
    text = unicodedata.normalize("NFKC", question or "").lower()
    text = re.sub(r"\s+", " ", text).strip()
    grams = {text[i : i + n] for n in (1, 2, 3) for i in range(len(text) - n + 1)}
    return np.array(sorted({zlib.crc32(g.encode("utf-8")) % BUCKETS for g in grams}), dtype=np.int64)


@dataclass(frozen=True)
class AnswerTypeModel:
    """Softmax regression over hashed question n-grams: P(kind | question)."""

    weights: np.ndarray  # (BUCKETS, len(KINDS))
    bias: np.ndarray  # (len(KINDS),)

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> AnswerTypeModel:
        """The shipped weights, refused unless their checksum is the one training recorded."""
        try:
            expected = read_meta(path)["sha256"]
        except (OSError, ValueError, KeyError) as exc:
            raise ValueError(
                f"{meta_path(path)}: missing or unreadable ({exc}); re-run training/train_answer_types.py"
            ) from exc
        if file_sha256(path) != expected:
            raise ValueError(
                f"{path}: checksum differs from {meta_path(path).name}; re-run training/train_answer_types.py"
            )
        with np.load(path) as data:
            if tuple(str(k) for k in data["kinds"]) != KINDS:
                raise ValueError(
                    f"{path}: trained on other answer kinds; re-run training/train_answer_types.py"
                )
            return cls(data["weights"].astype(np.float32), data["bias"].astype(np.float32))

    def save(self, path: Path = WEIGHTS) -> None:
        np.savez_compressed(
            path, weights=self.weights.astype(np.float16), bias=self.bias, kinds=np.array(KINDS)
        )

    def probabilities(self, question: str) -> dict[str, float]:
        logits = self.weights[question_features(question)].sum(0) + self.bias
        p = np.exp(logits - logits.max())
        p /= p.sum()
        return dict(zip(KINDS, map(float, p), strict=True))

    def fit(self, question: str, span: str) -> float:
        """P(the question asks for the kind of answer the span is)."""
        return self.probabilities(question)[answer_kind(span)]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def meta_path(path: Path = WEIGHTS) -> Path:
    return path.with_suffix(".json")


def read_meta(path: Path = WEIGHTS) -> dict:
    return json.loads(meta_path(path).read_text(encoding="utf-8"))
