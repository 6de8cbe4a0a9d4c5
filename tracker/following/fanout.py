"""Fan-out: each new public entry becomes one pending delivery per live subscription to it.

It reads the timeline read model (what pages and feeds show), not the raw event log, so a
mail says exactly what the page says. One INSERT ... SELECT per batch, whatever the number
of followers, and the cursor moves in the same transaction: run it any number of times, from
any number of processes, and each (subscription, entry) pair is created once.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, String, and_, cast, func, literal, or_, select

from tracker.following.store import cursor, deliveries, subscriptions
from tracker.projections.timeline import NOT_WHAT_CHANGED, entries

CURSOR = "fanout"


def fan_out(engine: Engine, now: datetime | None = None, batch: int = 5_000) -> int:
    """Create the deliveries for entries not fanned out yet, due from ``now``; returns how
    many were made."""
    made, now = 0, now or datetime.now(UTC)
    while True:
        created, done = _one_batch(engine, batch, now)
        made += created
        if done:
            return made


def _one_batch(engine: Engine, batch: int, now: datetime) -> tuple[int, bool]:
    with engine.begin() as conn:
        # The cursor row is the lock: a second process waits here, then sees the new
        # position, so no range is fanned out twice.
        if conn.execute(select(cursor.c.position).where(cursor.c.name == CURSOR)).first() \
                is None:
            conn.execute(cursor.insert().values(name=CURSOR, position=0))
        start = conn.execute(select(cursor.c.position).where(cursor.c.name == CURSOR)
                             .with_for_update()).scalar_one()
        # At most ``batch`` entries per transaction: the batch-th one, or the newest.
        last = conn.execute(select(entries.c.position).where(entries.c.position > start)
                            .order_by(entries.c.position).offset(batch - 1).limit(1)).scalar()
        upto = last if last is not None else conn.execute(
            select(func.max(entries.c.position)).where(entries.c.position > start)).scalar()
        if upto is None:
            return 0, True
        follows_entry = or_(
            and_(subscriptions.c.kind == "issue",
                 subscriptions.c.target == cast(entries.c.issue_number, String)),
            and_(subscriptions.c.kind == "topic", subscriptions.c.target == entries.c.topic),
            and_(subscriptions.c.kind == "owner", subscriptions.c.target == entries.c.owner))
        chosen = select(subscriptions.c.id, entries.c.position, literal("pending"),
                        literal(0), literal(now)).select_from(
            entries.join(subscriptions, follows_entry)).where(
            entries.c.position > start, entries.c.position <= upto,
            entries.c.type.not_in(NOT_WHAT_CHANGED),
            subscriptions.c.confirmed_at.is_not(None),
            subscriptions.c.unsubscribed_at.is_(None),
            entries.c.position > subscriptions.c.start_position)
        result = conn.execute(deliveries.insert().from_select(
            ["subscription_id", "position", "state", "attempts", "next_attempt_at"], chosen))
        conn.execute(cursor.update().where(cursor.c.name == CURSOR).values(position=upto))
        return int(result.rowcount or 0), last is None
