"""Public pages: commitments, the timeline, and topic, owner and assembly pages
(rendered by tracker.site.pages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from tracker.site import addresses, pages
from tracker.site.addresses import Read
from tracker.web.deps import MAX_NUMBER, MAX_POSITION
from tracker.web.edge import SlugInPath
from tracker.web.http_cache import SiteDep

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/commitments", response_class=HTMLResponse)
async def commitments_page(request: Request, site: SiteDep, status: str = "",
                           assembly: str = "") -> Response:
    """Every commitment, overdue first, filterable by status and assembly."""
    return await site.answer(request, Read("commitments-page", pages.commitments_page,
                                           pages.CommitmentsQuery(status, assembly)))


@router.get("/timeline", response_class=HTMLResponse)
async def timeline_page(
    request: Request, site: SiteDep,
    issue_text: Annotated[str, Query(alias="issue", max_length=20)] = "", topic: str = "",
    owner: str = "",
    assembly: str = "", before: Annotated[int | None, Query(ge=1, le=MAX_POSITION)] = None,
) -> Response:
    """What changed, newest first, 50 to a page."""
    # The filter form sends an empty issue box as "issue=": that means any issue.
    issue = int(issue_text.strip()) if issue_text.strip().isdigit() else None
    if issue is not None and not 1 <= issue <= MAX_NUMBER:
        issue = None
    return await site.answer(request, Read("timeline-page", pages.timeline_page,
                                           pages.TimelineQuery(issue, topic, owner, assembly,
                                                               before)))


@router.get("/topics", response_class=HTMLResponse)
async def topics_page(request: Request, site: SiteDep) -> Response:
    """Every topic, with its figures."""
    return await site.answer(request, addresses.index_page("topics"))


@router.get("/owners", response_class=HTMLResponse)
async def owners_page(request: Request, site: SiteDep) -> Response:
    """Every accountable owner, with what they promised and how it is going."""
    return await site.answer(request, addresses.index_page("owners"))


@router.get("/assemblies", response_class=HTMLResponse)
async def assemblies_page(request: Request, site: SiteDep) -> Response:
    """Every assembly, newest first, with its figures."""
    return await site.answer(request, addresses.index_page("assemblies"))


@router.get("/topics/{slug}", response_class=HTMLResponse)
async def topic_page(slug: SlugInPath, request: Request, site: SiteDep) -> Response:
    """A topic: its figures, commitments, issues and latest changes."""
    return await site.answer(request, addresses.reference_page("topics", slug))


@router.get("/owners/{slug}", response_class=HTMLResponse)
async def owner_page(slug: SlugInPath, request: Request, site: SiteDep) -> Response:
    """An accountable owner: what they promised and how it is going."""
    return await site.answer(request, addresses.reference_page("owners", slug))


@router.get("/assemblies/{slug}", response_class=HTMLResponse)
async def assembly_page(slug: SlugInPath, request: Request, site: SiteDep) -> Response:
    """An assembly: the issues discussed there and what came of them."""
    return await site.answer(request, addresses.reference_page("assemblies", slug))
