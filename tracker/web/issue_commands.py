"""Every staff command on an issue, once: its request model, its permission and how it runs.

The JSON routes (routes/api_write_issues.py, api_write_commitments.py) and the staff forms
(routes/admin_issues.py) both run commands from here, so the two can never disagree about
what a command takes or which application method it calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from tracker.application import Outcome, TrackerApplication
from tracker.domain.values import Actor
from tracker.web import requests as r
from tracker.web.writing import fields_named

Run = Callable[[TrackerApplication, int, Any, Actor, int | None], Outcome]


@dataclass(frozen=True)
class IssueCommand:
    key: str  # the last part of its address, in the API and in the staff pages
    title: str
    model: type[BaseModel]
    permission: str  # the command's row in tracker.permissions.PERMISSIONS
    run: Run
    # Form fields chosen from reference data: field -> "topics" | "owners" | "assemblies".
    pick: tuple[tuple[str, str], ...] = ()


def _response(app: TrackerApplication, n: int, c: r.BoardResponse, actor: Actor,
              v: int | None) -> Outcome:
    # The domain calls a decline's summary its reason; the request calls it summary.
    with fields_named(reason="summary"):
        return app.record_response(n, c.decision, c.summary, c.lead, c.referred_to, actor,
                                   c.occurred_on, v)


def _moderation(app: TrackerApplication, n: int, c: r.Moderation, actor: Actor,
                v: int | None) -> Outcome:
    change = app.hide_issue if c.action == "hide" else app.restore_issue
    return change(n, c.reason, actor, v)


COMMANDS: tuple[IssueCommand, ...] = (
    IssueCommand("topic", "Assign a topic", r.AssignTopic, "assign_topic",
                 lambda app, n, c, a, v: app.assign_topic(n, c.topic, a, c.occurred_on, v),
                 pick=(("topic", "topics"),)),
    IssueCommand("schedule", "Schedule for an assembly", r.Schedule, "schedule_issue",
                 lambda app, n, c, a, v: app.schedule_issue(n, c.assembly, c.presenter, a,
                                                            c.occurred_on, v),
                 pick=(("assembly", "assemblies"),)),
    IssueCommand("presentation", "Record the presentation", r.Presentation,
                 "record_presentation",
                 lambda app, n, c, a, v: app.record_presentation(n, c.presenter, a,
                                                                 c.occurred_on, v)),
    IssueCommand("discussion", "Record the discussion", r.Discussion, "record_discussion",
                 lambda app, n, c, a, v: app.record_discussion(
                     n, c.assembly, c.summary, c.key_questions, c.proposals, a,
                     c.occurred_on, v),
                 pick=(("assembly", "assemblies"),)),
    IssueCommand("response", "Record the Board's response", r.BoardResponse,
                 "record_response", _response, pick=(("lead", "owners"),)),
    IssueCommand("commitments", "Record a commitment", r.NewCommitment, "make_commitment",
                 lambda app, n, c, a, v: app.make_commitment(n, c.text, c.owner, c.due,
                                                             c.measure, a, c.occurred_on, v),
                 pick=(("owner", "owners"),)),
    IssueCommand("referral-answer", "Record the referral's answer", r.ReferralAnswer,
                 "answer_referral",
                 lambda app, n, c, a, v: app.answer_referral(n, c.answer, a, c.occurred_on, v)),
    IssueCommand("close", "Close with what changed", r.Close, "close_issue",
                 lambda app, n, c, a, v: app.close_issue(n, c.outcome, a, c.occurred_on, v)),
    IssueCommand("reopen", "Reopen", r.Reopen, "reopen_issue",
                 lambda app, n, c, a, v: app.reopen_issue(n, c.reason, a, c.occurred_on, v)),
    IssueCommand("merge", "Merge a duplicate", r.Merge, "merge_issue",
                 lambda app, n, c, a, v: app.merge_issue(n, c.into, c.reason, a, v)),
    IssueCommand("moderation", "Hide or restore", r.Moderation, "hide_issue", _moderation),
    IssueCommand("corrections", "Correct an earlier entry", r.Correction, "correct_entry",
                 lambda app, n, c, a, v: app.correct_entry(n, c.entry, c.reason,
                                                           c.correction, a, v)),
)

BY_KEY = {c.key: c for c in COMMANDS}


def run(key: str, app: TrackerApplication, number: int, command: BaseModel, actor: Actor,
        version: int | None) -> Outcome:
    return BY_KEY[key].run(app, number, command, actor, version)


@dataclass(frozen=True)
class CommitmentForm:
    """One kind of commitment update as a form: which fields, and what is fixed."""

    key: str
    title: str
    fields: tuple[str, ...]
    fixed: tuple[tuple[str, str], ...] = ()
    required: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()


COMMITMENT_FORMS: tuple[CommitmentForm, ...] = (
    CommitmentForm("progress", "Record progress", ("status", "note", "evidence_url",
                                                   "occurred_on"),
                   required=("status", "note"),
                   statuses=("on_track", "at_risk", "delayed", "no_public_evidence")),
    CommitmentForm("delivery", "Record delivery", ("evidence_url", "note", "occurred_on"),
                   fixed=(("status", "delivered"),), required=("evidence_url",)),
    CommitmentForm("due-date", "Move the due date", ("new_due", "reason", "occurred_on"),
                   required=("new_due", "reason")),
    CommitmentForm("drop", "Drop the commitment", ("reason", "occurred_on"),
                   fixed=(("status", "dropped"),), required=("reason",)),
)

COMMITMENT_FORM = {f.key: f for f in COMMITMENT_FORMS}
