"""What a public page must not expose: paths the file route refuses, and a guard against oversized, unencodable
or proxying requests and uploads that would fill the disk."""

from __future__ import annotations

import json
import logging
import os
import re
import time
from pathlib import Path
from urllib.parse import unquote

from starlette.middleware import Middleware

from reportqa.settings import PROJECT_ROOT, Settings
from ui.i18n import both

log = logging.getLogger(__name__)
MB = 1_048_576
MAX_BODY_BYTES = MB  # a question, a history and 20 claims fit many times over; uploads have their own caps
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
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
    """ASGI middleware: no remote URLs through the file route, no request body over MAX_BODY_BYTES except uploads,
    no text that cannot be encoded (lone surrogates), and uploads within a per-request and an upload-folder cap."""

    def __init__(
        self,
        app,
        max_body: int = MAX_BODY_BYTES,
        max_upload: int | None = None,
        upload_cache: int | None = None,
        upload_dir: Path | None = None,
    ) -> None:
        self.app, self.max_body = app, max_body
        self.max_upload, self.upload_cache = max_upload, upload_cache
        self.upload_dir = upload_dir
        self._uploading = 0  # bytes of uploads in progress (one event loop: no lock needed)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = unquote(unquote(scope.get("path", ""))).lower()
        if REMOTE_FILE.search(path):  # Gradio would fetch a public URL and relay it: not for this page
            return await self._send(send, 403, "remote files are not served")
        if scope.get("method") not in ("POST", "PUT", "PATCH"):
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or ()).get(b"content-length")
        if path.rstrip("/").endswith(UPLOAD_PATHS):
            return await self._upload(scope, receive, send, length)
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return await self._send(send, 413, "request too large")
        return await self._buffered(scope, receive, send)

    async def _buffered(self, scope, receive, send):
        """Read the body up to the limit and check its text, then hand it on; refuse it when it grows past."""
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
        body = b"".join(chunks)
        if has_lone_surrogate(body):  # Gradio would fail to send any reply that echoes it (a traceback)
            return await self._send(send, 400, both("bad_text"))
        replay = [{"type": "http.request", "body": body, "more_body": False}]

        async def replayed():
            return replay.pop() if replay else await receive()

        return await self.app(scope, replayed, send)

    async def _upload(self, scope, receive, send, length: bytes | None):
        """Pass an upload on if it fits the per-request cap and the room left in the upload folder.

        A body of announced length is judged before a byte is read; one sent in chunks (no browser does) is
        read into memory up to the cap first, so a refusal never leaves a half-written file in the folder."""
        if length is not None and not length.isdigit():
            return await self._send(send, 400, "bad content-length", text=True)
        limit = self.max_upload if self.max_upload is not None else float("inf")
        too_big = (413, both("upload_too_big", mb=int(limit // MB)))
        room = await self._room()
        if length is None:
            chunks, size, more = [], 0, True
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    return
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                if size > limit or size > room:
                    return await self._refuse_upload(send, too_big if size > limit else None, size)
                more = message.get("more_body", False)
            replay = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

            async def replayed():
                return replay.pop() if replay else await receive()

            receive = replayed
        else:
            size = int(length)
            if size > limit or size > room:
                return await self._refuse_upload(send, too_big if size > limit else None, size)
        self._uploading += size  # held against the folder's room while Gradio writes it
        try:
            return await self.app(scope, receive, send)
        finally:
            self._uploading -= size

    async def _refuse_upload(self, send, refusal: tuple[int, str] | None, size: int) -> None:
        status, detail = refusal or (503, both("upload_full"))
        log.warning("upload of %d bytes refused: %s", size, detail)
        await self._send(send, status, detail, text=True, retry=status == 503)

    async def _room(self) -> float:
        """Bytes the upload folder may still take: its cap less what it holds and what is being uploaded."""
        if self.upload_cache is None or self.upload_dir is None:
            return float("inf")
        import anyio

        held = await anyio.to_thread.run_sync(upload_folder_size, self.upload_dir)
        return self.upload_cache - held - self._uploading

    @staticmethod
    async def _send(send, status: int, detail: str, text: bool = False, retry: bool = False) -> None:
        """A short refusal: JSON {"detail": ...}, or plain text for the upload route (as Gradio's own)."""
        body = detail.encode() if text else json.dumps({"detail": detail}, ensure_ascii=False).encode()
        kind = b"text/plain; charset=utf-8" if text else b"application/json"
        headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
        if retry:
            headers.append((b"retry-after", b"600"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def has_lone_surrogate(body: bytes) -> bool:
    """Whether a JSON body carries a \\uD800-\\uDFFF escape that is not half of a pair (not encodable text)."""
    if not SURROGATE_ESCAPE.search(body):
        return False  # raw UTF-8 cannot hold a surrogate, so only an escape can bring one
    try:
        data = json.loads(body)
    except ValueError:
        return False  # not JSON: Gradio refuses it itself
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def upload_folder_size(folder: Path, stale_after_s: float = 3600) -> int:
    """Bytes of the files under `folder`; a top-level `tmp*` file is a part Gradio was receiving, and one older
    than `stale_after_s` is from an upload whose client went away (Gradio never removes those), so it goes."""
    total, now = 0, time.time()
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            try:
                info = os.lstat(path)
                if root == str(folder) and name.startswith("tmp") and now - info.st_mtime > stale_after_s:
                    os.unlink(path)
                    continue
            except OSError:
                continue  # removed meanwhile (the cache sweep)
            total += info.st_size
    return total


def request_guard(settings: Settings) -> Middleware:
    """The guard with the limits of the settings, watching Gradio's upload folder."""
    from gradio.utils import get_upload_folder

    return Middleware(
        RequestGuard,
        max_upload=settings.max_upload_request_mb * MB,
        upload_cache=settings.upload_cache_mb * MB,
        upload_dir=Path(get_upload_folder()),
    )


def local_only_warning(host: str) -> None:
    """Log loudly when the page is bound to anything but the loopback interface."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("serving on %s: put a reverse proxy with TLS and rate limits in front of it", host)


def ignore_env_allowed_paths() -> None:
    """GRADIO_ALLOWED_PATHS would widen the file route behind our back (Gradio reads it when allowed_paths is empty)."""
    if os.environ.pop("GRADIO_ALLOWED_PATHS", None):
        log.warning("GRADIO_ALLOWED_PATHS is ignored: this app serves no files from disk")
