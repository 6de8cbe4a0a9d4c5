"""The Issue aggregate: one thing a citizen raised, and every step that followed.

Each public step is an event nested here, named in the past tense. Commands check the rules
(``_check_*``) and only then trigger an event, whose ``apply`` changes state: replaying the
events therefore never re-runs a check and always rebuilds the same issue.

Every event carries the actor (an opaque account id and a role) and two dates: ``occurred_on``
(when it happened, e.g. the assembly day) and ``timestamp`` (when it was recorded).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from tracker.domain import errors
from tracker.domain.commitment import PROGRESS_STATUSES, Commitment, CommitmentStatus
from tracker.domain.judgement import Judgements
from tracker.domain.response import FROM_DECISION, Grade, a_grade, allows_commitments
from tracker.domain.support import Support
from tracker.domain.values import (
    MAX_SHORT,
    MAX_TITLE,
    Actor,
    a_date,
    evidence_link,
    optional_text,
    required_text,
    slug,
)

# What of a commitment an amendment may change, with the longest text each takes.
AMENDABLE = {"text": 2_000, "owner": 80, "due": 10, "measure": 1_000}

class Issue(Judgements, Aggregate):
    """An issue with its short public number, its support and its whole public story.

    Version 2 counts its supporters instead of keeping them all (each support has a marker
    aggregate of its own); version 1 snapshots read with their set kept as legacy supporters.
    Version 3 keeps the response's grade; older snapshots' decision reads as its grade.
    """

    class_version = 3

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        supporters = set(state.pop("supporters", ()))
        state["supporter_count"] = len(supporters)
        state["legacy_supporters"] = supporters

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        decision = state.pop("decision", None)
        state["grade"] = str(FROM_DECISION[decision]) if decision else None
        state["response_owed_on"] = None

    class Submitted(Aggregate.Created):
        """Version 2 added ``description``; version 1 events read as an empty one."""

        number: int
        title: str
        description: str
        actor_id: str
        actor_role: str
        occurred_on: date

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["description"] = ""

    class Entry(Aggregate.Event):
        """Base of every event after submission: who did it, and when it happened."""

        actor_id: str
        actor_role: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.last_occurred_on = max(aggregate.last_occurred_on, self.occurred_on)

    @staticmethod
    def id_for(number: int) -> UUID:
        """The aggregate id is derived from the number, so the event store's uniqueness of
        (id, version 1) is what makes each number unique across processes."""
        return uuid5(NAMESPACE_URL, f"/issues/{number}")

    @classmethod
    def submit(
        cls, number: int, title: str, description: str, actor: Actor, occurred_on: date
    ) -> Issue:
        if number < 1:
            raise errors.InvalidValue("An issue number starts at 1", field="number")
        return cls._create(
            cls.Submitted,
            id=cls.id_for(number),
            number=number,
            title=required_text(title, "title", MAX_TITLE),
            description=optional_text(description, "description"),
            actor_id=actor.account_id,
            actor_role=str(actor.role),
            occurred_on=a_date(occurred_on, "occurred_on"),
        )

    def __init__(
        self,
        number: int,
        title: str,
        description: str,
        actor_id: str,
        actor_role: str,
        occurred_on: date,
    ) -> None:
        self.number = number
        self.title = title
        self.description = description
        self.submitted_on = occurred_on
        self.last_occurred_on = occurred_on
        self.supporter_count = 0
        # Supporters recorded before each support had its own marker (see domain/support.py);
        # empty for every issue raised since, and never grows.
        self.legacy_supporters: set[str] = set()
        self.hidden_reason: str | None = None
        self.merged_into: int | None = None
        self.topic: str | None = None
        self.assembly: str | None = None
        self.presented = False
        self.discussed_at: list[str] = []
        self.grade: str | None = None  # the Board's response; None while one is owed
        self.response_owed_on: date | None = None  # its support reached the threshold
        self.referred_to = ""
        self.referral_answered = False
        self.commitments: list[Commitment] = []
        self.outcome: str | None = None

    # -- state the rules ask about -------------------------------------------------------

    @property
    def is_hidden(self) -> bool:
        return self.hidden_reason is not None

    @property
    def is_merged(self) -> bool:
        return self.merged_into is not None

    @property
    def is_closed(self) -> bool:
        return self.outcome is not None

    def commitment(self, number: int) -> Commitment:
        if not 1 <= number <= len(self.commitments):
            raise errors.CommitmentNotFound(
                f"Issue {self.number} has no commitment {number}"
            )
        return self.commitments[number - 1]

    # -- Gather: submission, support, moderation, merging --------------------------------

    class Supported(Entry):
        """Version 2 events were saved with a Support marker; version 1 events were not, so
        their supporters are remembered here to keep counting each of them once."""

        supporter: str
        marked: bool

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["marked"] = False

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            aggregate.supporter_count += 1
            if not self.marked:
                aggregate.legacy_supporters.add(self.supporter)

    def support(self, supporter: str, actor: Actor, occurred_on: date) -> Support:
        """Count one supporter ("me too"), once: returns the marker to save with the issue,
        whose id the event store accepts only once per (issue, supporter)."""
        supporter = required_text(supporter, "supporter", 128)
        self._check_open_to_public()
        if supporter in self.legacy_supporters:
            raise errors.AlreadySupported(f"This supporter already supports issue {self.number}")
        self._record(self.Supported, actor, occurred_on, supporter=supporter, marked=True)
        return Support.give(self.number, supporter)

    class Hidden(Entry):
        reason: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            aggregate.hidden_reason = self.reason

    def hide(self, reason: str, actor: Actor, occurred_on: date) -> None:
        """Hide an abusive submission; the public reason stays visible."""
        reason = required_text(reason, "reason", MAX_SHORT)
        if self.is_hidden:
            raise errors.RuleViolation(f"Issue {self.number} is already hidden")
        self._record(self.Hidden, actor, occurred_on, reason=reason)

    class Restored(Entry):
        reason: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            aggregate.hidden_reason = None

    def restore(self, reason: str, actor: Actor, occurred_on: date) -> None:
        """Show a hidden issue again."""
        reason = required_text(reason, "reason", MAX_SHORT)
        if not self.is_hidden:
            raise errors.RuleViolation(f"Issue {self.number} is not hidden")
        self._record(self.Restored, actor, occurred_on, reason=reason)

    class Merged(Entry):
        into: int
        reason: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            aggregate.merged_into = self.into

    def merge_into(self, into: int, reason: str, actor: Actor, occurred_on: date) -> None:
        """Mark this issue as a duplicate of another one."""
        reason = required_text(reason, "reason", MAX_SHORT)
        if into == self.number:
            raise errors.InvalidValue("An issue cannot be merged into itself", field="into")
        self._check_not_merged()
        if any(not c.is_settled for c in self.commitments):
            raise errors.RuleViolation(
                f"Issue {self.number} has open commitments; deliver or drop them before merging"
            )
        self._record(self.Merged, actor, occurred_on, into=into, reason=reason)

    # -- the assembly: topic, scheduling, presentation, discussion -----------------------

    class TopicAssigned(Entry):
        topic: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            aggregate.topic = self.topic

    def assign_topic(self, topic: str, actor: Actor, occurred_on: date) -> None:
        """Group the issue under a topic (the topic's existence is checked by the caller)."""
        topic = slug(topic, "topic")
        self._check_open_to_work()
        if topic == self.topic:
            raise errors.RuleViolation(f"Issue {self.number} is already in topic {topic}",
                                       field="topic")
        self._record(self.TopicAssigned, actor, occurred_on, topic=topic)

    class Scheduled(Entry):
        assembly: str
        presenter: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            aggregate.assembly = self.assembly
            aggregate.presented = False

    def schedule(self, assembly: str, presenter: str | None, actor: Actor,
                 occurred_on: date) -> None:
        """Put the issue on an assembly's agenda, optionally naming who will present it."""
        assembly = slug(assembly, "assembly")
        presenter = optional_text(presenter, "presenter", 120)
        self._check_open_to_work()
        if assembly == self.assembly:
            raise errors.RuleViolation(
                f"Issue {self.number} is already scheduled for {assembly}", field="assembly")
        self._record(self.Scheduled, actor, occurred_on, assembly=assembly, presenter=presenter)

    class Presented(Entry):
        assembly: str
        presenter: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            aggregate.presented = True

    def present(self, presenter: str | None, actor: Actor, occurred_on: date) -> None:
        """Record that the issue was presented at the assembly it is scheduled for."""
        presenter = optional_text(presenter, "presenter", 120)
        self._check_open_to_work()
        assembly = self._scheduled_assembly()
        if self.presented:
            raise errors.RuleViolation(f"Issue {self.number} was already presented at {assembly}")
        self._record(self.Presented, actor, occurred_on, assembly=assembly, presenter=presenter)

    class Discussed(Entry):
        assembly: str
        summary: str
        key_questions: tuple[str, ...]
        proposals: tuple[str, ...]

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            aggregate.discussed_at.append(self.assembly)

    def record_discussion(self, assembly: str, summary: str, key_questions: list[str],
                          proposals: list[str], actor: Actor, occurred_on: date) -> None:
        """Record what was said about the issue at the assembly it was scheduled for."""
        assembly = slug(assembly, "assembly")
        summary = required_text(summary, "summary")
        questions = tuple(required_text(q, "key_questions", MAX_SHORT) for q in key_questions)
        ideas = tuple(required_text(p, "proposals", MAX_SHORT) for p in proposals)
        self._check_open_to_work()
        if assembly != self._scheduled_assembly():
            raise errors.RuleViolation(
                f"Issue {self.number} is scheduled for {self.assembly}, not {assembly}",
                field="assembly")
        self._record(self.Discussed, actor, occurred_on, assembly=assembly, summary=summary,
                     key_questions=questions, proposals=ideas)

    # -- the Board's response and its commitments ----------------------------------------

    class BoardResponded(Entry):
        """Version 2 grades the response; part one's decision reads as its grade, and a
        decline's summary, which was its reason, as the reason too."""

        grade: str
        summary: str
        reason: str
        lead: str
        referred_to: str

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            decision = state.pop("decision")
            state["grade"] = str(FROM_DECISION[decision])
            state["reason"] = state["summary"] if decision == "decline" else ""

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            aggregate.grade = self.grade
            aggregate.referred_to = self.referred_to
            aggregate.referral_answered = False

    def respond(self, grade: str, summary: str, lead: str | None, referred_to: str | None,
                actor: Actor, occurred_on: date, reason: str | None = None) -> None:
        """Record the Board's response and its grade. Part one's decisions are taken too:
        commit (accepted), decline (rejected; the summary is the reason), refer (referred)."""
        declined = grade == "decline"
        key = a_grade(grade)
        summary = required_text(summary, "summary")
        why = optional_text(reason, "reason", 2_000) or (summary if declined else "")
        if key is Grade.REJECTED and not why:
            raise errors.InvalidValue("A rejection gives its reason", field="reason")
        if key is not Grade.REJECTED and why:
            raise errors.InvalidValue("Only a rejection gives a reason; say it in the summary",
                                      field="reason")
        lead_slug = slug(lead, "lead") if lead else ""
        if key.allows_commitments and not lead_slug:
            raise errors.InvalidValue("A response that promises action names a lead owner",
                                      field="lead")
        body = optional_text(referred_to, "referred_to", 200)
        if key is Grade.REFERRED and not body:
            raise errors.InvalidValue("A referral names the body it goes to",
                                      field="referred_to")
        if key is not Grade.REFERRED and body:
            raise errors.InvalidValue("Only a referral names another body",
                                      field="referred_to")
        self._check_open_to_work()
        if not self.discussed_at:
            raise errors.RuleViolation(
                f"Issue {self.number} has not been discussed; record the discussion first")
        if any(not c.is_settled for c in self.commitments) and not key.allows_commitments:
            raise errors.RuleViolation(
                f"Issue {self.number} has open commitments; deliver or drop them first",
                field="grade")
        self._record(self.BoardResponded, actor, occurred_on, grade=str(key),
                     summary=summary, reason=why, lead=lead_slug, referred_to=body)

    class RevisedResponseRequested(Entry):
        reason: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            aggregate.grade = None  # the Board owes a new response

    def request_revised_response(self, reason: str, actor: Actor, occurred_on: date) -> None:
        """Record that the Board's response does not answer what was asked: it owes a new
        one, and nothing more is promised until it comes."""
        reason = required_text(reason, "reason", 2_000)
        self._check_open_to_work()
        if self.grade is None:
            raise errors.RuleViolation(
                f"Issue {self.number} has no Board response to revise; record the response "
                "first", field="reason")
        self._record(self.RevisedResponseRequested, actor, occurred_on, reason=reason)

    class CommitmentMade(Entry):
        commitment: int
        text: str
        owner: str
        due: date
        measure: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            aggregate.commitments.append(Commitment(
                number=self.commitment, text=self.text, owner=self.owner, due=self.due,
                measure=self.measure, made_on=self.occurred_on,
            ))

    def make_commitment(self, text: str, owner: str, due: date, measure: str, actor: Actor,
                        occurred_on: date) -> int:
        """Record a promise: what, who is accountable, by when, and how it is measured."""
        text = required_text(text, "text", 2_000)
        owner = slug(owner, "owner")
        due = a_date(due, "due")
        measure = required_text(measure, "measure", 1_000)
        self._check_open_to_work()
        if self.grade is None:
            raise errors.RuleViolation(
                f"The Board promised nothing on issue {self.number} (no response yet); only "
                "a response graded accepted or accepted_in_part leads to commitments")
        if not allows_commitments(self.grade):
            raise errors.NothingPromised(
                f"The Board promised nothing on issue {self.number} (graded {self.grade}); "
                "only a response graded accepted or accepted_in_part leads to commitments")
        if due < occurred_on:
            raise errors.InvalidValue("A commitment cannot be due before it was made",
                                      field="due")
        number = len(self.commitments) + 1
        self._record(self.CommitmentMade, actor, occurred_on, commitment=number, text=text,
                     owner=owner, due=due, measure=measure)
        return number

    class ProgressRecorded(Entry):
        commitment: int
        status: str
        note: str
        evidence: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            _change_commitment(aggregate, self.commitment, status=CommitmentStatus(self.status),
                               last_update_on=self.occurred_on)

    def record_progress(self, commitment: int, status: str, note: str, evidence: str | None,
                        actor: Actor, occurred_on: date) -> None:
        """Log how a commitment is going (on track, at risk, delayed, no public evidence)."""
        try:
            key = CommitmentStatus(status)
        except ValueError:
            key = None
        if key not in PROGRESS_STATUSES:
            allowed = ", ".join(s.value for s in PROGRESS_STATUSES)
            raise errors.InvalidValue(
                f"status must be one of {allowed}; delivery and dropping have their own "
                "commands", field="status")
        note = required_text(note, "note", 5_000)
        link = evidence_link(evidence)
        self._check_commitment_open(commitment, occurred_on)
        self._record(self.ProgressRecorded, actor, occurred_on, commitment=commitment,
                     status=str(key), note=note, evidence=link)

    class DueDateMoved(Entry):
        commitment: int
        new_due: date
        reason: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            _change_commitment(aggregate, self.commitment, due=self.new_due,
                               last_update_on=self.occurred_on)

    def move_due_date(self, commitment: int, new_due: date, reason: str, actor: Actor,
                      occurred_on: date) -> None:
        """Move a commitment's due date; a reason is required and stays public."""
        new_due = a_date(new_due, "new_due")
        reason = required_text(reason, "reason", 2_000)
        current = self._check_commitment_open(commitment, occurred_on)
        if new_due == current.due:
            raise errors.InvalidValue("The new due date is the same as the current one",
                                      field="new_due")
        if new_due < occurred_on:
            raise errors.InvalidValue("A due date cannot be moved into the past",
                                      field="new_due")
        self._record(self.DueDateMoved, actor, occurred_on, commitment=commitment,
                     new_due=new_due, reason=reason)

    class CommitmentDelivered(Entry):
        commitment: int
        note: str
        evidence: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            _change_commitment(aggregate, self.commitment, status=CommitmentStatus.DELIVERED,
                               last_update_on=self.occurred_on, evidence=self.evidence)

    def deliver_commitment(self, commitment: int, note: str, evidence: str | None, actor: Actor,
                           occurred_on: date) -> None:
        """Record delivery; evidence (a link or a document reference) is required."""
        note = required_text(note, "note", 5_000)
        link = evidence_link(evidence)
        if not link:
            raise errors.InvalidValue(
                "Delivery needs evidence: a link or a document reference; without it, record "
                "progress with status no_public_evidence", field="evidence")
        self._check_commitment_open(commitment, occurred_on)
        self._record(self.CommitmentDelivered, actor, occurred_on, commitment=commitment,
                     note=note, evidence=link)

    class ActionImported(Entry):
        """A commitment came from a Board's existing action log: which file and row, and the
        row's own reference, kept on the commitment so a second import finds it."""

        commitment: int
        reference: str
        source: str
        row: int

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            _change_commitment(aggregate, self.commitment, reference=self.reference)

    def import_action(self, commitment: int, reference: str, source: str, row: int,
                      actor: Actor, occurred_on: date) -> None:
        """Record that a commitment was imported from an action log's row."""
        reference = required_text(reference, "reference", 100)
        source = required_text(source, "source", 200)
        self.commitment(commitment)
        if any(c.reference == reference for c in self.commitments):
            raise errors.AlreadyExists(
                f"Issue {self.number} already has a commitment with reference {reference}",
                field="reference")
        if row < 1:
            raise errors.InvalidValue("A row number starts at 1", field="row")
        self._record(self.ActionImported, actor, occurred_on, commitment=commitment,
                     reference=reference, source=source, row=row)

    def commitment_by_reference(self, reference: str) -> Commitment | None:
        """The commitment imported from an action log's row with this reference, if any."""
        return next((c for c in self.commitments if c.reference == reference), None)

    class CommitmentDropped(Entry):
        commitment: int
        reason: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            _change_commitment(aggregate, self.commitment, status=CommitmentStatus.DROPPED,
                               last_update_on=self.occurred_on)

    def drop_commitment(self, commitment: int, reason: str, actor: Actor,
                        occurred_on: date) -> None:
        """Record that a commitment will not be delivered, and why."""
        reason = required_text(reason, "reason", 5_000)
        self._check_commitment_open(commitment, occurred_on)
        self._record(self.CommitmentDropped, actor, occurred_on, commitment=commitment,
                     reason=reason)

    class ReferralAnswered(Entry):
        body: str
        answer: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            aggregate.referral_answered = True

    def answer_referral(self, answer: str, actor: Actor, occurred_on: date) -> None:
        """Record what the body the issue was referred to answered."""
        answer = required_text(answer, "answer")
        self._check_open_to_work()
        if self.grade != Grade.REFERRED:
            raise errors.RuleViolation(f"Issue {self.number} has not been referred anywhere")
        if self.referral_answered:
            raise errors.RuleViolation(f"The referral of issue {self.number} is already answered")
        self._record(self.ReferralAnswered, actor, occurred_on, body=self.referred_to,
                     answer=answer)

    # -- a response owed by support ------------------------------------------------------

    class ResponseOwed(Entry):
        """Its supporters reached the threshold at which the Board owes it a response,
        whether or not an assembly discussed it."""

        supporters: int
        threshold: int

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            aggregate.response_owed_on = self.occurred_on

    def owe_response_for_support(self, threshold: int, actor: Actor,
                                 occurred_on: date) -> bool:
        """Record, once, that the issue's support reached ``threshold``; False (nothing
        recorded) while it has not, or once recorded."""
        if not isinstance(threshold, int) or threshold < 1:
            raise errors.InvalidValue("A support threshold is a whole number from 1",
                                      field="threshold")
        if self.response_owed_on is not None or self.supporter_count < threshold:
            return False
        self._check_open_to_public()
        self._record(self.ResponseOwed, actor, occurred_on, supporters=self.supporter_count,
                     threshold=threshold)
        return True

    # -- closing, reopening, correcting --------------------------------------------------

    class Closed(Entry):
        outcome: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            aggregate.outcome = self.outcome

    def close(self, outcome: str, actor: Actor, occurred_on: date) -> None:
        """Close the issue with its outcome: what changed."""
        outcome = required_text(outcome, "outcome")
        self._check_open_to_work()
        if any(not c.is_settled for c in self.commitments):
            raise errors.RuleViolation(
                f"Issue {self.number} has open commitments; deliver or drop them first")
        self._record(self.Closed, actor, occurred_on, outcome=outcome)

    class Reopened(Entry):
        reason: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            aggregate.outcome = None
            aggregate.merged_into = None

    def reopen(self, reason: str, actor: Actor, occurred_on: date) -> None:
        """Reopen a closed or merged issue, with a public reason."""
        reason = required_text(reason, "reason", MAX_SHORT)
        if not (self.is_closed or self.is_merged):
            raise errors.RuleViolation(f"Issue {self.number} is neither closed nor merged")
        self._record(self.Reopened, actor, occurred_on, reason=reason)

    class Corrected(Entry):
        entry: int
        reason: str
        correction: str

    def correct(self, entry: int, reason: str, correction: str, actor: Actor,
                occurred_on: date) -> None:
        """Append a public correction of an earlier entry; nothing is rewritten."""
        reason = required_text(reason, "reason", 2_000)
        correction = required_text(correction, "correction")
        if not isinstance(entry, int) or not 1 <= entry <= self.version:
            raise errors.EntryNotFound(f"Issue {self.number} has no entry {entry}")
        self._record(self.Corrected, actor, occurred_on, entry=entry, reason=reason,
                     correction=correction)

    # -- amendments: a commitment's terms changed, the value before and after kept -------

    class CommitmentAmended(Entry):
        """A commitment's text, owner, due date (ISO) or measure changed, with a reason."""

        commitment: int
        field: str
        before: str
        after: str
        reason: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            value = date.fromisoformat(self.after) if self.field == "due" else self.after
            _change_commitment(aggregate, self.commitment, **{self.field: value})

    def amend_commitment(self, commitment: int, field: str, value: str, reason: str,
                         actor: Actor, occurred_on: date) -> None:
        """Change one term of a commitment, with a public reason. The entry keeps the value
        before and after; the entry that made the commitment is not rewritten."""
        if field not in AMENDABLE:
            raise errors.InvalidValue(f"Amend one of: {', '.join(AMENDABLE)}", field="field")
        reason = required_text(reason, "reason", 2_000)
        self._check_open_to_work()
        current = self.commitment(commitment)
        after: str
        if field == "due":
            try:
                due = date.fromisoformat(str(value).strip())
            except ValueError:
                raise errors.InvalidValue("Enter a real date, as YYYY-MM-DD",
                                          field="value") from None
            if due < current.made_on:
                raise errors.InvalidValue("A commitment cannot be due before it was made",
                                          field="value")
            after = due.isoformat()
        elif field == "owner":
            after = slug(value, "value")
        else:
            after = required_text(value, "value", AMENDABLE[field])
        before = current.due.isoformat() if field == "due" else str(getattr(current, field))
        if after == before:
            raise errors.InvalidValue(f"The {field} is already that", field="value")
        if occurred_on < current.made_on:
            raise errors.InvalidValue("An amendment cannot precede the commitment it changes",
                                      field="occurred_on")
        self._record(self.CommitmentAmended, actor, occurred_on, commitment=commitment,
                     field=field, before=before, after=after, reason=reason)

    # -- shared checks -------------------------------------------------------------------

    def _record(self, event_class: type[Aggregate.Event], actor: Actor, occurred_on: date,
                **fields: object) -> None:
        occurred_on = a_date(occurred_on, "occurred_on")
        if occurred_on < self.submitted_on:
            raise errors.InvalidValue(
                f"An entry cannot have happened before the issue was submitted "
                f"({self.submitted_on.isoformat()})", field="occurred_on")
        self.trigger_event(event_class, actor_id=actor.account_id, actor_role=str(actor.role),
                           occurred_on=occurred_on, **fields)

    def _check_open_to_public(self) -> None:
        if self.is_hidden:
            raise errors.IssueHidden(f"Issue {self.number} is hidden: {self.hidden_reason}")
        if self.is_merged:
            raise errors.IssueMerged(f"Issue {self.number} was merged into {self.merged_into}")

    def _check_not_merged(self) -> None:
        if self.is_merged:
            raise errors.IssueMerged(f"Issue {self.number} was merged into {self.merged_into}")

    def _check_open_to_work(self) -> None:
        self._check_open_to_public()
        if self.is_closed:
            raise errors.IssueClosed(f"Issue {self.number} is closed; reopen it first")

    def _scheduled_assembly(self) -> str:
        if self.assembly is None:
            raise errors.RuleViolation(
                f"Issue {self.number} is not scheduled for an assembly", field="assembly")
        return self.assembly

    def _check_commitment_open(self, number: int, occurred_on: date) -> Commitment:
        self._check_open_to_work()
        current = self.commitment(number)
        if current.is_settled:
            raise errors.CommitmentSettled(
                f"Commitment {number} of issue {self.number} is already {current.status}")
        if occurred_on < current.made_on:
            raise errors.InvalidValue("An update cannot precede the commitment it is about",
                                      field="occurred_on")
        return current


def _change_commitment(issue: Any, number: int, **changes: object) -> None:
    issue.commitments[number - 1] = issue.commitments[number - 1].with_changes(**changes)
