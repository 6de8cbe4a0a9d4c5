"""The projector: feeds events from the log into the read models, exactly once.

Each batch runs in one read-model transaction that locks the projections' position rows,
applies the events after each position, and moves the positions. A crash at any moment
leaves rows and positions as they were before the batch; two projectors (threads or
processes) never apply the same event twice, because the second one waits for the first's
lock (PostgreSQL) or fails its write and retries (SQLite snapshot isolation).

An event that cannot be projected (unreadable, or holding a value a read model cannot
store) stops projection before it, never past it: the projector applies the events before
it one at a time, records the failing one with its error (tracker.projections.problems),
logs it, and raises ProjectionError naming its position, so /healthz raises the alarm.
Every later attempt stops at the same place until the cause is fixed or an operator skips
the event (``tracker skip-event``); skipped events are passed over here and in rebuilds.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from eventsourcing import persistence
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import (
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

from tracker.projections import problems
from tracker.projections.base import Projection, metadata, positions
from tracker.projections.storable import storable

log = logging.getLogger(__name__)

# The database being away or busy: not the fault of any event, so retried, never recorded.
UNAVAILABLE = (
    OperationalError, InterfaceError, DisconnectionError, PoolTimeout,
    persistence.OperationalError, persistence.InterfaceError,
    psycopg.OperationalError, sqlite3.OperationalError,
)
_NUL_IN_JSON = b"\\u0000"


class ProjectionError(Exception):
    """An event in the log could not be projected; the message names its position."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


class _BatchFailed(Exception):
    """A batch failed for a reason other than the database being away."""

    def __init__(self, read: Sequence[Any], error: Exception) -> None:
        super().__init__(str(error))
        self.read, self.error = read, error


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
        # Told the position after each batch (a progress bar), when set.
        self.on_batch: Callable[[int], None] | None = None
        # Skipped and failing positions: read at the first batch and after every failure
        # (an operator may have skipped the event meanwhile), not on every batch.
        self._known: problems.Known | None = None
        self._read: Sequence[Any] = ()
        mapper = app.mapper
        self._plain_json = mapper.cipher is None and mapper.compressor is None

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

    def seen(self) -> int:
        """The highest position this process has seen every projection reach. Positions
        never move back (a rebuild switches only once it has caught up), so the read
        models are at least there now."""
        return self._seen[0]

    def recent_position(self, max_age: float) -> int | None:
        """The position read from the database at most ``max_age`` seconds ago (by any
        thread of this process), or None: lets a request skip the database altogether."""
        reached, at = self._seen
        return reached if time.monotonic() - at <= max_age else None

    def catch_up(self, until: int | None = None) -> int:
        """Project every event recorded so far (or up to ``until``); return the position.
        Raises ProjectionError at an event that cannot be projected (after projecting
        everything before it)."""
        with self._lock:
            if until is not None and self._seen[0] >= until:
                # Projected meanwhile by the thread this one queued behind (the supports
                # of one batch all wait for the same position): nothing to do, no query.
                return self._seen[0]
            while True:
                try:
                    done, reached = self._run_batch_with_retry(self.batch_size)
                except _BatchFailed as failed:
                    done, reached = self._isolate(failed)
                if self.on_batch is not None:
                    self.on_batch(reached)
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

    def rebuild(self, on_batch: Callable[[int], None] | None = None) -> int:
        """Build every read model again from position 0 beside the live ones, and switch
        to them in one transaction once they have caught up: readers never see less than
        before, and a rebuild that stops leaves the live read models as they were.
        ``on_batch`` is told the rebuilt models' position after each batch."""
        from tracker.projections.rebuild import Rebuild

        reached = Rebuild(self, on_batch).run()
        assert reached is not None
        return reached

    def rebuild_if_requested(self) -> int | None:
        """Rebuild when a migration asked for it (tracker.migrations.reproject); None when
        nothing was asked, or another process is already rebuilding."""
        from tracker.projections.rebuild import Rebuild, RebuildBusy

        with self.read_engine.connect() as conn:
            asked = list(conn.execute(select(positions.c.name).where(
                positions.c.name.in_(self.names),
                positions.c.rebuild_requested_at.is_not(None))).scalars())
        if not asked:
            return None
        log.info("rebuilding the read models, as a migration asked for %s", ", ".join(asked))
        try:
            return Rebuild(self).run(only_if_requested=True)
        except RebuildBusy:
            log.info("another process is rebuilding the read models")
            return None

    # -- batches -----------------------------------------------------------------------------

    def _transaction(self) -> contextlib.AbstractContextManager[Connection]:
        return self.engine.begin()

    def _known_positions(self, conn: Connection) -> problems.Known:
        if self._known is None:
            self._known = problems.load(conn)
        return self._known

    def _run_batch_with_retry(self, limit: int) -> tuple[bool, int]:
        for attempt in range(50):
            try:
                return self._run_batch(limit)
            except OperationalError:
                pass  # SQLite busy: another projector holds the lock; try again
            except _BatchFailed as failed:
                # A position row created by another process at the same moment: the
                # transaction was rolled back whole, so try again (a few times only: an
                # event that breaks a constraint fails the same way every time).
                if not isinstance(failed.error, IntegrityError) or attempt >= 2:
                    raise
                self._ensure_positions_quietly()
            time.sleep(min(0.01 * 2**attempt, 0.5))
        return self._run_batch(limit)

    def _ensure_positions_quietly(self) -> None:
        # Someone else may have just created them; the next batch will see them.
        with contextlib.suppress(OperationalError, IntegrityError):
            self.ensure_positions()

    def _run_batch(self, limit: int) -> tuple[bool, int]:
        self._read = ()
        try:
            with self._transaction() as conn:
                return self._batch(conn, limit)
        except UNAVAILABLE:
            raise
        except Exception as error:
            raise _BatchFailed(self._read, error) from error

    def _batch(self, conn: Connection, limit: int,
               stop: int | None = None) -> tuple[bool, int]:
        stored: dict[str, int] = {name: position for name, position in conn.execute(
            select(positions.c.name, positions.c.position)
            .where(positions.c.name.in_(self.names)).with_for_update())}
        for name in self.names:
            if name not in stored:  # cleared by a rebuild in another process
                conn.execute(positions.insert().values(name=name, position=0))
                stored[name] = 0
        start = min(stored.values())
        known = self._known_positions(conn)
        notifications = self.app.recorder.select_notifications(start=start + 1, limit=limit,
                                                               stop=stop)
        self._read = notifications
        try:
            for notification in notifications:
                if notification.id in known.skipped:
                    continue  # an operator's decision: see tracker.projections.problems
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
        if known.troubled:
            passed = [n.id for n in notifications if n.id in known.troubled]
            if passed:  # projected now (the cause was fixed): the alarm is over
                problems.forget_passed(conn, passed)
                self._known = None
        for name, position in stored.items():
            if position < last:  # a projection ahead of the others never moves back
                conn.execute(positions.update().where(positions.c.name == name)
                             .values(position=last))
        return len(notifications) < limit, last

    def _decode(self, notification: Any) -> Any:
        try:
            event = self.app.mapper.to_domain_event(notification)
        except Exception as error:  # any failure to read an event must stop, never skip
            raise ProjectionError(
                f"Cannot read the event at position {notification.id} "
                f"({notification.topic}): {error}", notification.id) from error
        if self._plain_json and _NUL_IN_JSON not in notification.state:
            return event  # nothing to replace: the common case costs one bytes search
        return storable(event)

    # -- an event that cannot be projected ------------------------------------------------

    def _isolate(self, failed: _BatchFailed) -> tuple[bool, int]:
        """After a failed batch: project its events one at a time, so that those before
        the failing one are committed and the failing one is named. Returns normally when
        all of them pass (the event was skipped meanwhile, or the cause has gone)."""
        self._known = None
        result = (False, 0)
        for _ in range(max(len(failed.read), 1)):
            try:
                result = self._run_batch_with_retry(1)
            except _BatchFailed as single:
                if not single.read:
                    raise single.error from None
                raise self._stopped_at(single.read[0], single.error) from single.error
            if result[0]:
                break
        return result

    def _stopped_at(self, notification: Any, error: Exception) -> ProjectionError:
        self._known = None
        position, topic = notification.id, notification.topic
        reason = _first_line(error)
        try:
            new = problems.record(self._problem_engine(), position, topic, reason,
                                  in_rebuild=self._found_by_rebuild(position))
        except Exception:
            log.warning("could not record the event at position %s as failing", position,
                        exc_info=True)
            new = True
        if new:
            log.error("projection stopped at event %s (%s): %s. Fix the cause, or pass "
                      "over it: tracker skip-event %s --reason '...'",
                      position, topic, reason, position)
        prefix = "" if reason.startswith("Cannot read") else \
            f"Cannot project the event at position {position} ({topic}): "
        return ProjectionError(
            f"{prefix}{reason}. Projection stops before it until the cause is fixed or "
            f"it is skipped (tracker skip-event {position} --reason ...)", position)

    def _problem_engine(self) -> Engine:
        return self.engine

    def _found_by_rebuild(self, position: int) -> bool:
        return False


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip() or type(error).__name__
    return text.splitlines()[0]


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
    with writes from other processes. A rebuild a migration asked for runs beside it, in a
    thread of its own, while the live read models keep being served and kept current."""

    def __init__(self, projector: Projector, interval: float) -> None:
        super().__init__(self._catch_up, interval, "projector")
        self.projector = projector

    def start(self) -> None:
        super().start()
        threading.Thread(target=self._rebuild_if_requested, name="rebuild",
                         daemon=True).start()

    def _catch_up(self) -> None:
        try:
            self.projector.catch_up()
        except ProjectionError as error:
            # Recorded, logged once with its cause, and on /healthz: one line per round.
            log.warning("projector: %s", error)

    def _rebuild_if_requested(self) -> None:
        try:
            self.projector.rebuild_if_requested()
        except Exception:
            log.exception("the rebuild a migration asked for failed; the live read models "
                          "stay as they are, and the next start tries again")
