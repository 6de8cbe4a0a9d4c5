"""Closing, reopening and correcting; what every entry carries; replaying the story."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import CITIZEN, MODERATOR, SECRETARIAT
from tests.unit.domain.builders import (
    SUBMITTED_ON,
    closed,
    committed,
    merged,
    replayed,
    submitted,
    then_events,
)
from tracker.domain import errors
from tracker.domain.issue import Issue

LATER = date(2015, 2, 1)


class TestCloseIssue:
    def test_records_the_outcome(self) -> None:
        issue = committed()
        issue.deliver_commitment(1, "Done", "https://example.org", SECRETARIAT, LATER)
        issue.close("Opening hours now published", SECRETARIAT, LATER)
        _, event = then_events(issue)
        assert isinstance(event, Issue.Closed)
        assert event.outcome == "Opening hours now published"
        assert issue.is_closed

    def test_refuses_while_commitments_are_open(self) -> None:
        with pytest.raises(errors.RuleViolation):
            committed().close("Done?", SECRETARIAT, LATER)

    def test_refuses_without_an_outcome(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            submitted().close("", SECRETARIAT, LATER)
        assert error.value.field == "outcome"

    def test_refuses_closing_twice(self) -> None:
        with pytest.raises(errors.IssueClosed):
            closed().close("Again", SECRETARIAT, LATER)

    def test_a_closed_issue_takes_no_commitments(self) -> None:
        with pytest.raises(errors.IssueClosed):
            closed().make_commitment("X", "ceo", date(2015, 9, 1), "Y", SECRETARIAT, LATER)


class TestReopenIssue:
    def test_reopens_a_closed_issue_which_then_takes_work(self) -> None:
        issue = closed()
        issue.reopen("New evidence", SECRETARIAT, LATER)
        issue.assign_topic("mental-health", SECRETARIAT, LATER)
        reopened, _ = then_events(issue)
        assert isinstance(reopened, Issue.Reopened)
        assert not issue.is_closed

    def test_reopens_a_merged_issue(self) -> None:
        issue = merged()
        issue.reopen("Not a duplicate after all", MODERATOR, LATER)
        assert not issue.is_merged
        issue.support("s-1", CITIZEN, LATER)

    def test_refuses_an_open_issue(self) -> None:
        with pytest.raises(errors.RuleViolation):
            submitted().reopen("Why", SECRETARIAT, LATER)

    def test_refuses_without_a_reason(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            closed().reopen("", SECRETARIAT, LATER)
        assert error.value.field == "reason"


class TestCorrectEntry:
    def test_appends_a_correction_naming_the_entry(self) -> None:
        issue = committed()
        issue.correct(2, "Wrong topic recorded", "The topic is mental health", SECRETARIAT,
                      LATER)
        [event] = then_events(issue)
        assert isinstance(event, Issue.Corrected)
        assert (event.entry, event.reason, event.correction) == (
            2, "Wrong topic recorded", "The topic is mental health")

    def test_corrections_change_no_state(self) -> None:
        issue = committed()
        before = dict(vars(issue))
        issue.correct(1, "Typo", "Waiting times (GP)", SECRETARIAT, LATER)
        bookkeeping = ("_version", "_modified_on", "_pending_events", "last_occurred_on")
        after = {k: v for k, v in vars(issue).items() if k not in bookkeeping}
        assert after == {k: v for k, v in before.items() if k in after}

    @pytest.mark.parametrize("entry", [0, -1, 99])
    def test_refuses_an_entry_that_does_not_exist(self, entry: int) -> None:
        with pytest.raises(errors.EntryNotFound) as error:
            submitted().correct(entry, "Why", "What", SECRETARIAT, LATER)
        assert error.value.field == "entry"

    @pytest.mark.parametrize(("reason", "correction", "field"),
                             [("", "What", "reason"), ("Why", "", "correction")])
    def test_refuses_without_a_reason_or_correction(self, reason: str, correction: str,
                                                    field: str) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            submitted().correct(1, reason, correction, SECRETARIAT, LATER)
        assert error.value.field == field

    def test_a_hidden_issue_can_still_be_corrected(self) -> None:
        from tests.unit.domain.builders import hidden

        issue = hidden()
        issue.correct(2, "Reason was wrong", "Spam, not abuse", MODERATOR, LATER)
        assert isinstance(then_events(issue)[0], Issue.Corrected)


class TestEveryEntry:
    def test_carries_the_actor_and_both_dates(self) -> None:
        issue = committed()
        issue.record_progress(1, "delayed", "Late", None, SECRETARIAT, LATER)
        [event] = then_events(issue)
        assert (event.actor_id, event.actor_role) == ("account-1", "secretariat")
        assert event.occurred_on == LATER
        assert event.timestamp.utcoffset() is not None
        assert event.timestamp.date() > LATER  # recorded now, happened in 2015

    def test_never_carries_personal_data_of_the_actor(self) -> None:
        issue = Issue.submit(1, "Title", "", CITIZEN, SUBMITTED_ON)
        [event] = then_events(issue)
        fields = set(vars(event))
        assert not fields & {"name", "email", "ip", "address"}


class TestReplay:
    def test_replaying_the_events_rebuilds_the_same_issue(self) -> None:
        issue = Issue.submit(1, "Waiting times", "Too long", CITIZEN, SUBMITTED_ON)
        issue.support("s-1", CITIZEN, SUBMITTED_ON)
        issue.assign_topic("access", SECRETARIAT, date(2014, 8, 1))
        issue.schedule("london-2014", None, SECRETARIAT, date(2014, 9, 1))
        issue.present("A citizen", SECRETARIAT, date(2014, 9, 18))
        issue.record_discussion("london-2014", "Talk", ["Q"], ["P"], SECRETARIAT,
                                date(2014, 9, 18))
        issue.respond("commit", "Act", "ceo", None, SECRETARIAT, date(2014, 11, 6))
        issue.make_commitment("Do it", "ceo", date(2015, 3, 1), "Done", SECRETARIAT,
                              date(2014, 11, 6))
        issue.move_due_date(1, date(2015, 6, 1), "Late", SECRETARIAT, date(2015, 2, 1))
        issue.deliver_commitment(1, "Done", "https://example.org", SECRETARIAT,
                                 date(2015, 5, 1))
        issue.close("Changed", SECRETARIAT, date(2015, 6, 1))
        issue.correct(3, "Wrong", "Right", SECRETARIAT, date(2015, 6, 2))
        copy = replayed(issue, then_events(issue))
        assert vars(copy) == vars(issue)
        assert copy.version == issue.version == 12
        assert copy.commitments == issue.commitments
