"""Security headers on every response, and no stack trace ever sent to a client."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send

log = logging.getLogger(__name__)

# No inline script or style anywhere; the pages work without JavaScript at all. Images may
# come from anywhere https (an organisation's logo may live on its own site).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)

# The interactive API docs load their script and style from a CDN; they get a policy of
# their own that allows exactly that, and nothing else does.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' https: data:; "
    "frame-ancestors 'none'; object-src 'none'; base-uri 'none'"
)

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


# Encoded once: they go out with every response, the answers from memory included.
_COMMON = tuple((k.lower().encode(), v.encode()) for k, v in HEADERS.items())
_PAGES = ((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()), *_COMMON)
_DOCS = ((b"content-security-policy", DOCS_POLICY.encode()), *_COMMON)
DOCS_PATHS = frozenset({"/docs", "/redoc"})


def with_security_headers(path: str,
                          headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """A response's headers with the security headers added: the one rule, used per
    response by SecurityHeaders and once per kept answer by the answers from memory
    (tracker.web.http_cache). ASGI header names are lower-case; a route's own value of one
    of these headers wins over the default."""
    extra = _DOCS if path in DOCS_PATHS else _PAGES
    present = {name for name, _ in headers}
    return [*headers, *(h for h in extra if h[0] not in present)]


class SecurityHeaders:
    """Pure ASGI middleware (no per-request task or stream, unlike BaseHTTPMiddleware):
    adds the headers to every response, and turns an error that escaped everything else
    into a bare 500, logged for operators and telling the client nothing more."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = with_security_headers(path, message.get("headers", []))
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception:
            # %r: an address may hold a line break, which must not forge a line of the log.
            log.exception("unhandled error on %s %r", scope.get("method"), path)
            if started:
                raise
            body = json.dumps({"detail": "Something went wrong on our side."}).encode()
            await with_headers({"type": "http.response.start", "status": 500, "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})


def install(app: FastAPI) -> None:
    """An error nothing else handled: logged for operators, a bare 500 for the client."""

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, _error: Exception) -> Response:
        log.exception("unhandled error on %s %r", request.method, request.url.path)
        return JSONResponse({"detail": "Something went wrong on our side."},
                            status_code=500)
