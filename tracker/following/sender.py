"""Sending alerts: at most once per (subscription, entry), retried with back-off on failure.

Each run: fan out new entries; claim the deliveries that are due (instant ones, and daily
ones recorded before today), then the notices (tracker.following.notices: questions and
overdue-response alerts); send them over one SMTP connection; record each as sent right
after its mail is accepted. A delivery is claimed (state "sending") and committed *before*
its mail goes out, so a sender that stops between sending and recording leaves it claimed,
and no later run sends it again: at most once, as promised, at the price that a crash in
that instant may lose that one mail (it is marked "unknown" after a while, and counted).
A failure is retried later (1, 4, 16... minutes, at most 6 hours apart, 8 tries) and
never holds up the other deliveries.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, select, update

from tracker.bootstrap import Tracker
from tracker.following.fanout import fan_out
from tracker.following.links import Links
from tracker.following.mails import Mail
from tracker.following.store import Subscription, Wish, deliveries, subscriptions
from tracker.projections import issues as issue_status
from tracker.projections.reference import names
from tracker.projections.timeline import TimelineEntry, entries, to_entry

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_DELAY = timedelta(minutes=1)
LONGEST_DELAY = timedelta(hours=6)
STALE_CLAIM = timedelta(minutes=15)
BATCH = 500
RECORD_EVERY = 100


def retry_delay(attempts: int) -> timedelta:
    delay: timedelta = FIRST_DELAY * 4 ** max(attempts - 1, 0)
    return min(delay, LONGEST_DELAY)


@dataclass
class SendReport:
    fanned_out: int = 0
    sent: int = 0  # mails accepted by the SMTP server
    entries: int = 0  # deliveries those mails carried (a digest carries several)
    retrying: int = 0
    failed: int = 0
    notices: int = 0  # of the mails sent, questions and overdue-response alerts
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{self.sent} mails sent ({self.entries} entries), {self.retrying} to retry, "
                f"{self.failed} given up; {self.fanned_out} new deliveries")


Connect = Callable[[], smtplib.SMTP]


def what_is_followed(sub: Subscription | Wish, display: dict[str, str]) -> str:
    if sub.kind == "issue":
        return f"issue {sub.target}"
    return f"the {sub.kind} {display.get(sub.target, sub.target)}"


def sender_for(tracker: Tracker) -> Sender:
    """The sender made of the container's parts: its mail, its link signer, its engines."""
    return Sender(tracker.mail, tracker.links, tracker.write_engine, tracker.engine,
                  tracker.clock)


class Sender:
    def __init__(self, mail: Mail, links: Links, engine: Engine, read_engine: Engine,
                 clock: Callable[[], date], connect: Connect | None = None) -> None:
        self.mail = mail
        self.links = links
        self.engine = engine  # the private stores' (deliveries are written)
        self.read_engine = read_engine
        self.clock = clock
        self._connect = connect or mail.connect
        # The day and moment this sender last planned its notices (tracker.following.notices).
        self.notices_planned: tuple[date, datetime] | None = None

    def run(self, now: datetime | None = None) -> SendReport:
        now = now or datetime.now(UTC)
        report = SendReport(fanned_out=fan_out(self.engine, now))
        self._expire_stale_claims(now)
        with self._mailer(report) as send:
            while self._send_instant(now, send, report):
                pass
            self._send_digests(now, send, report)
            # Questions and overdue-response alerts (tracker.following.notices).
            from tracker.following.notices import send_notices

            send_notices(self, now, send, report)
        return report

    # -- claiming ------------------------------------------------------------------------

    def _expire_stale_claims(self, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(deliveries).where(
                deliveries.c.state == "sending",
                deliveries.c.claimed_at < now - STALE_CLAIM).values(state="unknown"))

    def _claim(self, conn: Connection, keys: list[tuple[int, int]], now: datetime) -> None:
        conn.execute(update(deliveries).where(
            deliveries.c.subscription_id == bindparam("sid"),
            deliveries.c.position == bindparam("pos"),
            deliveries.c.state == "pending").values(state="sending", claimed_at=now),
            [{"sid": s, "pos": p} for s, p in keys])

    def _due(self, now: datetime, mode: str) -> Any:
        return select(deliveries.c.subscription_id, deliveries.c.position).join(
            subscriptions, subscriptions.c.id == deliveries.c.subscription_id).where(
            deliveries.c.state == "pending", deliveries.c.next_attempt_at <= now,
            subscriptions.c.mode == mode, subscriptions.c.unsubscribed_at.is_(None))

    # -- instant -----------------------------------------------------------------------

    def _send_instant(self, now: datetime, send: Callable[[EmailMessage], str | None],
                      report: SendReport) -> bool:
        """One batch; False when nothing was due."""
        with self.engine.begin() as conn:
            keys = [(r[0], r[1]) for r in conn.execute(
                self._due(now, "instant").order_by(deliveries.c.position).limit(BATCH)
                .with_for_update(skip_locked=True, of=deliveries))]
            if not keys:
                return False
            self._claim(conn, keys, now)
        context = self._context([p for _, p in keys], [s for s, _ in keys])
        accepted: list[tuple[int, int]] = []
        try:
            for sid, position in keys:
                sub, entry = context.subs[sid], context.entries[position]
                message = self.mail.compose(
                    sub.email,
                    f"Issue {entry.issue_number}: {entry.issue_title}", "alert",
                    self.links.unsubscribe(sub.link_key), entry=entry,
                    verdict=context.verdicts[entry.issue_number], what=context.what(sub),
                    path=sub.path, manage_url=self.links.manage(sub.link_key))
                error = send(message)
                if error is None:
                    accepted.append((sid, position))
                    if len(accepted) >= RECORD_EVERY:
                        self._record(accepted, None, now, report, mails=len(accepted))
                        accepted = []
                else:
                    self._record([(sid, position)], error, now, report)
        finally:
            # Sent mails are recorded in groups: a mail is already safe from being sent
            # twice by its claim, so this only saves a commit per mail.
            if accepted:
                self._record(accepted, None, now, report, mails=len(accepted))
        return True

    # -- daily digests -------------------------------------------------------------------

    def _send_digests(self, now: datetime, send: Callable[[EmailMessage], str | None],
                      report: SendReport) -> None:
        """One mail per daily subscription with entries recorded before today (UTC)."""
        today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        with self.engine.begin() as conn:
            keys = [(r[0], r[1]) for r in conn.execute(
                self._due(now, "daily").join(entries, entries.c.position ==
                                             deliveries.c.position)
                .where(entries.c.recorded_at < today)
                .order_by(deliveries.c.subscription_id, deliveries.c.position)
                .with_for_update(skip_locked=True, of=deliveries))]
            if not keys:
                return
            self._claim(conn, keys, now)
        context = self._context([p for _, p in keys], [s for s, _ in keys])
        by_subscription: dict[int, list[int]] = {}
        for sid, position in keys:
            by_subscription.setdefault(sid, []).append(position)
        for sid, positions in by_subscription.items():
            sub = context.subs[sid]
            grouped: dict[int, dict[str, Any]] = {}
            for position in positions:
                entry = context.entries[position]
                issue = grouped.setdefault(entry.issue_number, {
                    "number": entry.issue_number, "title": entry.issue_title,
                    "verdict": context.verdicts[entry.issue_number], "entries": []})
                issue["entries"].append(entry)
            count = len(positions)
            message = self.mail.compose(
                sub.email,
                f"What changed: {count} {'update' if count == 1 else 'updates'} on "
                f"{context.what(sub)}", "digest", self.links.unsubscribe(sub.link_key),
                issues=list(grouped.values()), what=context.what(sub), path=sub.path,
                manage_url=self.links.manage(sub.link_key))
            self._record([(sid, p) for p in positions], send(message), now, report)

    # -- recording -----------------------------------------------------------------------

    def _record(self, keys: list[tuple[int, int]], error: str | None, now: datetime,
                report: SendReport, mails: int = 1) -> None:
        params = [{"sid": s, "pos": p} for s, p in keys]
        match = and_(deliveries.c.subscription_id == bindparam("sid"),
                     deliveries.c.position == bindparam("pos"))
        with self.engine.begin() as conn:
            if error is None:
                conn.execute(update(deliveries).where(match).values(
                    state="sent", sent_at=now, last_error=None), params)
                report.sent += mails
                report.entries += len(keys)
                return
            attempts = conn.execute(select(deliveries.c.attempts).where(
                deliveries.c.subscription_id == keys[0][0],
                deliveries.c.position == keys[0][1])).scalar_one() + 1
            if attempts >= MAX_ATTEMPTS:
                conn.execute(update(deliveries).where(match).values(
                    state="failed", attempts=attempts, last_error=error[:500]), params)
                report.failed += len(keys)
            else:
                conn.execute(update(deliveries).where(match).values(
                    state="pending", attempts=attempts, last_error=error[:500],
                    next_attempt_at=now + retry_delay(attempts)), params)
                report.retrying += len(keys)
            report.errors.append(error)

    @contextmanager
    def _mailer(self, report: SendReport) -> Iterator[Callable[[EmailMessage], str | None]]:
        """``send(message)``: None when accepted, else why not. One connection, made when
        the first mail needs it and made again after a failure."""
        connection: smtplib.SMTP | None = None

        def send(message: EmailMessage) -> str | None:
            nonlocal connection
            try:
                if connection is None:
                    connection = self._connect()
                refused = connection.send_message(message)
                if refused:
                    return f"refused: {refused}"
                return None
            except (smtplib.SMTPException, OSError) as error:
                log.warning("mail to a follower failed: %s", error)
                if connection is not None:
                    try:
                        connection.close()
                    finally:
                        connection = None
                return f"{type(error).__name__}: {error}"

        try:
            yield send
        finally:
            if connection is not None:
                try:
                    connection.quit()
                except (smtplib.SMTPException, OSError):
                    connection.close()

    def _context(self, positions: list[int], sids: list[int]) -> _Context:
        settings = self.mail.settings
        with self.read_engine.connect() as conn:
            found = {r["position"]: to_entry(r) for r in conn.execute(
                select(entries).where(entries.c.position.in_(set(positions)))).mappings()}
            subs = {r.id: Subscription(r.id, r.link_key, r.email, r.kind, r.target, r.mode, True,
                                       True)
                    for r in conn.execute(select(subscriptions).where(
                        subscriptions.c.id.in_(set(sids))))}
            today = self.clock()
            verdicts = {}
            for number in {e.issue_number for e in found.values()}:
                view = issue_status.get_issue(conn, number, today, settings.silent_days,
                                              settings.clocks)
                verdicts[number] = view.verdict if view else ""
            display = names(conn)
        return _Context(found, subs, verdicts, display)


@dataclass
class _Context:
    entries: dict[int, TimelineEntry]
    subs: dict[int, Subscription]
    verdicts: dict[int, str]
    display: dict[str, str]

    def what(self, sub: Subscription) -> str:
        return what_is_followed(sub, self.display)
