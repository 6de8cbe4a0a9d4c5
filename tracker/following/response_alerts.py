"""Alerts when a response becomes overdue: followers of an issue, of its topic and of the
owner leading its response are told once when the Board's response is overdue, and once
when the answer of a body the issue was referred to is overdue.

"Overdue" is what every reader says (tracker.projections.issues.overdue_responses): the
day after the due date. A revised response requested restarts the clock, so its own
overdue date is a new occasion; the same due date is never told twice to an address. Sent
through the notices (tracker.following.notices): planned once, claimed, sent, retried.
"""

from __future__ import annotations

from datetime import date, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from tracker.domain.status import Clocks
from tracker.following.notices import FRESH_DAYS, Compose, Notice, Occasion
from tracker.following.store import Subscription
from tracker.projections.issues import get_issue, overdue_responses
from tracker.projections.reference import names

if TYPE_CHECKING:
    from tracker.following.sender import Sender

RESPONSE = "response_overdue"
REFERRAL = "referral_overdue"
BOARD = "the Board"


def occasions(conn: Connection, today: date, clocks: Clocks) -> list[Occasion]:
    """The responses that became overdue in the last ``FRESH_DAYS`` days."""
    since = today - timedelta(days=FRESH_DAYS)
    return [Occasion(RESPONSE if r.owed_by == BOARD else REFERRAL, r.number, 0,
                     r.due.isoformat(), r.due, topic=r.topic, owner=r.lead)
            for r in overdue_responses(conn, today, clocks) if r.due >= since]


def _compose(sender: Sender, conn: Connection, notice: Notice,
             sub: Subscription) -> EmailMessage | None:
    settings, links = sender.mail.settings, sender.links
    today = sender.clock()
    still = [r for r in overdue_responses(conn, today, settings.clocks,
                                          notice.issue_number)
             if r.due == notice.occasion
             and (r.owed_by == BOARD) == (notice.kind == RESPONSE)]
    view = get_issue(conn, notice.issue_number, today, settings.silent_days,
                     settings.clocks)
    if not still or view is None:
        return None  # answered (or hidden, merged, closed) since
    owed_by = still[0].owed_by
    display = names(conn)
    from tracker.following.sender import what_is_followed

    subject = (f"Issue {view.number}: the Board's response is overdue"
               if notice.kind == RESPONSE
               else f"Issue {view.number}: {owed_by}'s answer to the referral is overdue")
    return sender.mail.compose(
        sub.email, subject, "response_overdue",
        links.unsubscribe(sub.link_key), issue=view, board=notice.kind == RESPONSE,
        owed_by=owed_by, due=notice.occasion, what=what_is_followed(sub, display),
        path=sub.path, manage_url=links.manage(sub.link_key))


COMPOSERS: dict[str, Compose] = {RESPONSE: _compose, REFERRAL: _compose}
