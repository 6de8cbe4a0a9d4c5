"""The outermost ASGI layer of `tracker serve`: what is refused before the app sees a
request, whom to believe about the client's address, and the access log.

- More requests in progress than ``concurrency_limit``: 503 at once, so a surge or a crowd
  of slow clients costs a few bytes each, never the process.
- A body that has not arrived ``body_timeout`` seconds after the headers: 408, and the
  connection is closed. The body is read here, up front, so the deadline holds whichever
  route the request is for (and whether or not that route reads it).
- Both Content-Length and Transfer-Encoding: the message's length is ambiguous (a request
  smuggling vector), so 400 and the connection is closed (RFC 9112, section 6.3).
- The client is the address that connects: no forwarded header changes it here. Which
  proxies are believed is one rule, TRACKER_TRUSTED_PROXIES, applied where the client's
  key is worked out (tracker.web.citizens.client_key).

A GET or HEAD the app can answer from memory (``early``: tracker.web.app, answer_early) is
answered here, once the checks above are passed, with the app's two prebuilt messages;
anything else goes on to ``app``.

The header deadline is the HTTP server's own (tracker.web.server): no ASGI app runs
before the headers are complete. Everything here is one layer, with one pass over the
headers, because it runs on every request, the answers from memory included.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Callable, MutableMapping
from typing import Any

from tracker.web.access_log import LineWriter, line

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]


class Front:
    def __init__(self, app: Any, *, concurrency_limit: int, body_timeout: float,
                 max_body_bytes: int, access_log: LineWriter | None,
                 on_shutdown: Callable[[], None],
                 early: Callable[[Scope], tuple[Message, Message] | None] | None = None
                 ) -> None:
        self.app = app
        self.early = early
        self.limit = concurrency_limit
        self.body_timeout = body_timeout
        self.max_body_bytes = max_body_bytes
        self.log = access_log
        self.on_shutdown = on_shutdown
        self.in_flight = 0  # one event loop per process: no lock needed

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self._other(scope, receive, send)
            return
        started = time.time()
        status = size = 0

        async def noted(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            else:
                size += len(message.get("body", b""))
            await send(message)

        respond = noted if self.log is not None else send
        busy = self.in_flight >= self.limit
        self.in_flight += 1
        try:
            if busy:
                await refuse(respond, 503, "The server is busy; try again in a moment.",
                             [(b"retry-after", b"5")])
                return
            length = coding = None
            for name, value in scope["headers"]:
                if name == b"content-length":
                    length = value
                elif name == b"transfer-encoding":
                    coding = value
            if length is not None and coding is not None:
                await refuse(respond, 400, "A request may not carry both Content-Length "
                                           "and Transfer-Encoding.")
                return
            if coding is not None or (length is not None and length != b"0"):
                read = await self._read_body(receive)
                if read is None:
                    await refuse(respond, 408, f"The request body did not arrive within "
                                               f"{self.body_timeout:g} seconds.")
                    return
                receive = read
            elif self.early is not None:
                found = self.early(scope)
                if found is not None:
                    await respond(found[0])
                    await respond(found[1])
                    return
            await self.app(scope, receive, respond)
        finally:
            self.in_flight -= 1
            if self.log is not None:
                self.log.add(line(started, time.time() - started, scope, status, size))

    async def _read_body(self, receive: Any) -> Any | None:
        """The body's messages, read within the deadline (or None), to be replayed to the
        app; past the size limit reading stops, and BodyLimit refuses it."""
        messages: deque[Message] = deque()
        size = 0
        deadline = asyncio.get_running_loop().time() + self.body_timeout
        try:
            async with asyncio.timeout_at(deadline):
                while True:
                    message = await receive()
                    messages.append(message)
                    size += len(message.get("body", b""))
                    if message["type"] != "http.request" or not message.get("more_body") \
                            or size > self.max_body_bytes:
                        break
        except TimeoutError:
            return None

        async def replay() -> Message:
            if messages:
                return messages.popleft()
            async with asyncio.timeout_at(deadline):
                message: Message = await receive()
                return message

        return replay

    async def _other(self, scope: Scope, receive: Any, send: Any) -> None:
        """Lifespan: once the app has shut down, the log is flushed and the tracker
        closed."""
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def then_close(message: Message) -> None:
            await send(message)
            if message["type"].startswith("lifespan.shutdown"):
                if self.log is not None:
                    self.log.stop()
                self.on_shutdown()

        await self.app(scope, receive, then_close)


async def refuse(send: Any, status: int, detail: str,
                 extra: list[tuple[bytes, bytes]] | None = None) -> None:
    """A JSON refusal that also closes the connection."""
    body = json.dumps({"detail": detail, "field": None}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"), (b"x-content-type-options", b"nosniff"), *(extra or [])]})
    await send({"type": "http.response.body", "body": body})
