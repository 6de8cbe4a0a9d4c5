"""Reminders to owners by e-mail: before a due date, on the day it is overdue, then weekly.

Each owner with a private contact address (``tracker owners contact SLUG EMAIL``, kept by
tracker.contacts and erased with a person's other details by ``tracker erase-person``) gets
at most one reminder a day, listing all their open commitments with a link to each one's
update form, on a day when one of them is: ``TRACKER_REMIND_DAYS`` (14) from its due date,
overdue for the first day, or overdue a multiple of seven days more with no update since it
fell due. Like alerts, a reminder is claimed (a row keyed by owner and day, committed)
before it is sent, so no run sends it twice, even after a crash; a failure is retried with
the alerts' back-off.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from tracker.domain.status import long_date
from tracker.private import private_metadata
from tracker.projections.issues import OPEN_STATUSES, commitments
from tracker.projections.reference import owners

if TYPE_CHECKING:
    from tracker.bootstrap import Tracker

MAX_ATTEMPTS = 8

owner_reminders = Table(
    "owner_reminders", private_metadata,
    Column("owner", String(80), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("state", String(10), nullable=False),  # sending, sent, retry, failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_try", DateTime(timezone=True)),
    Column("error", Text),
)


def _connection(tracker: Tracker) -> smtplib.SMTP:
    """An SMTP connection made as the alerts' sender makes one, from the settings."""
    made: smtplib.SMTP = tracker.mail.connect()
    return made


def retry_delay(attempts: int) -> timedelta:
    from tracker.following.sender import retry_delay as alerts_delay
    return alerts_delay(attempts)


@dataclass(frozen=True)
class Due:
    issue: int
    commitment: int
    text: str
    due: date
    why: str  # "" when listed only because it is open


def why_today(due: date, last_update: date | None, today: date, remind_days: int) -> str:
    """Why a commitment calls for a reminder today, or ""."""
    if (due - today).days == remind_days:
        return f"due in {remind_days} days, on {long_date(due)}"
    late = (today - due).days
    if late == 1:
        return f"overdue from today (it was due on {long_date(due)})"
    if late > 1 and (late - 1) % 7 == 0 and (last_update is None or last_update <= due):
        return f"overdue for {late - 1} days with no update (due on {long_date(due)})"
    return ""


@dataclass
class RemindReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.sent} reminders sent, {self.retrying} to retry, {self.failed} failed"


class Reminders:
    def __init__(self, tracker: Tracker,
                 connect: Callable[[], smtplib.SMTP] | None = None) -> None:
        self.tracker = tracker
        self.engine = tracker.write_engine
        self.connect = connect or (lambda: _connection(tracker))

    def run(self, today: date | None = None, now: datetime | None = None) -> RemindReport:
        """Claim and send today's reminders, and retry those that failed."""
        today = today or self.tracker.app.clock()
        now = now or datetime.now(UTC)
        days = self.tracker.settings.remind_days
        report = RemindReport()
        with self.tracker.engine.connect() as conn:
            rows = conn.execute(
                select(commitments.c.issue_number, commitments.c.commitment, commitments.c.text,
                       commitments.c.due, commitments.c.last_update_on, commitments.c.owner)
                .where(commitments.c.status.in_(OPEN_STATUSES))
                .order_by(commitments.c.due, commitments.c.issue_number)).all()
            display = dict(conn.execute(select(owners.c.slug, owners.c.name)).all())
        listed: dict[str, list[Due]] = {}
        for r in rows:
            listed.setdefault(r.owner, []).append(Due(
                r.issue_number, r.commitment, r.text, r.due,
                why_today(r.due, r.last_update_on, today, days)))
        contacts = self.tracker.contacts.owner_addresses()
        todo = [(owner, today) for owner, items in listed.items()
                if owner in contacts and any(i.why for i in items) and self._claim(owner, today)]
        todo += self._retries(now)
        for owner, day in todo:
            if owner not in contacts or owner not in listed:
                self._mark(owner, day, "failed", "no contact or no open commitment any more")
                continue
            message = self._compose(display.get(owner, owner), contacts[owner], listed[owner],
                                    today)
            try:
                with self.connect() as smtp:
                    smtp.send_message(message)
            except (OSError, smtplib.SMTPException) as error:
                self._failed(owner, day, now, str(error), report)
                continue
            self._mark(owner, day, "sent", None)
            report.sent += 1
        return report

    def _mark(self, owner: str, day: date, state: str, error: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(owner_reminders).where(
                owner_reminders.c.owner == owner, owner_reminders.c.day == day)
                .values(state=state, error=error))

    def _claim(self, owner: str, today: date) -> bool:
        try:
            with self.engine.begin() as conn:
                conn.execute(owner_reminders.insert().values(owner=owner, day=today,
                                                             state="sending", attempts=0))
            return True
        except IntegrityError:
            return False  # claimed by an earlier run (sent, failed, or lost in a crash)

    def _retries(self, now: datetime) -> list[tuple[str, date]]:
        """Failed reminders whose back-off is over, claimed again (a retry of an earlier
        day's reminder lists the owner's commitments as they are now)."""
        claimed = []
        with self.engine.begin() as conn:
            for owner, day in conn.execute(select(
                    owner_reminders.c.owner, owner_reminders.c.day).where(
                    owner_reminders.c.state == "retry",
                    owner_reminders.c.next_try <= now)).all():
                taken = conn.execute(update(owner_reminders).where(
                    owner_reminders.c.owner == owner, owner_reminders.c.day == day,
                    owner_reminders.c.state == "retry").values(state="sending"))
                if taken.rowcount:
                    claimed.append((owner, day))
        return claimed

    def _failed(self, owner: str, today: date, now: datetime, error: str,
                report: RemindReport) -> None:
        with self.engine.begin() as conn:
            attempts = 1 + int(conn.execute(select(owner_reminders.c.attempts).where(
                owner_reminders.c.owner == owner, owner_reminders.c.day == today)).scalar() or 0)
            final = attempts >= MAX_ATTEMPTS
            conn.execute(update(owner_reminders).where(
                owner_reminders.c.owner == owner, owner_reminders.c.day == today).values(
                state="failed" if final else "retry", attempts=attempts, error=error[:500],
                next_try=None if final else now + retry_delay(attempts)))
        if final:
            report.failed += 1
        else:
            report.retrying += 1

    def _compose(self, name: str, to: str, items: list[Due], today: date) -> EmailMessage:
        settings = self.tracker.settings
        base = settings.base_url.rstrip("/")
        calling = [i for i in items if i.why]
        lines = [f"Dear {name},", "",
                 f"A reminder from {settings.organisation} on {long_date(today)}:", ""]
        lines += [f"- Issue {i.issue}, commitment {i.commitment}: {i.why}." for i in calling]
        lines += ["", "Your open commitments, each with its update form (progress, a new due "
                      "date with a reason, or delivery with evidence):", ""]
        for i in items:
            lines += [f"Issue {i.issue}, commitment {i.commitment}, due {long_date(i.due)}: "
                      f"{i.text}",
                      f"  {base}/admin/issues/{i.issue}/commitments/{i.commitment}/progress",
                      ""]
        message = EmailMessage()
        message["From"] = settings.mail_from
        message["To"] = to
        if calling:
            first = calling[0]
            message["Subject"] = (f"Reminder: issue {first.issue}, commitment "
                                  f"{first.commitment} is {first.why.split(' (')[0]}")
        else:
            count = f"{len(items)} open commitment" + ("" if len(items) == 1 else "s")
            message["Subject"] = f"Reminder: your {count}"
        message.set_content("\n".join(lines))
        return message
