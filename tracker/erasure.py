"""Erasing a person: their private rows, and the copies a database keeps of deleted rows.

The public history never named them, so it stays as it is. On SQLite every connection runs
with ``secure_delete`` (a deleted row is overwritten with zeros), but the write-ahead log
still holds the pages as they were before the delete until a checkpoint copies the new ones
back; so an erasure ends with a checkpoint that also empties the log. PostgreSQL keeps dead
rows until VACUUM reuses their space, and its WAL and backups for as long as the operator
keeps them: docs/deployment.md says what to do there.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from tracker.addresses import normalise
from tracker.bootstrap import Tracker
from tracker.following.store import Follows


@dataclass(frozen=True)
class Erased:
    contacts: int
    follows: int
    log_emptied: bool  # False: a reader kept the SQLite log busy; erasing again finishes it


def erase_person(tracker: Tracker, email: str) -> Erased:
    """Delete every private row with this address, however it was spelt when stored.
    Raises InvalidAddress for something that is not an e-mail address."""
    address = normalise(email)
    contacts = tracker.contacts.erase(address)
    follows = Follows(tracker.write_engine).erase(address)
    return Erased(contacts, follows, empty_write_ahead_log(tracker.write_engine))


def empty_write_ahead_log(engine: Engine) -> bool:
    """SQLite: copy the log into the database and truncate it to nothing (waiting for readers
    as long as the connection's busy timeout). True when done, and always on PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as conn:
        # The driver's own connection is in autocommit: no transaction may hold the log.
        raw = conn.connection.driver_connection
        assert raw is not None
        busy, _, _ = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return not busy
