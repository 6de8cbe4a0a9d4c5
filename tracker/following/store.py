"""Who follows what by e-mail: personal data, kept beside the read models, never in events.

Asking to follow records a *request* and nothing else: a subscription, new or changed, is
made only by the click on the link in that request's own confirmation mail, and only entries
recorded after that moment are ever sent. A request lives at most ``CONFIRM_DAYS`` (its row
says when it was made, whatever a link claims) and is used once. Unsubscribing keeps the
row (so its deliveries stay accounted for) but ends it, and voids any request still open
for it; ``erase`` removes an address's rows, requests and deliveries, for good.

Links in mails carry a row's ``link_key`` or a request's ``key``: 128 random bits drawn once,
never the integer id, which a database may hand out again (SQLite reuses the highest id after
a delete; PostgreSQL's sequence goes back after a restore). A link to a row that is gone can
therefore never match another person's.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
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
from sqlalchemy.exc import IntegrityError

from tracker.accounts import private_metadata
from tracker.addresses import normalise

KINDS = ("issue", "topic", "owner")
MODES = ("instant", "daily")
CONFIRM_DAYS = 3

subscriptions = Table(
    "follow_subscriptions", private_metadata,
    Column("id", Integer, primary_key=True),
    # What unsubscribe and manage links carry (see the module's docstring).
    Column("link_key", String(32), nullable=False),
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
Index("ix_follow_subscriptions_link_key", subscriptions.c.link_key, unique=True)

# Wishes to follow, each waiting for the click on its own confirmation link.
requests = Table(
    "follow_requests", private_metadata,
    Column("key", String(32), primary_key=True),
    Column("email", String(320), nullable=False, index=True),
    Column("kind", String(10), nullable=False),
    Column("target", String(80), nullable=False),
    Column("mode", String(10), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

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

# Mails about a moment rather than an entry: "was it delivered?" at a commitment's due date
# and three months after its delivery (tracker.following.questions), and "the response is
# overdue" (tracker.following.response_alerts). One row per address and occasion, made once
# (the unique constraint) and sent like deliveries: claimed, then sent, then recorded.
notices = Table(
    "follow_notices", private_metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, index=True),
    # The follow it goes through: its unsubscribe link, and no mail once it is left.
    Column("subscription_id", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("issue_number", Integer, nullable=False),
    Column("commitment", Integer, nullable=False),  # 0 when about the response
    # What makes the occasion one: "" for a commitment's question (asked once per
    # address), the due date for an overdue response (a revised one restarts the clock).
    Column("about", String(20), nullable=False),
    Column("occasion", Date, nullable=False),  # the day it is about
    # What the answer link carries (see the module's docstring on link keys).
    Column("link_key", String(32), nullable=False),
    Column("state", String(10), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("claimed_at", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Column("last_error", Text),
    UniqueConstraint("email", "kind", "issue_number", "commitment", "about",
                     name="uq_follow_notice"),
)
Index("ix_follow_notices_link_key", notices.c.link_key, unique=True)

# How far fan-out has read the timeline, written in the same transaction as its deliveries.
cursor = Table(
    "follow_cursor", private_metadata,
    Column("name", String(20), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# Confirmation mails sent, per address: the limit against subscribing someone else a
# hundred times. Personal data too: kept a day, and erased with the rest.
confirmations = Table(
    "follow_confirmations", private_metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, index=True),
    Column("sent_at", DateTime(timezone=True), nullable=False),
)


def new_key() -> str:
    """128 random bits, URL-safe: never guessed, never drawn twice."""
    return secrets.token_urlsafe(16)


def path_of(kind: str, target: str) -> str:
    return {"issue": "/issues/", "topic": "/topics/", "owner": "/owners/"}[kind] + target


@dataclass(frozen=True)
class Subscription:
    id: int
    link_key: str
    email: str
    kind: str
    target: str
    mode: str
    confirmed: bool
    active: bool

    @property
    def path(self) -> str:
        return path_of(self.kind, self.target)


@dataclass(frozen=True)
class Wish:
    """A wish to follow, not yet confirmed: it changes nothing until then."""

    key: str
    email: str
    kind: str
    target: str
    mode: str

    @property
    def path(self) -> str:
        return path_of(self.kind, self.target)


def _subscription(row: Any) -> Subscription:
    return Subscription(id=row.id, link_key=row.link_key, email=row.email, kind=row.kind,
                        target=row.target, mode=row.mode,
                        confirmed=row.confirmed_at is not None,
                        active=row.confirmed_at is not None and row.unsubscribed_at is None)


def _wish(row: Any) -> Wish:
    return Wish(key=row.key, email=row.email, kind=row.kind, target=row.target,
                   mode=row.mode)


def _same_target(table: Table, email: str, kind: str, target: str) -> Any:
    return (table.c.email == email) & (table.c.kind == kind) & (table.c.target == target)


def _live_since() -> datetime:
    """Requests made before this have expired, whatever their link says."""
    return datetime.now(UTC) - timedelta(days=CONFIRM_DAYS)


class Follows:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def confirmations_since(self, email: str, since: datetime) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(confirmations).where(
                confirmations.c.email == normalise(email),
                confirmations.c.sent_at >= since)).scalar_one())

    def request(self, email: str, kind: str, target: str, mode: str) -> Wish:
        """Record a wish to follow and count the confirmation mail about to be sent. Any
        subscription of the address stays exactly as it is."""
        email, now = normalise(email), datetime.now(UTC)
        key = new_key()
        with self.engine.begin() as conn:
            # Expired requests and day-old counts serve no purpose: not kept.
            conn.execute(delete(requests).where(requests.c.created_at < _live_since()))
            conn.execute(delete(confirmations).where(
                confirmations.c.sent_at < now - timedelta(days=1)))
            conn.execute(requests.insert().values(key=key, email=email, kind=kind,
                                                  target=target, mode=mode, created_at=now))
            conn.execute(confirmations.insert().values(email=email, sent_at=now))
        return Wish(key=key, email=email, kind=kind, target=target, mode=mode)

    def pending(self, key: str) -> Wish | None:
        """The request behind a confirmation link, if it is still open."""
        with self.engine.connect() as conn:
            row = conn.execute(select(requests).where(
                requests.c.key == key, requests.c.created_at >= _live_since())).first()
        return _wish(row) if row is not None else None

    def confirm(self, key: str, position: int) -> Subscription | None:
        """Carry out the request: entries after ``position`` will be sent. The request, and
        every other one open for the same follow, is used up. None when it is not open."""
        for attempt in (1, 2):
            try:
                with self.engine.begin() as conn:
                    return self._confirm(conn, key, position)
            except IntegrityError:
                # A second confirmation inserted the same follow at the same moment
                # (PostgreSQL); this one's transaction was undone, so try it once more.
                if attempt == 2:
                    raise
        return None  # pragma: no cover (the loop returns or raises)

    def _confirm(self, conn: Connection, key: str, position: int) -> Subscription | None:
        row = conn.execute(select(requests).where(
            requests.c.key == key, requests.c.created_at >= _live_since())).first()
        # The delete is the claim: of two clicks at once, only one removes the row.
        if row is None or not conn.execute(
                delete(requests).where(requests.c.key == key)).rowcount:
            return None
        same = _same_target(subscriptions, row.email, row.kind, row.target)
        conn.execute(delete(requests).where(
            _same_target(requests, row.email, row.kind, row.target)))
        now = datetime.now(UTC)
        found = conn.execute(select(subscriptions).where(same)).first()
        if found is None:
            conn.execute(subscriptions.insert().values(
                link_key=new_key(), email=row.email, kind=row.kind, target=row.target,
                mode=row.mode, created_at=now, confirmed_at=now, start_position=position))
        elif found.confirmed_at is not None and found.unsubscribed_at is None:
            conn.execute(update(subscriptions).where(subscriptions.c.id == found.id)
                         .values(mode=row.mode))
        else:
            conn.execute(update(subscriptions).where(subscriptions.c.id == found.id).values(
                mode=row.mode, confirmed_at=now, unsubscribed_at=None,
                start_position=position))
        return _subscription(conn.execute(select(subscriptions).where(same)).one())

    def unsubscribe(self, link_key: str) -> Subscription | None:
        """End the subscription, cancel what is waiting, and void its open requests."""
        with self.engine.begin() as conn:
            row = conn.execute(select(subscriptions).where(
                subscriptions.c.link_key == link_key)).first()
            if row is None:
                return None
            conn.execute(update(subscriptions).where(
                subscriptions.c.id == row.id,
                subscriptions.c.unsubscribed_at.is_(None)).values(
                unsubscribed_at=datetime.now(UTC)))
            # Nothing already waiting is sent after the click.
            conn.execute(update(deliveries).where(
                deliveries.c.subscription_id == row.id,
                deliveries.c.state == "pending").values(state="cancelled"))
            conn.execute(update(notices).where(
                notices.c.subscription_id == row.id,
                notices.c.state == "pending").values(state="cancelled"))
            # Nor can a confirmation link mailed before the click start it again.
            conn.execute(delete(requests).where(
                _same_target(requests, row.email, row.kind, row.target)))
            row = conn.execute(select(subscriptions).where(
                subscriptions.c.id == row.id)).one()
        return _subscription(row)

    def by_link(self, link_key: str) -> Subscription | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(subscriptions).where(
                subscriptions.c.link_key == link_key)).first()
        return _subscription(row) if row is not None else None

    def of(self, email: str) -> list[Subscription]:
        """Every live subscription of an address as stored (for the manage page)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(subscriptions).where(
                subscriptions.c.email == email,
                subscriptions.c.confirmed_at.is_not(None),
                subscriptions.c.unsubscribed_at.is_(None)).order_by(subscriptions.c.id))
            return [_subscription(r) for r in rows]

    def erase(self, email: str) -> int:
        """Remove an address's subscriptions, their deliveries, its notices, its open
        requests and its confirmation log."""
        email = normalise(email)
        with self.engine.begin() as conn:
            ids = select(subscriptions.c.id).where(subscriptions.c.email == email)
            conn.execute(delete(deliveries).where(deliveries.c.subscription_id.in_(ids)))
            conn.execute(delete(notices).where(notices.c.email == email))
            removed = conn.execute(delete(subscriptions).where(subscriptions.c.email == email))
            conn.execute(delete(requests).where(requests.c.email == email))
            conn.execute(delete(confirmations).where(confirmations.c.email == email))
        return int(removed.rowcount or 0)
