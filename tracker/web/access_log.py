"""The access log: one line per request on standard output, cheap enough to keep on.

A request formats its line (a few string operations: the time stamp is made once a
second, and escaping is only done when a field needs it) and queues it; a thread writes
the queue in one write a few times a second, and once more when the server stops.
Formatting is not left to that thread: a thread busy with Python work holds the
interpreter lock for whole switch intervals, and requests queued behind it (measured:
p99 from 20 ms to 300 ms). Anything the client sent (the path, the query, a forwarded
address) is escaped, so a line never carries a newline, a terminal escape or a quote of
its making.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import MutableMapping
from typing import Any, BinaryIO

FLUSH_SECONDS = 0.25
# Lines waiting to be written; past this (standard output not being read) the oldest go,
# and the count of lost lines is written when it can be.
BACKLOG = 100_000

_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f"\\]')
# Signed link tokens are capabilities (a follow's manage link works for 90 days, its
# unsubscribe link for ever), and a log is read by more people and kept longer than a
# mailbox: their values never reach it.
_TOKEN = re.compile(r"((?:^|&)token=)[^&]*")


def escape(text: str) -> str:
    """Control characters, quotes and backslashes as \\xNN: one request, one line."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _safe(text: str) -> str:
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return text
    return escape(text)


_stamp: list[Any] = [-1, ""]
# The part of a line that depends on the request alone, escaped once for each distinct
# request (clients ask for the same few addresses over and over).
_requests: dict[tuple[Any, ...], str] = {}


def line(started: float, took: float, scope: MutableMapping[str, Any], status: int,
         size: int) -> str:
    """``started``: wall-clock seconds; ``took``: seconds."""
    second = int(started)
    if _stamp[0] != second:
        _stamp[:] = [second, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second))]
    client = scope.get("client")
    key = (client[0] if client else "-", scope["method"], scope.get("raw_path") or
           scope["path"], scope.get("query_string"), scope.get("http_version", "1.1"))
    request = _requests.get(key)
    if request is None:
        if len(_requests) >= 10_000:
            _requests.clear()
        request = _requests[key] = _request(*key)
    return f"{_stamp[1]} {request} {status} {size} {took * 1000:.1f}ms\n"


def _request(client: str, method: str, path: bytes | str, query: bytes | None,
             version: str) -> str:
    target = path.decode("latin-1") if isinstance(path, bytes) else path
    if query:
        target += "?" + _TOKEN.sub(r"\1[hidden]", query.decode("latin-1"))
    return f'{_safe(client)} "{_safe(method)} {_safe(target)} HTTP/{_safe(version)}"'


class LineWriter:
    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.pending: deque[str] = deque(maxlen=BACKLOG)
        self.lost = 0
        self._wake = threading.Event()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="access-log", daemon=True)
        self._thread.start()

    def add(self, text: str) -> None:
        if len(self.pending) == BACKLOG:
            self.lost += 1
        self.pending.append(text)

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
        pending = self.pending
        while pending:
            lines.append(pending.popleft())
        if self.lost:
            lost, self.lost = self.lost, 0
            lines.append(f"access log: {lost} lines lost (standard output was not read)\n")
        if lines:
            try:
                self.out.write("".join(lines).encode())
                self.out.flush()
            except (OSError, ValueError):  # standard output closed: nothing to tell
                pass
