"""Someone other than the Board judges delivery: citizens' answers, their challenges, an
independent assessor's grades and a reconvened panel's scores, as events of the Issue
aggregate.

The Issue inherits these commands from ``Judgements``, so their rules sit together here,
apart from the Board's own story (tracker/domain/issue.py). State is kept on the issue as
immutable tuples whose defaults are class attributes: an issue, or a snapshot, recorded
before any judgement simply has none.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from tracker.domain import errors
from tracker.domain.commitment import CommitmentStatus
from tracker.domain.values import (
    MAX_TEXT,
    Actor,
    a_date,
    evidence_link,
    optional_text,
    required_text,
)

if TYPE_CHECKING:
    from tracker.domain.commitment import Commitment


class CitizenAnswer(StrEnum):
    """"Was it delivered?" Stable keys."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class Completion(StrEnum):
    """How far an assessor found a commitment done (the Open Government Partnership's
    independent reporting mechanism's scale)."""

    NO_EVIDENCE = "no_evidence"
    NOT_STARTED = "not_started"
    LIMITED = "limited"
    SUBSTANTIAL = "substantial"
    COMPLETE = "complete"


class Outcome(StrEnum):
    """Whether anything changed because of it, as the assessor judges."""

    WORSENED = "worsened"
    NO_CHANGE = "no_change"
    MARGINAL = "marginal"
    MAJOR = "major"
    OUTSTANDING = "outstanding"


MAX_REASON = 2_000
MAX_SOURCES = 20


class DeliveryAnswer(Aggregate):
    """The marker that one person answered about one commitment; it holds nothing else.

    As with supports (tracker/domain/support.py), its id is derived from the issue, the
    commitment and the answerer's pseudonymous key, and the event store accepts an id once:
    saved with the issue's event in one transaction, it counts each person once."""

    class Given(Aggregate.Created):
        issue_number: int
        commitment: int

    @staticmethod
    def id_for(issue_number: int, commitment: int, answerer: str) -> UUID:
        return uuid5(NAMESPACE_URL,
                     f"/issues/{issue_number}/commitments/{commitment}/answers/{answerer}")

    @classmethod
    def give(cls, issue_number: int, commitment: int, answerer: str) -> DeliveryAnswer:
        return cls._create(cls.Given, id=cls.id_for(issue_number, commitment, answerer),
                           issue_number=issue_number, commitment=commitment)

    def __init__(self, issue_number: int, commitment: int) -> None:
        self.issue_number = issue_number
        self.commitment = commitment


class Judgements:
    """The commands by which citizens and an assessor judge an issue's commitments."""

    # Answered challenges: one flag per challenge, in order (challenge k is index k - 1).
    challenges: tuple[bool, ...] = ()
    assessments: int = 0

    if TYPE_CHECKING:  # what these commands use of the Issue they are part of
        number: int
        hidden_reason: str | None

        @property
        def is_hidden(self) -> bool: ...

        def commitment(self, number: int) -> Commitment: ...

        def _record(self, event_class: type[Aggregate.Event], actor: Actor,
                    occurred_on: date, **fields: object) -> None: ...

        def _check_open_to_public(self) -> None: ...

    class Judged(Aggregate.Event):
        """Base of these events: who, and when it happened (as every issue entry has)."""

        actor_id: str
        actor_role: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.last_occurred_on = max(aggregate.last_occurred_on, self.occurred_on)

    class CitizenAnswered(Judged):
        """Someone answered "was it delivered?"; ``challenge`` is its number when a no or a
        partly came with a reason (0 otherwise)."""

        commitment: int
        answer: str
        reason: str
        challenge: int

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            if self.challenge:
                aggregate.challenges = (*aggregate.challenges, False)

    def answer_delivery(self, commitment: int, answer: str, reason: str | None,
                        answerer: str, actor: Actor, occurred_on: date) -> DeliveryAnswer:
        """Record one person's answer on a delivered or overdue commitment; returns the
        marker to save with the issue, which the store accepts once per person."""
        try:
            said = CitizenAnswer(answer)
        except ValueError:
            raise errors.InvalidValue("answer must be yes, partly or no",
                                      field="answer") from None
        reason = optional_text(reason, "reason", MAX_REASON)
        answerer = required_text(answerer, "answerer", 128)
        self._check_open_to_public()
        current = self.commitment(commitment)
        delivered = current.status == CommitmentStatus.DELIVERED
        overdue = not current.is_settled and current.due < occurred_on
        if not (delivered or overdue):
            raise errors.RuleViolation(
                f"Commitment {commitment} of issue {self.number} is neither delivered nor "
                "overdue; it can be answered once it is", field="commitment")
        challenge = len(self.challenges) + 1 if reason and said != CitizenAnswer.YES else 0
        self._record(self.CitizenAnswered, actor, occurred_on, commitment=commitment,
                     answer=str(said), reason=reason, challenge=challenge)
        return DeliveryAnswer.give(self.number, commitment, answerer)

    class ChallengeAnswered(Judged):
        challenge: int
        answer: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            flags = list(aggregate.challenges)
            flags[self.challenge - 1] = True
            aggregate.challenges = tuple(flags)

    def answer_challenge(self, challenge: int, answer: str, actor: Actor,
                         occurred_on: date) -> None:
        """Record the secretariat's public answer to a citizen's challenge."""
        answer = required_text(answer, "answer", MAX_TEXT)
        if not isinstance(challenge, int) or not 1 <= challenge <= len(self.challenges):
            raise errors.ChallengeNotFound(f"Issue {self.number} has no challenge {challenge}")
        self._check_not_hidden()
        if self.challenges[challenge - 1]:
            raise errors.RuleViolation(
                f"Challenge {challenge} of issue {self.number} is already answered",
                field="challenge")
        self._record(self.ChallengeAnswered, actor, occurred_on, challenge=challenge,
                     answer=answer)

    class CommitmentAssessed(Judged):
        """An assessment; a later one of the same commitment supersedes it."""

        commitment: int
        assessment: int
        completion: str
        outcome: str
        reason: str
        sources: tuple[str, ...]

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            aggregate.assessments = self.assessment

    def assess_commitment(self, commitment: int, completion: str, outcome: str,
                          reason: str, sources: list[str], actor: Actor,
                          occurred_on: date) -> None:
        """Record an independent assessor's grades of a commitment, with reason and sources."""
        grade = _key(Completion, completion, "completion")
        change = _key(Outcome, outcome, "outcome")
        reason = required_text(reason, "reason", MAX_TEXT)
        if not isinstance(sources, list | tuple) or len(sources) > MAX_SOURCES:
            raise errors.InvalidValue(f"sources must be a list of at most {MAX_SOURCES}",
                                      field="sources")
        links = tuple(link for link in (evidence_link(s, "sources") for s in sources) if link)
        self._check_not_hidden()
        self.commitment(commitment)
        a_date(occurred_on, "occurred_on")
        self._record(self.CommitmentAssessed, actor, occurred_on, commitment=commitment,
                     assessment=self.assessments + 1, completion=str(grade),
                     outcome=str(change), reason=reason, sources=links)

    class ResponseScored(Judged):
        """An assembly's reconvened panel scored the Board's response (0 to 10); recorded
        with the assembly's ``Reconvened`` event, which keeps the panel's statement."""

        assembly: str
        session: int
        score: int

    def score_response(self, assembly: str, session: int, score: int, actor: Actor,
                       occurred_on: date) -> None:
        """Record a reconvened panel's score of this issue's Board response (the assembly's
        own event checks the scores; this puts the score on the issue's record)."""
        if not isinstance(score, int) or not 0 <= score <= 10:
            raise errors.InvalidValue("A score is a whole number from 0 to 10", field="scores")
        self._record(self.ResponseScored, actor, occurred_on, assembly=assembly,
                     session=session, score=score)

    def _check_not_hidden(self) -> None:
        if self.is_hidden:
            raise errors.IssueHidden(f"Issue {self.number} is hidden: {self.hidden_reason}")


def _key(kind: type[StrEnum], value: object, field: str) -> StrEnum:
    for key in kind:
        if value == key.value:
            return key
    allowed = ", ".join(k.value for k in kind)
    raise errors.InvalidValue(f"{field} must be one of {allowed}", field=field)
