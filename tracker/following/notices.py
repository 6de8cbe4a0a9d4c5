"""Notices: mails about a moment rather than a timeline entry, sent to followers.

Two kinds of moment: a commitment's question, "was it delivered?" (tracker.following.questions)
and a Board response or a referral's answer becoming overdue
(tracker.following.response_alerts). Each run of the sender first *plans*: every follower
(one address, however many of its follows lead there) gets one row per occasion, made once
by the table's unique constraint, so planning again, from any number of processes, after a
crash or a restart, adds nothing. Then it sends the rows that are due exactly as alerts are
sent (tracker.following.sender): claimed and committed before the mail goes out, recorded
right after; a failure is retried with the same back-off; a sender that stops between
sending and recording leaves the row claimed, and it is never sent again.

A moment is only news for a while: an occasion more than ``FRESH_DAYS`` old is not planned
(a site that starts sending these, or a sender that was off for a month, does not mail
about long-past dates). Before a mail is made its occasion is checked again; one that no
longer holds (the issue was hidden, the response came) is cancelled, not sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tracker.following.store import Subscription, new_key, notices, subscriptions

if TYPE_CHECKING:
    from tracker.following.sender import Sender, SendReport

log = logging.getLogger(__name__)

FRESH_DAYS = 14
BATCH = 200
PLAN_EVERY = timedelta(minutes=5)  # by one sender (each `tracker tick` plans afresh)


@dataclass(frozen=True)
class Occasion:
    """Something followers of an issue are to be told once: ``about`` tells occasions of
    one kind apart ("" when there is only ever one per commitment)."""

    kind: str
    issue_number: int
    commitment: int
    about: str
    occasion: date
    topic: str | None = None  # followers of the issue's topic are told too, when set
    owner: str | None = None  # and followers of this owner


@dataclass(frozen=True)
class Notice:
    id: int
    email: str
    kind: str
    issue_number: int
    commitment: int
    occasion: date
    link_key: str


# What a kind's mail says: the message, or None when its occasion no longer holds.
Compose = Callable[["Sender", Connection, Notice, Subscription], EmailMessage | None]


def followers(conn: Connection, occasion: Occasion) -> dict[str, int]:
    """Each address following the occasion's issue (or its topic or owner, when named),
    with the follow its mail goes through: the issue's own when there is one."""
    wanted = (subscriptions.c.kind == "issue") & (
        subscriptions.c.target == str(occasion.issue_number))
    if occasion.topic:
        wanted |= (subscriptions.c.kind == "topic") & (subscriptions.c.target == occasion.topic)
    if occasion.owner:
        wanted |= (subscriptions.c.kind == "owner") & (subscriptions.c.target == occasion.owner)
    found: dict[str, int] = {}
    rank = {"issue": 0, "topic": 1, "owner": 2}
    rows = conn.execute(select(subscriptions.c.id, subscriptions.c.email, subscriptions.c.kind)
                        .where(wanted, subscriptions.c.confirmed_at.is_not(None),
                               subscriptions.c.unsubscribed_at.is_(None)))
    for row in sorted(rows, key=lambda r: (rank[r.kind], r.id)):
        found.setdefault(row.email, row.id)
    return found


def plan(engine: Engine, occasions: Iterable[Occasion], now: datetime) -> int:
    """Make the rows for these occasions' followers that are not made yet; how many were."""
    made = 0
    with engine.begin() as conn:
        rows = [{"email": email, "subscription_id": sid, "kind": o.kind,
                 "issue_number": o.issue_number, "commitment": o.commitment,
                 "about": o.about, "occasion": o.occasion, "link_key": new_key(),
                 "state": "pending", "attempts": 0, "next_attempt_at": now}
                for o in occasions for email, sid in followers(conn, o).items()]
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        for start in range(0, len(rows), BATCH):
            # An occasion already planned (by an earlier run, or another process at the
            # same moment) is left as it is: the unique constraint decides.
            result = conn.execute(insert(notices).values(rows[start:start + BATCH])
                                  .on_conflict_do_nothing())
            made += int(result.rowcount or 0)
    return made


def by_link(engine: Engine, link_key: str) -> Notice | None:
    with engine.connect() as conn:
        row = conn.execute(select(notices).where(notices.c.link_key == link_key)).first()
    return _notice(row) if row is not None else None


def _notice(row: Any) -> Notice:
    return Notice(row.id, row.email, row.kind, row.issue_number, row.commitment, row.occasion,
                  row.link_key)


def composers() -> dict[str, Compose]:
    from tracker.following import questions, response_alerts

    return {**questions.COMPOSERS, **response_alerts.COMPOSERS}


def send_notices(sender: Sender, now: datetime, send: Callable[[EmailMessage], str | None],
                 report: SendReport) -> None:
    """Plan today's occasions, then send every notice that is due, in batches."""
    from tracker.following import questions, response_alerts
    from tracker.following.sender import STALE_CLAIM

    engine, settings = sender.engine, sender.mail.settings
    today = sender.clock()
    last = sender.notices_planned
    # The worker runs the sender every second or so: its occasions change with the day
    # and with new follows, so planning every few minutes is enough.
    if last is None or last[0] != today or not 0 <= (now - last[1]).total_seconds() \
            < PLAN_EVERY.total_seconds():
        with sender.read_engine.connect() as conn:
            occasions = [*questions.occasions(conn, today), *response_alerts.occasions(
                conn, today, settings.clocks)]
        report.fanned_out += plan(engine, occasions, now)
        sender.notices_planned = (today, now)
    with engine.begin() as conn:
        conn.execute(update(notices).where(
            notices.c.state == "sending",
            notices.c.claimed_at < now - STALE_CLAIM).values(state="unknown"))
    kinds = composers()
    while True:
        claimed = _claim(engine, now)
        if not claimed:
            return
        with sender.read_engine.connect() as conn:
            for notice, sub in claimed:
                message = kinds[notice.kind](sender, conn, notice, sub)
                if message is None:
                    with engine.begin() as write:
                        write.execute(update(notices).where(notices.c.id == notice.id)
                                      .values(state="cancelled"))
                    continue
                _record(engine, notice.id, send(message), now, report)


def _claim(engine: Engine, now: datetime) -> list[tuple[Notice, Subscription]]:
    with engine.begin() as conn:
        rows = conn.execute(
            select(notices, subscriptions.c.link_key.label("sub_key"),
                   subscriptions.c.kind.label("sub_kind"),
                   subscriptions.c.target.label("sub_target"),
                   subscriptions.c.mode.label("sub_mode"))
            .join(subscriptions, subscriptions.c.id == notices.c.subscription_id)
            .where(notices.c.state == "pending", notices.c.next_attempt_at <= now,
                   subscriptions.c.unsubscribed_at.is_(None))
            .order_by(notices.c.id).limit(BATCH)
            .with_for_update(skip_locked=True, of=notices)).all()
        if not rows:
            return []
        conn.execute(update(notices).where(
            notices.c.id.in_([r.id for r in rows]), notices.c.state == "pending")
            .values(state="sending", claimed_at=now))
    return [(_notice(r), Subscription(r.subscription_id, r.sub_key, r.email, r.sub_kind,
                                      r.sub_target, r.sub_mode, True, True)) for r in rows]


def _record(engine: Engine, notice_id: int, error: str | None, now: datetime,
            report: SendReport) -> None:
    """Sent (error None), or failed and retried later: as the sender records a delivery."""
    from tracker.following.sender import MAX_ATTEMPTS, retry_delay

    with engine.begin() as conn:
        match = notices.c.id == notice_id
        if error is None:
            conn.execute(update(notices).where(match).values(
                state="sent", sent_at=now, last_error=None))
            report.sent += 1
            report.notices += 1
            return
        attempts = conn.execute(select(notices.c.attempts).where(match)).scalar_one() + 1
        if attempts >= MAX_ATTEMPTS:
            conn.execute(update(notices).where(match).values(
                state="failed", attempts=attempts, last_error=error[:500]))
            report.failed += 1
        else:
            conn.execute(update(notices).where(match).values(
                state="pending", attempts=attempts, last_error=error[:500],
                next_attempt_at=now + retry_delay(attempts)))
            report.retrying += 1
        report.errors.append(error)
        log.warning("a notice to a follower failed: %s", error)
