"""Answer repeat reads before routing: a pure ASGI middleware in front of the app.

Once an address has been answered through ``conditional.answer`` its variant is known; while
the read-model position is fresh in memory, a conditional request for it gets its 304 and a
plain one its cached bytes straight from here, with the same validators and headers the
route would have sent, and without routing, dependency injection, a worker thread or the
database. Anything else (a write, a miss, a stale position) goes on to the app unchanged.
"""

from __future__ import annotations

from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any

from tracker.web.conditional import Validators, validators_in_memory
from tracker.web.page_cache import PageCache, canonical_query

Scope = dict[str, Any]


class FastAnswers:
    def __init__(self, app: Any, tracker: Any, cache: PageCache) -> None:
        self.app = app
        self.tracker = tracker
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        reads = self.cache.reads.get(path)
        known = current = None
        query = ""
        if reads is not None:
            # Only the parameters the route reads make an answer differ (conditional.answer
            # keys its cache the same way): ?junk=1 is the page without it.
            query = canonical_query(scope.get("query_string", b"").decode("latin-1"), reads)
            known = self.cache.variants.get((path, query))
        if known is not None:
            current = validators_in_memory(self.tracker, self.cache, known[0])
        if known is None or current is None:
            await self.app(scope, receive, send)
            return
        variant, max_age = known
        headers = dict(scope["headers"])
        if _client_is_current(headers, current):
            await _send(send, 304, _stamped(current, max_age), b"")
            return
        hit = self.cache.get((variant, path, query, current.etag))
        if hit is None:
            await self.app(scope, receive, send)
            return
        if hit.status == 200 and _client_is_current(headers, current, exists=True):
            await _send(send, 304, _stamped(current, max_age), b"")
            return
        extra = _stamped(current, max_age) if hit.status == 200 else []
        own = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in hit.headers]
        await _send(send, hit.status,
                    [(b"content-type", hit.media_type.encode()), *own, *extra],
                    b"" if scope["method"] == "HEAD" else hit.body, len(hit.body))


def _client_is_current(headers: dict[bytes, bytes], current: Validators,
                       exists: bool = False) -> bool:
    """The rule of conditional.not_modified, on raw headers."""
    if_none_match = headers.get(b"if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.decode("latin-1")
                .split(",")}
        return current.etag in tags or (exists and "*" in tags)
    since = headers.get(b"if-modified-since")
    if not since:
        return False

    try:
        client = parsedate_to_datetime(since.decode("latin-1"))
    except (TypeError, ValueError):
        return False
    if client.tzinfo is None:
        client = client.replace(tzinfo=UTC)
    return current.last_modified <= client


_STAMPS: dict[tuple[str, str, int], list[tuple[bytes, bytes]]] = {}


def _stamped(current: Validators, max_age: int) -> list[tuple[bytes, bytes]]:
    key = (current.etag, current.http_date, max_age)
    found = _STAMPS.get(key)
    if found is None:
        if len(_STAMPS) > 10_000:
            _STAMPS.clear()
        found = _STAMPS[key] = [(b"etag", current.etag.encode()),
                                (b"last-modified", current.http_date.encode()),
                                (b"cache-control", f"public, max-age={max_age}".encode())]
    return found


async def _send(send: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes,
                length: int | None = None) -> None:
    size = len(body) if length is None else length
    if status != 304:
        headers = [*headers, (b"content-length", str(size).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
