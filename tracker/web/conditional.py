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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from tracker.bootstrap import Tracker
from tracker.projections.runner import Repeating
from tracker.web.page_cache import (
    KEPT_HEADERS,
    MAX_VALIDATORS,
    Cached,
    PageCache,
    canonical_query,
    route_reads,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: datetime

    @functools.cached_property
    def http_date(self) -> str:
        return format_datetime(self.last_modified, usegmt=True)


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
    recorded = (cache if cache is not None else PageCache(0)).recorded_at(conn, position)
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
        cache: PageCache = request.app.state.page_cache
        query = canonical_query(request.url.query, route_reads(request, cache))
        key = (variant, request.url.path, query, current.etag)
        if (hit := cache.get(key)) is not None:
            return _cached(request, hit, current, max_age)
    return await run_in_threadpool(answer_now, request, tracker, variant, build, max_age)


def _cached(request: Request, hit: Cached, current: Validators, max_age: int) -> Response:
    """A kept answer again; If-None-Match: * matches only an answer that exists."""
    if hit.status == 200 and (unchanged := not_modified(request, current, exists=True)):
        return unchanged
    return cached_response(hit, current, max_age)


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
            return _cached(request, hit, current, max_age)
        built = build(conn)
    result = built if isinstance(built, Response) else JSONResponse(jsonable_encoder(built))
    if result.status_code in (200, 404):
        kept = tuple((name, result.headers[name]) for name in KEPT_HEADERS
                     if name in result.headers)
        cache.put(key, Cached(bytes(result.body), result.status_code,
                              result.headers.get("content-type", ""), kept))
        cache.remember(request.url.path, query, reads, variant, max_age)
    if result.status_code == 200:
        if (unchanged := not_modified(request, current, exists=True)) is not None:
            return unchanged
        stamp(result, current, max_age)
    return result


def _304(current: Validators) -> Response:
    return stamp(Response(status_code=304), current)
