"""The question by e-mail: followers of an issue are asked "was it delivered?" about each of
its commitments, once at the due date and once three months after delivery.

At the due date: a commitment delivered by then is asked about on its due date; one still
open the day after, when it is overdue (the day the record lets anyone answer it; on its due
date the Board still has the day). Three months (calendar months) after the date the Board
said it was delivered, it is asked about again, if it is still recorded as delivered. Each
address is asked at most once per commitment for each of the two, through the notices
(tracker.following.notices): planned once, claimed, sent, retried.

The mail's link opens a page with one button per answer (tracker.web.routes.follow_questions);
only its POST records anything, so a mail scanner that opens every link answers nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from sqlalchemy import Connection, select

from tracker.following.notices import FRESH_DAYS, Compose, Notice, Occasion
from tracker.following.store import Subscription
from tracker.projections.issues import commitments, get_issue, issues
from tracker.projections.reference import names

if TYPE_CHECKING:
    from tracker.following.sender import Sender

AT_DUE_DATE = "question_due"
AFTER_DELIVERY = "question_delivered"
KINDS = (AT_DUE_DATE, AFTER_DELIVERY)
ASK_AGAIN_AFTER = relativedelta(months=3)
OPEN = ("on_track", "at_risk", "delayed", "no_public_evidence")


def occasions(conn: Connection, today: date) -> list[Occasion]:
    """The questions whose day has come in the last ``FRESH_DAYS`` days."""
    since = today - timedelta(days=FRESH_DAYS)
    visible = issues.c.hidden_reason.is_(None) & issues.c.merged_into.is_(None)
    joined = commitments.join(issues, issues.c.number == commitments.c.issue_number)
    found: list[Occasion] = []
    due = conn.execute(select(commitments.c.issue_number, commitments.c.commitment,
                              commitments.c.due, commitments.c.status).select_from(joined)
                       .where(visible, commitments.c.due >= since,
                              commitments.c.due <= today,
                              commitments.c.status.in_(("delivered", *OPEN))))
    for row in due:
        # Answerable: delivered by its due date, or overdue (the day after it).
        if row.status == "delivered" or row.due < today:
            found.append(Occasion(AT_DUE_DATE, row.issue_number, row.commitment, "",
                                  row.due))
    delivered = conn.execute(select(commitments.c.issue_number, commitments.c.commitment,
                                    commitments.c.delivered_on).select_from(joined)
                             .where(visible, commitments.c.status == "delivered",
                                    commitments.c.delivered_on >= since - ASK_AGAIN_AFTER
                                    - timedelta(days=3),
                                    commitments.c.delivered_on <= today - ASK_AGAIN_AFTER))
    for found_row in delivered:
        day = found_row.delivered_on + ASK_AGAIN_AFTER
        if since <= day <= today:
            found.append(Occasion(AFTER_DELIVERY, found_row.issue_number,
                                  found_row.commitment, "",
                                  day))
    return found


def _compose(sender: Sender, conn: Connection, notice: Notice,
             sub: Subscription) -> EmailMessage | None:
    settings, links = sender.mail.settings, sender.links
    view = get_issue(conn, notice.issue_number, sender.clock(),
                     settings.silent_days, settings.clocks)
    if view is None or view.stage in ("hidden", "merged"):
        return None
    found = [c for c in view.commitments if c.commitment == notice.commitment]
    if not found:
        return None
    c = found[0]
    after_delivery = notice.kind == AFTER_DELIVERY
    if not (c.status == "delivered" or c.overdue) or (after_delivery
                                                      and c.status != "delivered"):
        return None  # no longer a question anyone can answer
    display = names(conn)
    from tracker.following.sender import what_is_followed

    return sender.mail.compose(
        sub.email,
        f"Issue {view.number}: was it delivered? ({_short(c.text)})", "question",
        links.unsubscribe(sub.link_key), issue=view, c=c, after_delivery=after_delivery,
        delivered_on=conn.execute(select(commitments.c.delivered_on).where(
            commitments.c.issue_number == view.number,
            commitments.c.commitment == c.commitment)).scalar(),
        owner=display.get(c.owner, c.owner), question_url=links.question(notice.link_key),
        what=what_is_followed(sub, display), path=sub.path,
        manage_url=links.manage(sub.link_key))


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


COMPOSERS: dict[str, Compose] = {AT_DUE_DATE: _compose, AFTER_DELIVERY: _compose}
