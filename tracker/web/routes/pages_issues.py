"""Public pages: the home page, the issue list and an issue's status page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from tracker.domain.glossary import STAGES
from tracker.projections import issues as issue_status
from tracker.projections import reference, timeline
from tracker.projections.listings import IssueFilter, list_issues
from tracker.projections.scoreboard import scoreboard
from tracker.web.conditional import not_modified, stamp, validators
from tracker.web.deps import ReadConn, TrackerDep
from tracker.web.rendering import render

router = APIRouter(tags=["pages"], include_in_schema=False)
PAGE = 25


@router.get("/", response_class=HTMLResponse)
def home_page(request: Request, tracker: TrackerDep, conn: ReadConn) -> Response:
    """The scoreboard and the latest changes."""
    current = validators(tracker, conn, "home")
    if (cached := not_modified(request, current)) is not None:
        return cached
    return stamp(render(request, "home.html", board=scoreboard(conn, tracker.clock()),
                        latest=timeline.what_changed(conn, limit=10)), current)


@router.get("/issues", response_class=HTMLResponse)
def issues_page(
    request: Request, tracker: TrackerDep, conn: ReadConn,
    q: Annotated[str, Query(max_length=200)] = "", stage: str = "", topic: str = "",
    owner: str = "", overdue: bool = False, page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """Every issue, with filters and search; works as a plain GET form."""
    current = validators(tracker, conn, "issues-page")
    if (cached := not_modified(request, current)) is not None:
        return cached
    where = IssueFilter(stage=stage if stage in STAGES else None, topic=topic or None,
                        owner=owner or None, overdue=overdue, search=q.strip() or None)
    found, total = list_issues(conn, where, tracker.clock(), (page - 1) * PAGE, PAGE)
    params = {k: v for k, v in {"q": q, "stage": stage, "topic": topic, "owner": owner,
                                "overdue": "true" if overdue else ""}.items() if v}

    def page_url(n: int) -> str:
        return "/issues?" + urlencode({**params, "page": n})

    return stamp(render(
        request, "issues.html", section="issues", where=where, found=found, total=total,
        stages=STAGES, topics=reference.list_topics(conn, tracker.clock()),
        owners=reference.list_owners(conn, tracker.clock()),
        prev_url=page_url(page - 1) if page > 1 else None,
        next_url=page_url(page + 1) if page * PAGE < total else None), current)


@router.get("/issues/{number}", response_class=HTMLResponse)
def issue_page(number: int, request: Request, tracker: TrackerDep,
               conn: ReadConn) -> Response:
    """Verdict first, then commitments, then the whole history."""
    current = validators(tracker, conn, "issue-page")
    if (cached := not_modified(request, current)) is not None:
        return cached
    view = issue_status.get_issue(conn, number, tracker.clock(), tracker.settings.silent_days)
    if view is None:
        return render(request, "not_found.html", 404,
                      message=f"There is no issue {number}.")
    overdue = any(c.overdue for c in view.commitments)
    history = [e for e in timeline.history(conn, number) if e.type != "supported"]
    return stamp(render(request, "issue.html", section="issues", issue=view, history=history,
                        names=reference.names(conn),
                        verdict_class="overdue" if overdue else view.stage), current)
