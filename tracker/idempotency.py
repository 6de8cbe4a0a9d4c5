"""Keys of retried writes (the Idempotency-Key header), and the first answer to each.

A key is stored before its write runs, and never covers more than one write: each stored key
holds a marker id, and the write saves a marker aggregate with that id in the event store, in
the same transaction as its own events (TrackerApplication.keyed). The event store refuses a
second aggregate with an id it has, so however a key's attempts overlap or die, at most one
of them writes anything. A process killed between its commit and its answer leaves the key
unfinished; the next attempt finds the marker, and answers from it what was written.

Only successes are kept as answers. A refusal wrote nothing, so a repeat runs again (a 429
or 412 may pass later); the key stays bound to its first request all the same.

The rows live in the private tables beside the read models, for ``keep`` (24 hours by
default), and are pruned as new keys arrive.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    Text,
    delete,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from tracker.private import private_metadata

# How long an attempt may run before a repeat of its key may take over. Commands take
# milliseconds; this only stops a repeat from racing a live attempt (which the marker
# would make harmless anyway) and from being told "retry later" for too long.
LEASE = timedelta(seconds=30)

idempotency_keys = Table(
    "idempotency_keys", private_metadata,
    # SHA-256 of the caller's scope and the key: neither is stored as sent.
    Column("digest", String(64), primary_key=True),
    # SHA-256 of the request (method, address, If-Match, body).
    Column("fingerprint", String(64), nullable=False),
    Column("marker", String(32), nullable=False),
    # The event log's position before the first attempt: its marker comes after it.
    Column("position", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    # Set while an attempt runs; empty when none does (or the last one ended unanswered).
    Column("running_since", DateTime(timezone=True)),
    # Attempts so far: a repeat takes over only the attempt it saw.
    Column("attempts", Integer, nullable=False),
    Column("status", Integer),
    Column("headers", Text),
    Column("body", Text),
)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Key:
    """A key as begun: ``state`` is "new" (run it), "answered" (repeat ``answer``),
    "different" (the key was used for another request) or "unfinished"."""

    state: str
    marker: uuid.UUID
    position: int
    attempts: int = 1
    running_since: datetime | None = None
    answer: Answer | None = None

    def busy(self, now: datetime) -> bool:
        """Whether an attempt may still be running (then the caller says "retry later")."""
        return self.running_since is not None and now - self.running_since < LEASE


class IdempotencyKeys:
    def __init__(self, engine: Engine, keep: timedelta = timedelta(hours=24)) -> None:
        self.engine = engine
        self.keep = keep

    def begin(self, digest: str, fingerprint: str, position: int) -> Key:
        """Store a new key as running, or say what became of an earlier one."""
        try:
            return self._begin(digest, fingerprint, position)
        except IntegrityError:
            # PostgreSQL: a request with the same key inserted it first; look at it now.
            return self._begin(digest, fingerprint, position)

    def _begin(self, digest: str, fingerprint: str, position: int) -> Key:
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            # Expired keys of anyone go here, so the table holds at most a day of writes.
            conn.execute(delete(idempotency_keys).where(
                idempotency_keys.c.created_at < now - self.keep))
            row = conn.execute(select(idempotency_keys).where(
                idempotency_keys.c.digest == digest).with_for_update()).first()
            if row is None:
                marker = uuid.uuid4()
                conn.execute(idempotency_keys.insert().values(
                    digest=digest, fingerprint=fingerprint, marker=marker.hex,
                    position=position, created_at=now, running_since=now, attempts=1))
                return Key("new", marker, position)
        found = uuid.UUID(hex=row.marker)
        if row.fingerprint != fingerprint:
            return Key("different", found, row.position)
        if row.status is not None:
            return Key("answered", found, row.position, answer=Answer(
                row.status, json.loads(row.headers), row.body.encode()))
        return Key("unfinished", found, row.position, row.attempts,
                   _aware(row.running_since))

    def take_over(self, digest: str, key: Key) -> bool:
        """Run a key whose last attempt ended unanswered or ran past its lease: True for
        the one repeat that gets it, when several try at once."""
        with self.engine.begin() as conn:
            taken = conn.execute(update(idempotency_keys).where(
                idempotency_keys.c.digest == digest, idempotency_keys.c.status.is_(None),
                idempotency_keys.c.attempts == key.attempts)
                .values(running_since=datetime.now(UTC),
                        attempts=idempotency_keys.c.attempts + 1))
            return bool(taken.rowcount)

    def answer(self, digest: str, answer: Answer) -> None:
        """Keep the answer of the attempt that wrote; the first one kept stands."""
        with self.engine.begin() as conn:
            conn.execute(update(idempotency_keys).where(
                idempotency_keys.c.digest == digest, idempotency_keys.c.status.is_(None))
                .values(status=answer.status, headers=json.dumps(answer.headers),
                        body=answer.body.decode(), running_since=None))

    def stop(self, digest: str) -> None:
        """An attempt ended without writing: a repeat may run at once."""
        with self.engine.begin() as conn:
            conn.execute(update(idempotency_keys).where(
                idempotency_keys.c.digest == digest, idempotency_keys.c.status.is_(None))
                .values(running_since=None))


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
