"""Rebuilding the read models beside the live ones, then switching to them at once.

Readers never see less than was there: the live read models are served, and kept current
by the live projectors, until the rebuilt ones replace them in one transaction.

1. One rebuild at a time (PostgreSQL: a session advisory lock; SQLite: a lock on a file
   beside the read models). Another is refused with RebuildBusy.
2. Every read-model table is created empty in a shadow, with positions of its own:
   PostgreSQL, the schema ``<schema>__rebuild``; SQLite, the file ``<read models>-rebuild.db``
   attached to one connection as ``rebuild``. The projections write there unchanged,
   through SQLAlchemy's ``schema_translate_map``.
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
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from tracker.projections import problems
from tracker.projections.base import metadata, positions
from tracker.projections.runner import UNAVAILABLE, ProjectionError, Projector

log = logging.getLogger(__name__)

SQLITE_SHADOW = "rebuild"
# Any fixed 64-bit number, other than the migrations' one.
_LOCK_KEY = 7_201_455_903_119
_SWITCH_ATTEMPTS = 20


class RebuildBusy(Exception):
    """Another process (or thread) is rebuilding the read models."""


class Rebuild:
    """One rebuild of every read model of ``projector`` (see the module's description)."""

    def __init__(self, projector: Projector) -> None:
        self.live = projector
        self.tables = [table for p in projector.projections for table in p.tables]
        engine = projector.engine
        self.backend: _Backend = _Postgres(engine) if engine.dialect.name == "postgresql" \
            else _SQLite(engine)

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


class _Backend(Protocol):
    def connection(self) -> contextlib.AbstractContextManager[Connection]: ...
    def create(self, conn: Connection) -> None: ...
    def switch_transaction(self, conn: Connection) -> contextlib.AbstractContextManager[
        None]: ...
    def lock_live_positions(self, conn: Connection, names: list[str]) -> dict[str, int]: ...
    def replace(self, conn: Connection, tables: list[Table]) -> None: ...
    def finish(self, conn: Connection, names: list[str], reached: int) -> None: ...
    def contended(self, error: BaseException) -> bool: ...


def _positions_query(live: str) -> Any:
    return text(f"SELECT name, position FROM {live}projection_positions "
                "WHERE name IN :names").bindparams(bindparam("names", expanding=True))


def _finish(conn: Connection, live: str, names: list[str], reached: int) -> None:
    conn.execute(text(f"UPDATE {live}projection_positions SET position = :reached, "
                      "rebuild_requested_at = NULL WHERE name IN :names")
                 .bindparams(bindparam("names", expanding=True)),
                 {"reached": reached, "names": names})
    # The shadow projected (or skipped) everything up to here: older alarms are over.
    conn.execute(text(f"DELETE FROM {live}event_problems WHERE skipped_at IS NULL "
                      "AND position <= :reached"), {"reached": reached})


class _Postgres:
    """The shadow is a schema; the switch moves its tables into the live schema."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.live = self.shadow = ""

    @contextlib.contextmanager
    def connection(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            with conn.begin():
                got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                   {"key": _LOCK_KEY}).scalar()
                self.live = str(conn.execute(text("SELECT current_schema()")).scalar())
            if not got:
                raise RebuildBusy("another process is rebuilding the read models")
            self.shadow = f"{self.live}__rebuild"
            try:
                conn.execution_options(schema_translate_map={None: self.shadow})
                yield conn
            finally:
                # A broken connection ends its session, and the lock with it.
                with contextlib.suppress(*UNAVAILABLE), conn.begin():
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.shadow}" CASCADE'))
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEY})

    def create(self, conn: Connection) -> None:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.shadow}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{self.shadow}"'))

    def switch_transaction(self, conn: Connection) -> contextlib.AbstractContextManager[None]:
        return _begin_none(conn)

    def lock_live_positions(self, conn: Connection, names: list[str]) -> dict[str, int]:
        query = text(_positions_query(f'"{self.live}".').text + " FOR UPDATE") \
            .bindparams(bindparam("names", expanding=True))
        return {name: int(p) for name, p in conn.execute(query, {"names": names})}

    def replace(self, conn: Connection, tables: list[Table]) -> None:
        live, shadow = self.live, self.shadow
        conn.execute(text("SET LOCAL lock_timeout = '500ms'"))
        conn.execute(text("LOCK TABLE " + ", ".join(f'"{live}"."{t.name}"' for t in tables)
                          + " IN ACCESS EXCLUSIVE MODE"))
        for table in tables:
            conn.execute(text(f'DROP TABLE "{live}"."{table.name}"'))
            conn.execute(text(f'ALTER TABLE "{shadow}"."{table.name}" SET SCHEMA "{live}"'))

    def finish(self, conn: Connection, names: list[str], reached: int) -> None:
        _finish(conn, f'"{self.live}".', names, reached)

    def contended(self, error: BaseException) -> bool:
        # lock_not_available (the tables' readers) or deadlock_detected
        code = getattr(getattr(error, "orig", None), "sqlstate", None)
        return code in ("55P03", "40P01")


class _SQLite:
    """The shadow is a database file attached to one connection; the switch copies its rows
    into the live tables."""

    def __init__(self, engine: Engine) -> None:
        path = Path(str(engine.url.database))
        self.path = path
        self.shadow_path = path.with_name(f"{path.stem}-rebuild.db")
        self.lock_path = path.with_name(f"{path.stem}-rebuild.lock")

    @contextlib.contextmanager
    def connection(self) -> Iterator[Connection]:
        with self._exclusive():
            self._remove_shadow()
            engine = self._engine()
            try:
                with engine.connect() as conn:
                    conn.execution_options(schema_translate_map={None: SQLITE_SHADOW})
                    yield conn
            finally:
                engine.dispose()
                self._remove_shadow()

    def _engine(self) -> Engine:
        engine = create_engine(f"sqlite:///{self.path}", poolclass=NullPool,
                               connect_args={"timeout": 30, "check_same_thread": False})
        shadow = str(self.shadow_path)

        @event.listens_for(engine, "connect")
        def _attach(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute(f"ATTACH DATABASE ? AS {SQLITE_SHADOW}", (shadow,))
            # Thrown away whenever anything goes wrong: it need not survive a crash.
            cursor.execute(f"PRAGMA {SQLITE_SHADOW}.journal_mode=MEMORY")
            cursor.execute(f"PRAGMA {SQLITE_SHADOW}.synchronous=OFF")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin_sqlite(conn: Any) -> None:
            # A plain BEGIN writes-locks only the files it writes (the shadow's); the switch
            # begins IMMEDIATE, taking the live file's write lock before reading positions.
            conn.exec_driver_sql(conn.get_execution_options().get("tracker_begin", "BEGIN"))

        return engine

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        import fcntl

        with open(self.lock_path, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RebuildBusy("another process is rebuilding the read models") from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _remove_shadow(self) -> None:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.shadow_path}{suffix}").unlink(missing_ok=True)

    def create(self, conn: Connection) -> None:
        pass  # the attached file starts empty

    @contextlib.contextmanager
    def switch_transaction(self, conn: Connection) -> Iterator[None]:
        conn.execution_options(tracker_begin="BEGIN IMMEDIATE")
        try:
            with conn.begin():
                yield
        finally:
            conn.execution_options(tracker_begin="BEGIN")

    def lock_live_positions(self, conn: Connection, names: list[str]) -> dict[str, int]:
        # BEGIN IMMEDIATE holds the live file's write lock already.
        return {name: int(p) for name, p in conn.execute(_positions_query("main."),
                                                         {"names": names})}

    def replace(self, conn: Connection, tables: list[Table]) -> None:
        for table in tables:
            columns = ", ".join(f'"{c.name}"' for c in table.columns)
            conn.execute(text(f'DELETE FROM main."{table.name}"'))
            conn.execute(text(f'INSERT INTO main."{table.name}" ({columns}) '
                              f'SELECT {columns} FROM {SQLITE_SHADOW}."{table.name}"'))

    def finish(self, conn: Connection, names: list[str], reached: int) -> None:
        _finish(conn, "main.", names, reached)

    def contended(self, error: BaseException) -> bool:
        return isinstance(error, DBAPIError) and "locked" in str(error)


@contextlib.contextmanager
def _begin_none(conn: Connection) -> Iterator[None]:
    with conn.begin():
        yield
