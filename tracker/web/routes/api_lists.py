"""JSON API: the timeline, commitments, topics, owners and assemblies."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from tracker.projections import timeline
from tracker.site import api
from tracker.site.addresses import Read, reference_list
from tracker.site.schemas import CommitmentListOut, ReferenceOut, TimelineOut
from tracker.web.deps import MAX_NUMBER, MAX_POSITION
from tracker.web.http_cache import SiteDep
from tracker.web.replies import refusals
from tracker.web.routes.api_issues import Slug

# Any parameter no text may hold is a 422 naming it (tracker.web.edge.plain_parameters).
router = APIRouter(prefix="/api/v1", tags=["lists"], responses=refusals(422))

StatusFilter = Literal["on_track", "at_risk", "delayed", "no_public_evidence", "delivered",
                       "dropped", "overdue", "open"]


@router.get("/timeline", response_model=TimelineOut)
async def read_timeline(
    request: Request, site: SiteDep,
    issue: Annotated[int | None, Query(ge=1, le=MAX_NUMBER)] = None, topic: Slug = None,
    owner: Slug = None, assembly: Slug = None,
    before: Annotated[int | None, Query(ge=1, le=MAX_POSITION,
                                        description="Entries before this position")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """What changed, newest first, filterable by issue, topic, owner and assembly."""
    return await site.answer(request, Read("timeline", api.what_changed, api.TimelineQuery(
        timeline.TimelineFilter(issue, topic, owner, assembly), before, limit)))


@router.get("/commitments", response_model=CommitmentListOut)
async def read_commitments(
    request: Request, site: SiteDep,
    status: StatusFilter | None = None, owner: Slug = None, topic: Slug = None,
    assembly: Slug = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """Every commitment, overdue first ("open": neither settled nor overdue)."""
    return await site.answer(request, Read("commitments", api.commitments, api.CommitmentsQuery(
        status, owner, topic, assembly, offset, limit)))


@router.get("/topics", response_model=list[ReferenceOut])
async def read_topics(request: Request, site: SiteDep) -> Response:
    """Topics with their figures."""
    return await site.answer(request, reference_list("topics"))


@router.get("/owners", response_model=list[ReferenceOut])
async def read_owners(request: Request, site: SiteDep) -> Response:
    """Owners (Board roles and teams) with their figures."""
    return await site.answer(request, reference_list("owners"))


@router.get("/assemblies", response_model=list[ReferenceOut])
async def read_assemblies(request: Request, site: SiteDep) -> Response:
    """Assemblies, newest first, with their figures."""
    return await site.answer(request, reference_list("assemblies"))
