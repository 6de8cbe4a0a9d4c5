"""JSON write API: one endpoint per command, as the spec lists them.

The application authorises every command (tracker/permissions.py); routes only say who is
asking. Validation (422), authentication (401), the size limit (413) and If-Match parsing
all happen before any command runs, so a refused request never reaches the event store.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request, Response
from fastapi.responses import JSONResponse

from tracker.application import Outcome, Recorded
from tracker.bootstrap import Tracker
from tracker.domain.values import Actor, Role
from tracker.web import requests as r
from tracker.web.citizens import client_address, supporter_id
from tracker.web.deps import AccountDep, TrackerDep

router = APIRouter(prefix="/api/v1", tags=["commands"])
CITIZEN = Actor("public", Role.CITIZEN)
IfMatch = Annotated[str | None, Header(
    alias="If-Match", description='The issue version you read, e.g. "7"; stale gets 412')]


def expected(if_match: str | None) -> int | None:
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise HTTPException(400, detail={"field": "If-Match",
                                         "detail": 'If-Match must be a version such as "7"'})
    return int(value)


def written(tracker: Tracker, outcome: Outcome | Recorded, status: int = 200) -> JSONResponse:
    """Project the new events now (read-your-writes) and say what was written."""
    tracker.refresh(outcome.position)
    if isinstance(outcome, Recorded):
        body = r.Written(version=outcome.version, position=outcome.position)
        return JSONResponse(body.model_dump(exclude_none=True), status_code=status)
    base = tracker.settings.base_url
    body = r.Written(number=outcome.number, version=outcome.version, position=outcome.position,
                     url=f"{base}/issues/{outcome.number}", commitment=outcome.commitment)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status,
                        headers={"ETag": f'"{outcome.version}"'})


@router.post("/issues", status_code=201, response_model=r.Written,
             summary="Raise an issue (public, rate limited)")
def submit_issue(command: r.SubmitIssue, request: Request, tracker: TrackerDep) -> Response:
    """Returns the issue's number at once. Contact details are kept private."""
    client = client_address(request)
    request.app.state.rate_limits.check("submit", client)
    if command.website:
        raise HTTPException(422, detail={"field": "website", "detail": "Leave this empty"})
    outcome = tracker.app.submit_issue(command.title, command.description, CITIZEN)
    if command.contact_email:
        tracker.contacts.add(outcome.number, command.contact_name, str(command.contact_email))
    return written(tracker, outcome, 201)


@router.post("/issues/{number}/support", response_model=r.Written,
             summary="Support an issue (public, once per supporter)")
def support_issue(number: int, request: Request, tracker: TrackerDep) -> Response:
    client = client_address(request)
    request.app.state.rate_limits.check("support", client)
    supporter = supporter_id(request.app.state.secret, client, number)
    return written(tracker, tracker.app.support_issue(number, supporter, CITIZEN))


@router.post("/topics", status_code=201, response_model=r.Written, summary="Create a topic")
def create_topic(command: r.CreateTopic, account: AccountDep, tracker: TrackerDep) -> Response:
    return written(tracker, tracker.app.create_topic(command.slug, command.name,
                                                     account.actor), 201)


@router.post("/owners", status_code=201, response_model=r.Written, summary="Create an owner")
def create_owner(command: r.CreateOwner, account: AccountDep, tracker: TrackerDep) -> Response:
    return written(tracker, tracker.app.create_owner(command.slug, command.name, command.role,
                                                     account.actor), 201)


@router.post("/assemblies", status_code=201, response_model=r.Written,
             summary="Create an assembly")
def create_assembly(command: r.CreateAssembly, account: AccountDep,
                    tracker: TrackerDep) -> Response:
    return written(tracker, tracker.app.create_assembly(
        command.slug, command.title, command.date, command.place, account.actor), 201)


@router.post("/issues/{number}/topic", response_model=r.Written, summary="Assign a topic")
def assign_topic(number: int, command: r.AssignTopic, account: AccountDep,
                 tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    return written(tracker, tracker.app.assign_topic(
        number, command.topic, account.actor, command.occurred_on, expected(if_match)))


@router.post("/issues/{number}/schedule", response_model=r.Written,
             summary="Schedule for an assembly")
def schedule_issue(number: int, command: r.Schedule, account: AccountDep,
                   tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    return written(tracker, tracker.app.schedule_issue(
        number, command.assembly, command.presenter, account.actor, command.occurred_on,
        expected(if_match)))


@router.post("/issues/{number}/presentation", response_model=r.Written,
             summary="Record the presentation")
def record_presentation(number: int, command: r.Presentation, account: AccountDep,
                        tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    return written(tracker, tracker.app.record_presentation(
        number, command.presenter, account.actor, command.occurred_on, expected(if_match)))


@router.post("/issues/{number}/discussion", response_model=r.Written,
             summary="Record the discussion")
def record_discussion(number: int, command: r.Discussion, account: AccountDep,
                      tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    return written(tracker, tracker.app.record_discussion(
        number, command.assembly, command.summary, command.key_questions, command.proposals,
        account.actor, command.occurred_on, expected(if_match)))


@router.post("/issues/{number}/response", response_model=r.Written,
             summary="Record the Board's response")
def record_response(number: int, command: r.Response, account: AccountDep,
                    tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    return written(tracker, tracker.app.record_response(
        number, command.decision, command.summary, command.lead, command.referred_to,
        account.actor, command.occurred_on, expected(if_match)))


@router.post("/issues/{number}/commitments", status_code=201, response_model=r.Written,
             summary="Record a commitment")
def make_commitment(number: int, command: r.NewCommitment, account: AccountDep,
                    tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    return written(tracker, tracker.app.make_commitment(
        number, command.text, command.owner, command.due, command.measure, account.actor,
        command.occurred_on, expected(if_match)), 201)


@router.post("/issues/{number}/commitments/{commitment}/updates", response_model=r.Written,
             summary="Update a commitment: progress, new due date, delivery or dropping")
def update_commitment(number: int, commitment: int, command: r.CommitmentUpdate,
                      account: AccountDep, tracker: TrackerDep,
                      if_match: IfMatch = None) -> Response:
    app, actor, when, version = tracker.app, account.actor, command.occurred_on, \
        expected(if_match)
    if command.new_due is not None:
        if command.status is not None:
            raise HTTPException(422, detail={"field": "status", "detail":
                                             "Send a new due date or a status, not both"})
        outcome = app.move_due_date(number, commitment, command.new_due, command.reason or "",
                                    actor, when, version)
    elif command.status == "delivered":
        outcome = app.deliver_commitment(number, commitment, command.note or "Delivered",
                                         command.evidence_url, actor, when, version)
    elif command.status == "dropped":
        outcome = app.drop_commitment(number, commitment, command.reason or command.note,
                                      actor, when, version)
    elif command.status is not None:
        outcome = app.record_progress(number, commitment, command.status, command.note,
                                      command.evidence_url, actor, when, version)
    else:
        raise HTTPException(422, detail={"field": "status",
                                         "detail": "Send a status or a new due date"})
    return written(tracker, outcome)


@router.post("/issues/{number}/referral-answer", response_model=r.Written,
             summary="Record the referral's answer")
def answer_referral(number: int, command: r.ReferralAnswer, account: AccountDep,
                    tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    return written(tracker, tracker.app.answer_referral(
        number, command.answer, account.actor, command.occurred_on, expected(if_match)))


@router.post("/issues/{number}/close", response_model=r.Written, summary="Close with outcome")
def close_issue(number: int, command: r.Close, account: AccountDep, tracker: TrackerDep,
                if_match: IfMatch = None) -> Response:
    return written(tracker, tracker.app.close_issue(
        number, command.outcome, account.actor, command.occurred_on, expected(if_match)))


@router.post("/issues/{number}/reopen", response_model=r.Written, summary="Reopen")
def reopen_issue(number: int, command: r.Reopen, account: AccountDep, tracker: TrackerDep,
                 if_match: IfMatch = None) -> Response:
    return written(tracker, tracker.app.reopen_issue(
        number, command.reason, account.actor, command.occurred_on, expected(if_match)))


@router.post("/issues/{number}/merge", response_model=r.Written, summary="Merge a duplicate")
def merge_issue(number: int, command: r.Merge, account: AccountDep, tracker: TrackerDep,
                if_match: IfMatch = None) -> Response:
    return written(tracker, tracker.app.merge_issue(
        number, command.into, command.reason, account.actor, expected(if_match)))


@router.post("/issues/{number}/moderation", response_model=r.Written,
             summary="Hide or restore, with a public reason")
def moderate_issue(number: int, command: r.Moderation, account: AccountDep,
                   tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    change = tracker.app.hide_issue if command.action == "hide" else tracker.app.restore_issue
    return written(tracker, change(number, command.reason, account.actor, expected(if_match)))


@router.post("/issues/{number}/corrections", response_model=r.Written,
             summary="Correct an earlier entry, in public")
def correct_entry(number: int, command: r.Correction, account: AccountDep,
                  tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    return written(tracker, tracker.app.correct_entry(
        number, command.entry, command.reason, command.correction, account.actor,
        expected(if_match)))
