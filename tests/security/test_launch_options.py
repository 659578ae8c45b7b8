"""The launch and queue options of the page, and the paths the file route must refuse, without a server."""

from __future__ import annotations

import os
from pathlib import Path

from reportqa.settings import PROJECT_ROOT, Settings
from ui.app import launch_options, queue_options
from ui.lockdown import RequestGuard, blocked_paths, ignore_env_allowed_paths


def settings_in(tmp_path: Path, **overrides) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data", knowledge_dir=tmp_path / "kb", **overrides)


def test_launch_is_local_private_and_locked_down(tmp_path):
    options = launch_options(settings_in(tmp_path))
    assert options["server_name"] == "127.0.0.1"
    assert options["share"] is False and options["ssr_mode"] is False
    assert options["enable_monitoring"] is False and options["run_history"] is False
    assert options["mcp_server"] is False and options["pwa"] is False
    assert options["show_error"] is False and options["allowed_paths"] == []
    assert options["max_file_size"] == "10mb"
    assert [m.cls for m in options["app_kwargs"]["middleware"]] == [RequestGuard]


def test_the_limits_follow_the_settings(tmp_path):
    settings = settings_in(tmp_path, max_upload_mb=3, queue_size=7, concurrency_limit=2)
    assert launch_options(settings)["max_file_size"] == "3mb"
    assert queue_options(settings) == {"max_size": 7, "default_concurrency_limit": 2}


def test_blocked_paths_cover_data_store_knowledge_and_env_files(tmp_path):
    settings = settings_in(tmp_path)
    blocked = blocked_paths(settings, cwd=tmp_path / "work")
    for path in (
        settings.data_dir,
        settings.chroma_path,
        settings.knowledge_dir,
        tmp_path / "work" / ".env",
        PROJECT_ROOT / ".env",
    ):
        assert str(path.resolve()) in blocked


def test_gradio_allowed_paths_from_the_environment_are_ignored(monkeypatch):
    monkeypatch.setenv("GRADIO_ALLOWED_PATHS", "/")
    ignore_env_allowed_paths()
    assert "GRADIO_ALLOWED_PATHS" not in os.environ
