"""Where a rebuild's shadow read models live, and how they replace the live ones.

PostgreSQL: a schema of its own, ``<schema>__rebuild``; the switch drops each live table and
moves the shadow's into the live schema (an exclusive lock on each, for as long as that
takes). SQLite: a database file beside the read models, ``<name>-rebuild.db``, attached to
the one connection the rebuild uses as ``rebuild``; the switch replaces each live table's
rows with the shadow's (readers keep their snapshot until the commit). Each also keeps
rebuilds to one at a time (an advisory lock; a file lock).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, Table, bindparam, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from tracker.projections.runner import UNAVAILABLE

SQLITE_SHADOW = "rebuild"
# Any fixed 64-bit number, other than the migrations' one.
_LOCK_KEY = 7_201_455_903_119


class RebuildBusy(Exception):
    """Another process (or thread) is rebuilding the read models."""


def store_for(engine: Engine) -> ShadowStore:
    return PostgresShadow(engine) if engine.dialect.name == "postgresql" \
        else SQLiteShadow(engine)


class ShadowStore(Protocol):
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


class PostgresShadow:
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


class SQLiteShadow:
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
