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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

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


class PageCache:
    """Rendered responses keyed by address and validators: a page whose validators have not
    changed is the same page, so it is sent again without being built again."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, ...], tuple[bytes, int, str]] = OrderedDict()
        self._recorded: tuple[int, datetime | None] = (-1, None)
        self._lock = threading.Lock()
        # Which variant (and max-age) each address was answered with: lets FastAnswers
        # answer it again without routing.
        self.variants: dict[tuple[str, str], tuple[str, int]] = {}
        self.validators: dict[tuple[int, date, str], Validators] = {}

    def get(self, key: tuple[str, ...]) -> tuple[bytes, int, str] | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple[str, ...], item: tuple[bytes, int, str]) -> None:
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

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


def not_modified(request: Request, current: Validators,
                 exists: bool = False) -> Response | None:
    """A 304 when the client's copy is current (If-None-Match wins over If-Modified-Since).

    ``If-None-Match: *`` asks whether the address has any representation at all, so it
    matches only once the answer is known to be one (``exists``): never a 404.
    """
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        if current.etag in tags or (exists and "*" in tags):
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
        key = (variant, request.url.path, request.url.query, current.etag)
        if (hit := request.app.state.page_cache.get(key)) is not None:
            return _cached(request, hit, current, max_age)
    return await run_in_threadpool(answer_now, request, tracker, variant, build, max_age)


def _cached(request: Request, hit: tuple[bytes, int, str], current: Validators,
            max_age: int) -> Response:
    body, status, media_type = hit
    if status != 200:
        return Response(body, status_code=status, media_type=media_type)
    if (unchanged := not_modified(request, current, exists=True)) is not None:
        return unchanged
    return stamp(Response(body, status_code=status, media_type=media_type), current, max_age)


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
        if len(cache.validators) > 4 * cache.size:
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
    with tracker.engine.connect() as conn:
        current = validators(tracker, conn, variant, cache)
        if (cached := not_modified(request, current)) is not None:
            return cached
        key = (variant, request.url.path, request.url.query, current.etag)
        if (hit := cache.get(key)) is not None:
            return _cached(request, hit, current, max_age)
        built = build(conn)
    result = built if isinstance(built, Response) else JSONResponse(jsonable_encoder(built))
    if result.status_code in (200, 404):
        cache.put(key, (bytes(result.body), result.status_code,
                        result.headers.get("content-type", "")))
        if len(cache.variants) < 10 * cache.size:
            cache.variants[(request.url.path, request.url.query)] = (variant, max_age)
    if result.status_code == 200:
        if (unchanged := not_modified(request, current, exists=True)) is not None:
            return unchanged
        stamp(result, current, max_age)
    return result


def _304(current: Validators) -> Response:
    return stamp(Response(status_code=304), current)
