"""The evaluation sets kept in the repository (evalsets/), by name, and the settings each is answered under."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportqa.settings import PROJECT_ROOT, Settings

EVALSETS_DIR = PROJECT_ROOT / "evalsets"


@dataclass(frozen=True)
class EvalSet:
    name: str
    questions: Path
    corpus: Path | None  # the documents it is about; None: the configured knowledge folder
    description: str


EVAL_SETS = {
    s.name: s
    for s in (
        EvalSet(
            "public",
            EVALSETS_DIR / "public" / "questions.jsonl",
            None,
            "the bundled report's public set (47 items, every kind)",
        ),
        EvalSet(
            "generalisation",
            EVALSETS_DIR / "generalisation" / "questions.jsonl",
            EVALSETS_DIR / "generalisation" / "corpus",
            "362 CMRC 2018 questions on 100 Chinese Wikipedia articles (dev entries 100-199)",
        ),
        EvalSet(
            "fresh",
            EVALSETS_DIR / "probes" / "shangqiu-fresh.jsonl",
            None,
            "40 held-out questions on the bundled report, written before the reader",
        ),
        EvalSet(
            "provincial",
            EVALSETS_DIR / "provincial" / "questions.jsonl",
            EVALSETS_DIR / "provincial" / "corpus",
            "90 held-out questions over 30 reports in one folder (29 provincial 2025 + the bundled one)",
        ),
        EvalSet(
            "qinghai",
            EVALSETS_DIR / "probes" / "qinghai-fresh.jsonl",
            EVALSETS_DIR / "probes" / "qinghai-2025",
            "30 held-out questions on the 2025 青海 report, never developed on",
        ),
    )
}
DEFAULT_SET = "public"


def resolve_set(name_or_path: str | None) -> EvalSet:
    """A named set, or a question file of the configured knowledge folder; ValueError names the choices."""
    if not name_or_path:
        return EVAL_SETS[DEFAULT_SET]
    if name_or_path in EVAL_SETS:
        return EVAL_SETS[name_or_path]
    path = Path(name_or_path)
    if not path.is_file():
        names = ", ".join(EVAL_SETS)
        raise ValueError(f"{name_or_path}: no such question file or set (sets: {names})")
    return EvalSet(path.stem, path, None, str(path))


def settings_for(evalset: EvalSet, settings: Settings) -> Settings:
    """Settings that answer the set: its own corpus gets its own index under the data folder."""
    if evalset.corpus is None:
        return settings
    return settings.model_copy(
        update={
            "knowledge_dir": evalset.corpus,
            "data_dir": settings.data_dir / "evalsets" / evalset.name,
        }
    )
