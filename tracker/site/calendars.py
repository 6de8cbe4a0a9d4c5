"""Calendars of due dates: one all-day event per open commitment, and per Board response
or referral answer owed (iCalendar)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from icalendar import Calendar, Event
from sqlalchemy import Connection

from feeds.ids import authority
from feeds.render import clean
from tracker.projections import reference
from tracker.projections.due_dates import open_commitments_due
from tracker.projections.issues import OwedResponse, owed_responses
from tracker.projections.lookups import issue_exists, owner_exists
from tracker.site.answer import Answer, SiteContext, problem

MEDIA_TYPE = "text/calendar; charset=utf-8"
CALENDAR_MAX_AGE = 3600


@dataclass(frozen=True)
class DueDates:
    """Every open commitment, or one issue's, or one owner's."""

    number: int | None = None
    owner: str | None = None

    @property
    def title(self) -> str:
        if self.number is not None:
            return f"Issue {self.number}"
        return f"Owner {self.owner}" if self.owner is not None else "Commitment due dates"


def calendar(conn: Connection, ctx: SiteContext, p: DueDates) -> Answer:
    base = ctx.settings.base_url
    host = authority(base)
    if p.number is not None and not issue_exists(conn, p.number):
        return problem(404, f"There is no issue {p.number}")
    if p.owner is not None and not owner_exists(conn, p.owner):
        return problem(404, f"There is no owner '{p.owner}'")
    names = reference.names(conn)
    cal = Calendar()
    cal.add("prodid", f"-//{host}//commitment due dates//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", clean(f"{p.title}: {ctx.settings.organisation}"))
    for r in open_commitments_due(conn, p.number, p.owner):
        link = f"{base}/issues/{r['issue_number']}#commitment-{r['commitment']}"
        event = Event()
        # Stable: the same commitment is the same calendar event, wherever it is read.
        event.add("uid", f"issue-{r['issue_number']}-commitment-{r['commitment']}@{host}")
        event.add("dtstamp", datetime.combine(r["last_update_on"] or r["made_on"], time(),
                                              tzinfo=UTC))
        event.add("dtstart", r["due"])
        event.add("dtend", r["due"] + timedelta(days=1))
        event.add("summary", clean(f"Due: {r['text']} (issue {r['issue_number']})"))
        event.add("description", clean(
            f"Issue {r['issue_number']}: {r['title']}\n"
            f"Who is accountable: {names.get(r['owner'], r['owner'])}\n"
            f"How success is measured: {r['measure']}\n"
            f"Status: {r['status'].replace('_', ' ')}\n{link}"))
        event.add("url", link)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    for owed in owed_responses(conn, ctx.settings.clocks, p.number):
        if p.owner is None or owed.lead == p.owner:
            cal.add_component(_response_event(owed, base, host))
    return Answer(200, MEDIA_TYPE, cal.to_ical())


def _response_event(owed: OwedResponse, base: str, host: str) -> Event:
    """A response owed, on the day it is due; its uid names that day, so a clock restarted
    by a revised response request is a new event."""
    link = f"{base}/issues/{owed.number}#board-response"
    whose = "Board response" if owed.owed_by == "the Board" else f"Answer of {owed.owed_by}"
    event = Event()
    event.add("uid", f"issue-{owed.number}-response-{owed.due.isoformat()}@{host}")
    event.add("dtstamp", datetime.combine(owed.due, time(), tzinfo=UTC))
    event.add("dtstart", owed.due)
    event.add("dtend", owed.due + timedelta(days=1))
    event.add("summary", clean(f"Due: {whose} to issue {owed.number}"))
    event.add("description", clean(f"Issue {owed.number}: {owed.title}\n{link}"))
    event.add("url", link)
    event.add("transp", "TRANSPARENT")
    return event
