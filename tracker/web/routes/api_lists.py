"""JSON API: the timeline, commitments, topics, owners and assemblies."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from tracker.projections import reference, timeline
from tracker.projections.listings import list_commitments
from tracker.web.conditional import not_modified, stamp, validators
from tracker.web.deps import ReadConn, TrackerDep
from tracker.web.routes.api_issues import Slug
from tracker.web.schemas import CommitmentListOut, ReferenceOut, TimelineOut
from tracker.web.views import commitment_out, entry_out, reference_out

router = APIRouter(prefix="/api/v1", tags=["lists"])

StatusFilter = Literal["on_track", "at_risk", "delayed", "no_public_evidence", "delivered",
                       "dropped", "overdue"]


@router.get("/timeline", response_model=TimelineOut)
def read_timeline(
    request: Request, response: Response, tracker: TrackerDep, conn: ReadConn,
    issue: Annotated[int | None, Query(ge=1)] = None, topic: Slug = None,
    owner: Slug = None, assembly: Slug = None,
    before: Annotated[int | None, Query(ge=1, description="Entries before this position")]
    = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> TimelineOut | Response:
    """What changed, newest first, filterable by issue, topic, owner and assembly."""
    current = validators(tracker, conn, "timeline")
    if (cached := not_modified(request, current)) is not None:
        return cached
    found = timeline.what_changed(conn, timeline.TimelineFilter(issue, topic, owner, assembly),
                                  before, limit)
    stamp(response, current)
    return TimelineOut(entries=[entry_out(e) for e in found],
                       next_before=found[-1].position if len(found) == limit else None)


@router.get("/commitments", response_model=CommitmentListOut)
def read_commitments(
    request: Request, response: Response, tracker: TrackerDep, conn: ReadConn,
    status: StatusFilter | None = None, owner: Slug = None, topic: Slug = None,
    offset: Annotated[int, Query(ge=0)] = 0, limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> CommitmentListOut | Response:
    """Every commitment, overdue first."""
    current = validators(tracker, conn, "commitments")
    if (cached := not_modified(request, current)) is not None:
        return cached
    found, total = list_commitments(conn, tracker.clock(), status=status, owner=owner,
                                    topic=topic, offset=offset, limit=limit)
    stamp(response, current)
    return CommitmentListOut(total=total, commitments=[commitment_out(c) for c in found])


@router.get("/topics", response_model=list[ReferenceOut])
def read_topics(tracker: TrackerDep, conn: ReadConn) -> list[ReferenceOut]:
    """Topics with their figures."""
    return [reference_out(v) for v in reference.list_topics(conn, tracker.clock())]


@router.get("/owners", response_model=list[ReferenceOut])
def read_owners(tracker: TrackerDep, conn: ReadConn) -> list[ReferenceOut]:
    """Owners (Board roles and teams) with their figures."""
    return [reference_out(v) for v in reference.list_owners(conn, tracker.clock())]


@router.get("/assemblies", response_model=list[ReferenceOut])
def read_assemblies(tracker: TrackerDep, conn: ReadConn) -> list[ReferenceOut]:
    """Assemblies, newest first, with their figures."""
    return [reference_out(v) for v in reference.list_assemblies(conn, tracker.clock())]
