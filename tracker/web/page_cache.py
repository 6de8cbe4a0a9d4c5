"""Rendered answers kept in memory, keyed by what makes them differ, bounded by bytes.

An answer is the same while its address, the query parameters its route reads and its
validators (tracker.web.conditional) are: it is sent again without being built again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import parse_qsl, urlencode

from fastapi import Request
from sqlalchemy import Connection, select

from tracker.projections.timeline import entries

if TYPE_CHECKING:
    from tracker.web.conditional import Validators


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
