"""Run a page event over real HTTP the way the browser does: POST /gradio_api/queue/join, then read the
session's server-sent events from /gradio_api/queue/data until the event completes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Event:
    fn_index: int
    trigger_id: int


def find_event(url: str, elem_id: str, trigger: str) -> Event:
    """The event fired by `trigger` ('click', 'submit') on the component with `elem_id`, from the page's /config."""
    with OPENER.open(url.rstrip("/") + "/config", timeout=30) as response:
        config = json.load(response)
    ids = {c["id"]: c["props"].get("elem_id") for c in config["components"]}
    for dep in config["dependencies"]:
        for target, kind in dep["targets"]:
            if kind == trigger and ids.get(target) == elem_id:
                return Event(dep["id"], target)
    raise LookupError(f"no {trigger} event on #{elem_id}")


def join(url: str, event: Event, data: list, session: str) -> tuple[int, dict]:
    """(status, JSON reply) of queue/join; the body is sent as JSON text exactly as given."""
    body = json.dumps(
        {"data": data, "fn_index": event.fn_index, "trigger_id": event.trigger_id, "session_hash": session}
    ).encode()
    request = urllib.request.Request(
        url.rstrip("/") + "/gradio_api/queue/join", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def run(url: str, event: Event, data: list, session: str | None = None) -> list:
    """The outputs of one completed event (raises with the server's message when it failed)."""
    session = session or uuid.uuid4().hex[:10]
    status, reply = join(url, event, data, session)
    if status != 200:
        raise RuntimeError(f"queue/join answered {status}: {reply}")
    stream = url.rstrip("/") + f"/gradio_api/queue/data?session_hash={session}"
    with OPENER.open(stream, timeout=120) as response:
        for raw in response:
            line = raw.decode("utf-8").strip()
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            if message.get("event_id") != reply["event_id"] or message.get("msg") != "process_completed":
                continue
            if not message.get("success"):
                raise RuntimeError(f"event failed: {message.get('output')}")
            return message["output"]["data"]
    raise RuntimeError("the event stream ended before the event completed")
