"""JSON API: the timeline, commitments, topics, owners and assemblies."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import Connection

from tracker.projections import reference, timeline
from tracker.projections.listings import list_commitments
from tracker.web.conditional import answer
from tracker.web.deps import MAX_NUMBER, MAX_POSITION, TrackerDep
from tracker.web.replies import refusals
from tracker.web.routes.api_issues import Slug
from tracker.web.schemas import CommitmentListOut, ReferenceOut, TimelineOut
from tracker.web.views import entry_out, reference_out

# Any parameter no text may hold is a 422 naming it (tracker.web.edge.plain_parameters).
router = APIRouter(prefix="/api/v1", tags=["lists"], responses=refusals(422))

StatusFilter = Literal["on_track", "at_risk", "delayed", "no_public_evidence", "delivered",
                       "dropped", "overdue", "open"]


@router.get("/timeline", response_model=TimelineOut)
async def read_timeline(
    request: Request, tracker: TrackerDep,
    issue: Annotated[int | None, Query(ge=1, le=MAX_NUMBER)] = None, topic: Slug = None,
    owner: Slug = None, assembly: Slug = None,
    before: Annotated[int | None, Query(ge=1, le=MAX_POSITION,
                                        description="Entries before this position")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """What changed, newest first, filterable by issue, topic, owner and assembly."""

    def build(conn: Connection) -> TimelineOut:
        found = timeline.what_changed(
            conn, timeline.TimelineFilter(issue, topic, owner, assembly), before, limit)
        return TimelineOut(entries=[entry_out(e) for e in found],
                           next_before=found[-1].position if len(found) == limit else None)

    return await answer(request, tracker, "timeline", build)


@router.get("/commitments", response_model=CommitmentListOut)
async def read_commitments(
    request: Request, tracker: TrackerDep,
    status: StatusFilter | None = None, owner: Slug = None, topic: Slug = None,
    assembly: Slug = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """Every commitment, overdue first ("open": neither settled nor overdue)."""

    def build(conn: Connection) -> CommitmentListOut:
        found, total = list_commitments(conn, tracker.clock(), status=status, owner=owner,
                                        topic=topic, offset=offset, limit=limit,
                                        assembly=assembly)
        return CommitmentListOut(total=total, commitments=found)

    return await answer(request, tracker, "commitments", build)


@router.get("/topics", response_model=list[ReferenceOut])
async def read_topics(request: Request, tracker: TrackerDep) -> Response:
    """Topics with their figures."""
    return await answer(request, tracker, "topics", lambda conn: [
        reference_out(v) for v in reference.list_topics(conn, tracker.clock())])


@router.get("/owners", response_model=list[ReferenceOut])
async def read_owners(request: Request, tracker: TrackerDep) -> Response:
    """Owners (Board roles and teams) with their figures."""
    return await answer(request, tracker, "owners", lambda conn: [
        reference_out(v) for v in reference.list_owners(conn, tracker.clock())])


@router.get("/assemblies", response_model=list[ReferenceOut])
async def read_assemblies(request: Request, tracker: TrackerDep) -> Response:
    """Assemblies, newest first, with their figures."""
    return await answer(request, tracker, "assemblies", lambda conn: [
        reference_out(v) for v in reference.list_assemblies(conn, tracker.clock())])
