"""The page builds without a browser; the API names and the language toggle are wired."""

from __future__ import annotations

import os

from ui.app import build_app, launch_options
from ui.i18n import LABELS, t


def test_build_app_exposes_ask_check_and_explain(shared_holder, store, tmp_path):
    app = build_app(
        shared_holder, shared_holder.settings, store, staff=("u", "p"), public_set=tmp_path / "none"
    )
    named = {fn.api_name for fn in app.fns.values() if fn.api_visibility == "public"}
    assert named == {"ask", "check", "explain"}


def test_build_app_without_staff_login(shared_holder, store):
    assert build_app(shared_holder, shared_holder.settings, store, staff=None) is not None


def test_launch_options_are_local_and_private(shared_holder):
    options = launch_options(shared_holder.settings)
    assert (
        options["server_name"] == "127.0.0.1" and options["share"] is False and options["ssr_mode"] is False
    )
    assert options["max_file_size"]


def test_every_label_has_both_languages():
    assert all(zh and en for zh, en in LABELS.values())
    assert t("searched", "en", q="x") == "Searched for “x”"


def test_the_queue_polls_every_5_ms_not_every_millisecond(shared_holder, store) -> None:
    import gradio as gr

    from ui.app import QUEUE_POLL_S, queue_options, tune_queue

    app = build_app(shared_holder, shared_holder.settings, store, staff=None)
    queued = app.queue(**queue_options(shared_holder.settings))
    assert queued._queue.sleep_when_free < QUEUE_POLL_S  # Gradio's own default, which tune_queue raises
    assert tune_queue(queued) is queued and queued._queue.sleep_when_free == QUEUE_POLL_S
    bare = gr.Blocks()
    bare._queue = object()  # a Gradio whose queue changed: refused with a pointer, not silently ignored
    try:
        tune_queue(bare)
    except RuntimeError as exc:
        assert "tune_queue" in str(exc)
    else:
        raise AssertionError("tune_queue accepted a queue without sleep_when_free")


def test_app_module_sets_gradio_and_chroma_environment() -> None:
    """app.py's first lines: no analytics, no model downloads, no telemetry, no per-event pandas summaries."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = (
        "import os, runpy; runpy.run_path('app.py', run_name='not_main');"
        "print(os.environ['GRADIO_ANALYTICS_ENABLED'], os.environ['ANONYMIZED_TELEMETRY'],"
        " os.environ['HF_HUB_OFFLINE'], os.environ['GRADIO_ANALYTICS_CACHE_FREQUENCY'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADIO_ANALYTICS")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False", "1", "1000000000"]
