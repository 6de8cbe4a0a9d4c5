"""JSON API: issues."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, HTTPException

from tracker.projections import issues as issue_status
from tracker.web.deps import ReadConn, TrackerDep
from tracker.web.schemas import IssueOut

router = APIRouter(prefix="/api/v1/issues", tags=["issues"])


@router.get("/{number}", response_model=IssueOut)
def read_issue(number: int, tracker: TrackerDep, conn: ReadConn) -> IssueOut:
    """One issue's status: stage, verdict and commitments."""
    view = issue_status.get_issue(conn, number, tracker.clock(), tracker.settings.silent_days)
    if view is None:
        raise HTTPException(404, detail=f"There is no issue {number}")
    return IssueOut.model_validate(asdict(view))
