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
        on = f" on {long_date(facts.responded_on)}" if facts.responded_on else ""
        return f"Referred to {facts.referred_to}{on}; no answer yet"
    if facts.decision == "commit":
        return "The Board agreed to act; no commitment recorded yet"
    if facts.discussed_on is not None:
        return f"No Board response yet: discussed {long_date(facts.discussed_on)}"
    return "Not discussed yet"


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
