"""The one wiring point: settings in, the container of everything a process needs out.

``bootstrap`` builds a ``Tracker`` (the container) once per process: the web app mounts it
(tracker.web.app), the CLI, the worker, the publisher and the mail sender take their parts
from it. Nothing else builds an engine, a store, a signer or the secret key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from tracker.accounts import Accounts
from tracker.application import TrackerApplication
from tracker.config import Settings, SettingsError
from tracker.contacts import Contacts
from tracker.event_log import TOPIC as EVENT_LOG_TOPIC
from tracker.evidence_files import EvidenceFiles, evidence_files
from tracker.following.links import Links
from tracker.following.mails import Mail, mail_environment
from tracker.following.store import Follows
from tracker.log_identity import LogIdentity
from tracker.meeting_drafts import MeetingDrafts
from tracker.migrations import SchemaTooNew, migrate
from tracker.private_files import private_database, private_directory
from tracker.projections.audit import AuditProjection
from tracker.projections.issues import IssueStatusProjection
from tracker.projections.judgements import JudgementsProjection
from tracker.projections.ledger import ledger_projection
from tracker.projections.reference import ReferenceProjection
from tracker.projections.runner import Projector
from tracker.projections.timeline import TimelineProjection
from tracker.secret_key import server_secret

if TYPE_CHECKING:
    from jinja2 import Environment

    from tracker.health import Health
    from tracker.projections.as_of import AsOfStores
    from tracker.site.addresses import Site
    from tracker.web.citizens import RateLimits

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
    """The container: everything a process needs, each part built once.

    Built by ``bootstrap``: the write side (``app``), the read side (``engine`` to read,
    ``write_engine`` for projections and private stores, ``projector``), the stores kept
    beside the read models (accounts, contacts, follows, meeting drafts), and the clock.
    The parts below the fields are made on first use, once: some processes never need
    them (a CLI command needs no page cache), and tests may adjust ``settings`` between
    bootstrap and that first use. Each is made from these settings and nowhere else.
    """

    settings: Settings
    app: TrackerApplication
    engine: Engine
    write_engine: Engine
    projector: Projector
    accounts: Accounts
    contacts: Contacts
    clock: Callable[[], date] = field(default=date.today)
    log: LogIdentity | None = None  # the verifiable log's origin and key

    @cached_property
    def follows(self) -> Follows:
        """Who follows what by e-mail (personal data, beside the read models)."""
        return Follows(self.write_engine)

    @cached_property
    def meeting_drafts(self) -> MeetingDrafts:
        return MeetingDrafts(self.write_engine)

    @cached_property
    def files(self) -> EvidenceFiles:
        """The store of evidence files, in the data directory."""
        return evidence_files(self.settings.data_dir, self.settings.max_file_bytes)

    @cached_property
    def secret(self) -> bytes:
        """The server's secret key (see tracker.secret_key), worked out once."""
        return server_secret(self.settings)

    @cached_property
    def links(self) -> Links:
        """The signer of the links in follow mails."""
        return Links(self.secret, self.settings.base_url)

    @cached_property
    def mail(self) -> Mail:
        """What composing and sending a mail needs: settings and the mail templates."""
        # The mails' date filter is the pages' own, so both say a date the same way.
        from tracker.site.templating import human_date

        return Mail(self.settings, mail_environment({"human_date": human_date}))

    @cached_property
    def rate_limits(self) -> RateLimits:
        """The public commands' limits per client (this process's memory)."""
        from tracker.web.citizens import RateLimits

        return RateLimits(self.settings)

    @cached_property
    def health(self) -> Health:
        """The probes behind /healthz."""
        from tracker.health import Health

        return Health(self)

    @cached_property
    def templates(self) -> Environment:
        """The pages' Jinja environment."""
        from tracker.site.templating import build_environment

        return build_environment(self.settings)

    @cached_property
    def site(self) -> Site:
        """Every public address rendered from the read models (pages, feeds, the log)."""
        from tracker.site.addresses import Site
        from tracker.site.answer import SiteContext

        return Site(self.engine, SiteContext(self.clock, self.settings, self.templates,
                                             self.log))

    @cached_property
    def as_of_stores(self) -> AsOfStores:
        """The read models of past days (``?as_of=``), kept under the data directory."""
        from tracker.projections.as_of import AsOfStores

        return AsOfStores(self.projector, self.settings.data_dir / "as_of")

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
            seen = self.projector.seen()
            if seen >= position:
                return True  # projected already (by another request of its batch, say)
            # What this process last saw is a lower bound of the read models' position
            # (it never moves back): when even that is near, project without asking the
            # database first. The requests of one batch all get here at once, and each
            # query for the position costs as much as projecting the batch.
            behind = position - seen
            if behind > self.projector.batch_size:
                behind = position - self.projector.position()
            if behind <= self.projector.batch_size:
                self.refresh(position)
                return True
            return self.projector.wait_for(position, timeout)
        except Exception:
            log.warning("projection after a write failed; it will catch up", exc_info=True)
            return False

    def close(self) -> None:
        if "as_of_stores" in self.__dict__:
            self.as_of_stores.close()
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
