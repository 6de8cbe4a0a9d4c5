"""Calendars of due dates (rendered by tracker.site.calendars)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from tracker.site.addresses import calendar_read
from tracker.site.calendars import DueDates
from tracker.web.deps import IssueNumber
from tracker.web.edge import SlugInPath
from tracker.web.http_cache import SiteDep
from tracker.web.replies import body_in

router = APIRouter(tags=["calendars"])
ICS = body_in("text/calendar", description="An iCalendar file", refusing=(404, 422))


@router.get("/calendar.ics", response_class=Response, responses=ICS)
async def all_due_dates(request: Request, site: SiteDep) -> Response:
    """Every open commitment on its due date."""
    return await site.answer(request, calendar_read(DueDates()))


@router.get("/issues/{number}/calendar.ics", response_class=Response, responses=ICS)
async def issue_due_dates(number: IssueNumber, request: Request, site: SiteDep) -> Response:
    """The open commitments of one issue."""
    return await site.answer(request, calendar_read(DueDates(number=number)))


@router.get("/owners/{slug}/calendar.ics", response_class=Response, responses=ICS)
async def owner_due_dates(slug: SlugInPath, request: Request, site: SiteDep) -> Response:
    """The open commitments one owner is accountable for."""
    return await site.answer(request, calendar_read(DueDates(owner=slug)))
