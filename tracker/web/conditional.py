"""ETag and Last-Modified from the read models' position, and cheap 304 answers.

Every page and JSON read depends on two things only: the events projected so far and today's
date (overdue and "N days ago" change at midnight without any new event). The validators
therefore combine the projector's position with the date, and Last-Modified is the later of
the newest projected event's recording time and the start of today. Working them out costs
two primary-key reads; a matching conditional request is answered before any page is built.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import Connection, select
from starlette.concurrency import run_in_threadpool

from tracker.bootstrap import Tracker
from tracker.projections.runner import Repeating
from tracker.projections.timeline import entries

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: datetime

    @functools.cached_property
    def http_date(self) -> str:
        return format_datetime(self.last_modified, usegmt=True)


class Cached(NamedTuple):
    """A rendered answer: its bytes, status, media type and the headers of its own (a
    ``Link`` to the next page) that must go out with it again."""

    body: bytes
    status: int
    media_type: str
    headers: tuple[tuple[str, str], ...] = ()


# Headers a route sets on a cached answer that belong to the answer, not to the moment.
KEPT_HEADERS = ("link",)
# What an entry costs beyond its bytes and key: the dictionary slot, tuples and objects.
ENTRY_OVERHEAD = 400
# Bounds of the small maps beside the cache; each entry there is a few hundred bytes.
MAX_VALIDATORS = 8_192
MAX_KNOWN_ADDRESSES = 20_000
MAX_KNOWN_QUERY = 1_024  # longer (valid) queries are answered, but never from the front


class PageCache:
    """Rendered responses keyed by address and validators: a page whose validators have not
    changed is the same page, so it is sent again without being built again.

    Bounded by bytes (bodies, keys and a fixed overhead per entry), not by a count: a count
    lets a few large answers take all the memory. The key holds only the query parameters
    the route reads (``reads``), so ``?anything=else`` is the same entry as none at all.
    """

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[tuple[str, ...], tuple[Cached, int]] = OrderedDict()
        self._recorded: tuple[int, datetime | None] = (-1, None)
        self._lock = threading.Lock()
        # Which variant (and max-age) each address and query was answered with, and which
        # query parameters the route at each path reads: lets FastAnswers answer it again
        # without routing.
        self.variants: dict[tuple[str, str], tuple[str, int]] = {}
        self.reads: dict[str, frozenset[str]] = {}
        self.route_reads: dict[int, frozenset[str]] = {}
        self.validators: dict[tuple[int, date, str], Validators] = {}

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: tuple[str, ...]) -> Cached | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: tuple[str, ...], item: Cached) -> None:
        cost = (len(item.body) + sum(len(part) for part in key) + ENTRY_OVERHEAD
                + sum(len(n) + len(v) for n, v in item.headers))
        if cost > self.max_bytes:
            return  # larger than the whole cache: built again each time instead
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._items[key] = (item, cost)
            self.bytes += cost
            while self.bytes > self.max_bytes:
                _, (_, freed) = self._items.popitem(last=False)
                self.bytes -= freed

    def remember(self, path: str, query: str, reads: frozenset[str], variant: str,
                 max_age: int) -> None:
        """Note how an address was answered, for FastAnswers."""
        if len(path) + len(query) > MAX_KNOWN_QUERY:
            return
        if len(self.variants) >= MAX_KNOWN_ADDRESSES:
            self.variants.clear()
        if len(self.reads) >= MAX_KNOWN_ADDRESSES:
            self.reads.clear()
        self.reads[path] = reads
        self.variants[(path, query)] = (variant, max_age)

    @property
    def recorded(self) -> tuple[int, datetime | None]:
        return self._recorded

    def recorded_at(self, conn: Connection, position: int) -> datetime | None:
        """The newest projected event's recording time, looked up once per position."""
        known_position, known = self._recorded
        if known_position == position:
            return known
        value = conn.execute(select(entries.c.recorded_at)
                             .where(entries.c.position <= position)
                             .order_by(entries.c.position.desc()).limit(1)).scalar()
        self._recorded = (position, value)
        return value


def canonical_query(query: str, reads: Iterable[str]) -> str:
    """The part of a query string a route reads, in one order: the cache's key for it.

    Values keep their order within a name (a route may read the last, or all of them).
    """
    if not query:
        return ""
    names = frozenset(reads)
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k in names]
    return urlencode(sorted(pairs, key=lambda pair: pair[0]))


def route_reads(request: Request, cache: PageCache) -> frozenset[str]:
    """The query parameters the matched route declares (its dependencies' too)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return frozenset()
    # By identity, in the app's own cache: its routes live as long as it does.
    found = cache.route_reads.get(id(route))
    if found is None:
        names: set[str] = set()
        todo = [dependant]
        while todo:
            current = todo.pop()
            names.update(field.alias for field in current.query_params)
            todo.extend(current.dependencies)
        found = cache.route_reads[id(route)] = frozenset(names)
    return found


def cached_response(hit: Cached, current: Validators, max_age: int) -> Response:
    response = Response(hit.body, status_code=hit.status, media_type=hit.media_type)
    for name, value in hit.headers:
        response.headers[name] = value
    if hit.status == 200:
        stamp(response, current, max_age)
    return response


def validators(tracker: Tracker, conn: Connection, variant: str = "",
               cache: PageCache | None = None) -> Validators:
    """The validators of any representation read now; ``variant`` tells formats apart."""
    position = tracker.projector.position(conn)
    recorded = (cache or PageCache(0)).recorded_at(conn, position)
    return _validators(position, tracker.clock(), recorded, variant)


def _validators(position: int, today: date, recorded: datetime | None,
                variant: str) -> Validators:
    midnight = datetime.combine(today, time(), tzinfo=UTC)
    if recorded is not None and recorded.tzinfo is None:
        recorded = recorded.replace(tzinfo=UTC)
    newest = max(midnight, recorded) if recorded is not None else midnight
    tag = f'"{position}-{today.isoformat()}{"-" + variant if variant else ""}"'
    # PostgreSQL hands back its session's zone (even when that is UTC, it is not the
    # ``UTC`` object that HTTP date formatting insists on).
    return Validators(etag=tag, last_modified=newest.astimezone(UTC).replace(microsecond=0))


def not_modified(request: Request, current: Validators) -> Response | None:
    """A 304 when the client's copy is current (If-None-Match wins over If-Modified-Since)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        if current.etag in tags or "*" in tags:
            return _304(current)
        return None
    since = request.headers.get("if-modified-since")
    if since:
        try:
            client = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return None
        if client.tzinfo is None:
            client = client.replace(tzinfo=UTC)
        if current.last_modified <= client:
            return _304(current)
    return None


def stamp(response: Response, current: Validators, max_age: int = 60) -> Response:
    response.headers["ETag"] = current.etag
    response.headers["Last-Modified"] = current.http_date
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


# How old the position may be for a request to trust it without asking the database: pages
# lag a write made by another process by at most this (a process's own writes, never).
FRESH_SECONDS = 0.25


async def answer(request: Request, tracker: Tracker, variant: str,
                 build: Callable[[Connection], Any], max_age: int = 60) -> Response:
    """A 304 or a cached page straight from memory, on the event loop, when the position
    was read recently; otherwise the same, and building, in a worker thread.

    Under load almost every request is one or the other, and a hop to the thread pool (and
    a database round trip) costs more than the answer itself.
    """
    current = await _validators_now(request, tracker, variant)
    if current is not None:
        if (cached := not_modified(request, current)) is not None:
            return cached
        cache: PageCache = request.app.state.page_cache
        query = canonical_query(request.url.query, route_reads(request, cache))
        key = (variant, request.url.path, query, current.etag)
        if (hit := cache.get(key)) is not None:
            return cached_response(hit, current, max_age)
    return await run_in_threadpool(answer_now, request, tracker, variant, build, max_age)


async def _validators_now(request: Request, tracker: Tracker,
                          variant: str) -> Validators | None:
    """From memory; when the position is too old, one request reads it again (in a worker
    thread) while the others wait for that one, rather than all asking the database."""
    cache: PageCache = request.app.state.page_cache
    current = validators_in_memory(tracker, cache, variant)
    if current is not None:
        return current
    async with _position_lock(request):
        current = validators_in_memory(tracker, cache, variant)
        if current is None:
            await run_in_threadpool(_read_position, tracker, cache)
            current = validators_in_memory(tracker, cache, variant)
    return current


def _position_lock(request: Request) -> asyncio.Lock:
    lock: asyncio.Lock | None = getattr(request.app.state, "position_lock", None)
    if lock is None:
        lock = request.app.state.position_lock = asyncio.Lock()
    return lock


def _read_position(tracker: Tracker, cache: PageCache) -> None:
    with tracker.engine.connect() as conn:
        cache.recorded_at(conn, tracker.projector.position(conn))


def validators_in_memory(tracker: Tracker, cache: PageCache,
                          variant: str) -> Validators | None:
    position = tracker.projector.recent_position(FRESH_SECONDS)
    if position is None:
        return None
    known_position, recorded = cache.recorded
    if known_position != position:
        return None
    key = (position, tracker.clock(), variant)
    found = cache.validators.get(key)
    if found is None:
        if len(cache.validators) > MAX_VALIDATORS:
            cache.validators.clear()
        found = cache.validators[key] = _validators(position, key[1], recorded, variant)
    return found


class PositionWatcher(Repeating):
    """Reads the read models' position a few times a second, so that requests find it
    fresh in memory and never queue to read it themselves. While the database is away it
    fails quietly, and requests take the slow path (and answer 503)."""

    def __init__(self, tracker: Tracker, cache: PageCache) -> None:
        super().__init__(lambda: _read_position(tracker, cache), FRESH_SECONDS / 3,
                         "position", level=logging.DEBUG)


def answer_now(request: Request, tracker: Tracker, variant: str,
               build: Callable[[Connection], Any], max_age: int = 60) -> Response:
    """Open a read connection, answer 304 if the client is current, else build and stamp.

    ``build`` returns either a whole response (pages) or a body to send as JSON. Either
    way the bytes are kept in the page cache under the validators they were built with.
    """
    cache: PageCache = request.app.state.page_cache
    reads = route_reads(request, cache)
    query = canonical_query(request.url.query, reads)
    with tracker.engine.connect() as conn:
        current = validators(tracker, conn, variant, cache)
        if (cached := not_modified(request, current)) is not None:
            return cached
        key = (variant, request.url.path, query, current.etag)
        if (hit := cache.get(key)) is not None:
            return cached_response(hit, current, max_age)
        built = build(conn)
    result = built if isinstance(built, Response) else JSONResponse(jsonable_encoder(built))
    if result.status_code in (200, 404):
        kept = tuple((name, result.headers[name]) for name in KEPT_HEADERS
                     if name in result.headers)
        cache.put(key, Cached(bytes(result.body), result.status_code,
                              result.headers.get("content-type", ""), kept))
        cache.remember(request.url.path, query, reads, variant, max_age)
    if result.status_code == 200:
        stamp(result, current, max_age)
    return result


def _304(current: Validators) -> Response:
    return stamp(Response(status_code=304), current)
