"""The access log: one line per request on standard output, cheap enough to keep on.

A request only appends a tuple to a queue; a thread formats the lines and writes them
in one write a few times a second (and when the server stops). Anything the client sent
(the path, the query) is escaped, so a line can never carry a newline, a terminal escape
or a quote of the client's making.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections import deque
from typing import Any, BinaryIO

Scope = dict[str, Any]
Message = dict[str, Any]

FLUSH_SECONDS = 0.25
# Lines waiting to be written; past this (standard output not being read) the oldest go,
# and the count of lost lines is written when it can be.
BACKLOG = 100_000

_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f"\\]')


def escape(text: str) -> str:
    """Control characters, quotes and backslashes as \\xNN: one request, one line."""
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class AccessLog:
    """Pure ASGI middleware that records each request's outcome for the writer thread."""

    def __init__(self, app: Any, out: BinaryIO | None = None) -> None:
        self.app = app
        self.writer = LineWriter(out or sys.stdout.buffer)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self.app(scope, receive, self._flushing(send))
            else:
                await self.app(scope, receive, send)
            return
        started = time.time()
        status = 0
        size = 0

        async def noted(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            else:
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, noted)
        finally:
            self.writer.add((started, scope, status, size, time.time() - started))

    def _flushing(self, send: Any) -> Any:
        async def flush_on_shutdown(message: Message) -> None:
            if message["type"].startswith("lifespan.shutdown"):
                self.writer.stop()
            await send(message)
        return flush_on_shutdown


class LineWriter:
    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.pending: deque[tuple[float, Scope, int, int, float]] = deque(maxlen=BACKLOG)
        self.lost = 0
        self._wake = threading.Event()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="access-log", daemon=True)
        self._thread.start()

    def add(self, record: tuple[float, Scope, int, int, float]) -> None:
        if len(self.pending) == BACKLOG:
            self.lost += 1
        self.pending.append(record)

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stopped:
            self._wake.wait(FLUSH_SECONDS)
            self.flush()
        self.flush()

    def flush(self) -> None:
        lines = []
        while self.pending:
            lines.append(line(*self.pending.popleft()))
        if self.lost:
            lost, self.lost = self.lost, 0
            lines.append(f"access log: {lost} lines lost (standard output was not read)\n")
        if lines:
            try:
                self.out.write("".join(lines).encode())
                self.out.flush()
            except (OSError, ValueError):  # standard output closed: nothing to tell
                pass


def line(started: float, scope: Scope, status: int, size: int, took: float) -> str:
    client = scope.get("client")
    target = scope.get("raw_path") or scope["path"].encode()
    if scope.get("query_string"):
        target += b"?" + scope["query_string"]
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(started))
    return (f"{stamp}Z {escape(client[0]) if client else '-'} "
            f'"{escape(scope["method"])} {escape(target.decode("latin-1"))} '
            f'HTTP/{escape(scope.get("http_version", "1.1"))}" {status} {size} '
            f"{took * 1000:.1f}ms\n")
