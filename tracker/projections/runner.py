"""The projector: feeds events from the log into the read models, exactly once.

Each batch runs in one read-model transaction that locks the projections' position rows,
applies the events after each position, and moves the positions. A crash at any moment
leaves rows and positions as they were before the batch; two projectors (threads or
processes) never apply the same event twice, because the second one waits for the first's
lock (PostgreSQL) or fails its write and retries (SQLite snapshot isolation).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError, OperationalError

from tracker.projections.base import Projection, metadata, positions

log = logging.getLogger(__name__)


class ProjectionError(Exception):
    """An event in the log could not be projected; the message names its position."""


class Projector:
    """Keeps a set of projections current with an application's event log."""

    def __init__(self, app: Any, engine: Engine, projections: Sequence[Projection],
                 batch_size: int = 500, read_engine: Engine | None = None) -> None:
        self.app = app
        self.engine = engine
        # Where a plain read of the position goes: on SQLite the write engine begins every
        # transaction IMMEDIATE, and a reader there would queue behind every batch.
        self.read_engine = read_engine or engine
        self.projections = list(projections)
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._seen: tuple[int, float] = (0, float("-inf"))

    def create_tables(self) -> None:
        """Create the tables of projections that migrations do not manage (tests' own) and
        the position rows; the tracker's tables come from tracker.migrations."""
        metadata.create_all(self.engine, tables=[
            table for p in self.projections for table in p.tables] + [positions])
        self.ensure_positions()

    def ensure_positions(self) -> None:
        """Give every projection a position row (0) outside the batches, so that batches
        only ever lock and update rows that exist."""
        with self.engine.begin() as conn:
            have = set(conn.execute(select(positions.c.name)).scalars())
            for name in self.names:
                if name not in have:
                    conn.execute(positions.insert().values(name=name, position=0))

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.projections]

    def position(self, conn: Connection | None = None) -> int:
        """The position every projection has reached (the lowest of them).

        Pass the caller's connection when it holds one: a request must never wait for a
        second connection while holding the first.
        """
        if conn is None:
            with self.read_engine.connect() as own:
                return self.position(own)
        rows: dict[str, int] = {name: position for name, position in conn.execute(
            select(positions.c.name, positions.c.position))}
        reached = min((rows.get(name, 0) for name in self.names), default=0)
        self._seen = (reached, time.monotonic())
        return reached

    def recent_position(self, max_age: float) -> int | None:
        """The position read from the database at most ``max_age`` seconds ago (by any
        thread of this process), or None: lets a request skip the database altogether."""
        reached, at = self._seen
        return reached if time.monotonic() - at <= max_age else None

    def catch_up(self, until: int | None = None) -> int:
        """Project every event recorded so far (or up to ``until``); return the position."""
        with self._lock:
            while True:
                done, reached = self._run_batch_with_retry()
                if done or (until is not None and reached >= until):
                    self._seen = (reached, time.monotonic())  # for recent_position
                    return reached

    def wait_for(self, position: int, timeout: float = 2.0) -> bool:
        """Read-your-writes: wait until the projections have seen ``position``."""
        deadline = time.monotonic() + timeout
        while True:
            if self.position() >= position:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)

    def rebuild(self) -> int:
        """Clear every read model and its position together, then project from zero."""
        with self._lock, self.engine.begin() as conn:
            for projection in self.projections:
                projection.clear(conn)
            conn.execute(positions.update().where(positions.c.name.in_(self.names))
                         .values(position=0))
        return self.catch_up()

    def _run_batch_with_retry(self) -> tuple[bool, int]:
        for attempt in range(50):
            try:
                return self._run_batch()
            except (OperationalError, IntegrityError):
                # Another projector won a race (SQLite busy, a position row created at the
                # same moment): the transaction was rolled back whole, so try again.
                time.sleep(min(0.01 * 2**attempt, 0.5))
                self._ensure_positions_quietly()
        return self._run_batch()

    def _ensure_positions_quietly(self) -> None:
        # Someone else may have just created them; the next batch will see them.
        with contextlib.suppress(OperationalError, IntegrityError):
            self.ensure_positions()

    def _run_batch(self) -> tuple[bool, int]:
        with self.engine.begin() as conn:
            stored: dict[str, int] = {name: position for name, position in conn.execute(
                select(positions.c.name, positions.c.position)
                .where(positions.c.name.in_(self.names)).with_for_update())}
            for name in self.names:
                if name not in stored:  # cleared by a rebuild in another process
                    conn.execute(positions.insert().values(name=name, position=0))
                    stored[name] = 0
            start = min(stored.values())
            notifications = self.app.recorder.select_notifications(
                start=start + 1, limit=self.batch_size)
            try:
                for notification in notifications:
                    event = self._decode(notification)
                    for projection in self.projections:
                        if notification.id > stored[projection.name]:
                            projection.process(conn, event, notification.id)
                for projection in self.projections:
                    projection.finish_batch(conn)
            except BaseException:
                for projection in self.projections:
                    projection.abandon_batch()
                raise
            if not notifications:
                return True, start
            last = notifications[-1].id
            for name, position in stored.items():
                if position < last:  # a projection ahead of the others never moves back
                    conn.execute(positions.update().where(positions.c.name == name)
                                 .values(position=last))
            return len(notifications) < self.batch_size, last

    def _decode(self, notification: Any) -> Any:
        try:
            return self.app.mapper.to_domain_event(notification)
        except Exception as error:  # any failure to read an event must stop, never skip
            raise ProjectionError(
                f"Cannot read the event at position {notification.id} "
                f"({notification.topic}): {error}") from error


class Repeating:
    """Run ``work`` in a background thread at once and then every ``interval`` seconds,
    until stopped; a failure is logged at ``level`` and the next round tries again."""

    def __init__(self, work: Callable[[], object], interval: float, name: str,
                 level: int = logging.ERROR) -> None:
        self.work, self.interval, self.level = work, interval, level
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            try:
                self.work()
            except Exception:
                log.log(self.level, "%s failed; it will retry", self._thread.name,
                        exc_info=True)
            if self._stop.wait(self.interval):
                return


class Poller(Repeating):
    """Embedded mode: catch up at once (the server serves reads meanwhile), then keep up
    with writes from other processes."""

    def __init__(self, projector: Projector, interval: float) -> None:
        super().__init__(projector.catch_up, interval, "projector")
