"""Who may reach the page and who may frame it: trusted Host names, other sites' pages, the embeddable chat.

- A request whose Host (or X-Forwarded-Host) is not a name the app serves is refused (DNS rebinding).
- A request sent by another site's page (its Origin is neither the app's own nor one of REPORTQA_EMBED_ORIGINS)
  is refused before it runs; an allowed origin gets its CORS header.
- Every page says who may frame it: the chat-only page (/chat) its own site and REPORTQA_EMBED_ORIGINS, every
  other page (the staff tab among them) its own site only.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware

from reportqa.settings import Settings, normalise_origin
from ui.i18n import both

log = logging.getLogger(__name__)
EMBED_PATH = "chat"  # the chat alone, at /chat (ui.embed)
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
WILDCARD_BINDS = ("0.0.0.0", "::", "")


def trusted_hosts(settings: Settings) -> tuple[str, ...]:
    """REPORTQA_TRUSTED_HOSTS, or by default the bound host with localhost and 127.0.0.1."""
    if settings.trusted_hosts:
        return settings.trusted_hosts
    bound = settings.server_host.strip("[]").lower()
    return tuple(dict.fromkeys([*([] if bound in WILDCARD_BINDS else [bound]), *LOCAL_HOSTS]))


def host_name(host: str) -> str:
    """The name of a Host header value, without port or IPv6 brackets, lower case."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else ""
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def host_allowed(host: str, trusted: tuple[str, ...]) -> bool:
    name = host_name(host).rstrip(".")
    if not name:
        return False
    return any(t == "*" or t == name or (t.startswith("*.") and name.endswith(t[1:])) for t in trusted)


def same_origin(origin: str, host: str) -> bool:
    """Whether a page of `origin` is the app itself, reached at `host` (default ports ignored)."""
    scheme = urlsplit(origin).scheme
    try:
        return normalise_origin(origin) == normalise_origin(f"{scheme}://{host}")
    except ValueError:
        return False


class OriginGuard:
    """ASGI middleware: trusted Host names only, no requests from other sites' pages, framing headers."""

    def __init__(self, app, hosts: tuple[str, ...], embed_origins: tuple[str, ...] = ()) -> None:
        self.app, self.hosts, self.embed_origins = app, hosts, embed_origins
        ancestors = " ".join(["'self'", *embed_origins])
        self.embed_headers = {"Content-Security-Policy": f"frame-ancestors {ancestors}"}
        self.page_headers = {
            "Content-Security-Policy": "frame-ancestors 'self'",
            "X-Frame-Options": "SAMEORIGIN",
        }

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        hosts = [
            headers.get("host", ""),
            *([headers["x-forwarded-host"]] if "x-forwarded-host" in headers else []),
        ]
        if not all(host_allowed(h, self.hosts) for h in hosts):
            log.warning("refused a request for host %r", hosts[-1][:100])
            return await self._refuse(scope, send, 400, both("unknown_host"))
        origin = headers.get("origin")
        cross = origin is not None and not any(same_origin(origin, h) for h in hosts)
        if cross and not self._embedder(origin):
            log.warning("refused a request from a page of %r", (origin or "")[:100])
            return await self._refuse(scope, send, 403, both("foreign_origin"))
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        framing = self.embed_headers if _is_embed(scope.get("path", "")) else self.page_headers

        async def with_headers(message):
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                for key, value in framing.items():
                    out[key] = value
                if cross and origin:  # an allowed embedding site (the web-component case)
                    out["Access-Control-Allow-Origin"] = origin
                    out.add_vary_header("Origin")
            await send(message)

        return await self.app(scope, receive, with_headers)

    def _embedder(self, origin: str | None) -> bool:
        try:
            return origin is not None and normalise_origin(origin) in self.embed_origins
        except ValueError:
            return False  # "null" (a sandboxed frame, a file) and other non-origins

    @staticmethod
    async def _refuse(scope, send, status: int, detail: str) -> None:
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _is_embed(path: str) -> bool:
    return path.strip("/") == EMBED_PATH


def origin_guard(settings: Settings) -> Middleware:
    """The guard for the settings' trusted hosts and embedding origins."""
    hosts = trusted_hosts(settings)
    if settings.server_host.strip("[]") in WILDCARD_BINDS and not settings.trusted_hosts:
        log.warning(
            "listening on all interfaces but answering only to %s: set REPORTQA_TRUSTED_HOSTS to the names "
            "(or addresses) clients use",
            ", ".join(hosts),
        )
    log.info(
        "answering to hosts %s; chat embeddable from %s", ", ".join(hosts), settings.embed_origins or "-"
    )
    return Middleware(OriginGuard, hosts=hosts, embed_origins=settings.embed_origins)
