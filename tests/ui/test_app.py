"""The page builds without a browser; the API names and the language toggle are wired."""

from __future__ import annotations

from ui.app import build_app, launch_options
from ui.i18n import LABELS, t


def test_build_app_exposes_ask_and_check(shared_holder, store, tmp_path):
    app = build_app(
        shared_holder, shared_holder.settings, store, staff=("u", "p"), public_set=tmp_path / "none"
    )
    named = {fn.api_name for fn in app.fns.values() if fn.api_visibility == "public"}
    assert named == {"ask", "check"}


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
