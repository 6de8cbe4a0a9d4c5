"""Calendars of due dates: one all-day event per open commitment, and per Board response
or referral answer owed (iCalendar)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from fastapi import APIRouter, HTTPException, Request, Response
from icalendar import Calendar, Event
from sqlalchemy import Connection, select

from feeds.ids import authority
from feeds.render import clean
from tracker.bootstrap import Tracker
from tracker.projections import reference
from tracker.projections.issues import (
    OPEN_STATUSES,
    OwedResponse,
    commitments,
    issues,
    owed_responses,
)
from tracker.web.conditional import answer
from tracker.web.deps import IssueNumber, TrackerDep
from tracker.web.edge import SlugInPath
from tracker.web.replies import body_in

router = APIRouter(tags=["calendars"])
ICS = body_in("text/calendar", description="An iCalendar file", refusing=(404, 422))
MEDIA_TYPE = "text/calendar; charset=utf-8"


async def _calendar(request: Request, tracker: Tracker, variant: str, title: str,
              number: int | None = None, owner: str | None = None) -> Response:
    base = tracker.settings.base_url
    host = authority(base)

    def build(conn: Connection) -> Response:
        query = select(commitments, issues.c.title).join(
            issues, issues.c.number == commitments.c.issue_number).where(
            commitments.c.status.in_(OPEN_STATUSES), issues.c.hidden_reason.is_(None))
        if number is not None:
            if conn.execute(select(issues.c.number).where(
                    issues.c.number == number)).first() is None:
                raise HTTPException(404, detail=f"There is no issue {number}")
            query = query.where(commitments.c.issue_number == number)
        if owner is not None:
            if conn.execute(select(reference.owners.c.slug).where(
                    reference.owners.c.slug == owner)).first() is None:
                raise HTTPException(404, detail=f"There is no owner '{owner}'")
            query = query.where(commitments.c.owner == owner)
        names = reference.names(conn)
        calendar = Calendar()
        calendar.add("prodid", f"-//{host}//commitment due dates//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", clean(f"{title}: {tracker.settings.organisation}"))
        for r in conn.execute(query.order_by(commitments.c.due, commitments.c.issue_number,
                                             commitments.c.commitment)).mappings():
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
            calendar.add_component(event)
        for owed in owed_responses(conn, tracker.settings.clocks, number):
            if owner is None or owed.lead == owner:
                calendar.add_component(_response_event(owed, base, host))
        return Response(calendar.to_ical(), media_type=MEDIA_TYPE)

    return await answer(request, tracker, variant, build, max_age=3600)


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


@router.get("/calendar.ics", response_class=Response, responses=ICS)
async def all_due_dates(request: Request, tracker: TrackerDep) -> Response:
    """Every open commitment on its due date."""
    return await _calendar(request, tracker, "calendar", "Commitment due dates")


@router.get("/issues/{number}/calendar.ics", response_class=Response, responses=ICS)
async def issue_due_dates(number: IssueNumber, request: Request,
                          tracker: TrackerDep) -> Response:
    """The open commitments of one issue."""
    return await _calendar(request, tracker, f"calendar-issue-{number}", f"Issue {number}",
                     number=number)


@router.get("/owners/{slug}/calendar.ics", response_class=Response, responses=ICS)
async def owner_due_dates(slug: SlugInPath, request: Request, tracker: TrackerDep) -> Response:
    """The open commitments one owner is accountable for."""
    return await _calendar(request, tracker, f"calendar-owner-{slug}", f"Owner {slug}",
                           owner=slug)
