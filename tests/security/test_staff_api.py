"""Staff functions (corrections, conversation log, feedback review, knowledge, exports) are not part of the API:
the running app lists only /ask and /check, every staff event is private, and calling one directly from a
session that has not logged in does nothing."""

from __future__ import annotations

import json
import os
import uuid

import httpx
import pytest

from tests.security.conftest import RunningApp

pytestmark = pytest.mark.slow
STAFF = ("editor", "a long staff secret")
PUBLIC = {"ask", "check", "explain"}  # explain: the retrieval test, for testers as well as staff (read-only)
# Buttons, boxes and tables of the staff tab whose events read or change staff data.
STAFF_ELEMENTS = {
    "rq-login-button",
    "rq-fb-refresh",
    "rq-fb-export",
    "rq-fb-down",
    "rq-corr-pick",
    "rq-corr-find-button",
    "rq-corr-passage",
    "rq-corr-save",
    "rq-corr-retire",
    "rq-corr-export",
    "rq-log-refresh",
    "rq-log-refused",
    "rq-log-down",
    "rq-log-export",
    "rq-kb-add",
    "rq-kb-remove",
}


@pytest.fixture(scope="module")
def app(app_factory) -> RunningApp:
    return app_factory(env={"REPORTQA_STAFF_USER": STAFF[0], "REPORTQA_STAFF_PASSWORD": STAFF[1]})


@pytest.fixture(scope="module")
def config(app) -> dict:
    with httpx.Client(trust_env=False) as http:
        return http.get(app.url + "config", timeout=30).json()


def staff_events(config: dict) -> dict[str, list[dict]]:
    """elem_id → the dependencies (events) its component triggers."""
    elem = {c["id"]: c.get("props", {}).get("elem_id") for c in config["components"]}
    found: dict[str, list[dict]] = {}
    for dep in config["dependencies"]:
        for target, _event in dep["targets"]:
            if elem.get(target) in STAFF_ELEMENTS:
                found.setdefault(elem[target], []).append(dep)
    return found


def test_the_client_sees_only_ask_and_check(app):
    from gradio_client import Client

    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    api = Client(app.url, verbose=False).view_api(print_info=False, return_format="dict")
    assert {name.strip("/") for name in api["named_endpoints"]} == PUBLIC
    assert api["unnamed_endpoints"] == {}


def test_every_staff_event_is_private_and_only_ask_and_check_are_public(config):
    events = staff_events(config)
    assert set(events) == STAFF_ELEMENTS  # each staff control is on the page and wired
    assert all(dep["api_visibility"] == "private" for deps in events.values() for dep in deps)
    public = {dep.get("api_name") for dep in config["dependencies"] if dep.get("api_visibility") != "private"}
    assert public == PUBLIC


def call_directly(app: RunningApp, fn_index: int, data: list, session: str | None = None) -> dict:
    """Run an event through Gradio's queue as a script could (a fresh session unless one is given)."""
    session = session or uuid.uuid4().hex
    body = {
        "data": data,
        "fn_index": fn_index,
        "session_hash": session,
        "event_data": None,
        "trigger_id": None,
    }
    with httpx.Client(trust_env=False, timeout=60) as http:
        joined = http.post(app.url + "gradio_api/queue/join", json=body)
        if joined.status_code != 200:
            return {"refused": joined.status_code}
        with http.stream(
            "GET", app.url + "gradio_api/queue/data", params={"session_hash": session}
        ) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        return message.get("output") or {}
    return {}


def returned_nothing(out: dict) -> bool:
    """Every output left as it was (gr.skip()) or empty: no file, no table, no entries."""
    return all(v in (None, "") or _is_skip(v) or _is_refusal(v) for v in out.get("data", []))


def _is_skip(value) -> bool:
    """gr.skip() as Gradio sends it (a bare update, for some components wrapped in 'props')."""
    bare = {"__type__": "update"}
    return value == bare or value == {"props": bare, "__type__": "update"}


def _is_refusal(value) -> bool:
    return isinstance(value, str) and "rq-msg-error" in value


def corrections_in(app: RunningApp) -> list:
    from reportqa.corrections import CorrectionStore

    return CorrectionStore(app.data_dir / "corrections.sqlite3").active()


def test_staff_events_called_without_login_do_nothing(app, config):
    events = staff_events(config)
    save = events["rq-corr-save"][0]
    correction = [None, "森林抚育完成了多少万亩？", "森林抚育44.5万亩。", "森林抚育44.5万亩", "zh"]
    # The session's login flag lives on the server: sending True for it changes nothing.
    out = call_directly(app, save["id"], [True, *correction])
    assert returned_nothing(out) and _is_refusal(out["data"][0]), out
    for elem in (
        "rq-corr-export",
        "rq-fb-export",
        "rq-log-export",
        "rq-log-refresh",
        "rq-fb-refresh",
        "rq-corr-retire",
    ):
        dep = events[elem][0]
        data = [True] + [{"rq-log-refresh": "zh"}.get(elem)] * (len(dep["inputs"]) - 1)
        if elem in ("rq-log-refresh", "rq-fb-refresh"):
            data = [True, "zh", *[False] * (len(dep["inputs"]) - 2)]
        if elem == "rq-corr-retire":
            data = [True, 1, "zh"]
        out = call_directly(app, dep["id"], data)
        assert "data" in out and returned_nothing(out), (elem, out)
    assert corrections_in(app) == []

    # The same call from a session that logged in (through the login event) is served: the refusal above was
    # the login check, not a broken call.
    session = uuid.uuid4().hex
    login = events["rq-login-button"][0]
    call_directly(app, login["id"], [STAFF[0], STAFF[1], "zh"], session)
    out = call_directly(app, save["id"], [False, *correction], session)
    assert "rq-msg-ok" in json.dumps(out), out
    assert [c.question for c in corrections_in(app)] == ["森林抚育完成了多少万亩？"]
    export = events["rq-corr-export"][0]
    assert not returned_nothing(call_directly(app, export["id"], [False], session))
