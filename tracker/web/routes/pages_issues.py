"""Public pages: the home page, the issue list and an issue's status page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from tracker.domain.answer import OUTCOMES
from tracker.domain.glossary import STAGES
from tracker.projections import issues as issue_status
from tracker.projections import reference, timeline
from tracker.projections.answers import assembly_answers, on_time_everywhere
from tracker.projections.cards import commitment_cards
from tracker.projections.issue_links import merged_into_this, verdicts
from tracker.projections.listings import IssueFilter, list_issues
from tracker.projections.recent import recent_changes
from tracker.projections.scoreboard import scoreboard
from tracker.web.conditional import answer
from tracker.web.deps import IssueNumber, TrackerDep
from tracker.web.rendering import render

router = APIRouter(tags=["pages"], include_in_schema=False)
PAGE = 25


@router.get("/", response_class=HTMLResponse)
async def home_page(request: Request, tracker: TrackerDep) -> Response:
    """The answer per assembly, the scoreboard and what changed recently."""

    def build(conn: Connection) -> Response:
        today = tracker.clock()
        return render(request, "home.html", board=scoreboard(conn, today), today=today,
                      answers=assembly_answers(conn, today),
                      on_time=on_time_everywhere(conn, today),
                      topics=reference.list_topics(conn, today),
                      recent=recent_changes(conn, today))

    return await answer(request, tracker, "home", build)


@router.get("/issues", response_class=HTMLResponse)
async def issues_page(
    request: Request, tracker: TrackerDep,
    q: Annotated[str, Query(max_length=200)] = "", stage: str = "", topic: str = "",
    owner: str = "", overdue: bool = False, page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    assembly: str = "", outcome: str = "",
) -> Response:
    """Every issue, with filters and search; works as a plain GET form."""
    where = IssueFilter(stage=stage if stage in STAGES else None, topic=topic or None,
                        owner=owner or None, overdue=overdue, search=q.strip() or None,
                        assembly=assembly or None,
                        outcome=outcome if outcome in OUTCOMES else None,
                        with_hidden=not (stage or q.strip() or outcome))
    params = {k: v for k, v in {"q": q, "stage": stage, "topic": topic, "owner": owner,
                                "overdue": "true" if overdue else "", "assembly": assembly,
                                "outcome": where.outcome or ""}.items() if v}

    def page_url(n: int) -> str:
        return "/issues?" + urlencode({**params, "page": n})

    def build(conn: Connection) -> Response:
        today = tracker.clock()
        found, total = list_issues(conn, where, today, (page - 1) * PAGE, PAGE)
        return render(
            request, "issues.html", section="issues", where=where, found=found, total=total,
            verdicts=verdicts(conn, [i.number for i in found], today,
                              tracker.settings.silent_days),
            stages=STAGES, topics=reference.list_topics(conn, today),
            owners=reference.list_owners(conn, today),
            assemblies=reference.list_assemblies(conn, today), outcomes=OUTCOMES,
            prev_url=page_url(page - 1) if page > 1 else None,
            next_url=page_url(page + 1) if page * PAGE < total else None)

    return await answer(request, tracker, "issues-page", build)


@router.get("/issues/{number}", response_class=HTMLResponse)
async def issue_page(number: IssueNumber, request: Request, tracker: TrackerDep) -> Response:
    """Verdict first, then commitments, then the whole history."""

    def build(conn: Connection) -> Response:
        view = issue_status.get_issue(conn, number, tracker.clock(),
                                      tracker.settings.silent_days,
                                      tracker.settings.clocks)
        if view is None:
            return render(request, "not_found.html", 404,
                          message=f"There is no issue {number}.")
        overdue = any(c.overdue for c in view.commitments) or bool(
            view.response and (view.response.overdue or view.response.referral_overdue))
        history = timeline.history(conn, number)  # supports are the count above it
        cards = commitment_cards(view.commitments, history, tracker.clock(),
                                 tracker.settings.silent_days)
        return render(request, "issue.html", section="issues", issue=view, history=history,
                      cards=cards, merged_here=merged_into_this(conn, number),
                      names=reference.names(conn), feed_path=f"/issues/{number}/feed",
                      feed_title=f"Issue {number}", follow_what="this issue",
                      follow_kind="issue", follow_target=str(number),
                      calendar_path=f"/issues/{number}/calendar.ics",
                      verdict_class="overdue" if overdue else view.stage)

    return await answer(request, tracker, "issue-page", build)
