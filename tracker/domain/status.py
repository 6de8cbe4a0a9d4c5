"""Stage and verdict: what the public reads first, derived from an issue's facts.

Both are pure functions of plain facts (and, for the verdict, of today's date), so the same
sentence appears on the page, in the JSON and in the feeds, and overdue or silent is right
whether or not any scheduled job has run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from tracker.domain.commitment import CommitmentStatus


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
    decision: str | None = None
    response_summary: str = ""
    responded_on: date | None = None
    revision_requested_on: date | None = None  # the Board owes a revised response since
    referred_to: str = ""
    referral_answered: bool = False
    commitments: tuple[CommitmentFacts, ...] = ()


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
    if facts.decision == "decline":
        return Stage.NOT_TAKEN_FORWARD
    if facts.decision is not None:
        return Stage.RESPONDED
    if facts.discussed_on is not None:
        return Stage.DISCUSSED
    if facts.topic or facts.assembly:
        return Stage.UNDER_CONSIDERATION
    return Stage.SUBMITTED


def long_date(day: date) -> str:
    """UK style: 6 November 2014."""
    return f"{day.day} {day:%B %Y}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def verdict(facts: IssueFacts, today: date, silent_days: int = 60) -> str:
    """One plain-English sentence: did anything concrete come of it?"""
    if facts.hidden_reason is not None:
        return f"Hidden by a moderator: {facts.hidden_reason}"
    if facts.merged_into is not None:
        return f"Merged into issue {facts.merged_into}"
    if facts.revision_requested_on is not None and facts.outcome is None:
        return (f"The Board was asked for a revised response on "
                f"{long_date(facts.revision_requested_on)}; none yet")
    if facts.commitments:
        return _commitments_verdict(facts.commitments, today, silent_days)
    if facts.outcome is not None:
        return f"Closed: {facts.outcome}"
    if facts.decision == "decline":
        return f"Not taken forward: {facts.response_summary}"
    if facts.decision == "refer":
        if facts.referral_answered:
            return f"Referred to {facts.referred_to}, who have answered"
        since = _days((today - facts.responded_on).days) if facts.responded_on else "some days"
        return f"Referred to {facts.referred_to} {since} ago; no answer yet"
    if facts.decision == "commit":
        return "The Board agreed to act; no commitment recorded yet"
    if facts.discussed_on is not None:
        return (f"Discussed {_days((today - facts.discussed_on).days)} ago; "
                "no Board response yet")
    return "Not discussed yet"


def _commitments_verdict(commitments: tuple[CommitmentFacts, ...], today: date,
                         silent_days: int) -> str:
    live = [c for c in commitments if c.status != CommitmentStatus.DROPPED]
    if not live:
        return f"Not taken forward: {_count(len(commitments))} dropped"
    delivered = sum(c.status == CommitmentStatus.DELIVERED for c in live)
    overdue = [(today - c.due).days for c in live if c.is_overdue(today)]
    silent = [c for c in live if c.is_silent(today, silent_days)]
    dropped = len(commitments) - len(live)
    if delivered == len(live):
        if dropped:
            return (f"Partly: {delivered} of {_count(len(commitments))} delivered; "
                    f"{dropped} dropped")
        return f"Yes: {delivered} of {_count(len(live))} delivered"
    if overdue:
        late = f"overdue by {_days(max(overdue))}"
        if delivered:
            return f"Partly: {delivered} of {_count(len(live))} delivered; {len(overdue)} {late}"
        return f"Promised, {late}" if len(live) == 1 else f"Promised, {len(overdue)} {late}"
    if delivered:
        return f"Partly: {delivered} of {_count(len(live))} delivered"
    next_due = min(c.due for c in live if not c.is_settled)
    sentence = f"Promised: {_count(len(live))}, next due {long_date(next_due)}"
    if silent:
        sentence += f"; no update for {silent_days} days or more"
    return sentence


def _count(n: int) -> str:
    return "1 commitment" if n == 1 else f"{n} commitments"
