"""Train the answer-kind model (reportqa/answer_types.py): P(kind of answer | question), softmax regression over
hashed character n-grams of the question, from the same data as the reader.

    python training/train_answer_types.py --shared ../shared            # writes the weights and their card data

Training data: CMRC 2018 trial and dev entries 200–847, DRCD dev and test (without the last 40 DRCD test articles,
which calibrate the abstention model), and figure cloze questions made from the 29 provincial reports and the
bundled report (training/build_reader_data.py's figure_questions). Half the questions get a pseudo-English twin
(CC-CEDICT glosses, as for the reader). Each question is labelled with the kind of its gold answer (`answer_kind`). 10% of the articles are held out to report accuracy and log loss.
CMRC 2018 dev entries 0–199 are never read.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportqa.answer_types import (  # noqa: E402
    BUCKETS,
    KINDS,
    WEIGHTS,
    AnswerTypeModel,
    answer_kind,
    file_sha256,
    meta_path,
    question_features,
)
from reportqa.converters import convert_file  # noqa: E402
from retrieval.text import normalize  # noqa: E402
from training.build_reader_data import figure_questions, squad_examples  # noqa: E402

CALIBRATION_ARTICLES = 40  # the last DRCD test articles: training/make_calibration_set.py


def load_groups(shared: Path, seed: int, per_report: int) -> list[list[tuple[str, str]]]:
    """(question, answer) pairs grouped by article (or report)."""
    rng = random.Random(seed)
    groups = []
    for name in ("cmrc2018_trial", "cmrc2018_dev_from200", "drcd_dev", "drcd_test"):
        articles = squad_examples(shared / "train" / f"{name}.json", skip_reserved=True)
        if name == "drcd_test":
            articles = articles[:-CALIBRATION_ARTICLES]
        groups += [[(e.question, e.answer_text) for e in g] for g in articles]
    reports = {
        p.stem: convert_file(p) for p in sorted((shared / "corpora" / "provincial-2025").glob("*.docx"))
    }
    root = Path(__file__).resolve().parents[1]
    reports["shangqiu"] = (root / "knowledge" / "shangqiu-2023-government-work-report.txt").read_text(
        encoding="utf-8"
    )
    for name, text in reports.items():
        made = figure_questions(text, name, rng, per_report)
        groups.append([(e.question, e.answer_text) for g in made for e in g])
    return groups


def with_english(pairs: list[tuple[str, str]], rng: random.Random, share: float) -> list[tuple[str, str]]:
    """Pseudo-English twins (CC-CEDICT glosses, as the reader's training data has) for a share of the questions,
    so that English questions are judged too."""
    from training.synthetic import EnglishGlosser

    gloss = EnglishGlosser()
    twins = [(english, a) for q, a in pairs if rng.random() < share and (english := gloss(q))]
    return pairs + twins


def train(
    x: list[np.ndarray], y: np.ndarray, epochs: int, lr: float, l2: float, seed: int
) -> AnswerTypeModel:
    """Softmax regression by AdaGrad on sparse binary features."""
    rng = np.random.default_rng(seed)
    k = len(KINDS)
    w = np.zeros((BUCKETS, k), dtype=np.float32)
    b = np.log(np.bincount(y, minlength=k) + 1.0).astype(np.float32)
    b -= b.mean()
    gw = np.full((BUCKETS, k), 1e-6, dtype=np.float32)
    for epoch in range(epochs):
        loss = 0.0
        for i in rng.permutation(len(x)):
            idx = x[i]
            logits = w[idx].sum(0) + b
            p = np.exp(logits - logits.max())
            p /= p.sum()
            loss -= float(np.log(p[y[i]] + 1e-12))
            grad = p
            grad[y[i]] -= 1.0
            g = grad[None, :] + l2 * w[idx]
            gw[idx] += g * g
            w[idx] -= lr * g / np.sqrt(gw[idx])
        print(f"epoch {epoch + 1}: train log loss {loss / len(x):.4f}", flush=True)
    return AnswerTypeModel(w, b)


def evaluate(model: AnswerTypeModel, pairs: list[tuple[str, str]]) -> dict:
    right, loss = 0, 0.0
    for question, answer in pairs:
        p = model.probabilities(question)
        kind = answer_kind(answer)
        right += max(p, key=p.__getitem__) == kind
        loss -= float(np.log(p[kind] + 1e-12))
    return {
        "items": len(pairs),
        "accuracy": round(right / len(pairs), 4),
        "log_loss": round(loss / len(pairs), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--per-report", type=int, default=200, help="figure cloze questions per report")
    parser.add_argument("--english-share", type=float, default=0.5, help="questions given an English twin")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=0.03)
    parser.add_argument("--l2", type=float, default=0.01)
    args = parser.parse_args()
    started = time.time()
    groups = load_groups(args.shared, args.seed, args.per_report)
    random.Random(args.seed).shuffle(groups)
    held = max(1, len(groups) // 10)
    valid = with_english([p for g in groups[:held] for p in g], random.Random(args.seed), args.english_share)
    train_pairs = with_english(
        [p for g in groups[held:] for p in g], random.Random(args.seed + 1), args.english_share
    )
    print(f"{len(train_pairs)} training and {len(valid)} held-out questions", flush=True)
    counts = Counter(answer_kind(a) for _, a in train_pairs)
    print("kinds:", dict(counts.most_common()), flush=True)
    x = [question_features(normalize(q)) for q, _ in train_pairs]
    y = np.array([KINDS.index(answer_kind(a)) for _, a in train_pairs])
    model = train(x, y, args.epochs, args.lr, args.l2, args.seed)
    normalised_valid = [(normalize(q), a) for q, a in valid]
    scores = {
        "held_out": evaluate(model, normalised_valid),
        "train": evaluate(model, [(normalize(q), a) for q, a in train_pairs[:5000]]),
    }
    majority = counts.most_common(1)[0][1] / len(train_pairs)
    print(json.dumps(scores), f"(majority kind {majority:.3f})", flush=True)
    model.save(args.out)
    meta = {
        "kinds": list(KINDS),
        "training_questions": len(train_pairs),
        "kind_counts": dict(counts),
        "held_out": scores["held_out"],
        "majority_baseline": round(majority, 4),
        "args": {k: str(v) for k, v in vars(args).items()},
        "sha256": file_sha256(args.out),
        "seconds": round(time.time() - started, 1),
    }
    meta_path(args.out).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
