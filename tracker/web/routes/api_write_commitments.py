"""Commitments through the JSON API: make one, then update it until delivered or dropped.

One address takes every kind of update, as the spec has it; what is sent chooses the
command (see requests.CommitmentUpdate):

| sent                                   | command              |
|----------------------------------------|----------------------|
| status on_track/at_risk/delayed/no_public_evidence, note, evidence_url? | record_progress |
| status delivered, evidence_url, note?  | deliver_commitment   |
| status dropped, reason                 | drop_commitment      |
| new_due, reason (no status)            | move_due_date        |
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from tracker.application import Outcome, TrackerApplication
from tracker.domain.values import Actor
from tracker.web import issue_commands
from tracker.web import requests as r
from tracker.web.deps import AccountDep, CommitmentNumber, IssueNumber, TrackerDep
from tracker.web.replies import Written, refusals
from tracker.web.writing import (
    IfMatch,
    expected_version,
    fields_named,
    idempotency_key,
    refuse,
    written,
)

router = APIRouter(prefix="/api/v1/issues/{number}/commitments", tags=["commitments"],
                   dependencies=[Depends(idempotency_key)])
REFUSALS = refusals(400, 401, 403, 404, 409, 412, 413, 422)

# Which fields each kind of update takes (occurred_on goes with all of them).
TAKES = {
    "progress": {"status", "note", "evidence_url"},
    "delivered": {"status", "note", "evidence_url"},
    "dropped": {"status", "reason"},
    "new_due": {"new_due", "reason"},
}


@router.post("", status_code=201, response_model=Written, summary="Record a commitment",
             responses=REFUSALS)
def make_commitment(number: IssueNumber, command: r.NewCommitment, account: AccountDep,
                    tracker: TrackerDep, if_match: IfMatch = None) -> Response:
    """A promise: what, who is accountable, by when, and how success is measured. Needs a
    Board response with decision "commit" first. Answers the commitment's number."""
    return written(tracker, issue_commands.run(
        "commitments", tracker.app, number, command, account.actor,
        expected_version(if_match)), 201)


@router.post("/{commitment}/updates", response_model=Written,
             summary="Update a commitment: progress, delivery, dropping or a new due date",
             responses=REFUSALS)
def update_commitment(number: IssueNumber, commitment: CommitmentNumber,
                      command: r.CommitmentUpdate, account: AccountDep, tracker: TrackerDep,
                      if_match: IfMatch = None) -> Response:
    """Progress needs a note; delivery needs evidence (a link or a document reference);
    dropping and moving the due date need a public reason. Without evidence, record
    progress with status no_public_evidence: it is never counted as delivered."""
    version = expected_version(if_match)
    with fields_named(evidence="evidence_url"):
        outcome = apply_update(tracker.app, number, commitment, command, account.actor,
                               version)
    return written(tracker, outcome)


def apply_update(app: TrackerApplication, number: int, commitment: int,
                 update: r.CommitmentUpdate, actor: Actor, version: int | None) -> Outcome:
    """Run the command that the fields sent choose, refusing fields that do not belong."""
    kind = _kind(update)
    sent = {name for name in update.model_fields_set - {"occurred_on"}
            if getattr(update, name) not in (None, "")}
    for stray in sorted(sent - TAKES[kind]):
        refuse(stray, f"{stray} does not go with {_described(kind)}")
    when = update.occurred_on
    if kind == "new_due":
        assert update.new_due is not None
        return app.move_due_date(number, commitment, update.new_due,
                                 _required(update.reason, "reason", "A new due date"),
                                 actor, when, version)
    if kind == "dropped":
        return app.drop_commitment(number, commitment,
                                   _required(update.reason, "reason", "Dropping"),
                                   actor, when, version)
    if kind == "delivered":
        evidence = _required(update.evidence_url, "evidence_url",
                             "Delivery (without evidence, send status no_public_evidence)")
        return app.deliver_commitment(number, commitment, update.note or "Delivered",
                                      evidence, actor, when, version)
    assert update.status is not None
    return app.record_progress(number, commitment, update.status,
                               _required(update.note, "note", "Progress"),
                               update.evidence_url, actor, when, version)


def _kind(update: r.CommitmentUpdate) -> str:
    if update.new_due is not None:
        if update.status is not None:
            refuse("status", "Send a status or a new due date, not both")
        return "new_due"
    if update.status is None:
        refuse("status", "Send a status, or new_due with a reason")
    if update.status in ("delivered", "dropped"):
        return update.status
    return "progress"


def _required(value: str | None, field: str, what: str) -> str:
    if not value:
        refuse(field, f"{what} needs {field}")
    return value


def _described(kind: str) -> str:
    return {"progress": "a progress update", "delivered": "status delivered",
            "dropped": "status dropped", "new_due": "a new due date"}[kind]
