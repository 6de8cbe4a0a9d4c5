"""Staff commands on an issue: the assembly, the Board's response, closing, moderation.

Each route names who is asking and hands plain values to the application, which authorises
the role (tracker/permissions.py) and checks the rules. Every answer carries the issue's
new version (also as ETag) and the log position reached, and the next read shows it.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from tracker.web import requests as r
from tracker.web.deps import AccountDep, TrackerDep
from tracker.web.replies import Written, refusals
from tracker.web.writing import IfMatch, IssueNumber, expected_version, fields_named, written

router = APIRouter(prefix="/api/v1/issues/{number}", tags=["the story of an issue"])
REFUSALS = refusals(400, 401, 403, 404, 409, 412, 413, 422)


@router.post("/topic", response_model=Written, summary="Assign a topic", responses=REFUSALS)
def assign_topic(number: IssueNumber, command: r.AssignTopic, account: AccountDep,
                 tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Group the issue under an existing topic."""
    return written(tracker, tracker.app.assign_topic(
        number, command.topic, account.actor, command.occurred_on,
        expected_version(if_match)))


@router.post("/schedule", response_model=Written, summary="Schedule for an assembly",
             responses=REFUSALS)
def schedule_issue(number: IssueNumber, command: r.Schedule, account: AccountDep,
                   tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Put the issue on an assembly's agenda, with the citizen who will present it."""
    return written(tracker, tracker.app.schedule_issue(
        number, command.assembly, command.presenter, account.actor, command.occurred_on,
        expected_version(if_match)))


@router.post("/presentation", response_model=Written, summary="Record the presentation",
             responses=REFUSALS)
def record_presentation(number: IssueNumber, command: r.Presentation, account: AccountDep,
                        tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Record that a citizen presented the issue at the assembly it is scheduled for."""
    return written(tracker, tracker.app.record_presentation(
        number, command.presenter, account.actor, command.occurred_on,
        expected_version(if_match)))


@router.post("/discussion", response_model=Written, summary="Record the discussion",
             responses=REFUSALS)
def record_discussion(number: IssueNumber, command: r.Discussion, account: AccountDep,
                      tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Record what was said: a summary, the key questions and the proposals."""
    return written(tracker, tracker.app.record_discussion(
        number, command.assembly, command.summary, command.key_questions, command.proposals,
        account.actor, command.occurred_on, expected_version(if_match)))


@router.post("/response", response_model=Written, summary="Record the Board's response",
             responses=REFUSALS)
def record_response(number: IssueNumber, command: r.BoardResponse, account: AccountDep,
                    tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Commit (with a lead owner), decline (the summary is the reason) or refer elsewhere."""
    # The domain calls a decline's summary its reason; the request calls it summary.
    with fields_named(reason="summary"):
        outcome = tracker.app.record_response(
            number, command.decision, command.summary, command.lead, command.referred_to,
            account.actor, command.occurred_on, expected_version(if_match))
    return written(tracker, outcome)


@router.post("/referral-answer", response_model=Written,
             summary="Record the referral's answer", responses=REFUSALS)
def answer_referral(number: IssueNumber, command: r.ReferralAnswer, account: AccountDep,
                    tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Record what the body the issue was referred to answered."""
    return written(tracker, tracker.app.answer_referral(
        number, command.answer, account.actor, command.occurred_on,
        expected_version(if_match)))


@router.post("/close", response_model=Written, summary="Close with what changed",
             responses=REFUSALS)
def close_issue(number: IssueNumber, command: r.Close, account: AccountDep,
                tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Close the issue with its outcome, in a sentence a citizen understands."""
    return written(tracker, tracker.app.close_issue(
        number, command.outcome, account.actor, command.occurred_on,
        expected_version(if_match)))


@router.post("/reopen", response_model=Written, summary="Reopen", responses=REFUSALS)
def reopen_issue(number: IssueNumber, command: r.Reopen, account: AccountDep,
                 tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Reopen a closed or merged issue, with a public reason."""
    return written(tracker, tracker.app.reopen_issue(
        number, command.reason, account.actor, command.occurred_on,
        expected_version(if_match)))


@router.post("/merge", response_model=Written, summary="Merge a duplicate",
             responses=REFUSALS)
def merge_issue(number: IssueNumber, command: r.Merge, account: AccountDep,
                tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Mark this issue as a duplicate of another, visible issue."""
    return written(tracker, tracker.app.merge_issue(
        number, command.into, command.reason, account.actor, expected_version(if_match)))


@router.post("/moderation", response_model=Written,
             summary="Hide or restore, with a public reason", responses=REFUSALS)
def moderate_issue(number: IssueNumber, command: r.Moderation, account: AccountDep,
                   tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Hide an abusive submission, or restore it. The reason stays public; nothing is
    deleted from the record."""
    change = tracker.app.hide_issue if command.action == "hide" else tracker.app.restore_issue
    return written(tracker, change(number, command.reason, account.actor,
                                   expected_version(if_match)))


@router.post("/corrections", response_model=Written,
             summary="Correct an earlier entry, in public", responses=REFUSALS)
def correct_entry(number: IssueNumber, command: r.Correction, account: AccountDep,
                  tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Append a correction of an earlier entry: which, why and what instead. Nothing is
    rewritten; the page shows both, marked."""
    return written(tracker, tracker.app.correct_entry(
        number, command.entry, command.reason, command.correction, account.actor,
        expected_version(if_match)))
