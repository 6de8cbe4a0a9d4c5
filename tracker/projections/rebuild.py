"""Rebuilding the read models beside the live ones, then switching to them at once.

Readers never see less than was there: the live read models are served, and kept current
by the live projectors, until the rebuilt ones replace them in one transaction.

1. One rebuild at a time (PostgreSQL: a session advisory lock; SQLite: a lock on a file
   beside the read models). Another is refused with RebuildBusy.
2. Every read-model table is created empty in a shadow, with positions of its own:
   PostgreSQL, the schema ``<schema>__rebuild``; SQLite, the file ``<read models>-rebuild.db``
   attached to one connection as ``rebuild`` (tracker.projections.shadow_stores). The
   projections write there unchanged, through SQLAlchemy's ``schema_translate_map``.
3. The shadow projects the whole log in transactions of its own. On SQLite they lock only
   the shadow's file, so accounts, sessions and follows (which share the read models' file)
   are never held up by the rebuild.
4. The switch, in one transaction: lock the live positions (live projectors wait), bring
   the shadow up to them (the last few events), then on PostgreSQL drop each live table and
   move the shadow's into the live schema (a brief exclusive lock, tried again if readers
   hold the tables for more than half a second), and on SQLite replace each live table's
   rows with the shadow's (readers keep their snapshot until the commit). The live positions
   take the shadow's; the problem records of events the shadow has now projected go.
5. The shadow is removed.

If the shadow stops at an event it cannot project (recorded and named like any other, see
tracker.projections.problems), the rebuild stops there and the live read models are left
exactly as they were; unless the live read models stop before that event as well, and
then the rebuilt ones, which have everything before it, switch in.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator

from sqlalchemy import Connection, select

from tracker.projections import problems
from tracker.projections.base import metadata, positions
from tracker.projections.runner import UNAVAILABLE, ProjectionError, Projector
from tracker.projections.shadow_stores import RebuildBusy, ShadowStore, store_for

__all__ = ["Rebuild", "RebuildBusy"]

log = logging.getLogger(__name__)

_SWITCH_ATTEMPTS = 20


class Rebuild:
    """One rebuild of every read model of ``projector`` (see the module's description)."""

    def __init__(self, projector: Projector,
                 on_batch: Callable[[int], None] | None = None) -> None:
        self.live = projector
        self.on_batch = on_batch
        self.tables = [table for p in projector.projections for table in p.tables]
        self.backend: ShadowStore = store_for(projector.engine)

    def run(self, *, only_if_requested: bool = False) -> int | None:
        """Rebuild and switch; returns the position reached. With ``only_if_requested``,
        None when no migration asks for it (any more: another process may have just done
        it, and released the lock this one then took)."""
        started = time.monotonic()
        with self.backend.connection() as conn:
            if only_if_requested and not self._requested():
                return None
            with conn.begin():
                self.backend.create(conn)
                metadata.create_all(conn, tables=[*self.tables, positions], checkfirst=False)
                conn.execute(positions.insert(), [{"name": name, "position": 0}
                                                  for name in self.live.names])
            with self.live.read_engine.connect() as live:
                skipped = problems.load(live).skipped
            shadow = _Shadow(self.live, conn, skipped)
            shadow.on_batch = self.on_batch
            self._catch_up(shadow)
            reached = self._switch(conn, shadow)
        log.info("rebuilt every read model up to event %s in %.1f s", reached,
                 time.monotonic() - started)
        return reached

    def _catch_up(self, shadow: _Shadow) -> None:
        try:
            shadow.catch_up()
        except ProjectionError as error:
            # Where the live read models stop as well: the rebuilt ones, up to there, are
            # no less than they are, and may take their place.
            if error.position is None or error.position <= self.live.position():
                raise

    def _requested(self) -> bool:
        with self.live.read_engine.connect() as conn:
            return conn.execute(select(positions.c.name).where(
                positions.c.name.in_(self.live.names),
                positions.c.rebuild_requested_at.is_not(None)).limit(1)).first() is not None

    def _switch(self, conn: Connection, shadow: _Shadow) -> int:
        failed_before = False
        for attempt in range(_SWITCH_ATTEMPTS):
            try:
                with self.backend.switch_transaction(conn):
                    live = self.backend.lock_live_positions(conn, self.live.names)
                    reached = shadow.catch_up_within(max(live.values(), default=0))
                    self.backend.replace(conn, self.tables)
                    self.backend.finish(conn, self.live.names, reached)
                return reached
            except UNAVAILABLE as error:
                if not self.backend.contended(error):
                    raise
                # Readers held a table longer than the switch may wait: let them finish.
                time.sleep(min(0.05 * 2**attempt, 1.0))
            except Exception:
                # An event failed inside the switch (it arrived during the rebuild): project
                # outside it, where the failing event is found, recorded and named. If all
                # projects there, the switch itself failed: once may be chance, twice is not.
                self._catch_up(shadow)
                if failed_before:
                    raise
                failed_before = True
        raise RebuildBusy("the read models stayed busy; the rebuild was not switched in")


class _Shadow(Projector):
    """The rebuilt read models' projector: fresh projections writing to the shadow."""

    def __init__(self, live: Projector, conn: Connection, skipped: frozenset[int]) -> None:
        # Problems are recorded with the live projector's engine, in the live database.
        super().__init__(live.app, live.engine, [type(p)() for p in live.projections],
                         batch_size=live.batch_size)
        self.live = live
        self.conn = conn
        self._skipped = skipped
        self._inside_switch = False

    def _transaction(self) -> contextlib.AbstractContextManager[Connection]:
        if self._inside_switch:
            return contextlib.nullcontext(self.conn)
        return _begin(self.conn)

    def _known_positions(self, conn: Connection) -> problems.Known:
        return problems.Known(skipped=self._skipped)

    def _found_by_rebuild(self, position: int) -> bool:
        # An event the live read models have passed: only a rebuild meets it now.
        return position <= self.live.position()

    def catch_up_within(self, target: int) -> int:
        """Inside the switch's transaction: batches without transactions of their own;
        any failure abandons the switch."""
        self._inside_switch = True
        try:
            while True:
                done, reached = self._batch(self.conn, self.batch_size, stop=target)
                if done or reached >= target:
                    return reached
        finally:
            self._inside_switch = False


@contextlib.contextmanager
def _begin(conn: Connection) -> Iterator[Connection]:
    with conn.begin():
        yield conn
