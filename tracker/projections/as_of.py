"""The read models as recorded by the end of a past day: what ``?as_of=YYYY-MM-DD`` reads.

A day's read models are the events recorded by the end of that day (UTC), replayed by the
same projections into a SQLite file of their own under the data directory,
``as_of/<position>-<count>-<hidden>.sqlite``: the last public entry recorded by then, how
many, and which issues are hidden now. So a file is built once, on the first read of that
day, and reused until an entry is recorded with an older time (only a demo load does
that) or an issue is hidden or restored. Days between which nothing was
recorded share one file, so asking for every day of a quiet year builds one. At most
``MAX_KEPT`` files are kept; the one read longest ago goes first.

What today withholds stays withheld in the past: the hide and restore events of every
issue hidden now are replayed even when they were recorded later, so a hidden issue's
words never come back by asking for an earlier day.

The verifiable log is not rebuilt here: it has its own history (``/log/checkpoint`` and
consistency proofs), and the pages do not read it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Engine, create_engine, event, func, select

from tracker.domain.issue import Issue
from tracker.projections import problems
from tracker.projections.base import metadata
from tracker.projections.issues import issues
from tracker.projections.runner import Projector
from tracker.projections.timeline import entries

log = logging.getLogger(__name__)

MAX_KEPT = 8
_KEPT_EVENTS = (Issue.Hidden, Issue.Restored)


def end_of(day: date) -> datetime:
    """The last moment of ``day`` in UTC: an event recorded at or before it is in."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def start_of(day: date) -> datetime:
    """The first moment of ``day`` in UTC."""
    return datetime.combine(day, time(), tzinfo=UTC)


def first_recorded_day(conn: Connection) -> date | None:
    """The day the first public entry was recorded (no earlier day has a record)."""
    first: datetime | None = conn.execute(select(func.min(entries.c.recorded_at))).scalar()
    return _utc(first).date() if first is not None else None


def last_position_by(conn: Connection, day: date) -> int:
    """The position of the last public entry recorded by the end of ``day`` (0: none)."""
    return recorded_by(conn, day)[0]


def recorded_by(conn: Connection, day: date) -> tuple[int, int]:
    """The last public entry's position and the number of entries recorded by the end of
    ``day``: two days with the same pair have the same entries (entries are only ever
    added), so they share their read models."""
    last, count = conn.execute(select(func.max(entries.c.position), func.count()).where(
        entries.c.recorded_at <= end_of(day))).one()
    return int(last or 0), int(count)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class _AsOfProjector(Projector):
    """Fresh projections fed only the events recorded by ``until`` (and the hide and
    restore events of issues hidden now, see the module's description)."""

    def __init__(self, live: Projector, engine: Engine, until: datetime,
                 hidden_now: frozenset[UUID], skipped: frozenset[int]) -> None:
        super().__init__(live.app, engine, [type(p)() for p in live.projections
                                            if p.name != "ledger"],
                         batch_size=live.batch_size)
        self.until = until
        self.hidden_now = hidden_now
        self._skip = skipped
        self._seen_ids: set[UUID] = set()

    def _known_positions(self, conn: Connection) -> problems.Known:
        return problems.Known(skipped=self._skip)

    def _decode(self, notification: Any) -> Any:
        event = super()._decode(notification)
        if event.timestamp <= self.until:
            self._seen_ids.add(event.originator_id)
            return event
        if isinstance(event, _KEPT_EVENTS) and event.originator_id in self.hidden_now \
                and event.originator_id in self._seen_ids:
            return event
        return _Later(event)

    def _problem_engine(self) -> Engine:
        return self.engine


class _Later:
    """An event recorded after the day: projections dispatch on an event's class, and no
    projection has a handler for this one, so every one passes it over."""

    def __init__(self, event: Any) -> None:
        self.event = event


# A past day is built by replaying the log, which costs a full rebuild's work: one build at
# a time per process, so that requests for many different days (a crawler, or someone
# trying to tie the server up) cannot start many replays at once. A request for another
# day waits this long for the running build, then is told to come back.
BUILD_WAIT_SECONDS = 10.0


class AsOfBusy(Exception):
    """Another past day is being built: ask again in a few seconds."""


class AsOfStores:
    """The read models of past days, built on first use and kept (bounded)."""

    def __init__(self, live: Projector, directory: Path, max_kept: int = MAX_KEPT,
                 build_wait: float = BUILD_WAIT_SECONDS) -> None:
        self.live = live
        self.directory = directory
        self.max_kept = max_kept
        self.build_wait = build_wait
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}
        self._one_build = threading.Lock()

    def engine_for(self, conn: Connection, day: date) -> tuple[Engine, str]:
        """The read models as recorded by the end of ``day`` (``conn``: the live ones),
        and their name (what they hold: a validator)."""
        last, count = recorded_by(conn, day)
        hidden = sorted(conn.execute(select(issues.c.number).where(
            issues.c.hidden_reason.is_not(None))).scalars())
        # Hiding or restoring an issue later changes what every earlier day may show.
        withheld = hashlib.sha256(",".join(map(str, hidden)).encode()).hexdigest()[:12]
        key = f"{last}-{count}-{withheld}"
        with self._lock:
            found = self._engines.get(key)
            if found is not None:
                self._engines.move_to_end(key)
                return found, key
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                found = self._engines.get(key)
                if found is not None:
                    return found, key
            path = self.directory / f"{key}.sqlite"
            if not path.exists():
                if not self._one_build.acquire(timeout=self.build_wait):
                    with self._lock:
                        self._building.pop(key, None)
                    raise AsOfBusy(f"the record as of {day} is not ready yet")
                try:
                    self._build(conn, day, path, frozenset(hidden))
                finally:
                    self._one_build.release()
            engine = _reader(path)
            with self._lock:
                self._engines[key] = engine
                self._building.pop(key, None)
                self._forget_beyond_bound()
            return engine, key

    def _build(self, conn: Connection, day: date, path: Path,
               hidden_numbers: frozenset[int]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
        partial.unlink(missing_ok=True)
        hidden = frozenset(Issue.id_for(n) for n in hidden_numbers)
        skipped = problems.load(conn).skipped
        engine = _builder(partial)
        try:
            metadata.create_all(engine)
            projector = _AsOfProjector(self.live, engine, end_of(day), hidden, skipped)
            projector.ensure_positions()
            projector.catch_up()
        finally:
            engine.dispose()
        os.replace(partial, path)
        log.info("built the read models as of %s at %s", day, path.name)

    def _forget_beyond_bound(self) -> None:
        while len(self._engines) > self.max_kept:
            key, engine = self._engines.popitem(last=False)
            engine.dispose()
            with contextlib.suppress(OSError):
                (self.directory / f"{key}.sqlite").unlink()
        # Files an earlier process left: the oldest go beyond the bound.
        kept = {f"{key}.sqlite" for key in self._engines}
        others = [old for old in _files(self.directory) if old.name not in kept]
        for old in others[:max(0, len(others) + len(kept) - self.max_kept)]:
            with contextlib.suppress(OSError):
                old.unlink()

    def close(self) -> None:
        with self._lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()


def _files(directory: Path) -> Sequence[Path]:
    return sorted(directory.glob("*.sqlite"), key=lambda p: p.stat().st_mtime)


def _builder(path: Path) -> Engine:
    """A file nobody reads until it is complete, and thrown away on any failure: written
    without a journal or waiting for the disk."""
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _unjournalled(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=OFF")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()

    return engine


def _reader(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _read_only(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    return engine
