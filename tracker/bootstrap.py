"""The one wiring point: settings in, a running tracker (application, read models) out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from tracker.accounts import Accounts
from tracker.application import TrackerApplication
from tracker.config import Settings, SettingsError
from tracker.contacts import Contacts
from tracker.event_log import TOPIC as EVENT_LOG_TOPIC
from tracker.log_identity import LogIdentity
from tracker.migrations import SchemaTooNew, migrate
from tracker.private_files import private_database, private_directory
from tracker.projections.audit import AuditProjection
from tracker.projections.issues import IssueStatusProjection
from tracker.projections.judgements import JudgementsProjection
from tracker.projections.ledger import ledger_projection
from tracker.projections.reference import ReferenceProjection
from tracker.projections.runner import Projector
from tracker.projections.timeline import TimelineProjection

log = logging.getLogger(__name__)


def event_store_env(settings: Settings) -> dict[str, str]:
    """Turn settings into eventsourcing's environment for its own persistence modules.
    Embedded, the data directory and database files are first made private to this user."""
    if settings.is_postgres:
        parts = urlsplit(settings.database_url)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parts.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_SCHEMA": settings.database_schema,
            "POSTGRES_CONNECT_TIMEOUT": "5",
            "POSTGRES_POOL_SIZE": "10",
            "POSTGRES_MAX_OVERFLOW": "10",
            # Inserts through a stored function: one round trip per save instead of four;
            # ours takes the table lock eventsourcing's own function leaves out, so ids
            # become visible in order (tracker.event_log).
            "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
            "APPLICATION_RECORDER_TOPIC": EVENT_LOG_TOPIC,
        }
    path = settings.event_store_path
    try:
        private_directory(path.parent, tighten=not settings.database_url)
        private_database(path)
        private_database(Path(str(make_url(settings.read_model_url).database)))
    except OSError as error:
        raise SettingsError(f"TRACKER_DATA_DIR: cannot create {path.parent}: "
                            f"{error.strerror}") from None
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(path),
        "SQLITE_LOCK_TIMEOUT": "10",
    }


def read_model_engine(settings: Settings, *, for_writes: bool = False) -> Engine:
    """The SQLAlchemy engine of the read models (and of accounts).

    On SQLite every transaction is begun explicitly: reads with a plain BEGIN, so that the
    statements of one request see one snapshot, and writes (``for_writes``) with BEGIN
    IMMEDIATE, so that two projectors serialise on the write lock before either reads its
    position. Left to itself the driver begins only at the first write, after the read of
    the position, and two projectors could both apply the same batch.
    """
    if settings.is_postgres:
        schema = settings.database_schema
        return create_engine(
            settings.read_model_url, pool_size=10, max_overflow=10, pool_pre_ping=True,
            connect_args={"options": f"-csearch_path={schema}", "connect_timeout": 5})
    # A connection per request thread (the server runs up to 40 at once): SQLite
    # connections are cheap, waiting for one under load is not.
    engine = create_engine(settings.read_model_url, pool_size=40, max_overflow=20,
                           pool_timeout=10,
                           connect_args={"timeout": 30, "check_same_thread": False})
    begin = "BEGIN IMMEDIATE" if for_writes else "BEGIN"

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # read models are rebuildable
        # Deleted rows (an erased address) are overwritten, not left in free space.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine


@dataclass
class Tracker:
    """Everything a process needs: the write side, the read side, and the clock."""

    settings: Settings
    app: TrackerApplication
    engine: Engine
    write_engine: Engine
    projector: Projector
    accounts: Accounts
    contacts: Contacts
    clock: Callable[[], date] = field(default=date.today)
    log: LogIdentity | None = None  # the verifiable log's origin and key

    def refresh(self, position: int | None = None) -> None:
        """Embedded read-your-writes: project everything up to ``position`` now."""
        self.projector.catch_up(until=position)

    def show_written(self, position: int, timeout: float = 2.0) -> bool:
        """After a write: make the next read show it (read-your-writes), within bounds.

        Normally the read models are at most a batch behind, and this request projects up
        to its own event at once. When they are further behind (a worker catching up after
        an outage), the writer does not take on that backlog: it waits up to ``timeout``
        seconds for the projection to reach its event, then answers anyway. The write is
        durable either way, so no failure here becomes an error for the writer. Returns
        whether the event is shown."""
        try:
            behind = position - self.projector.position()
            if behind <= self.projector.batch_size:
                self.refresh(position)
                return True
            return self.projector.wait_for(position, timeout)
        except Exception:
            log.warning("projection after a write failed; it will catch up", exc_info=True)
            return False

    def close(self) -> None:
        self.app.close()
        self.engine.dispose()
        self.write_engine.dispose()


def bootstrap(settings: Settings, clock: Callable[[], date] = date.today) -> Tracker:
    """Build the tracker for these settings, creating the schema if it is missing."""
    if settings.is_postgres:
        _ensure_schema(settings)
    try:
        app = TrackerApplication(env=event_store_env(settings), clock=clock,
                                 response_threshold=settings.response_threshold)
    except Exception as error:
        raise SettingsError(f"TRACKER_DATABASE_URL: cannot open the event store: "
                            f"{_first_line(error)}") from None
    engine = read_model_engine(settings)
    write_engine = engine if settings.is_postgres else read_model_engine(settings,
                                                                         for_writes=True)
    # Order matters within a batch: the timeline names topics and owners that the
    # reference projection has just written.
    log_identity = LogIdentity(settings)
    projector = Projector(app, write_engine, [
        ReferenceProjection(), IssueStatusProjection(), TimelineProjection(),
        JudgementsProjection(), AuditProjection(),
        ledger_projection(log_identity.salt, log_identity.key_id)], read_engine=engine)
    accounts = Accounts(write_engine)
    try:
        migrate(write_engine)
        projector.ensure_positions()
    except SchemaTooNew as error:
        app.close()
        raise SettingsError(f"TRACKER_DATABASE_URL: {error}") from None
    except Exception as error:
        app.close()
        raise SettingsError(f"TRACKER_DATABASE_URL: cannot open the read models: "
                            f"{_first_line(error)}") from None
    return Tracker(settings=settings, app=app, engine=engine, write_engine=write_engine,
                   projector=projector, accounts=accounts,
                   contacts=Contacts(write_engine), clock=clock, log=log_identity)


def _ensure_schema(settings: Settings) -> None:
    import psycopg

    parts = urlsplit(settings.database_url)
    try:
        with psycopg.connect(
            dbname=parts.path.lstrip("/") or "postgres", host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432, user=unquote(parts.username or "postgres"),
            password=unquote(parts.password or "") or None, connect_timeout=5,
            autocommit=True,
        ) as conn:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{settings.database_schema}"')
    except psycopg.Error as error:
        raise SettingsError(f"TRACKER_DATABASE_URL: cannot connect to PostgreSQL: "
                            f"{_first_line(error)}") from None


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
