"""A real loopback HTTP server speaking the OpenAI chat-completions protocol, with scripted replies."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

COMPLETIONS_PATH = "/v1/chat/completions"


@dataclass(frozen=True)
class ScriptedReply:
    text: str = ""
    status: int = 200
    delay: float = 0.0  # seconds before the first byte of the response
    raw: str | None = None  # sent as the body verbatim (garbage replies)


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def streamed(self) -> bool:
        return bool(self.body.get("stream"))

    def content(self) -> str:
        """Every message's content, joined: what the model was shown."""
        return "\n".join(str(m.get("content", "")) for m in self.messages)


class FakeOpenAIServer:
    """Serves queued replies on 127.0.0.1 (a free port) and records every request it receives."""

    def __init__(self, chunk_chars: int = 3, model: str = "fake-model") -> None:
        self.chunk_chars, self.model = chunk_chars, model
        self.requests: list[ReceivedRequest] = []
        self._replies: deque[ScriptedReply] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # scripting
    def enqueue(self, text: str) -> None:
        """The next request gets this reply (a stream of small chunks when it asks to stream)."""
        self._push(ScriptedReply(text=text))

    def enqueue_error(self, status: int, message: str = "scripted failure") -> None:
        """The next request gets an OpenAI-style error body with this HTTP status."""
        self._push(ScriptedReply(text=message, status=status))

    def enqueue_delay(self, seconds: float, text: str) -> None:
        """The next request gets this reply only after `seconds`."""
        self._push(ScriptedReply(text=text, delay=seconds))

    def enqueue_raw(self, body: str, status: int = 200) -> None:
        """The next request gets this body verbatim (e.g. garbage that is not JSON)."""
        self._push(ScriptedReply(status=status, raw=body))

    def _push(self, reply: ScriptedReply) -> None:
        with self._lock:
            self._replies.append(reply)

    def _next(self, request: ReceivedRequest) -> ScriptedReply:
        with self._lock:
            self.requests.append(request)
            if self._replies:
                return self._replies.popleft()
        return ScriptedReply(text="no scripted reply left", status=500)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._replies)

    # life cycle
    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self) -> FakeOpenAIServer:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), daemon=True, name="fake-openai"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()  # wakes handlers that are sleeping out a scripted delay
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _chunk(model: str, delta: dict[str, str], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _handler_for(fake: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path != COMPLETIONS_PATH:
                self._send(
                    404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}}
                )
                return
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                body = {"unparsed": raw.decode("utf-8", "replace")}
            request = ReceivedRequest(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            reply = fake._next(request)
            if reply.delay and fake._closing.wait(reply.delay):
                return
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                self._respond(reply, request)

        def _respond(self, reply: ScriptedReply, request: ReceivedRequest) -> None:
            if reply.raw is not None:
                self._send_bytes(reply.status, reply.raw.encode("utf-8"), "application/json")
            elif reply.status != 200:
                self._send(
                    reply.status, {"error": {"message": reply.text, "type": "server_error", "code": None}}
                )
            elif request.streamed:
                self._stream(reply.text)
            else:
                self._send(
                    200,
                    {
                        "id": "chatcmpl-fake",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": fake.model,
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": reply.text},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    },
                )

        def _stream(self, text: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            events = [_chunk(fake.model, {"role": "assistant", "content": ""})]
            size = max(1, fake.chunk_chars)
            events += [_chunk(fake.model, {"content": text[i : i + size]}) for i in range(0, len(text), size)]
            events.append(_chunk(fake.model, {}, finish="stop"))
            for event in events:
                self.wfile.write(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            self._send_bytes(
                status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json"
            )

        def _send_bytes(self, status: int, data: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
