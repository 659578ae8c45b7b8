"""What a public page must not expose: paths the file route refuses, and a guard against oversized or proxying requests."""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from urllib.parse import unquote

from reportqa.settings import PROJECT_ROOT, Settings

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1_048_576  # a question, a history and 20 claims fit many times over; uploads are exempt
UPLOAD_PATHS = ("/gradio_api/upload", "/upload")
REMOTE_FILE = re.compile(r"/file(?:=|/)[\s/\\]*https?:")  # /file=<url> and its alias /file/<url>


def blocked_paths(settings: Settings, cwd: Path | None = None) -> list[str]:
    """Data folder, index store, knowledge folder, prompts and any .env: never served, whatever else allows it."""
    cwd = cwd or Path.cwd()
    paths = [
        settings.data_dir,
        settings.chroma_path,
        settings.lock_path,
        settings.knowledge_dir,
        settings.prompts_dir,
        cwd / ".env",
        PROJECT_ROOT / ".env",
    ]
    return sorted({str(p.expanduser().resolve()) for p in paths})


class RequestGuard:
    """ASGI middleware: no remote URLs through the file route, no request body over MAX_BODY_BYTES except uploads."""

    def __init__(self, app, max_body: int = MAX_BODY_BYTES) -> None:
        self.app, self.max_body = app, max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = unquote(unquote(scope.get("path", ""))).lower()
        if REMOTE_FILE.search(path):  # Gradio would fetch a public URL and relay it: not for this page
            return await self._send(send, 403, "remote files are not served")
        if scope.get("method") in ("POST", "PUT", "PATCH") and not path.rstrip("/").endswith(UPLOAD_PATHS):
            length = dict(scope.get("headers") or ()).get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_body):
                return await self._send(send, 413, "request too large")
            if length is None:
                return await self._buffered(scope, receive, send)
        return await self.app(scope, receive, send)

    async def _buffered(self, scope, receive, send):
        """Read a body of unknown length up to the limit, then hand it on; refuse it when it grows past."""
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_body:
                return await self._send(send, 413, "request too large")
            more = message.get("more_body", False)
        replay = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replayed():
            return replay.pop() if replay else await receive()

        return await self.app(scope, replayed, send)

    @staticmethod
    async def _send(send, status: int, detail: str) -> None:
        body = json.dumps({"detail": detail}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def local_only_warning(host: str) -> None:
    """Log loudly when the page is bound to anything but the loopback interface."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("serving on %s: put a reverse proxy with TLS and rate limits in front of it", host)


def ignore_env_allowed_paths() -> None:
    """GRADIO_ALLOWED_PATHS would widen the file route behind our back (Gradio reads it when allowed_paths is empty)."""
    if os.environ.pop("GRADIO_ALLOWED_PATHS", None):
        log.warning("GRADIO_ALLOWED_PATHS is ignored: this app serves no files from disk")
