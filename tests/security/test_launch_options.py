"""The launch and queue options of the page, and the paths the file route must refuse, without a server."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from reportqa.settings import PROJECT_ROOT, Settings
from ui.app import launch_options, queue_options
from ui.lockdown import (
    MB,
    RequestGuard,
    blocked_paths,
    has_lone_surrogate,
    ignore_env_allowed_paths,
    upload_folder_size,
)
from ui.origins import OriginGuard, trusted_hosts


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
    assert [m.cls for m in options["app_kwargs"]["middleware"]] == [OriginGuard, RequestGuard]


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


def test_upload_and_origin_limits_follow_the_settings(tmp_path):
    settings = settings_in(
        tmp_path,
        max_upload_request_mb=4,
        upload_cache_mb=9,
        embed_origins="https://portal.example.gov",
        trusted_hosts="qa.example.gov",
    )
    origin, guard = launch_options(settings)["app_kwargs"]["middleware"]
    assert guard.kwargs["max_upload"] == 4 * MB and guard.kwargs["upload_cache"] == 9 * MB
    assert origin.kwargs == {"hosts": ("qa.example.gov",), "embed_origins": ("https://portal.example.gov",)}


SERVER_VARIABLES = (
    "REPORTQA_SERVER_HOST",
    "REPORTQA_SERVER_PORT",
    "GRADIO_SERVER_NAME",
    "GRADIO_SERVER_PORT",
)


@pytest.mark.parametrize(
    ("env", "host", "port"),
    [
        ({}, "127.0.0.1", 7860),
        ({"GRADIO_SERVER_NAME": "0.0.0.0", "GRADIO_SERVER_PORT": "9000"}, "0.0.0.0", 9000),
        ({"REPORTQA_SERVER_HOST": "127.0.0.2", "REPORTQA_SERVER_PORT": "9001"}, "127.0.0.2", 9001),
        (  # both set: the app's own, more specific variables win
            {
                "GRADIO_SERVER_NAME": "0.0.0.0",
                "GRADIO_SERVER_PORT": "9000",
                "REPORTQA_SERVER_HOST": "127.0.0.2",
                "REPORTQA_SERVER_PORT": "9001",
            },
            "127.0.0.2",
            9001,
        ),
        ({"GRADIO_SERVER_PORT": "9002", "REPORTQA_SERVER_HOST": "::1"}, "::1", 9002),
    ],
)
def test_gradio_server_variables_place_the_app_unless_reportqa_ones_are_set(
    tmp_path, monkeypatch, env, host, port
):
    for name in SERVER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    options = launch_options(settings_in(tmp_path))
    assert (options["server_name"], options["server_port"]) == (host, port)


def test_a_dotenv_file_may_set_them_too(tmp_path, monkeypatch):
    for name in SERVER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text(
        "GRADIO_SERVER_PORT=9100\nREPORTQA_SERVER_HOST=127.0.0.3\n", encoding="utf-8"
    )
    settings = Settings(_env_file=tmp_path / ".env", data_dir=tmp_path / "data")
    assert (settings.server_host, settings.server_port) == ("127.0.0.3", 9100)


def test_trusted_hosts_default_to_the_bound_host_and_loopback(tmp_path):
    assert trusted_hosts(settings_in(tmp_path)) == ("127.0.0.1", "localhost", "::1")
    assert trusted_hosts(settings_in(tmp_path, server_host="10.0.0.5")) == (
        "10.0.0.5",
        "localhost",
        "127.0.0.1",
        "::1",
    )
    assert trusted_hosts(settings_in(tmp_path, server_host="0.0.0.0")) == ("localhost", "127.0.0.1", "::1")
    assert trusted_hosts(settings_in(tmp_path, trusted_hosts="QA.example.gov., *.example.org")) == (
        "qa.example.gov",
        "*.example.org",
    )


@pytest.mark.parametrize("bad", ["portal.example.gov", "https://portal.example.gov/page", "ftp://x.org", "*"])
def test_an_embed_origin_must_be_an_origin(tmp_path, bad):
    with pytest.raises(ValidationError, match="is not an origin"):
        settings_in(tmp_path, embed_origins=bad)


def test_embed_origins_are_written_as_browsers_send_them(tmp_path):
    settings = settings_in(tmp_path, embed_origins="HTTPS://Portal.Example.gov:443/, http://127.0.0.1:8080")
    assert settings.embed_origins == ("https://portal.example.gov", "http://127.0.0.1:8080")


@pytest.mark.parametrize(
    ("body", "lone"),
    [
        (b'{"data": ["\\ud800"]}', True),
        (b'{"data": ["a\\udfffb"]}', True),
        (b'{"data": {"\\udbff": 1}}', True),
        (b'{"data": ["\\ud83d\\ude00"]}', False),  # a pair: one emoji
        (b'{"data": ["\\\\ud800"]}', False),  # an escaped backslash, then the letters "ud800"
        ('{"data": ["人才公寓😀"]}'.encode(), False),
        (b"not json \\ud800", False),
    ],
)
def test_lone_surrogates_are_told_from_pairs_and_lookalikes(body, lone):
    assert has_lone_surrogate(body) is lone


def test_the_upload_folder_size_drops_parts_of_abandoned_uploads(tmp_path):
    (tmp_path / "abc").mkdir()
    (tmp_path / "abc" / "kept.txt").write_bytes(b"x" * 100)
    (tmp_path / "tmpfresh").write_bytes(b"x" * 10)  # an upload in progress
    stale = tmp_path / "tmpstale"
    stale.write_bytes(b"x" * 1000)
    old = time.time() - 7200
    os.utime(stale, (old, old))
    assert upload_folder_size(tmp_path) == 110 and not stale.exists()
    assert upload_folder_size(tmp_path / "missing") == 0
