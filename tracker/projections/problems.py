"""Events the read models could not take: the alarm that names them, and the skip list.

When an event cannot be projected (unreadable, or a value a read model cannot store), the
projector stops before it, never past it, and records it here: its position and the error.
``/healthz`` then answers ``"status": "stalled"`` naming it, until either the cause is fixed
(the next projection of it succeeds and removes the record) or an operator skips it with a
reason (``tracker skip-event``). A skipped event is passed over by every projector and by
every rebuild, and stays listed on ``/healthz`` until it is taken off the list again.

These are the operator's records, not a read model: a rebuild keeps them, and backups
should include them with the other private tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Table,
    Text,
    delete,
    select,
    update,
)

from tracker.accounts import private_metadata

problems = Table(
    "event_problems", private_metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("topic", Text, nullable=False),
    Column("error", Text, nullable=False),
    Column("noticed_at", DateTime(timezone=True), nullable=False),
    # Found by a rebuild (an event the live read models passed long ago, under older code).
    Column("in_rebuild", Boolean, nullable=False, default=False),
    Column("skipped_at", DateTime(timezone=True)),
    Column("reason", Text),
)

MAX_ERROR = 2_000


@dataclass(frozen=True)
class Known:
    """The positions a projector must treat specially."""

    skipped: frozenset[int] = frozenset()
    troubled: frozenset[int] = frozenset()  # recorded as failing and not skipped


def load(conn: Connection) -> Known:
    rows = conn.execute(select(problems.c.position, problems.c.skipped_at)).all()
    return Known(skipped=frozenset(p for p, at in rows if at is not None),
                 troubled=frozenset(p for p, at in rows if at is None))


def record(engine: Engine, position: int, topic: str, error: str, *,
           in_rebuild: bool) -> bool:
    """Record (or refresh) a failing event; True when it was not known before."""
    error = error[:MAX_ERROR]
    with engine.begin() as conn:
        found = conn.execute(select(problems.c.error, problems.c.in_rebuild).where(
            problems.c.position == position)).first()
        if found is None:
            conn.execute(problems.insert().values(
                position=position, topic=topic, error=error, noticed_at=_now(),
                in_rebuild=in_rebuild))
            return True
        conn.execute(update(problems).where(problems.c.position == position).values(
            error=error, in_rebuild=in_rebuild or found.in_rebuild))
        return False


def forget_passed(conn: Connection, positions: list[int]) -> None:
    """These failing events have now been projected: their records are out of date."""
    conn.execute(delete(problems).where(problems.c.position.in_(positions),
                                        problems.c.skipped_at.is_(None)))


def skip(engine: Engine, position: int, topic: str, reason: str) -> None:
    with engine.begin() as conn:
        found = conn.execute(select(problems.c.position).where(
            problems.c.position == position)).first()
        if found is None:
            conn.execute(problems.insert().values(
                position=position, topic=topic, error="(skipped before it failed here)",
                noticed_at=_now(), in_rebuild=False, skipped_at=_now(), reason=reason))
        else:
            conn.execute(update(problems).where(problems.c.position == position)
                         .values(skipped_at=_now(), reason=reason))


def unskip(engine: Engine, position: int) -> bool:
    """Take a position off the skip list; False when it was not on it."""
    with engine.begin() as conn:
        gone = conn.execute(delete(problems).where(
            problems.c.position == position, problems.c.skipped_at.is_not(None)))
        return gone.rowcount > 0


def is_recorded(conn: Connection, position: int) -> bool:
    return conn.execute(select(problems.c.position).where(
        problems.c.position == position)).first() is not None


def report(conn: Connection, projected: int) -> dict[str, list[dict[str, Any]]]:
    """For /healthz: what stops the public record (live, or a rebuild), and what is skipped.

    A record at or below the projected position that no rebuild found is out of date (some
    projector has since passed the event), so it is left out."""
    rows = conn.execute(select(problems).order_by(problems.c.position)).mappings().all()
    stalled = [{"position": r["position"], "topic": r["topic"], "error": r["error"],
                "since": _iso(r["noticed_at"]),
                "found_by": "rebuild" if r["in_rebuild"] else "projection"}
               for r in rows if r["skipped_at"] is None and
               (r["position"] > projected or r["in_rebuild"])]
    skipped = [{"position": r["position"], "topic": r["topic"], "reason": r["reason"],
                "skipped_at": _iso(r["skipped_at"])} for r in rows
               if r["skipped_at"] is not None]
    return {"stalled": stalled, "skipped": skipped}


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.isoformat(timespec="seconds")
