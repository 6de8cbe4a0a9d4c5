"""Stage and verdict: what the public reads first, derived from an issue's facts.

Both are pure functions of plain facts (and, for the verdict, of today's date), so the same
sentence appears on the page, in the JSON and in the feeds, and overdue or silent is right
whether or not any scheduled job has run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from tracker.domain.commitment import CommitmentStatus
from tracker.domain.response import Grade
from tracker.domain.wording import duration
from tracker.domain.wording import long_date as long_date


class Stage(StrEnum):
    SUBMITTED = "submitted"
    UNDER_CONSIDERATION = "under_consideration"
    DISCUSSED = "discussed"
    RESPONDED = "responded"
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"
    PARTLY_DELIVERED = "partly_delivered"
    NOT_TAKEN_FORWARD = "not_taken_forward"
    CLOSED = "closed"
    MERGED = "merged"
    HIDDEN = "hidden"


@dataclass(frozen=True)
class CommitmentFacts:
    status: str
    due: date
    made_on: date
    last_update_on: date | None = None

    @property
    def is_settled(self) -> bool:
        return CommitmentStatus(self.status).is_settled

    def is_overdue(self, today: date) -> bool:
        """Due date passed, neither delivered nor dropped."""
        return not self.is_settled and self.due < today

    def is_silent(self, today: date, silent_days: int) -> bool:
        """Open, and no update for ``silent_days`` days."""
        last = self.last_update_on or self.made_on
        return not self.is_settled and (today - last).days >= silent_days


@dataclass(frozen=True)
class IssueFacts:
    hidden_reason: str | None = None
    merged_into: int | None = None
    outcome: str | None = None
    topic: str | None = None
    assembly: str | None = None
    discussed_on: date | None = None
    grade: str | None = None  # the Board's response (tracker.domain.response.Grade)
    response_summary: str = ""
    response_reason: str = ""  # a rejection's reason
    responded_on: date | None = None
    revision_requested_on: date | None = None  # the Board owes a revised response since
    referred_to: str = ""
    referral_answered: bool = False
    commitments: tuple[CommitmentFacts, ...] = ()
    # The clocks: the day of the assembly that discussed it, the day its support reached the
    # response threshold, the day a referral was answered.
    assembly_held_on: date | None = None
    assembly_response_due: date | None = None  # set for that assembly, not the default
    response_owed_on: date | None = None
    referral_answered_on: date | None = None


def derive_stage(facts: IssueFacts) -> Stage:
    """Where the issue is in its journey; does not depend on the date."""
    if facts.hidden_reason is not None:
        return Stage.HIDDEN
    if facts.merged_into is not None:
        return Stage.MERGED
    if facts.commitments:
        delivered = sum(c.status == CommitmentStatus.DELIVERED for c in facts.commitments)
        if all(c.is_settled for c in facts.commitments):
            if delivered == len(facts.commitments):
                return Stage.DELIVERED
            return Stage.PARTLY_DELIVERED if delivered else Stage.NOT_TAKEN_FORWARD
        if facts.outcome is None:
            return Stage.IN_PROGRESS
    if facts.outcome is not None:
        return Stage.CLOSED
    if facts.grade == Grade.REJECTED:
        return Stage.NOT_TAKEN_FORWARD
    if facts.grade is not None:
        return Stage.RESPONDED
    if facts.discussed_on is not None:
        return Stage.DISCUSSED
    if facts.topic or facts.assembly:
        return Stage.UNDER_CONSIDERATION
    return Stage.SUBMITTED


def verdict(facts: IssueFacts, today: date, silent_days: int = 60,
            clocks: Clocks | None = None) -> str:
    """One plain-English sentence: did anything concrete come of it?"""
    clocks = clocks or Clocks()
    if facts.hidden_reason is not None:
        return f"Hidden by a moderator: {facts.hidden_reason}"
    if facts.merged_into is not None:
        return f"Merged into issue {facts.merged_into}"
    due = response_due(facts, clocks)
    if facts.revision_requested_on is not None and facts.outcome is None:
        return (f"The Board was asked for a revised response on "
                f"{long_date(facts.revision_requested_on)}; none yet{_clock(due, today)}")
    if facts.commitments:
        return _commitments_verdict(facts.commitments, today, silent_days)
    if facts.outcome is not None:
        return f"Closed: {facts.outcome}"
    if facts.grade is not None:
        return response_verdict(facts, today, clocks)
    if facts.discussed_on is not None:
        return (f"No Board response yet: discussed {long_date(facts.discussed_on)}"
                f"{_clock(due, today)}")
    if facts.response_owed_on is not None:
        return (f"Reached the support threshold on {long_date(facts.response_owed_on)}; "
                f"no Board response yet{_clock(due, today)}")
    return "Not discussed yet"


# -- the Board's response, by grade ----------------------------------------------------------

@dataclass(frozen=True)
class Clocks:
    """How long the Board has to respond, and a body a response refers to, to answer."""

    response_days: int = 90
    referral_days: int = 60


def response_due(facts: IssueFacts, clocks: Clocks) -> date | None:
    """When the Board's response is due, once one is owed: its clock starts at the
    assembly that discussed the issue, at the day its support reached the threshold, or
    again at a request for a revised response. None while none is owed."""
    if (facts.grade is not None or facts.outcome is not None or facts.merged_into is not None
            or facts.hidden_reason is not None):
        return None
    if facts.revision_requested_on is not None:
        starts = [facts.revision_requested_on]
    else:
        days = timedelta(days=clocks.response_days)
        by_support = [facts.response_owed_on + days] if facts.response_owed_on else []
        if facts.discussed_on is not None and facts.assembly_response_due is not None:
            return min([facts.assembly_response_due, *by_support])
        discussed = facts.assembly_held_on or facts.discussed_on if facts.discussed_on else None
        starts = [d for d in (discussed, facts.response_owed_on) if d is not None]
    return min(starts) + timedelta(days=clocks.response_days) if starts else None


def referral_due(facts: IssueFacts, clocks: Clocks) -> date | None:
    """When the body an issue was referred to owes its answer; None once answered."""
    if facts.grade != Grade.REFERRED or facts.referral_answered or facts.responded_on is None:
        return None
    return facts.responded_on + timedelta(days=clocks.referral_days)


def overdue_by(due: date, today: date) -> str:
    """How late, in the words the commitments' verdicts use: '12 days', 'over 3 months'."""
    return duration(due, today)


def _clock(due: date | None, today: date) -> str:
    if due is None:
        return ""
    if due < today:
        return f", overdue by {overdue_by(due, today)}"
    return f", due by {long_date(due)}"


def response_verdict(facts: IssueFacts, today: date, clocks: Clocks) -> str:
    """What a response without commitments amounts to: every grade but accepted and
    accepted in part says plainly that nothing was promised."""
    match facts.grade:
        case Grade.ACCEPTED:
            return "The Board accepted this; no commitment recorded yet"
        case Grade.ACCEPTED_IN_PART:
            return "The Board accepted this in part; no commitment recorded yet"
        case Grade.ACCEPTED_IN_PRINCIPLE:
            return "The Board accepted this in principle but promised nothing"
        case Grade.NOTED:
            return "The Board noted this but promised nothing"
        case Grade.REJECTED:
            return f"The Board rejected this: {facts.response_reason or facts.response_summary}"
    on = f" on {long_date(facts.responded_on)}" if facts.responded_on else ""
    if facts.referral_answered:
        answered = (f" on {long_date(facts.referral_answered_on)}"
                    if facts.referral_answered_on else "")
        return f"Referred to {facts.referred_to}{on}, who answered{answered}"
    return (f"Referred to {facts.referred_to}{on}; no answer yet"
            f"{_clock(referral_due(facts, clocks), today)}")


def _commitments_verdict(commitments: tuple[CommitmentFacts, ...], today: date,
                         silent_days: int) -> str:
    live = [c for c in commitments if c.status != CommitmentStatus.DROPPED]
    if not live:
        return f"Not taken forward: {_count(len(commitments))} dropped"
    delivered = sum(c.status == CommitmentStatus.DELIVERED for c in live)
    overdue = sorted(c.due for c in live if c.is_overdue(today))
    silent = [c for c in live if c.is_silent(today, silent_days)]
    dropped = len(commitments) - len(live)
    if delivered == len(live):
        if dropped:
            return (f"Partly: {delivered} of {_count(len(commitments))} delivered; "
                    f"{dropped} dropped")
        return f"Yes: {delivered} of {_count(len(live))} delivered"
    if overdue:
        oldest = overdue[0]
        late = f"overdue by {duration(oldest, today)}"
        due = f"{'the oldest ' if len(overdue) > 1 else ''}due {long_date(oldest)}"
        if delivered:
            return (f"Partly: {delivered} of {_count(len(live))} delivered; "
                    f"{len(overdue)} overdue, {due} ({late})")
        if len(live) == 1:
            return f"Promised by {long_date(oldest)}; {late}"
        return (f"Promised: {len(overdue)} of {_count(len(live))} overdue; {due} "
                f"({late})")
    if delivered:
        return f"Partly: {delivered} of {_count(len(live))} delivered"
    next_due = min(c.due for c in live if not c.is_settled)
    sentence = f"Promised: {_count(len(live))}, next due {long_date(next_due)}"
    if silent:
        since = min(c.last_update_on or c.made_on for c in silent)
        sentence += f"; no update since {long_date(since)}"
    return sentence


def _count(n: int) -> str:
    return "1 commitment" if n == 1 else f"{n} commitments"
