"""For every sequence of commands: rules hold, nothing half-happens, replay agrees."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import CITIZEN, MODERATOR, SECRETARIAT
from tests.unit.domain.builders import replayed
from tracker.domain.commitment import CommitmentStatus
from tracker.domain.errors import DomainError
from tracker.domain.issue import Issue
from tracker.domain.response import PROMISING, Grade
from tracker.domain.status import CommitmentFacts, IssueFacts, verdict

START = date(2014, 7, 1)
texts = st.sampled_from(["", " ", "Reason", "A much longer piece of text", "x" * 301])
numbers = st.integers(min_value=0, max_value=4)
GRADES = [g.value for g in Grade]
days = st.integers(min_value=-5, max_value=800).map(lambda d: START + timedelta(days=d))

commands = st.one_of(
    st.tuples(st.just("support"), st.sampled_from(["a", "b", "c"]), days),
    st.tuples(st.just("hide"), texts, days),
    st.tuples(st.just("restore"), texts, days),
    st.tuples(st.just("merge_into"), st.integers(1, 3), texts, days),
    st.tuples(st.just("assign_topic"), st.sampled_from(["access", "mental-health", "Bad"]),
              days),
    st.tuples(st.just("schedule"), st.sampled_from(["london-2014", "leeds"]), days),
    st.tuples(st.just("present"), days),
    st.tuples(st.just("record_discussion"), st.sampled_from(["london-2014", "leeds"]), texts,
              days),
    st.tuples(st.just("respond"), st.sampled_from([*GRADES, "commit", "decline", "refer", "x"]),
              texts, st.sampled_from([None, "ceo"]), st.sampled_from([None, "Healthwatch"]),
              st.sampled_from([None, "", "Too dear"]), days),
    st.tuples(st.just("make_commitment"), texts, days, days),
    st.tuples(st.just("record_progress"), numbers,
              st.sampled_from(["on_track", "at_risk", "delivered", "no_public_evidence"]),
              texts, days),
    st.tuples(st.just("move_due_date"), numbers, days, texts, days),
    st.tuples(st.just("deliver_commitment"), numbers, st.sampled_from([None, "", "Paper 1"]),
              days),
    st.tuples(st.just("drop_commitment"), numbers, texts, days),
    st.tuples(st.just("answer_referral"), texts, days),
    st.tuples(st.just("close"), texts, days),
    st.tuples(st.just("reopen"), texts, days),
    st.tuples(st.just("correct"), numbers, texts, texts, days),
)


def run(issue: Issue, command: tuple[Any, ...]) -> None:
    name, *args = command
    actor = MODERATOR if name in ("hide", "restore") else SECRETARIAT
    method = getattr(issue, name)
    if name == "support":
        method(args[0], CITIZEN, args[1])
    elif name == "schedule":
        method(args[0], None, actor, args[1])
    elif name == "present":
        method(None, actor, args[0])
    elif name == "record_discussion":
        method(args[0], args[1], [], [], actor, args[2])
    elif name == "make_commitment":
        method("Promise", "ceo", args[1], args[0], actor, args[2])
    elif name == "record_progress":
        method(args[0], args[1], args[2], None, actor, args[3])
    elif name == "respond":
        method(*args[:4], actor, args[5], reason=args[4])
    elif name == "deliver_commitment":
        method(args[0], "Done", args[1], actor, args[2])
    else:
        method(*args[:-1], actor, args[-1])


@settings(max_examples=150, deadline=None)
@given(st.lists(commands, max_size=40))
def test_every_command_either_records_events_or_changes_nothing(
        sequence: list[tuple[Any, ...]]) -> None:
    issue = Issue.submit(1, "Waiting times", "", CITIZEN, START)
    history = list(issue.collect_events())
    for command in sequence:
        version = issue.version
        grade_before = issue.grade
        try:
            run(issue, command)
        except DomainError:
            assert issue.collect_events() == []
            assert issue.version == version
            continue
        new = issue.collect_events()
        assert len(new) == 1 and new[0].originator_version == version + 1
        if command[0] == "make_commitment":  # only a promising grade leads to commitments
            assert grade_before in PROMISING
        history += new
    assert vars(replayed(issue, history)) == vars(issue)
    check_rules_hold(issue)


def check_rules_hold(issue: Issue) -> None:
    for c in issue.commitments:
        assert c.due >= c.made_on
        if c.status == CommitmentStatus.DELIVERED:
            assert c.evidence
    facts = IssueFacts(
        hidden_reason=issue.hidden_reason, merged_into=issue.merged_into, outcome=issue.outcome,
        grade=issue.grade, referred_to=issue.referred_to,
        referral_answered=issue.referral_answered, commitments=tuple(
            CommitmentFacts(str(c.status), c.due, c.made_on, c.last_update_on)
            for c in issue.commitments))
    sentence = verdict(facts, date(2030, 1, 1))
    live = [c for c in issue.commitments if c.status != CommitmentStatus.DROPPED]
    if sentence.startswith("Yes:"):
        assert live and all(c.status == CommitmentStatus.DELIVERED for c in live)
    check_verdict_agrees_with_grade(issue, sentence)


def check_verdict_agrees_with_grade(issue: Issue, sentence: str) -> None:
    """A promise is claimed only where commitments were made, and a response that promised
    nothing says so."""
    if sentence.startswith(("Promised", "Yes:", "Partly:")):
        assert issue.commitments
    if issue.commitments or issue.is_hidden or issue.is_merged or issue.is_closed:
        return
    expected = {
        Grade.ACCEPTED: "The Board accepted this; no commitment recorded yet",
        Grade.ACCEPTED_IN_PART: "The Board accepted this in part; no commitment recorded yet",
        Grade.ACCEPTED_IN_PRINCIPLE: "promised nothing",
        Grade.NOTED: "The Board noted this but promised nothing",
        Grade.REJECTED: "The Board rejected this: ",
        Grade.REFERRED: f"Referred to {issue.referred_to}",
    }
    if issue.grade is not None:
        assert expected[Grade(issue.grade)] in sentence
    if issue.is_closed:
        assert all(c.is_settled for c in issue.commitments)
