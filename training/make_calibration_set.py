"""A labelled Wikipedia set with unanswerable questions, for fitting the reader's threshold, from DRCD test
articles held out of training (the last 40; converted to simplified characters):

- corpus: the first 20 articles, one document each;
- answerable: their questions (gold answer as `answer_must`);
- unanswerable: questions of the other 20 articles, whose text is not in the corpus.

    python training/make_calibration_set.py --shared ../shared --out training/calibration
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from opencc import OpenCC


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--out", type=Path, default=Path("training/calibration"))
    parser.add_argument("--per-side", type=int, default=150)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    to_simplified = OpenCC("t2s").convert
    articles = json.loads((args.shared / "train" / "drcd_test.json").read_text(encoding="utf-8"))["data"][
        -40:
    ]
    corpus = args.out / "wiki-heldout"
    corpus.mkdir(parents=True, exist_ok=True)
    manifest, answerable, unanswerable = {}, [], []
    for n, article in enumerate(articles):
        title = to_simplified(article.get("title", f"article {n}"))
        for i, paragraph in enumerate(article["paragraphs"]):
            for j, qa in enumerate(paragraph["qas"]):
                item = {"id": f"w{n:02d}-{i}-{j}", "question": to_simplified(qa["question"]), "kind": "wiki"}
                if n < 20:
                    answer = to_simplified(qa["answers"][0]["text"])
                    answerable.append({**item, "answer_must": [re.escape(answer)], "evidence": answer})
                else:
                    unanswerable.append({**item, "answer_must": [], "evidence": "", "kind": "unanswerable"})
        if n < 20:
            slug = re.sub(r"[^\w]+", "_", title)
            name = f"{n:02d}_{slug}.txt"
            text = title + "\n" + "\n".join(to_simplified(p["context"]) for p in article["paragraphs"])
            (corpus / name).write_text(text + "\n", encoding="utf-8")
            manifest[name] = {
                "title": title,
                "source": "DRCD test (CC BY-SA 3.0), held out of reader training",
            }
    (corpus / "manifest.json").write_text(
        json.dumps({"documents": manifest}, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    rng = random.Random(args.seed)
    items = rng.sample(answerable, min(args.per_side, len(answerable))) + rng.sample(
        unanswerable, min(args.per_side, len(unanswerable))
    )
    with (args.out / "wiki-heldout.jsonl").open("w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    print(f"{len(manifest)} documents, {len(items)} questions -> {args.out}")


if __name__ == "__main__":
    main()
