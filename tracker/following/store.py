"""Who follows what by e-mail: personal data, kept beside the read models, never in events.

A subscription starts unconfirmed; only the click on the link in its confirmation mail
confirms it, and only entries recorded after that moment are ever sent. Unsubscribing keeps
the row (so its deliveries stay accounted for) but ends it; ``erase`` removes an address's
rows, and their deliveries, for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    func,
    select,
    update,
)

from tracker.accounts import private_metadata

KINDS = ("issue", "topic", "owner")
MODES = ("instant", "daily")

subscriptions = Table(
    "follow_subscriptions", private_metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, index=True),
    Column("kind", String(10), nullable=False),
    Column("target", String(80), nullable=False),
    Column("mode", String(10), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("unsubscribed_at", DateTime(timezone=True)),
    # Entries at or before this log position are never sent (set on confirmation).
    Column("start_position", BigInteger, nullable=False, default=0),
    UniqueConstraint("email", "kind", "target", name="uq_follow_target"),
)
Index("ix_follow_target", subscriptions.c.kind, subscriptions.c.target)

deliveries = Table(
    "follow_deliveries", private_metadata,
    Column("subscription_id", Integer, primary_key=True, autoincrement=False),
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    # pending -> sending -> sent; or back to pending (retry), failed (gave up), or
    # unknown (the sender stopped between sending and recording: never sent again).
    Column("state", String(10), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("claimed_at", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Column("last_error", Text),
)

# How far fan-out has read the timeline, written in the same transaction as its deliveries.
cursor = Table(
    "follow_cursor", private_metadata,
    Column("name", String(20), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# Confirmation mails sent, per address: the limit against subscribing someone else a
# hundred times. Personal data too: erased with the rest.
confirmations = Table(
    "follow_confirmations", private_metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, index=True),
    Column("sent_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Subscription:
    id: int
    email: str
    kind: str
    target: str
    mode: str
    confirmed: bool
    active: bool

    @property
    def path(self) -> str:
        return {"issue": "/issues/", "topic": "/topics/", "owner": "/owners/"}[self.kind] \
            + self.target


def normalise(email: str) -> str:
    return email.strip().lower()


def _subscription(row: Any) -> Subscription:
    return Subscription(id=row.id, email=row.email, kind=row.kind, target=row.target,
                        mode=row.mode, confirmed=row.confirmed_at is not None,
                        active=row.confirmed_at is not None and row.unsubscribed_at is None)


class Follows:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def confirmations_since(self, email: str, since: datetime) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(confirmations).where(
                confirmations.c.email == normalise(email),
                confirmations.c.sent_at >= since)).scalar_one())

    def request(self, email: str, kind: str, target: str, mode: str) -> Subscription:
        """Record a wish to follow (unconfirmed, or a new mode for a live one) and count the
        confirmation mail about to be sent."""
        email, now = normalise(email), datetime.now(UTC)
        with self.engine.begin() as conn:
            row = conn.execute(select(subscriptions).where(
                subscriptions.c.email == email, subscriptions.c.kind == kind,
                subscriptions.c.target == target)).first()
            if row is None:
                conn.execute(subscriptions.insert().values(
                    email=email, kind=kind, target=target, mode=mode, created_at=now,
                    start_position=0))
            else:
                # Asking again re-opens it as unconfirmed: only the mail's owner confirms.
                conn.execute(update(subscriptions).where(subscriptions.c.id == row.id).values(
                    mode=mode, confirmed_at=None, unsubscribed_at=None))
            conn.execute(confirmations.insert().values(email=email, sent_at=now))
            found = conn.execute(select(subscriptions).where(
                subscriptions.c.email == email, subscriptions.c.kind == kind,
                subscriptions.c.target == target)).one()
        return _subscription(found)

    def confirm(self, subscription_id: int, position: int) -> Subscription | None:
        """Start the subscription: entries after ``position`` will be sent."""
        with self.engine.begin() as conn:
            row = conn.execute(select(subscriptions).where(
                subscriptions.c.id == subscription_id)).first()
            if row is None:
                return None
            if row.confirmed_at is None or row.unsubscribed_at is not None:
                conn.execute(update(subscriptions).where(subscriptions.c.id == row.id).values(
                    confirmed_at=datetime.now(UTC), unsubscribed_at=None,
                    start_position=position))
            row = conn.execute(select(subscriptions).where(
                subscriptions.c.id == subscription_id)).one()
        return _subscription(row)

    def unsubscribe(self, subscription_id: int) -> Subscription | None:
        with self.engine.begin() as conn:
            conn.execute(update(subscriptions).where(
                subscriptions.c.id == subscription_id,
                subscriptions.c.unsubscribed_at.is_(None)).values(
                unsubscribed_at=datetime.now(UTC)))
            # Nothing already waiting is sent after the click.
            conn.execute(update(deliveries).where(
                deliveries.c.subscription_id == subscription_id,
                deliveries.c.state == "pending").values(state="cancelled"))
            row = conn.execute(select(subscriptions).where(
                subscriptions.c.id == subscription_id)).first()
        return _subscription(row) if row is not None else None

    def get(self, subscription_id: int) -> Subscription | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(subscriptions).where(
                subscriptions.c.id == subscription_id)).first()
        return _subscription(row) if row is not None else None

    def of(self, email: str) -> list[Subscription]:
        """Every live subscription of an address (for the manage page)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(subscriptions).where(
                subscriptions.c.email == normalise(email),
                subscriptions.c.confirmed_at.is_not(None),
                subscriptions.c.unsubscribed_at.is_(None)).order_by(subscriptions.c.id))
            return [_subscription(r) for r in rows]

    def erase(self, email: str) -> int:
        """Remove an address's subscriptions, their deliveries and its confirmation log."""
        email = normalise(email)
        with self.engine.begin() as conn:
            ids = select(subscriptions.c.id).where(subscriptions.c.email == email)
            conn.execute(delete(deliveries).where(deliveries.c.subscription_id.in_(ids)))
            removed = conn.execute(delete(subscriptions).where(subscriptions.c.email == email))
            conn.execute(delete(confirmations).where(confirmations.c.email == email))
        return int(removed.rowcount or 0)


def day_ago() -> datetime:
    return datetime.now(UTC) - timedelta(days=1)
