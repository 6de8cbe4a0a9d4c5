"""HTTP caching of the public reads, in one place: validators, the 304 rule, the rendered
answers kept in memory, and the front that answers repeat reads before routing.

Every page and JSON read depends on two things only: the events projected so far and today's
date (overdue and "N days ago" change at midnight without any new event). The validators
therefore combine the projector's position with the date, and Last-Modified is the later of
the newest projected event's recording time and the start of today.

A route validates its parameters and hands over a ``Read`` (tracker.site.addresses: which
renderer, with which parameters) to ``HttpCache.answer``. An answer is the same while its
address, the query parameters its route reads and its validators are: it is kept (bounded by
bytes) and sent again without being built again. While the position read from the database
is fresh (FRESH_SECONDS), a 304 or a kept answer goes out on the event loop, without a hop
to a worker thread; ``early`` does the same before anything else runs (asked by the
outermost layer), for addresses already answered once, with ASGI messages built once per
kept answer.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time as time_module
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, NamedTuple, TypeVar
from urllib.parse import parse_qsl, urlencode

from fastapi import Depends, Request, Response
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool
from starlette.types import Message, Scope

from tracker.projections.as_of import AsOfBusy, AsOfStores
from tracker.projections.lookups import newest_recorded_at
from tracker.projections.runner import Projector, Repeating
from tracker.site import time_travel
from tracker.site.addresses import Read, Site, resolve
from tracker.site.answer import Answer, AsOf
from tracker.web import security

log = logging.getLogger(__name__)
P = TypeVar("P")

# How old the position may be for a request to trust it without asking the database: pages
# lag a write made by another process by at most this (a process's own writes, never).
FRESH_SECONDS = 0.25
# What an entry costs beyond its bytes and key: the dictionary slot, tuples and objects.
ENTRY_OVERHEAD = 400
# Bounds of the small maps beside the cache; each entry there is a few hundred bytes.
MAX_VALIDATORS = 8_192
MAX_KNOWN_ADDRESSES = 20_000
MAX_KNOWN_QUERY = 1_024  # longer (valid) queries are answered, but never from the front
Key = tuple[str, str, str, str]  # variant, path, canonical query, ETag


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: datetime

    @functools.cached_property
    def http_date(self) -> str:
        return format_datetime(self.last_modified, usegmt=True)

    @functools.cached_property
    def _stamps(self) -> dict[int, list[tuple[bytes, bytes]]]:
        return {}

    def headers(self, max_age: int) -> list[tuple[bytes, bytes]]:
        """ETag, Last-Modified and Cache-Control, encoded once per max-age (the list is
        shared: callers copy it, never change it)."""
        found = self._stamps.get(max_age)
        if found is None:
            found = self._stamps[max_age] = [
                (b"etag", self.etag.encode("latin-1")),
                (b"last-modified", self.http_date.encode("latin-1")),
                (b"cache-control", b"public, max-age=%d" % max_age)]
        return found

    @functools.cached_property
    def _not_modified(self) -> dict[tuple[int, bool], Message]:
        return {}

    def not_modified(self, max_age: int, path: str) -> Message:
        """The ``http.response.start`` of a 304, security headers included, built once per
        max-age (shared: senders never change it)."""
        key = (max_age, path in security.DOCS_PATHS)
        found = self._not_modified.get(key)
        if found is None:
            found = self._not_modified[key] = {
                "type": "http.response.start", "status": 304,
                "headers": security.with_security_headers(path, self.headers(max_age))}
        return found


def make_validators(position: int, today: date, recorded: datetime | None,
                    variant: str) -> Validators:
    midnight = datetime.combine(today, time(), tzinfo=UTC)
    if recorded is not None and recorded.tzinfo is None:
        recorded = recorded.replace(tzinfo=UTC)
    newest = max(midnight, recorded) if recorded is not None else midnight
    tag = f'"{position}-{today.isoformat()}{"-" + variant if variant else ""}"'
    # PostgreSQL hands back its session's zone (even when that is UTC, it is not the
    # ``UTC`` object that HTTP date formatting insists on).
    return Validators(etag=tag, last_modified=newest.astimezone(UTC).replace(microsecond=0))


def client_is_current(if_none_match: str | None, if_modified_since: str | None,
                      current: Validators, exists: bool = False) -> bool:
    """The 304 rule: If-None-Match wins over If-Modified-Since.

    ``If-None-Match: *`` asks whether the address has any representation at all, so it
    matches only once the answer is known to be one (``exists``): never a 404.
    """
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return current.etag in tags or (exists and "*" in tags)
    if not if_modified_since:
        return False
    try:
        client = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if client.tzinfo is None:
        client = client.replace(tzinfo=UTC)
    return current.last_modified <= client


def canonical_query(query: str, reads: Iterable[str]) -> str:
    """The part of a query string a route reads, in one order: the cache's key for it.

    Values keep their order within a name (a route may read the last, or all of them).
    """
    if not query:
        return ""
    names = frozenset(reads)
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k in names]
    return urlencode(sorted(pairs, key=lambda pair: pair[0]))


class Known(NamedTuple):
    """How an address and query was answered: enough for the front to answer it again."""

    variant: str
    max_age: int


class Kept:
    """An answer in the cache, and the ASGI messages that send it (built at most once)."""

    __slots__ = ("answer", "cost", "messages")

    def __init__(self, answer: Answer, cost: int) -> None:
        self.answer = answer
        self.cost = cost
        # (max-age, http.response.start, http.response.body): see HttpCache.early
        self.messages: tuple[int, Message, Message] | None = None


class AnswerCache:
    """Rendered answers keyed by variant, address, query and ETag; bounded by bytes
    (bodies, keys and a fixed overhead per entry), not by a count: a count lets a few
    large answers take all the memory."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[Key, Kept] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Key) -> Answer | None:
        found = self.kept(key)
        return found.answer if found is not None else None

    def kept(self, key: Key) -> Kept | None:
        # Without the lock: each step is one operation on the dictionary; an entry
        # evicted between them is simply not marked as recently used.
        found = self._items.get(key)
        if found is not None:
            try:
                self._items.move_to_end(key)
            except KeyError:  # evicted meanwhile: sent this once more all the same
                return found
        return found

    def put(self, key: Key, item: Answer) -> None:
        cost = (len(item.body) + sum(len(part) for part in key) + ENTRY_OVERHEAD
                + sum(len(n) + len(v) for n, v in item.headers))
        if cost > self.max_bytes:
            return  # larger than the whole cache: built again each time instead
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= old.cost
            self._items[key] = Kept(item, cost)
            self.bytes += cost
            while self.bytes > self.max_bytes:
                _, freed = self._items.popitem(last=False)
                self.bytes -= freed.cost


class HttpCache:
    """The seam between the web routes and the site renderer: one per app."""

    def __init__(self, site: Site, projector: Projector, max_bytes: int,
                 as_of_stores: AsOfStores | None = None) -> None:
        self.site = site
        self.projector = projector
        self.as_of_stores = as_of_stores
        self.clock = site.context.clock
        # Today's date while the wall clock stays within it (see today()).
        self._day: tuple[float, float, date] = (0.0, 0.0, date.min)
        self._real_clock = self.clock == date.today  # a bound method: equal, never the same
        self.answers = AnswerCache(max_bytes)
        self._recorded: tuple[int, datetime | None] = (-1, None)
        self._validators: dict[tuple[int, date, str], Validators] = {}
        # Which variant and max-age each address and query was answered with, and which
        # query parameters the route at each path reads: lets the front answer it again
        # without routing.
        self._known: dict[tuple[str, str], Known] = {}
        self._reads: dict[str, frozenset[str]] = {}
        self._route_reads: dict[int, frozenset[str]] = {}
        self._position_lock = asyncio.Lock()
        # ?as_of= values already checked, at the position they were checked at: the day
        # and the name of its read models (see as_of_validators).
        self._as_of: dict[tuple[str, int], tuple[date, str]] = {}

    # -- validators -------------------------------------------------------------------

    def today(self) -> date:
        """The clock's date. The real clock's is looked up again only when the wall clock
        leaves the local day it was read in (asking for it costs more than the rest of an
        answer from memory); any other clock (a test's) is asked every time."""
        if not self._real_clock:
            return self.clock()
        now = time_module.time()
        starts, ends, day = self._day
        if starts <= now < ends:
            return day
        day = date.today()
        midnight = datetime.combine(day, time())  # local, as date.today() is
        self._day = (midnight.timestamp(), (midnight + timedelta(days=1)).timestamp(), day)
        return day

    def validators(self, conn: Connection, variant: str = "") -> Validators:
        """The validators of any representation read now; ``variant`` tells formats apart."""
        position = self.projector.position(conn)
        return make_validators(position, self.today(), self._recorded_at(conn, position),
                               variant)

    def _recorded_at(self, conn: Connection, position: int) -> datetime | None:
        """The newest projected event's recording time, looked up once per position."""
        known_position, known = self._recorded
        if known_position == position:
            return known
        value = newest_recorded_at(conn, position)
        self._recorded = (position, value)
        return value

    def read_position(self) -> None:
        with self.site.engine.connect() as conn:
            self._recorded_at(conn, self.projector.position(conn))

    def in_memory(self, variant: str) -> Validators | None:
        """The validators without the database, while the position read is fresh."""
        position = self.projector.recent_position(FRESH_SECONDS)
        if position is None:
            return None
        known_position, recorded = self._recorded
        if known_position != position:
            return None
        key = (position, self.today(), variant)
        found = self._validators.get(key)
        if found is None:
            if len(self._validators) > MAX_VALIDATORS:
                self._validators.clear()
            found = self._validators[key] = make_validators(position, key[1], recorded,
                                                            variant)
        return found

    async def _validators_now(self, variant: str) -> Validators | None:
        """From memory; when the position is too old, one request reads it again (in a
        worker thread) while the others wait for that one, rather than all asking the
        database."""
        current = self.in_memory(variant)
        if current is not None:
            return current
        async with self._position_lock:
            current = self.in_memory(variant)
            if current is None:
                await run_in_threadpool(self.read_position)
                current = self.in_memory(variant)
        return current

    def watcher(self) -> Repeating:
        """Reads the position a few times a second, so that requests find it fresh in
        memory and never queue to read it themselves. While the database is away it fails
        quietly, and requests take the slow path (and answer 503)."""
        return Repeating(self.read_position, FRESH_SECONDS / 3, "position",
                         level=logging.DEBUG)

    # -- answers ----------------------------------------------------------------------

    async def answer(self, request: Request, read: Read[P]) -> Response:
        """A 304 or a kept answer straight from memory, on the event loop, when the
        position was read recently; otherwise the same, and rendering, in a worker thread.

        Under load almost every request is one or the other, and a hop to the thread pool
        (and a database round trip) costs more than the answer itself.
        """
        reads = self._reads_of(request)
        path = request.url.path
        headers = request.headers
        if "as_of" in request.query_params and self.as_of_stores is not None:
            raw = request.url.query
            known = self._as_of_in_memory(request.query_params["as_of"])
            if known is not None:
                past = as_of_validators(*known, read.variant)
                query = canonical_query(raw, reads | AS_OF)
                ready = self._ready(headers, (read.variant, path, query, past.etag), past,
                                    read.max_age)
                if ready is not None:
                    return ready
            return await run_in_threadpool(self._answer_as_of, headers, path, raw, reads,
                                           read)
        query = canonical_query(request.url.query, reads)
        current = await self._validators_now(read.variant)
        if current is not None:
            ready = self._ready(headers, (read.variant, path, query, current.etag), current,
                                read.max_age)
            if ready is not None:
                return ready
        return await run_in_threadpool(self._answer_now, headers, path, query, reads, read)

    def _answer_now(self, headers: Mapping[str, str], path: str, query: str,
                    reads: frozenset[str], read: Read[P]) -> Response:
        with self.site.engine.connect() as conn:
            current = self.validators(conn, read.variant)
            key = (read.variant, path, query, current.etag)
            ready = self._ready(headers, key, current, read.max_age)
            if ready is not None:
                return ready
            built = self.site.render(conn, read)
        if built.status in (200, 404):
            self.answers.put(key, built)
            self._remember(path, query, reads, Known(read.variant, read.max_age))
        return self._response(headers, built, current, read.max_age)

    def _answer_as_of(self, headers: Mapping[str, str], path: str, raw_query: str,
                      reads: frozenset[str], read: Read[P]) -> Response:
        """The read as recorded by the end of a past day (tracker.site.time_travel)."""
        assert self.as_of_stores is not None
        original = time_travel.without_as_of(path, raw_query)
        text = dict(parse_qsl(raw_query)).get("as_of", "")
        with self.site.engine.connect() as conn:
            position = self.projector.position(conn)
            day = time_travel.check_day(conn, text, self.today())
            if isinstance(day, str):
                return response_of(time_travel.refusal(self.site.context, path, day))
            try:
                engine, name = self.as_of_stores.engine_for(conn, day)
            except AsOfBusy:
                return response_of(time_travel.busy(self.site.context, path, day))
        if len(self._as_of) >= MAX_VALIDATORS:
            self._as_of.clear()
        self._as_of[(text, position)] = (day, name)
        query = canonical_query(raw_query, reads | AS_OF)
        current = as_of_validators(day, name, read.variant)
        key = (read.variant, path, query, current.etag)
        ready = self._ready(headers, key, current, read.max_age)
        if ready is None:
            context = replace(self.site.context, clock=lambda: day,
                              as_of=AsOf(day, original))
            with engine.connect() as past:
                built = Site(engine, context).render(past, read)
            if built.status == 200:
                if built.media_type.startswith("text/html"):
                    built = replace(built, body=time_travel.links_as_of(
                        built.body.decode("utf-8"), day, _public).encode("utf-8"))
                built = replace(built, headers=time_travel.with_memento_headers(
                    built.headers, self.site.context.settings.base_url, original, day))
                self.answers.put(key, built)
                self._remember(path, query, reads, Known(read.variant, read.max_age))
            ready = self._response(headers, built, current, read.max_age)
        if ready.status_code == 304:
            ready.headers["Memento-Datetime"] = time_travel.memento_datetime(day)
        return ready

    def _as_of_in_memory(self, text: str) -> tuple[date, str] | None:
        """A day already checked at the position read recently, and its read models'
        name; None: check it (in a worker thread)."""
        position = self.projector.recent_position(FRESH_SECONDS)
        if position is None:
            return None
        return self._as_of.get((text, position))

    def _ready(self, headers: Mapping[str, str], key: Key, current: Validators,
               max_age: int) -> Response | None:
        """A 304, or the kept answer, or None (render it)."""
        if client_is_current(headers.get("if-none-match"), headers.get("if-modified-since"),
                             current):
            return _not_modified(current, max_age)
        hit = self.answers.get(key)
        return self._response(headers, hit, current, max_age) if hit is not None else None

    @staticmethod
    def _response(headers: Mapping[str, str], answer: Answer, current: Validators,
                  max_age: int) -> Response:
        if answer.status == 200 and client_is_current(
                headers.get("if-none-match"), headers.get("if-modified-since"), current,
                exists=True):
            return _not_modified(current, max_age)
        response = response_of(answer)
        if answer.status == 200:
            response.raw_headers.extend(current.headers(max_age))
        return response

    def uncached(self, read: Read[P]) -> Response:
        """Rendered now, with only the headers the answer carries (the verifiable log's
        files say for themselves how long they may be kept)."""
        return response_of(self.site.render_now(read))

    def stamped(self, request: Request, variant: str, max_age: int,
                respond: Callable[[], Response]) -> Response:
        """An answer that always exists and is not kept (a streamed export): a 304 when
        the client is current (``If-None-Match: *`` too), else ``respond()`` stamped."""
        with self.site.engine.connect() as conn:
            current = self.validators(conn, variant)
        if client_is_current(request.headers.get("if-none-match"),
                             request.headers.get("if-modified-since"), current, exists=True):
            return _not_modified(current, max_age)
        response = respond()
        response.raw_headers.extend(current.headers(max_age))
        return response

    def _reads_of(self, request: Request) -> frozenset[str]:
        """The query parameters the matched route declares (its dependencies' too)."""
        route = request.scope.get("route")
        dependant = getattr(route, "dependant", None)
        if dependant is None:
            return frozenset()
        # By identity, in the app's own cache: its routes live as long as it does.
        found = self._route_reads.get(id(route))
        if found is None:
            names: set[str] = set()
            todo = [dependant]
            while todo:
                current = todo.pop()
                names.update(field.alias for field in current.query_params)
                todo.extend(current.dependencies)
            found = self._route_reads[id(route)] = frozenset(names)
        return found

    def _remember(self, path: str, query: str, reads: frozenset[str], known: Known) -> None:
        if len(path) + len(query) > MAX_KNOWN_QUERY:
            return
        if len(self._known) >= MAX_KNOWN_ADDRESSES:
            self._known.clear()
        if len(self._reads) >= MAX_KNOWN_ADDRESSES:
            self._reads.clear()
        self._reads[path] = reads
        self._known[(path, query)] = known

    # -- the front: before routing ----------------------------------------------------

    def early(self, scope: Scope) -> tuple[Message, Message] | None:
        """The answer to a GET or HEAD from memory, before anything else runs: while the
        position is fresh in memory, a conditional request for an address answered before
        gets its 304, and a plain one its kept answer, as two prebuilt ASGI messages (the
        whole header list, security headers included, built once per kept answer): the
        same validators and headers the route would have sent, without routing, any other
        layer, a worker thread or the database. None: anything else (a miss, a stale
        position, an ``?as_of=`` day not checked at this position) goes on to the app.

        Which answers may be sent from here is decided where they are kept (``_remember``
        and the cache key: variant, address, the query parameters the route reads, ETag);
        a write moves the position, so the ETag, so the key."""
        path: str = scope["path"]
        reads = self._reads.get(path)
        if reads is None:
            return None
        raw_query: bytes = scope.get("query_string", b"")
        as_of = None
        query = ""
        if raw_query:
            text = raw_query.decode("latin-1")
            as_of = _as_of_text(text)
            # Only the parameters the route reads make an answer differ: ?junk=1 is the
            # page without it.
            query = canonical_query(text, reads if as_of is None else reads | AS_OF)
        known = self._known.get((path, query))
        if known is None:
            return None
        if as_of is None:
            current = self.in_memory(known.variant)
        else:  # a past day's version, once its day was checked at this position
            day = self._as_of_in_memory(as_of)
            current = as_of_validators(*day, known.variant) if day is not None else None
        if current is None:
            return None
        if_none_match = if_modified_since = None
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value.decode("latin-1")
            elif name == b"if-modified-since":
                if_modified_since = value.decode("latin-1")
        conditional = if_none_match is not None or if_modified_since is not None
        if conditional and client_is_current(if_none_match, if_modified_since, current):
            return current.not_modified(known.max_age, path), _NO_BODY
        kept = self.answers.kept((known.variant, path, query, current.etag))
        if kept is None:
            return None
        hit = kept.answer
        if conditional and hit.status == 200 and client_is_current(
                if_none_match, if_modified_since, current, exists=True):
            return current.not_modified(known.max_age, path), _NO_BODY
        messages = kept.messages
        if messages is None or messages[0] != known.max_age:
            headers = [(b"content-type", hit.media_type.encode("latin-1")),
                       *((n.encode("latin-1"), v.encode("latin-1")) for n, v in hit.headers),
                       *(current.headers(known.max_age) if hit.status == 200 else ()),
                       (b"content-length", b"%d" % len(hit.body))]
            messages = kept.messages = (
                known.max_age,
                {"type": "http.response.start", "status": hit.status,
                 "headers": security.with_security_headers(path, headers)},
                {"type": "http.response.body", "body": hit.body})
        return messages[1], (_NO_BODY if scope["method"] == "HEAD" else messages[2])


# A 304's body, and a HEAD's (shared: senders never change it).
_NO_BODY: Message = {"type": "http.response.body", "body": b""}
AS_OF = frozenset({"as_of"})


def as_of_validators(day: date, name: str, variant: str) -> Validators:
    """The validators of a past day's version: the day (its clock) and its read models'
    name (the entries recorded by then) are all it depends on."""
    return Validators(etag=f'"as-of-{day.isoformat()}-{name}-{variant}"',
                      last_modified=datetime.combine(day, time(), tzinfo=UTC))


def _public(path: str) -> bool:
    """A public read, which a past page's links keep on its day."""
    return resolve(path) is not None and not path.startswith("/log/")


def _as_of_text(query: str) -> str | None:
    if "as_of" not in query:
        return None
    return dict(parse_qsl(query, keep_blank_values=True)).get("as_of")


def response_of(answer: Answer) -> Response:
    response = Response(answer.body, status_code=answer.status, media_type=answer.media_type)
    for name, value in answer.headers:
        response.headers[name] = value
    return response


def _not_modified(current: Validators, max_age: int) -> Response:
    response = Response(status_code=304)
    response.raw_headers.extend(current.headers(max_age))
    return response


async def get_site(request: Request) -> HttpCache:
    """The public site behind its HTTP cache (async: no thread hop per request)."""
    cache: HttpCache = request.app.state.http_cache
    return cache


SiteDep = Annotated[HttpCache, Depends(get_site)]
