"""Which staff correction, if any, answers a question: the same question, or a close paraphrase by the embedder's
query vectors at a threshold calibrated on labelled pairs (training/calibrate_corrections.py)."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reportqa.corrections import Correction, CorrectionStore
from retrieval.embedding import Embedder
from retrieval.text import normalize, squash

CALIBRATION_FILE = Path(__file__).with_name("correction_matching.json")
_PUNCTUATION = re.compile(r"[\s?？。.!！，,、；;：:“”\"'‘’（）()]+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class MatchCalibration:
    embedder: str  # the embedder (Embedder.name) the threshold was measured with
    threshold: float  # least cosine of two questions' query vectors that counts as a paraphrase
    precision: float  # measured at the threshold on the labelled pairs
    recall: float


def load_calibration(path: Path = CALIBRATION_FILE) -> MatchCalibration:
    """The shipped calibration (written by training/calibrate_corrections.py --write)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return MatchCalibration(data["embedder"], float(data["threshold"]), data["precision"], data["recall"])


def match_text(question: str) -> str:
    """The form questions are embedded in: NFKC, simplified characters, folded spaces (as calibrated)."""
    return normalize(question)


def numbers_agree(a: str, b: str) -> bool:
    """Both questions write the same numbers (years, counts): '2023年…' is not '过去五年…', '10家…分别是' not '几家'."""
    return set(_NUMBER.findall(normalize(a))) == set(_NUMBER.findall(normalize(b)))


def paraphrase_score(query: np.ndarray, other: np.ndarray, a: str, b: str) -> float:
    """The cosine of the two questions' query vectors, or 0 when their numbers differ."""
    return float(np.dot(query, other)) if numbers_agree(a, b) else 0.0


def same_question(a: str, b: str) -> bool:
    """Equal after normalising and dropping white space and punctuation: '多少套？' is '多少套'."""
    return _PUNCTUATION.sub("", squash(a)).lower() == _PUNCTUATION.sub("", squash(b)).lower()


class CorrectionMatcher:
    """Finds the corrections that answer a question, best first.

    The same question always matches. A paraphrase matches only when the embedder is the one the threshold was
    calibrated for (another embedder's cosines mean something else): then both questions must write the same
    numbers and the cosine of their query vectors must reach the calibrated threshold.
    """

    def __init__(self, store: CorrectionStore, embedder: Embedder, calibration: MatchCalibration) -> None:
        self.store, self.embedder, self.calibration = store, embedder, calibration
        self.paraphrases = embedder.name == calibration.embedder
        self._vectors: dict[tuple[int, str], np.ndarray] = {}
        self._lock = threading.Lock()

    def _vector(self, correction: Correction) -> np.ndarray:
        key = (correction.id, correction.question)
        with self._lock:
            vector = self._vectors.get(key)
        if vector is None:
            vector = self.embedder.embed_query(match_text(correction.question))
            with self._lock:
                self._vectors[key] = vector
        return vector

    def candidates(self, question: str) -> list[tuple[Correction, float]]:
        """(correction, similarity) for every correction answering `question`, most similar first."""
        corrections = self.store.active()
        if not corrections:
            return []
        found = [(c, 1.0) for c in corrections if same_question(c.question, question)]
        if self.paraphrases:
            query = self.embedder.embed_query(match_text(question))
            exact = {c.id for c, _ in found}
            for c in corrections:
                if c.id in exact:
                    continue
                score = paraphrase_score(query, self._vector(c), question, c.question)
                if score >= self.calibration.threshold:
                    found.append((c, score))
        return sorted(found, key=lambda pair: (-pair[1], -pair[0].id))
