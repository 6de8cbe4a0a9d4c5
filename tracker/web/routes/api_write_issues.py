"""Staff commands on an issue: the assembly, the Board's response, closing, moderation.

Each route names who is asking and hands plain values to the application, which authorises
the role (tracker/permissions.py) and checks the rules. Every answer carries the issue's
new version (also as ETag) and the log position reached, and the next read shows it.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from tracker.accounts import Account
from tracker.bootstrap import Tracker
from tracker.web import issue_commands
from tracker.web import requests as r
from tracker.web.deps import AccountDep, IssueNumber, TrackerDep
from tracker.web.replies import Written, refusals
from tracker.web.writing import IfMatch, expected_version, idempotency_key, written

router = APIRouter(prefix="/api/v1/issues/{number}", tags=["the story of an issue"],
                   dependencies=[Depends(idempotency_key)])
REFUSALS = refusals(400, 401, 403, 404, 409, 412, 413, 422)


def _run(key: str, number: int, command: BaseModel, account: Account, tracker: Tracker,
         if_match: str | None) -> Response:
    return written(tracker, issue_commands.run(key, tracker.app, number, command,
                                               account.actor, expected_version(if_match)))


@router.post("/topic", response_model=Written, summary="Assign a topic", responses=REFUSALS)
def assign_topic(number: IssueNumber, command: r.AssignTopic, account: AccountDep,
                 tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Group the issue under an existing topic."""
    return _run("topic", number, command, account, tracker, if_match)


@router.post("/schedule", response_model=Written, summary="Schedule for an assembly",
             responses=REFUSALS)
def schedule_issue(number: IssueNumber, command: r.Schedule, account: AccountDep,
                   tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Put the issue on an assembly's agenda, with the citizen who will present it."""
    return _run("schedule", number, command, account, tracker, if_match)


@router.post("/presentation", response_model=Written, summary="Record the presentation",
             responses=REFUSALS)
def record_presentation(number: IssueNumber, command: r.Presentation, account: AccountDep,
                        tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Record that a citizen presented the issue at the assembly it is scheduled for."""
    return _run("presentation", number, command, account, tracker, if_match)


@router.post("/discussion", response_model=Written, summary="Record the discussion",
             responses=REFUSALS)
def record_discussion(number: IssueNumber, command: r.Discussion, account: AccountDep,
                      tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Record what was said: a summary, the key questions and the proposals."""
    return _run("discussion", number, command, account, tracker, if_match)


@router.post("/response", response_model=Written, summary="Record the Board's response",
             responses=REFUSALS)
def record_response(number: IssueNumber, command: r.BoardResponse, account: AccountDep,
                    tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Commit (with a lead owner), decline (the summary is the reason) or refer elsewhere."""
    return _run("response", number, command, account, tracker, if_match)


@router.post("/referral-answer", response_model=Written,
             summary="Record the referral's answer", responses=REFUSALS)
def answer_referral(number: IssueNumber, command: r.ReferralAnswer, account: AccountDep,
                    tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Record what the body the issue was referred to answered."""
    return _run("referral-answer", number, command, account, tracker, if_match)


@router.post("/close", response_model=Written, summary="Close with what changed",
             responses=REFUSALS)
def close_issue(number: IssueNumber, command: r.Close, account: AccountDep,
                tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Close the issue with its outcome, in a sentence a citizen understands."""
    return _run("close", number, command, account, tracker, if_match)


@router.post("/reopen", response_model=Written, summary="Reopen", responses=REFUSALS)
def reopen_issue(number: IssueNumber, command: r.Reopen, account: AccountDep,
                 tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Reopen a closed or merged issue, with a public reason."""
    return _run("reopen", number, command, account, tracker, if_match)


@router.post("/merge", response_model=Written, summary="Merge a duplicate",
             responses=REFUSALS)
def merge_issue(number: IssueNumber, command: r.Merge, account: AccountDep,
                tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Mark this issue as a duplicate of another, visible issue."""
    return _run("merge", number, command, account, tracker, if_match)


@router.post("/moderation", response_model=Written,
             summary="Hide or restore, with a public reason", responses=REFUSALS)
def moderate_issue(number: IssueNumber, command: r.Moderation, account: AccountDep,
                   tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Hide an abusive submission, or restore it. The reason stays public; nothing is
    deleted from the record."""
    return _run("moderation", number, command, account, tracker, if_match)


@router.post("/corrections", response_model=Written,
             summary="Correct an earlier entry, in public", responses=REFUSALS)
def correct_entry(number: IssueNumber, command: r.Correction, account: AccountDep,
                  tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """Append a correction of an earlier entry: which, why and what instead. Nothing is
    rewritten; the page shows both, marked."""
    return _run("corrections", number, command, account, tracker, if_match)
