"""A real engine over a copy of the bundled report, with the fast hashing embedder, in a tmp folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reportqa.engine import build_engine
from reportqa.feedback import FeedbackStore
from reportqa.settings import Settings
from ui.holder import EngineHolder

ROOT = Path(__file__).resolve().parents[2]


def make_settings(base: Path) -> Settings:
    knowledge = base / "knowledge"
    if not knowledge.exists():
        shutil.copytree(ROOT / "knowledge", knowledge)
        for path in knowledge.iterdir():
            path.chmod(0o644)
    return Settings(
        data_dir=base / "data", knowledge_dir=knowledge, embedding_model="hashing", llm_base_url=None
    )


@pytest.fixture(scope="session")
def shared_holder(tmp_path_factory) -> EngineHolder:
    """One engine for read-only callback tests."""
    settings = make_settings(tmp_path_factory.mktemp("ui-shared"))
    return EngineHolder(build_engine(settings), settings)


@pytest.fixture
def own_holder(tmp_path) -> EngineHolder:
    """A private engine and knowledge folder, for tests that add or remove documents."""
    settings = make_settings(tmp_path)
    return EngineHolder(build_engine(settings), settings)


@pytest.fixture
def store(tmp_path) -> FeedbackStore:
    return FeedbackStore(tmp_path / "feedback.sqlite3")
