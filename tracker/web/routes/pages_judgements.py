"""Pages where others than the Board judge delivery: a citizen's "was it delivered?"
(one button per answer, no login, no JavaScript), and the secretariat's queue of challenges,
each answered in public.

The citizen's form runs the same command, limit and pseudonymous key as the JSON API
(routes/api_write_citizens.py) and is checked to come from this site, as the support form
is (tracker.web.staff_session.check_origin).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy import Engine
from starlette.datastructures import FormData

from tracker.application import TrackerApplication
from tracker.commands import ANSWER_CHALLENGE
from tracker.commands.requests import AnswerDelivery
from tracker.domain import errors
from tracker.projections import issues as issue_status
from tracker.projections import judgements
from tracker.web.citizens import answerer_id, client_key
from tracker.web.deps import (
    MAX_NUMBER,
    AppDep,
    ChallengeNumber,
    CommitmentNumber,
    IssueNumber,
    RateLimitsDep,
    ReadModelsDep,
    Reads,
    SecretDep,
    ShowWrittenDep,
)
from tracker.web.errors import status_for
from tracker.web.rendering import render
from tracker.web.routes.staff import StaffDep, may, page, posted
from tracker.web.routes.staff_issues import _form_page, _submit, _Writer, fields_of
from tracker.web.staff_session import check_origin
from tracker.web.writing import CITIZEN

router = APIRouter(tags=["pages"], include_in_schema=False)


def _issue(reads: Reads, number: int) -> issue_status.IssueView | None:
    with reads.engine.connect() as conn:
        return issue_status.get_issue(conn, number, reads.clock(), reads.settings.silent_days)


def _commitment(reads: Reads, number: int, commitment: int
                ) -> tuple[issue_status.IssueView | None, issue_status.CommitmentView | None]:
    issue = _issue(reads, number)
    if issue is None:
        return None, None
    found = [c for c in issue.commitments if c.commitment == commitment]
    return issue, (found[0] if found else None)


@router.get("/issues/{number}/commitments/{commitment}/answer", response_class=HTMLResponse)
def answer_page(number: IssueNumber, commitment: CommitmentNumber, request: Request,
                reads: ReadModelsDep) -> Response:
    """One button per answer: yes, partly, no; a reason if the person wants."""
    issue, c = _commitment(reads, number, commitment)
    if issue is None or c is None:
        return render(request, "not_found.html", 404,
                      message=f"Issue {number} has no commitment {commitment}.")
    response = render(request, "answer.html", section="issues", issue=issue, c=c)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/issues/{number}/commitments/{commitment}/answer", response_class=HTMLResponse)
async def answer_delivery(number: IssueNumber, commitment: CommitmentNumber, request: Request,
                          app: AppDep, reads: ReadModelsDep, show_written: ShowWrittenDep,
                          rate_limits: RateLimitsDep, secret: SecretDep) -> Response:
    check_origin(request)
    rate_limits.check("answer", client_key(request))
    form = await request.form()
    back = f"/issues/{number}#judgements-{commitment}"

    def refused(message: str, status: int) -> Response:
        return render(request, "problem.html", status,
                      heading="Your answer was not recorded", message=message, back=back,
                      back_text=f"Go back to issue {number}")

    answerer = answerer_id(secret, client_key(request), number, commitment)
    return record_answer(request, form, app, reads.engine, show_written, number, commitment,
                         answerer, refused)


def record_answer(request: Request, form: FormData, app: TrackerApplication,
                  read_engine: Engine, show_written: Callable[[int], object], number: int,
                  commitment: int, answerer: str,
                  refused: Callable[[str, int], Response]) -> Response:
    """Record a citizen's answer posted from a form (the issue page's, or the mailed
    question's): the thank-you page (with the challenge it raised, if any), or ``refused``
    with what is wrong."""
    try:
        sent = AnswerDelivery(answer=form.get("answer"),  # type: ignore[arg-type]
                              reason=str(form.get("reason", "")) or None)
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "answer"
        return refused(f"{name}: {first['msg']}", 422)
    try:
        outcome = app.answer_delivery(number, commitment, sent.answer, sent.reason,
                                      answerer, CITIZEN)
    except errors.AlreadyAnswered:
        return render(request, "answered.html", 200, number=number, commitment=commitment,
                      again=True, challenge=0)
    except errors.DomainError as error:
        return refused(error.message, status_for(error))
    show_written(outcome.position)
    challenge = 0
    if sent.reason and sent.answer != "yes":
        with read_engine.connect() as conn:
            raised = [c for c in judgements.issue_challenges(conn, number)
                      if c.commitment == commitment and c.reason == sent.reason.strip()]
        challenge = raised[-1].challenge if raised else 0
    return render(request, "answered.html", 200, number=number, commitment=commitment,
                  again=False, challenge=challenge)


# -- the secretariat's queue of challenges --------------------------------------------------


@router.get("/admin/challenges", response_class=HTMLResponse)
def challenge_queue(request: Request, reads: ReadModelsDep, staff: StaffDep,
                    answered: bool = False,
                    issue: Annotated[int, Query(ge=0, le=MAX_NUMBER)] = 0,
                    done: Annotated[int, Query(ge=0, le=MAX_NUMBER)] = 0) -> Response:
    """Challenges waiting for an answer, oldest first (or every one, answered too)."""
    with reads.engine.connect() as conn:
        queue = judgements.challenge_queue(conn, waiting=not answered)
        waiting = judgements.count_waiting(conn)
    return page(request, "staff/challenges.html", staff=staff, heading="Challenges",
                queue=queue, waiting=waiting, answered=answered,
                may_answer=may(staff, ANSWER_CHALLENGE.roles), done_issue=issue, done=done)


def _challenge_action(number: int, challenge: int) -> str:
    return f"/admin/issues/{number}/challenges/{challenge}/answer"


@router.get("/admin/issues/{number}/challenges/{challenge}/answer",
            response_class=HTMLResponse)
def challenge_form(number: IssueNumber, challenge: ChallengeNumber, request: Request,
                   reads: ReadModelsDep, staff: StaffDep) -> Response:
    issue = _issue(reads, number)
    found = [c for c in issue.challenges if c.challenge == challenge] if issue else []
    if issue is None or not found:
        return page(request, "not_found.html", 404, staff=staff,
                    message=f"Issue {number} has no challenge {challenge}.")
    return _form_page(request, staff, issue, f"Answer challenge {challenge}",
                      _challenge_action(number, challenge),
                      fields_of(reads, ANSWER_CHALLENGE), "", issue.version,
                      "/admin/challenges")


@router.post("/admin/issues/{number}/challenges/{challenge}/answer",
             response_class=HTMLResponse)
async def answer_challenge(number: IssueNumber, challenge: ChallengeNumber, request: Request,
                           app: AppDep, reads: ReadModelsDep, show_written: ShowWrittenDep,
                           staff: StaffDep) -> Response:
    form = await posted(request, staff)
    issue = _issue(reads, number)
    if issue is None:
        return page(request, "not_found.html", 404, staff=staff,
                    message=f"There is no issue {number}.")
    writer = _Writer(reads.engine, reads.clock, reads.settings, app, show_written)
    return _submit(request, writer, staff, issue, ANSWER_CHALLENGE,
                   _challenge_action(number, challenge), f"Answer challenge {challenge}",
                   form, number=number, challenge=challenge)
