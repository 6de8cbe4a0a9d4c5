"""One plain-English sentence, and the public fields, for every public event.

Pure functions: the timeline read model stores their output, and feeds, pages and the JSON
API all show the same words.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.domain.glossary import grade_label, status_label
from tracker.domain.issue import Issue
from tracker.domain.response import Grade
from tracker.domain.status import long_date

# Event type keys are stable machine words, like status keys: the API and exports use them.
TYPE_KEYS: dict[type, str] = {
    Issue.Submitted: "submitted",
    Issue.Supported: "supported",
    Issue.Hidden: "hidden",
    Issue.Restored: "restored",
    Issue.Merged: "merged",
    Issue.TopicAssigned: "topic_assigned",
    Issue.Scheduled: "scheduled",
    Issue.Presented: "presented",
    Issue.Discussed: "discussed",
    Issue.BoardResponded: "board_responded",
    Issue.RevisedResponseRequested: "revised_response_requested",
    Issue.CommitmentMade: "commitment_made",
    Issue.ProgressRecorded: "progress_recorded",
    Issue.DueDateMoved: "due_date_moved",
    Issue.CommitmentDelivered: "commitment_delivered",
    Issue.CommitmentDropped: "commitment_dropped",
    Issue.ActionImported: "action_imported",
    Issue.ReferralAnswered: "referral_answered",
    Issue.ResponseOwed: "response_owed",
    Issue.Closed: "closed",
    Issue.Reopened: "reopened",
    Issue.Corrected: "corrected",
    # someone other than the Board judges delivery
    Issue.CitizenAnswered: "citizen_answered",
    Issue.ChallengeAnswered: "challenge_answered",
    Issue.CommitmentAssessed: "commitment_assessed",
    Issue.CommitmentAmended: "commitment_amended",
    Issue.ResponseScored: "response_scored",
}

# Fields that are bookkeeping or not for the public record.
PRIVATE_FIELDS = frozenset({"originator_id", "originator_version", "timestamp",
                            "originator_topic", "actor_id", "supporter", "marked"})


def type_key(event: Any) -> str:
    return TYPE_KEYS[type(event)]


def public_fields(event: Any) -> dict[str, Any]:
    """The event's own fields, safe to publish: dates as ISO strings, tuples as lists."""
    fields: dict[str, Any] = {}
    for name, value in vars(event).items():
        if name in PRIVATE_FIELDS:
            continue
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, tuple | list):
            value = list(value)
        fields[name] = value
    return fields


# What an amendment's field is called in its sentence.
AMENDED = {"text": "wording", "owner": "owner", "due": "due date", "measure": "measure"}


def _term(field: str, value: str, name: Any) -> str:
    if field == "due":
        return long_date(date.fromisoformat(value))
    return str(name(value)) if field == "owner" else f"\u201c{value}\u201d"


def sentence(event: Any, names: dict[str, str] | None = None) -> str:
    """What happened, in one sentence. ``names`` maps slugs to display names."""
    names = names or {}

    def name(slug: str) -> str:
        return names.get(slug, slug)

    e = event
    match e:
        case Issue.Submitted():
            return f"Issue {e.number} was raised: {e.title}"
        case Issue.Supported():
            return "Someone added their support"
        case Issue.Hidden():
            return f"A moderator hid this issue: {e.reason}"
        case Issue.Restored():
            return f"A moderator restored this issue: {e.reason}"
        case Issue.Merged():
            return f"Merged into issue {e.into} as a duplicate: {e.reason}"
        case Issue.TopicAssigned():
            return f"Grouped under the topic {name(e.topic)}"
        case Issue.Scheduled():
            by = f", to be presented by {e.presenter}" if e.presenter else ""
            return f"Put on the agenda of {name(e.assembly)}{by}"
        case Issue.Presented():
            by = f" by {e.presenter}" if e.presenter else ""
            return f"Presented{by} at {name(e.assembly)}"
        case Issue.Discussed():
            return f"Discussed at {name(e.assembly)}: {e.summary}"
        case Issue.BoardResponded():
            said = e.summary if e.grade != Grade.REJECTED or e.summary == e.reason \
                else f"{e.summary} (reason: {e.reason})"
            return f"{response_sentence(e.grade, name(e.lead), e.referred_to)}: {said}"
        case Issue.RevisedResponseRequested():
            return f"The Board was asked for a revised response: {e.reason}"
        case Issue.CommitmentMade():
            return f"New commitment by {name(e.owner)}, due {long_date(e.due)}: {e.text}"
        case Issue.ProgressRecorded() if e.status == "no_public_evidence":
            return f"Commitment {e.commitment} has no public evidence: {e.note}"
        case Issue.ProgressRecorded():
            return f"Commitment {e.commitment} is {status_label(e.status).lower()}: {e.note}"
        case Issue.DueDateMoved():
            return (f"Commitment {e.commitment} is now due {long_date(e.new_due)}: "
                    f"{e.reason}")
        case Issue.CommitmentDelivered():
            return f"Commitment {e.commitment} was delivered: {e.note}"
        case Issue.ActionImported():
            return imported_sentence(e.commitment, e.source, e.row, e.reference)
        case Issue.CommitmentDropped():
            return f"Commitment {e.commitment} was dropped: {e.reason}"
        case Issue.ReferralAnswered():
            return f"{e.body} answered: {e.answer}"
        case Issue.ResponseOwed():
            return owed_sentence(e.supporters)
        case Issue.Closed():
            return f"Closed. What changed: {e.outcome}"
        case Issue.Reopened():
            return f"Reopened: {e.reason}"
        case Issue.Corrected():
            return f"Correction to entry {e.entry}: {e.correction} (why: {e.reason})"
        case Issue.CitizenAnswered() | Issue.ChallengeAnswered() | Issue.CommitmentAssessed():
            return judgement_sentence(e)
        case Issue.ResponseScored():
            return scored_sentence(name(e.assembly), e.score)
        case Issue.CommitmentAmended():
            return (f"Commitment {e.commitment} was amended: its {AMENDED[e.field]} was "
                    f"{_term(e.field, e.before, name)}, now {_term(e.field, e.after, name)} "
                    f"(why: {e.reason})")
    raise LookupError(f"No sentence for {type(event).__name__}")  # pragma: no cover


def imported_sentence(commitment: Any, source: Any, row: Any, reference: Any) -> str:
    """Also while hidden: it names no words of the issue."""
    return (f"Commitment {commitment} was imported from the action log {source}, row {row} "
            f"(reference {reference})")


# -- the Board's response, by grade (also while hidden: tracker.projections.withheld) --------

def response_sentence(grade: str, lead: str, referred_to: str) -> str:
    """What the Board answered, saying plainly when it promised nothing (no final stop: the
    summary may follow after a colon)."""
    match grade:
        case Grade.ACCEPTED:
            return f"The Board accepted this, led by {lead}"
        case Grade.ACCEPTED_IN_PART:
            return f"The Board accepted this in part, led by {lead}"
        case Grade.ACCEPTED_IN_PRINCIPLE:
            return "The Board accepted this in principle but promised nothing"
        case Grade.NOTED:
            return "The Board noted this but promised nothing"
        case Grade.REJECTED:
            return "The Board rejected this"
    return f"The Board referred this to {referred_to}, which owes its own answer"


def owed_sentence(supporters: int) -> str:
    return f"{supporters} people support this: the Board now owes it a response"


# -- someone other than the Board judges delivery --------------------------------------------

CITIZEN_SAID = {"yes": "was delivered", "partly": "was partly delivered",
                "no": "was not delivered"}


def scored_sentence(assembly: str, score: int) -> str:
    """A reconvened panel's score (also while hidden: it is a number and a name)."""
    return f"The reconvened panel of {assembly} scored the Board's response {score} out of 10"


def judgement_sentence(e: Any) -> str:
    """A citizen's answer, the answer to a challenge, or an assessment, in one sentence."""
    match e:
        case Issue.CitizenAnswered() if e.challenge:
            return (f"Challenge {e.challenge}: someone says commitment {e.commitment} "
                    f"{CITIZEN_SAID[e.answer]}: {e.reason}")
        case Issue.CitizenAnswered():
            why = f": {e.reason}" if e.reason else ""
            return f"Someone says commitment {e.commitment} {CITIZEN_SAID[e.answer]}{why}"
        case Issue.ChallengeAnswered():
            return f"The secretariat answered challenge {e.challenge}: {e.answer}"
        case Issue.CommitmentAssessed():
            return (f"The assessor graded commitment {e.commitment}: "
                    f"{grade_label(e.completion).lower()}, outcome "
                    f"{grade_label(e.outcome).lower()}: {e.reason}")
    raise LookupError(f"No sentence for {type(e).__name__}")  # pragma: no cover
