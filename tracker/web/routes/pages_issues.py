"""Public pages: an issue's status page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tracker.projections import issues as issue_status
from tracker.web.deps import ReadConn, TrackerDep
from tracker.web.rendering import render

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/issues/{number}", response_class=HTMLResponse)
def issue_page(number: int, request: Request, tracker: TrackerDep,
               conn: ReadConn) -> HTMLResponse:
    """Verdict first, then commitments, then the whole history."""
    view = issue_status.get_issue(conn, number, tracker.clock(), tracker.settings.silent_days)
    if view is None:
        return render(request, "not_found.html", 404,
                      message=f"There is no issue {number}.")
    overdue = any(c.overdue for c in view.commitments)
    verdict_class = "overdue" if overdue else view.stage
    return render(request, "issue.html", section="issues", issue=view,
                  verdict_class=verdict_class)
