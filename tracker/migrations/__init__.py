"""Schema migrations (Alembic) for everything that is not the event store: the read models
and the private tables (accounts, sessions, contacts, follows).

Every process runs ``migrate`` at start. The migration runs in one transaction that first
takes a lock (PostgreSQL: an advisory lock; SQLite: BEGIN IMMEDIATE on the write engine), so
when several web workers and a projection worker start together exactly one of them
migrates and the others find the schema at head. The event store's own tables are
eventsourcing's business and are created by it.

Developers add a revision with ``alembic -c tracker/migrations/alembic.ini revision
--autogenerate -m "what changes"`` (see docs/deployment.md).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, text

HERE = Path(__file__).parent
# Any fixed 64-bit number: the key of the advisory lock that serialises migrations.
_LOCK_KEY = 7_201_455_903_118


class SchemaTooNew(Exception):
    """The database was migrated by a newer version of the tracker than this one."""


def target_metadata() -> list[MetaData]:
    """Every table the migrations manage, as the code declares them today."""
    # Imported here: each module adds its tables to one of these two collections.
    import tracker.account_log
    import tracker.contacts
    import tracker.following.reminders
    import tracker.following.store
    import tracker.idempotency
    import tracker.meeting_drafts
    import tracker.projections.audit
    import tracker.projections.issues
    import tracker.projections.problems
    import tracker.projections.reference
    import tracker.projections.timeline  # noqa: F401
    from tracker.accounts import private_metadata
    from tracker.projections.base import metadata

    return [metadata, private_metadata]


def ours(name: str | None, kind: str, _parents: object = None) -> bool:
    """Alembic's ``include_name``: only the tables the code declares are compared. On
    PostgreSQL the event store's tables share the schema; they are eventsourcing's."""
    if kind != "table":
        return True
    return any(name in metadata.tables for metadata in target_metadata())


def alembic_config() -> Config:
    config = Config(str(HERE / "alembic.ini"))
    config.set_main_option("script_location", str(HERE))
    return config


def head() -> str:
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> str:
    """Bring the schema to the newest revision; returns it. Safe to call from many
    processes at once, and cheap when there is nothing to do."""
    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    newest = script.get_current_head()
    with engine.connect() as probe:
        if current(probe) == newest:
            return str(newest)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        found = current(conn)  # again, under the lock: another process may have migrated
        if found is not None and found != newest:
            try:
                script.get_revision(found)
            except Exception:
                raise SchemaTooNew(
                    f"the database schema is at revision {found}, which this version of the "
                    f"tracker does not know (its newest is {newest}): it was migrated by a "
                    f"newer version") from None
        if found != newest:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    return str(newest)
