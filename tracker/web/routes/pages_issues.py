"""Public pages: the home page, the issue list and an issue's status page
(rendered by tracker.site.pages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from tracker.site import addresses, pages
from tracker.site.addresses import Read
from tracker.web.deps import IssueNumber
from tracker.web.http_cache import SiteDep

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def home_page(request: Request, site: SiteDep) -> Response:
    """The answer per assembly, the scoreboard and what changed recently."""
    return await site.answer(request, addresses.home())


@router.get("/issues", response_class=HTMLResponse)
async def issues_page(
    request: Request, site: SiteDep,
    q: Annotated[str, Query(max_length=200)] = "", stage: str = "", topic: str = "",
    owner: str = "", overdue: bool = False, page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    assembly: str = "", outcome: str = "",
) -> Response:
    """Every issue, with filters and search; works as a plain GET form."""
    return await site.answer(request, Read("issues-page", pages.issues_page, pages.IssuesQuery(
        q, stage, topic, owner, overdue, page, assembly, outcome)))


@router.get("/issues/{number}", response_class=HTMLResponse)
async def issue_page(number: IssueNumber, request: Request, site: SiteDep) -> Response:
    """Verdict first, then commitments, then the whole history."""
    return await site.answer(request, addresses.issue_page(number))
