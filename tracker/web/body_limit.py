"""Refuse request bodies over the configured size with 413, before anything parses them."""

from __future__ import annotations

import json
import re
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Pure ASGI middleware: checks Content-Length up front and counts streamed bytes.

    A chunked body declares no length, so the count is kept as it arrives. When it passes
    the limit this middleware answers 413 itself, at once, and drops whatever the app tries
    to send afterwards: the framework turns any error while reading a body into its own 400,
    so raising alone would never reach the client as a 413.
    """

    def __init__(self, app: Any, max_bytes: int,
                 larger: tuple[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Paths that take a larger body (file uploads: a regular expression the whole path
        # must match), with that limit.
        self.larger = (re.compile(larger[0]), larger[1]) if larger else None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        if self.larger and self.larger[0].fullmatch(scope.get("path", "")):
            limit = self.larger[1]
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(send, limit)
            return
        seen = 0
        refused = False

        async def counting_receive() -> Message:
            nonlocal seen, refused
            message: Message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                if not refused:
                    refused = True
                    await self._refuse(send, limit)
                raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            if not refused:  # pragma: no cover - the receive above always refuses first
                await self._refuse(send, limit)

    async def _refuse(self, send: Any, limit: int) -> None:
        body = json.dumps({"detail": f"The request is larger than {limit} bytes",
                           "field": None}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
