"""The write side: one method per command, plain values in and out.

The ``Application`` subclass is the service layer, as in eventsourcing's own examples: each
command loads an aggregate, asks it to do something (the aggregate checks the rules), and
saves the new events. Every command returns an ``Outcome`` whose ``position`` is the
notification id of its last event, so a reader can wait until the projections have seen it.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Recording
from eventsourcing.utils import get_topic

from tracker import transcodings
from tracker.domain import errors
from tracker.domain.issue import Issue
from tracker.domain.judgement import DeliveryAnswer
from tracker.domain.keyed import KeyedWrite
from tracker.domain.reference import Assembly, Owner, ReferenceData, Topic
from tracker.domain.response import a_grade
from tracker.domain.support import Support
from tracker.domain.values import Actor, Role
from tracker.group_commit import GroupCommit
from tracker.issue_cache import IssueCache

R = TypeVar("R", bound=ReferenceData)
# Who records what the tracker works out itself (a response owed by support).
SYSTEM_ACTOR = Actor("tracker", Role.SYSTEM)

# How often a command re-reads the issue and tries again when another writer got there
# first; each retry means someone else's event was saved, so this bounds only contention.
MAX_RETRIES = 200
SNAPSHOT_EVERY = 50
# The most supports of one issue saved in one transaction: bounds a batch's latency and
# the size of its save (a batch of 256 writes 512 rows).
SUPPORT_BATCH = 256


def authorise(actor: Actor, command: str) -> None:
    """Raise NotPermitted unless the actor's role may run the command."""
    # Imported on use: the table (tracker.permissions) is made from the declarations of the
    # commands (tracker.commands), which name this module's methods.
    from tracker.permissions import authorise as check
    check(actor, command)


def _back_off(attempt: int) -> None:
    # Jittered, capped exponential back-off: contenders spread out instead of colliding
    # again in lock-step.
    time.sleep(random.uniform(0, min(0.05, 0.001 * 2 ** min(attempt, 6))))


@dataclass(frozen=True)
class Outcome:
    """What a command did: which issue, its new version, and the log position reached."""

    number: int
    version: int
    position: int
    commitment: int | None = None


class KeyAlreadyUsed(Exception):
    """The write of this Idempotency-Key was carried out already, by another attempt."""


@dataclass(frozen=True)
class _SupportCall:
    """One caller's support, waiting for its batch (checked and dated by its caller)."""

    supporter: str
    actor: Actor
    when: date


@dataclass
class Keyed:
    """The marker the next write carries (see ``TrackerApplication.keyed``)."""

    marker: UUID
    saved: bool = False


# Set per request, and copied into the worker thread that runs its command.
_keyed: ContextVar[Keyed | None] = ContextVar("keyed write", default=None)


@dataclass(frozen=True)
class Recorded:
    """What a reference-data command did: the slug's new version and the position reached."""

    slug: str
    version: int
    position: int


class TrackerApplication(Application[UUID]):
    """Citizens raise issues; the secretariat records what came of them."""

    name = "Tracker"
    # Long-lived issues (thousands of supporters) load from a snapshot, never from scratch.
    snapshotting_intervals = {Issue: SNAPSHOT_EVERY}

    def __init__(self, env: dict[str, str] | None = None,
                 clock: Callable[[], date] = date.today, response_threshold: int = 100) -> None:
        super().__init__(env)
        # Supporters at which an issue is owed a Board response (TRACKER_RESPONSE_THRESHOLD).
        self.response_threshold = response_threshold
        # Issues stay in memory after a command or a load; the next load reads only the
        # events recorded since (by any process), not the snapshot and the events again.
        self._issues = IssueCache(5000)
        self.clock = clock
        self._number_lock = threading.Lock()
        self._next_number: int | None = None
        # Supports of one issue arriving together are saved together (a petition surge).
        self._supports: GroupCommit[int, _SupportCall, Outcome] = GroupCommit(
            self._support_batch, limit=SUPPORT_BATCH)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcodings.register(transcoder)

    # -- reference data -----------------------------------------------------------------

    def create_topic(self, slug: str, name: str, actor: Actor) -> Recorded:
        """Create a topic that issues can be grouped under."""
        authorise(actor, "create_topic")
        return self._create_reference(Topic.create(slug, name, actor))

    def create_owner(self, slug: str, name: str, role: str, actor: Actor,
                     owner_kind: str = "board") -> Recorded:
        """Create an owner: a Board role, a team, or an external body referred to."""
        authorise(actor, "create_owner")
        return self._create_reference(Owner.create(slug, name, role, actor, owner_kind))

    def create_assembly(self, slug: str, title: str, held_on: date, place: str,
                        actor: Actor, response_due: date | None = None) -> Recorded:
        """Create an assembly: a meeting where issues are discussed with the Board."""
        authorise(actor, "create_assembly")
        return self._create_reference(Assembly.create(slug, title, held_on, place, actor,
                                                      response_due))

    def get_reference(self, kind: type[R], slug: str) -> R:
        """Load a topic, owner or assembly by slug, or raise the matching NotFound."""
        try:
            found: R = self.repository.get(kind.id_for(slug), projector_func=_replay)
            return found
        except AggregateNotFoundError:
            missing = {Topic: errors.TopicNotFound, Owner: errors.OwnerNotFound,
                       Assembly: errors.AssemblyNotFound}[kind]
            raise missing(f"There is no {kind.__name__.lower()} '{slug}'") from None

    def _create_reference(self, item: Topic | Owner | Assembly) -> Recorded:
        try:
            recordings = self.save(item)
        except IntegrityError:
            kind = type(item).__name__.lower()
            raise errors.AlreadyExists(
                f"A {kind} with slug '{item.slug}' already exists") from None
        return Recorded(item.slug, item.version, recordings[-1].notification.id)

    # -- Gather -------------------------------------------------------------------------

    def submit_issue(self, title: str, description: str, actor: Actor,
                     occurred_on: date | None = None) -> Outcome:
        """Raise a new issue; returns its short public number at once."""
        authorise(actor, "submit_issue")
        when = self._when(occurred_on)
        for attempt in range(MAX_RETRIES):
            number = self._take_number()
            issue = Issue.submit(number, title, description, actor, when)
            try:
                recordings = self.save(issue)
            except IntegrityError:
                # Another process took this number: look again for the first free one.
                with self._number_lock:
                    self._next_number = None
                _back_off(attempt)
                continue
            except Exception:
                # Nothing was saved (the database is down, the disk full): the number is
                # still free. Forget the cached one so numbers stay dense, 1..N, with no gap.
                with self._number_lock:
                    self._next_number = None
                raise
            self._issues.put(issue)
            return Outcome(number, issue.version, recordings[-1].notification.id)
        raise errors.RuleViolation("Could not allocate an issue number; try again")

    def support_issue(self, number: int, supporter: str, actor: Actor,
                      occurred_on: date | None = None) -> Outcome:
        """Count a supporter once ("me too").

        Concurrent supports of one issue in this process are saved together (see
        tracker.group_commit and ``_support_batch``); each is still judged on its own."""
        authorise(actor, "support_issue")
        when = self._when(occurred_on)
        if _keyed.get() is not None:
            # A keyed write's marker goes in the transaction of that one write: not batched.
            return self._change(number, "support_issue", actor, None,
                                self._support(supporter, actor, when))
        return self._supports.submit(number, _SupportCall(supporter, actor, when))

    def waiting_supports(self, number: int) -> int:
        """How many supports of the issue wait in this process for the next batch (a
        gauge of contention; the tests use it to line a batch up)."""
        return self._supports.queued(number)

    def _support(self, supporter: str, actor: Actor,
                 when: date) -> Callable[[Issue], list[Aggregate]]:
        def support(issue: Issue) -> list[Aggregate]:
            marker = issue.support(supporter, actor, when)
            issue.owe_response_for_support(self.response_threshold, SYSTEM_ACTOR, when)
            return [marker]
        return support

    def _support_batch(self, number: int,
                       calls: Sequence[_SupportCall]) -> list[Outcome | BaseException]:
        """Count a batch of supporters of one issue: each judged by the issue in turn, all
        saved in one transaction. Returns each call's Outcome or its refusal.

        A supporter twice in the batch is judged after the batch that holds its first
        support, so its refusal is the store's word (the same as ever), never a guess
        about a save that might still fail."""
        answers: dict[int, Outcome | BaseException] = {}
        left = list(range(len(calls)))
        while left:
            first: dict[str, int] = {}
            repeats: list[int] = []
            for index in left:
                if calls[index].supporter in first:
                    repeats.append(index)
                else:
                    first[calls[index].supporter] = index
            answers.update(self._save_supports(number, calls, list(first.values())))
            left = repeats
        return [answers[index] for index in range(len(calls))]

    def _save_supports(self, number: int, calls: Sequence[_SupportCall],
                       indices: list[int]) -> dict[int, Outcome | BaseException]:
        """Apply and save the supports ``indices`` of ``calls`` (distinct supporters),
        retrying from a fresh read when another writer got in first. An error of the
        save itself is raised: nothing of the batch was stored."""
        answers: dict[int, Outcome | BaseException] = {}
        for attempt in range(MAX_RETRIES):
            # As in ``_change``: first on the issue as this process last saw it, with no
            # query (a save from a copy that is behind fails whole); a refusal is only
            # given after a fresh read agrees.
            issue = self._issues.get(Issue.id_for(number)) if attempt == 0 else None
            fresh = issue is None
            if issue is None:
                issue = self.load_issue(number)
            base = issue.version
            markers: list[tuple[int, Aggregate, int]] = []
            refused: dict[int, errors.DomainError] = {}
            for index in indices:
                if index in answers:
                    continue
                before = issue.version
                try:
                    also = self._support(calls[index].supporter, calls[index].actor,
                                         calls[index].when)(issue)
                except errors.DomainError as refusal:
                    if issue.version != before:
                        # Refused after an event was triggered (never expected): the
                        # issue cannot be unwound here, so run these one at a time.
                        return self._one_at_a_time(number, calls, indices, answers)
                    refused[index] = refusal
                    continue
                markers.append((index, also[0], issue.version))
            if refused and not fresh:
                continue  # judged on a copy that may be behind: judge again on the store
            answers.update(refused)
            if not markers:
                return answers
            try:
                recordings = Application.save(self, issue, *(m for _, m, _ in markers))
            except IntegrityError:
                # Another writer took the issue's version, or a supporter was counted
                # already (a marker's id exists). When the issue has not moved, it must
                # be a marker: find which (a point read each), refuse those, try again.
                moved = self.load_issue(number).version != base
                if not moved or attempt >= 2:
                    for index, marker, _ in markers:
                        if self._exists(marker.id):
                            answers[index] = errors.AlreadySupported(
                                f"This supporter already supports issue {number}")
                if moved:
                    _back_off(attempt)
                continue
            self._issues.put(issue)
            positions = {r.domain_event.originator_id: r.notification.id for r in recordings}
            for index, marker, version in markers:
                answers[index] = Outcome(number, version, positions[marker.id])
            return answers
        busy = errors.RuleViolation(f"Issue {number} is too busy; try again")
        return {**{index: busy for index in indices}, **answers}

    def _one_at_a_time(self, number: int, calls: Sequence[_SupportCall], indices: list[int],
                       answers: dict[int, Outcome | BaseException]
                       ) -> dict[int, Outcome | BaseException]:
        for index in indices:
            if index in answers:
                continue
            call = calls[index]
            try:
                answers[index] = self._change(number, "support_issue", call.actor, None,
                                              self._support(call.supporter, call.actor,
                                                            call.when))
            except errors.DomainError as refusal:
                answers[index] = refusal
        return answers

    def hide_issue(self, number: int, reason: str, actor: Actor,
                   expected_version: int | None = None) -> Outcome:
        """Hide an abusive submission, with a public reason."""
        return self._change(number, "hide_issue", actor, expected_version,
                            lambda i: i.hide(reason, actor, self.clock()))

    def restore_issue(self, number: int, reason: str, actor: Actor,
                      expected_version: int | None = None) -> Outcome:
        """Show a hidden issue again, with a public reason."""
        return self._change(number, "restore_issue", actor, expected_version,
                            lambda i: i.restore(reason, actor, self.clock()))

    def merge_issue(self, number: int, into: int, reason: str, actor: Actor,
                    expected_version: int | None = None) -> Outcome:
        """Mark an issue as a duplicate of another, existing and visible, issue."""
        authorise(actor, "merge_issue")
        target = self.load_issue(into)
        if target.is_hidden or target.is_merged:
            raise errors.RuleViolation(f"Issue {into} is hidden or merged itself", field="into")
        return self._change(number, "merge_issue", actor, expected_version,
                            lambda i: i.merge_into(into, reason, actor, self.clock()))

    # -- the assembly -------------------------------------------------------------------

    def assign_topic(self, number: int, topic: str, actor: Actor,
                     occurred_on: date | None = None,
                     expected_version: int | None = None) -> Outcome:
        """Group an issue under an existing topic."""
        authorise(actor, "assign_topic")
        self.get_reference(Topic, topic)
        return self._change(number, "assign_topic", actor, expected_version,
                            lambda i: i.assign_topic(topic, actor, self._when(occurred_on)))

    def schedule_issue(self, number: int, assembly: str, presenter: str | None, actor: Actor,
                       occurred_on: date | None = None,
                       expected_version: int | None = None) -> Outcome:
        """Put an issue on an existing assembly's agenda."""
        authorise(actor, "schedule_issue")
        self.get_reference(Assembly, assembly)
        return self._change(number, "schedule_issue", actor, expected_version,
                            lambda i: i.schedule(assembly, presenter, actor,
                                                 self._when(occurred_on)))

    def record_presentation(self, number: int, presenter: str | None, actor: Actor,
                            occurred_on: date | None = None,
                            expected_version: int | None = None) -> Outcome:
        """Record that a citizen presented the issue at its assembly."""
        return self._change(number, "record_presentation", actor, expected_version,
                            lambda i: i.present(presenter, actor, self._when(occurred_on)))

    def record_discussion(self, number: int, assembly: str, summary: str,
                          key_questions: Sequence[str], proposals: Sequence[str], actor: Actor,
                          occurred_on: date | None = None,
                          expected_version: int | None = None) -> Outcome:
        """Record what was said about the issue at its assembly."""
        return self._change(number, "record_discussion", actor, expected_version,
                            lambda i: i.record_discussion(
                                assembly, summary, list(key_questions), list(proposals),
                                actor, self._when(occurred_on)))

    # -- the Board ----------------------------------------------------------------------

    def record_response(self, number: int, grade: str | None, summary: str, lead: str | None,
                        referred_to: str | None, actor: Actor, occurred_on: date | None = None,
                        expected_version: int | None = None, reason: str | None = None,
                        decision: str | None = None) -> Outcome:
        """Record the Board's response and its grade (part one's ``decision`` is taken too)."""
        authorise(actor, "record_response")
        if decision is not None:
            if grade is not None:
                raise errors.InvalidValue("Send a grade or a decision, not both",
                                          field="decision")
            a_grade(decision, "decision")
            grade = decision
        if grade is None:
            raise errors.InvalidValue("A response has a grade", field="grade")
        if lead:
            self.get_reference(Owner, lead)
        referred_to, lead = self._referral_body(referred_to, lead)
        chosen = grade
        return self._change(number, "record_response", actor, expected_version,
                            lambda i: i.respond(chosen, summary, lead, referred_to, actor,
                                                self._when(occurred_on), reason))

    def _referral_body(self, referred_to: str | None,
                       lead: str | None) -> tuple[str | None, str | None]:
        """A referral may name an owner of kind external by its slug: it is then recorded by
        that owner's name, and the owner follows it (its page and feed show the referral's
        clock). Any other body is named as written."""
        if not referred_to:
            return referred_to, lead
        try:
            body = self.get_reference(Owner, referred_to.strip())
        except (errors.NotFound, errors.InvalidValue):
            return referred_to, lead
        if not body.is_external:
            raise errors.InvalidValue(
                f"{body.name} is not an external body; a referral goes outside the Board",
                field="referred_to")
        return body.name, lead or body.slug

    def request_revised_response(self, number: int, reason: str, actor: Actor,
                                 occurred_on: date | None = None,
                                 expected_version: int | None = None) -> Outcome:
        """Record that the Board's response misses the point: it owes a new one."""
        return self._change(number, "request_revised_response", actor, expected_version,
                            lambda i: i.request_revised_response(reason, actor,
                                                                 self._when(occurred_on)))

    def make_commitment(self, number: int, text: str, owner: str, due: date, measure: str,
                        actor: Actor, occurred_on: date | None = None,
                        expected_version: int | None = None) -> Outcome:
        """Record a promise with its owner, due date and measure of success."""
        authorise(actor, "make_commitment")
        self.get_reference(Owner, owner)
        made: list[int] = []
        outcome = self._change(
            number, "make_commitment", actor, expected_version,
            lambda i: made.append(i.make_commitment(text, owner, due, measure, actor,
                                                    self._when(occurred_on))))
        return Outcome(outcome.number, outcome.version, outcome.position, made[-1])

    def record_progress(self, number: int, commitment: int, status: str, note: str,
                        evidence: str | None, actor: Actor, occurred_on: date | None = None,
                        expected_version: int | None = None) -> Outcome:
        """Log how a commitment is going."""
        return self._change(number, "record_progress", actor, expected_version,
                            _owned(commitment, actor, "record_progress",
                                   lambda i: i.record_progress(
                                       commitment, status, note, evidence, actor,
                                       self._when(occurred_on))))

    def move_due_date(self, number: int, commitment: int, new_due: date, reason: str,
                      actor: Actor, occurred_on: date | None = None,
                      expected_version: int | None = None) -> Outcome:
        """Move a commitment's due date, with a public reason."""
        return self._change(number, "move_due_date", actor, expected_version,
                            _owned(commitment, actor, "move_due_date",
                                   lambda i: i.move_due_date(
                                       commitment, new_due, reason, actor,
                                       self._when(occurred_on))))

    def amend_commitment(self, number: int, commitment: int, field: str, value: str,
                         reason: str, actor: Actor, occurred_on: date | None = None,
                         expected_version: int | None = None) -> Outcome:
        """Change a commitment's text, owner, due date or measure, with a public reason."""
        authorise(actor, "amend_commitment")
        if field == "owner":
            self.get_reference(Owner, value)
        return self._change(number, "amend_commitment", actor, expected_version,
                            lambda i: i.amend_commitment(commitment, field, value, reason,
                                                         actor, self._when(occurred_on)))

    def deliver_commitment(self, number: int, commitment: int, note: str,
                           evidence: str | None, actor: Actor, occurred_on: date | None = None,
                           expected_version: int | None = None) -> Outcome:
        """Record a delivery with its evidence."""
        return self._change(number, "deliver_commitment", actor, expected_version,
                            _owned(commitment, actor, "deliver_commitment",
                                   lambda i: i.deliver_commitment(
                                       commitment, note, evidence, actor,
                                       self._when(occurred_on))))

    def drop_commitment(self, number: int, commitment: int, reason: str, actor: Actor,
                        occurred_on: date | None = None,
                        expected_version: int | None = None) -> Outcome:
        """Record that a commitment will not be delivered, and why."""
        return self._change(number, "drop_commitment", actor, expected_version,
                            lambda i: i.drop_commitment(commitment, reason, actor,
                                                        self._when(occurred_on)))

    def answer_referral(self, number: int, answer: str, actor: Actor,
                        occurred_on: date | None = None,
                        expected_version: int | None = None) -> Outcome:
        """Record the answer of the body an issue was referred to."""
        return self._change(number, "answer_referral", actor, expected_version,
                            lambda i: i.answer_referral(answer, actor, self._when(occurred_on)))

    def close_issue(self, number: int, outcome: str, actor: Actor,
                    occurred_on: date | None = None,
                    expected_version: int | None = None) -> Outcome:
        """Close an issue with what changed."""
        return self._change(number, "close_issue", actor, expected_version,
                            lambda i: i.close(outcome, actor, self._when(occurred_on)))

    def reopen_issue(self, number: int, reason: str, actor: Actor,
                     occurred_on: date | None = None,
                     expected_version: int | None = None) -> Outcome:
        """Reopen a closed or merged issue."""
        return self._change(number, "reopen_issue", actor, expected_version,
                            lambda i: i.reopen(reason, actor, self._when(occurred_on)))

    def correct_entry(self, number: int, entry: int, reason: str, correction: str,
                      actor: Actor, expected_version: int | None = None) -> Outcome:
        """Append a public correction of an earlier entry."""
        return self._change(number, "correct_entry", actor, expected_version,
                            lambda i: i.correct(entry, reason, correction, actor, self.clock()))

    # -- someone other than the Board judges delivery --------------------------------------

    def answer_delivery(self, number: int, commitment: int, answer: str, reason: str | None,
                        answerer: str, actor: Actor,
                        occurred_on: date | None = None) -> Outcome:
        """Count one person's "was it delivered?" answer, once per commitment."""
        when = self._when(occurred_on)
        return self._change(number, "answer_delivery", actor, None,
                            lambda i: [i.answer_delivery(commitment, answer, reason,
                                                         answerer, actor, when)])

    def answer_challenge(self, number: int, challenge: int, answer: str, actor: Actor,
                         occurred_on: date | None = None,
                         expected_version: int | None = None) -> Outcome:
        """Record the secretariat's public answer to a citizen's challenge."""
        return self._change(number, "answer_challenge", actor, expected_version,
                            lambda i: i.answer_challenge(challenge, answer, actor,
                                                         self._when(occurred_on)))

    def assess_commitment(self, number: int, commitment: int, completion: str, outcome: str,
                          reason: str, sources: Sequence[str], actor: Actor,
                          occurred_on: date | None = None,
                          expected_version: int | None = None) -> Outcome:
        """Record an independent assessment of a commitment's delivery."""
        return self._change(number, "assess_commitment", actor, expected_version,
                            lambda i: i.assess_commitment(commitment, completion, outcome,
                                                          reason, list(sources), actor,
                                                          self._when(occurred_on)))

    def reconvene_assembly(self, slug: str, held_on: date, statement: str,
                           scores: Sequence[Any], actor: Actor) -> Recorded:
        """Record a reconvened panel's scores of Board responses, and its statement: each
        score an (issue, score) pair, or anything with ``issue`` and ``score``."""
        authorise(actor, "reconvene_assembly")
        scores = [(s.issue, s.score) if hasattr(s, "issue") else tuple(s) for s in scores]
        for number, _ in scores:
            if isinstance(number, int) and number >= 1 and \
                    self.load_issue(number).grade is None:
                raise errors.NoBoardResponse(
                    f"Issue {number} has no Board response to score")
        for attempt in range(MAX_RETRIES):
            assembly = self.get_reference(Assembly, slug)
            when = self._when(held_on)
            session = assembly.reconvene(when, statement, list(scores), actor)
            # Each score also goes on its issue's record (its timeline, feeds and alerts),
            # saved with the assembly's event in one transaction.
            scored = []
            for number, score in scores:
                issue = self.load_issue(number)
                issue.score_response(assembly.slug, session, score, actor, when)
                scored.append(issue)
            try:
                recordings = self.save(assembly, *scored)
            except IntegrityError:
                _back_off(attempt)
                continue
            for issue in scored:
                self._issues.put(issue)
            return Recorded(assembly.slug, assembly.version, recordings[-1].notification.id)
        raise errors.RuleViolation(f"Assembly {slug} is too busy; try again")

    # -- writes sent with an Idempotency-Key ----------------------------------------------

    @contextmanager
    def keyed(self, marker: UUID) -> Iterator[Keyed]:
        """Within this block the first write saved carries a KeyedWrite marker with this
        id, in the same transaction. If the marker exists already, that write is refused
        whole and KeyAlreadyUsed raised: another attempt of the same key got there first.
        ``saved`` tells afterwards whether this block's write went in."""
        keyed = Keyed(marker)
        token = _keyed.set(keyed)
        try:
            yield keyed
        finally:
            _keyed.reset(token)

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        keyed = _keyed.get()
        if keyed is None or keyed.saved or not objs:
            return super().save(*objs, **kwargs)
        # Last, so that the write's position (its last event's) is the marker's.
        marker = KeyedWrite.carry_out(keyed.marker, *_written(objs[0]))
        try:
            recordings = super().save(*objs, marker, **kwargs)
        except IntegrityError:
            if self._exists(keyed.marker):
                raise KeyAlreadyUsed(f"The write of marker {keyed.marker} is done") from None
            raise
        keyed.saved = True
        return recordings

    def keyed_write(self, marker: UUID, after: int) -> tuple[KeyedWrite, int] | None:
        """The marker of a keyed write and its position in the log (it was saved after
        position ``after``), or None when no write of it went in."""
        try:
            found: KeyedWrite = self.repository.get(marker)
        except AggregateNotFoundError:
            return None
        topics = [get_topic(KeyedWrite.CarriedOut)]
        start = after + 1
        while True:
            page = self.recorder.select_notifications(start, 500, topics=topics)
            for notification in page:
                if notification.originator_id == marker:
                    return found, notification.id
            if len(page) < 500:
                return found, self.recorder.max_notification_id() or 0  # not reached
            start = page[-1].id + 1

    # -- reading the write model (tests and commands only; pages read projections) ------

    def load_issue(self, number: int) -> Issue:
        """Load an issue by its public number, or raise IssueNotFound. The caller gets an
        object of its own, at the newest version in the store."""
        if not isinstance(number, int) or number < 1:
            raise errors.IssueNotFound(f"There is no issue {number}", field="number")
        issue_id = Issue.id_for(number)
        issue = self._issues.get(issue_id)
        try:
            if issue is None:
                issue = self._load(issue_id)
            else:
                newer = list(self.events.get(issue_id, gt=issue.version, limit=SNAPSHOT_EVERY))
                if not newer:
                    return issue
                if len(newer) < SNAPSHOT_EVERY:
                    issue = _replay(issue, newer)
                else:  # far behind (other processes were busy): start from a snapshot
                    issue = self._load(issue_id)
        except AggregateNotFoundError:
            raise errors.IssueNotFound(f"There is no issue {number}", field="number") from None
        self._issues.put(issue)
        return issue

    def _load(self, issue_id: UUID) -> Issue:
        loaded: Issue = self.repository.get(issue_id, projector_func=_replay)
        return loaded

    def last_issue_number(self) -> int:
        """The highest issue number in use (0 when there is none)."""
        return self._probe_last_number()

    # -- the machinery ------------------------------------------------------------------

    def _change(self, number: int, command: str, actor: Actor, expected_version: int | None,
                do: Callable[[Issue], Sequence[Aggregate] | None]) -> Outcome:
        """Load, check, apply and save, retrying when another writer got in first.

        ``do`` may return aggregates to save with the issue in the same transaction (the
        marker of a support); if one of those already exists, the command was a repeat."""
        authorise(actor, command)
        for attempt in range(MAX_RETRIES):
            # First try on the issue as this process last saw it, with no query at all;
            # it may be behind the store. That is safe: a save from it takes a version
            # someone else already has and fails whole, and a refusal is only given after
            # a fresh read agrees. Every later try reads the store first.
            issue = self._issues.get(Issue.id_for(number)) if attempt == 0 else None
            fresh = issue is None
            if issue is None:
                issue = self.load_issue(number)
            try:
                if expected_version is not None and issue.version != expected_version:
                    raise errors.StaleVersion(
                        f"Issue {number} is at version {issue.version}, not "
                        f"{expected_version}", current_version=issue.version)
                also = do(issue) or ()
            except errors.DomainError:
                if fresh:
                    raise
                continue  # judged on a copy that may be behind: judge again on the store
            try:
                recordings = self.save(issue, *also)
            except IntegrityError:
                for marker in also:
                    if isinstance(marker, Support) and self._exists(marker.id):
                        raise errors.AlreadySupported(
                            f"This supporter already supports issue {number}") from None
                    if isinstance(marker, DeliveryAnswer) and self._exists(marker.id):
                        raise errors.AlreadyAnswered(
                            f"You have already answered about commitment "
                            f"{marker.commitment} of issue {number}; each person is "
                            "counted once") from None
                if expected_version is not None:
                    latest = self.load_issue(number).version
                    raise errors.StaleVersion(
                        f"Issue {number} changed while this command ran (now version {latest})",
                        current_version=latest) from None
                if fresh:
                    _back_off(attempt)  # someone else's event got in first: re-read, retry
                continue
            self._issues.put(issue)  # the next command on it starts from there
            return Outcome(number, issue.version, recordings[-1].notification.id)
        raise errors.RuleViolation(f"Issue {number} is too busy; try again")

    def _when(self, occurred_on: date | None) -> date:
        today = self.clock()
        if occurred_on is None:
            return today
        if not isinstance(occurred_on, date):
            raise errors.InvalidValue("occurred_on must be a date", field="occurred_on")
        if occurred_on > today:
            raise errors.InvalidValue("occurred_on cannot be in the future", field="occurred_on")
        return occurred_on

    def _take_number(self) -> int:
        with self._number_lock:
            if self._next_number is None:
                self._next_number = self._probe_last_number() + 1
            number = self._next_number
            self._next_number += 1
            return number

    def _exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, lte=1, limit=1))

    def _number_exists(self, number: int) -> bool:
        return self._exists(Issue.id_for(number))

    def _probe_last_number(self) -> int:
        # Numbers are dense (1..N), so gallop then bisect: about 2*log2(N) point reads, with
        # no counter row for concurrent writers to fight over.
        high = 1
        while self._number_exists(high):
            high *= 2
        low = high // 2  # exists (or 0); high does not
        while high - low > 1:
            middle = (low + high) // 2
            if self._number_exists(middle):
                low = middle
            else:
                high = middle
        return low


def _owned(commitment: int, actor: Actor, command: str,
           do: Callable[[Issue], None]) -> Callable[[Issue], None]:
    """``do``, after refusing an owner's account a commitment of another owner (checked on
    the issue as loaded, so it holds for the owner the commitment has when saved)."""
    def checked(issue: Issue) -> None:
        if actor.role == Role.OWNER:
            from tracker.permissions import authorise_on_commitment
            authorise_on_commitment(actor, command, issue.number, commitment,
                                    issue.commitment(commitment).owner)
        do(issue)
    return checked


def _written(saved: Any) -> tuple[str, int, str, int, int]:
    """What a keyed write's marker records of the aggregate it saved."""
    if isinstance(saved, Issue):
        made = [e.commitment for e in saved.pending_events
                if isinstance(e, Issue.CommitmentMade)]
        return "issues", saved.number, "", saved.version, made[-1] if made else 0
    if isinstance(saved, Topic | Owner | Assembly):
        return saved.kind, 0, saved.slug, saved.version, 0
    return "", 0, "", 0, 0


def _replay(aggregate: Any, events: Iterable[Any]) -> Any:
    """Apply stored events to an aggregate (or its snapshot), as eventsourcing's default
    projector does, without its per-event check against a runtime Protocol: an
    isinstance() test that cost a quarter of the time of loading an issue."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate
