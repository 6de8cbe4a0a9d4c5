"""Time travel (rendered by tracker.site.time_travel): the Memento TimeGate and TimeMap of
every public address, and the page of what changed on an issue between two days (its JSON
is in tracker.web.routes.api_issues). ``?as_of=`` itself is seen to by
tracker.web.http_cache for every public read."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from tracker.site import pages, time_travel
from tracker.site.addresses import Read, resolve
from tracker.site.answer import problem
from tracker.web.deps import IssueNumber
from tracker.web.http_cache import SiteDep, response_of

# The Memento protocol's own addresses (docs/verification.md), outside the JSON API's schema.
router = APIRouter(tags=["time travel"], include_in_schema=False)
NOTHING_THERE = "There is nothing at this address"


def _original(path: str, request: Request) -> str | None:
    """The public address behind /timegate/... or /timemap/..., or None."""
    original = "/" + path.lstrip("/")
    if resolve(original) is None and not original.endswith("/changes"):
        return None
    query = request.url.query
    return time_travel.without_as_of(original, query)


@router.get("/timegate/{path:path}", status_code=302, responses={
    302: {"description": "To the version in force at Accept-Datetime"},
    400: {"description": "Accept-Datetime is not an HTTP date"}})
def timegate(path: str, request: Request, site: SiteDep,
             accept_datetime: Annotated[str | None, Header()] = None) -> Response:
    """The Memento TimeGate (RFC 7089) of a public address: a redirect to its version as
    of the day asked for in `Accept-Datetime` (today's without one)."""
    original = _original(path, request)
    if original is None:
        return response_of(problem(404, NOTHING_THERE))
    settings = site.site.context.settings
    target = original
    if accept_datetime is not None:
        wanted = time_travel.accept_datetime(accept_datetime)
        if wanted is None:
            return response_of(problem(400, "Accept-Datetime must be an HTTP date, e.g. "
                                        "Thu, 06 Nov 2014 18:00:00 GMT", "Accept-Datetime"))
        with site.site.engine.connect() as conn:
            days = time_travel.changed_days(conn, original)
        day = time_travel.nearest_day(days, wanted.date())
        if day is not None and day < site.clock():
            target = time_travel.with_as_of(original, day)
    links = time_travel.original_links(settings.base_url, original)
    return RedirectResponse(settings.base_url.rstrip("/") + target, status_code=302,
                            headers={"Vary": "accept-datetime",
                                     "Link": ", ".join([links[0], links[2]])})


@router.get("/timemap/{path:path}", response_class=Response, responses={
    200: {"content": {time_travel.LINK_FORMAT: {}},
          "description": "Every day's version of the address (application/link-format)"}})
def timemap(path: str, request: Request, site: SiteDep) -> Response:
    """The Memento TimeMap (RFC 7089) of a public address: the days it changed."""
    original = _original(path, request)
    if original is None:
        return response_of(problem(404, NOTHING_THERE))
    with site.site.engine.connect() as conn:
        days = time_travel.changed_days(conn, original.split("?", 1)[0])
    return response_of(time_travel.timemap(site.site.context.settings.base_url, original,
                                             days))


@router.get("/issues/{number}/changes", response_class=HTMLResponse)
async def changes_page(
    number: IssueNumber, request: Request, site: SiteDep,
    start: Annotated[date, Query(alias="from")], end: Annotated[date, Query(alias="to")],
) -> Response:
    """What was recorded on an issue between two days (both included)."""
    if end < start:
        return response_of(problem(422, "to must not be before from", "to"))
    return await site.answer(request, Read("issue-changes", pages.changes_page,
                                           pages.ChangesQuery(number, start, end)))
