"""JSON API: issues, their history (a page at a time)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from tracker.domain.status import Stage
from tracker.projections.listings import IssueFilter
from tracker.site import api, pages
from tracker.site.addresses import Read
from tracker.site.answer import problem
from tracker.site.schemas import EntryOut, IssueListOut, IssueOut
from tracker.web.deps import MAX_NUMBER, IssueNumber
from tracker.web.http_cache import SiteDep, response_of
from tracker.web.replies import refusals

# Any parameter no text may hold is a 422 naming it (tracker.web.edge.plain_parameters).
router = APIRouter(prefix="/api/v1/issues", tags=["issues"], responses=refusals(422))
READ_ONE = {
    **refusals(404, 422), 304: {"description": "Not modified since the ETag or date sent"}}

Outcome = Literal["promised", "agreed", "declined", "referred", "noted", "closed", "unanswered",
                  "not_discussed", "merged"]  # tracker.domain.answer.OUTCOMES
Slug = Annotated[str | None, Query(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]


@router.get("", response_model=IssueListOut)
async def read_issues(
    request: Request, site: SiteDep,
    stage: Annotated[Stage | None, Query(description="A stage key, e.g. in_progress")] = None,
    topic: Slug = None, owner: Slug = None, assembly: Slug = None,
    overdue: bool = False,
    outcome: Annotated[Outcome | None, Query(
        description="What came of it (an issue raised at an assembly), e.g. declined")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words in title or text")] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """Issues, newest first, with filters and a text search."""
    where = IssueFilter(stage and str(stage), topic, owner, assembly, overdue, q, outcome)
    return await site.answer(request, Read("issues", api.issues,
                                           api.IssuesQuery(where, offset, limit)))


@router.get("/{number}", response_model=IssueOut, responses=READ_ONE)
async def read_issue(number: IssueNumber, request: Request, site: SiteDep) -> Response:
    """One issue's status: stage, verdict and commitments."""
    return await site.answer(request, Read("issue", api.issue, number))


HISTORY_PAGE = 100
NEXT_PAGE = {"Link": {"description": 'The next page, when there is one: `<...>; rel="next"`',
                      "schema": {"type": "string"}}}


@router.get("/{number}/history", response_model=list[EntryOut],
            responses={**READ_ONE, 200: {"headers": NEXT_PAGE}})
async def read_history(
    number: IssueNumber, request: Request, site: SiteDep,
    after: Annotated[int, Query(ge=0, le=MAX_NUMBER, description=(
        "Entries after this entry number: the `entry` of the last one already read"))] = 0,
    limit: Annotated[int, Query(ge=1, le=200, description="Entries per page")] = HISTORY_PAGE,
) -> Response:
    """The issue's public entries, oldest first, a page at a time.

    Each entry keeps its number within the issue (`entry`), so a page is stable: the next
    page is `?after=<the last entry's number>`, given in full as the answer's
    `Link: <...>; rel="next"` header while more remain. Supports are not listed one by one:
    the issue's `supporters` count (`GET /api/v1/issues/{number}`) gives them, and the
    open-data export lists each.
    """
    return await site.answer(request, Read("history", api.history,
                                           api.HistoryQuery(number, after, limit)))


@router.get("/{number}/changes", response_model=list[EntryOut], responses=READ_ONE)
async def read_changes(
    number: IssueNumber, request: Request, site: SiteDep,
    start: Annotated[date, Query(alias="from", description="The first day, YYYY-MM-DD")],
    end: Annotated[date, Query(alias="to", description="The last day, YYYY-MM-DD")],
) -> Response:
    """The entries recorded on an issue between two days (both included), oldest first:
    what changed on it between two visits. The page `/issues/{number}/changes` shows the
    same."""
    if end < start:
        return response_of(problem(422, "to must not be before from", "to"))
    return await site.answer(request, Read("issue-changes-json", pages.changes_json,
                                           pages.ChangesQuery(number, start, end)))
