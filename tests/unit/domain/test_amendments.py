"""Amendments: a commitment's text, owner, due date or measure changed with a reason, the
value before and after kept, nothing earlier rewritten."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import SECRETARIAT
from tests.unit.domain.builders import BOARD_DAY, committed, hidden, then_events
from tracker.domain import errors
from tracker.domain.issue import Issue

LATER = date(2015, 1, 10)


class TestAmendCommitment:
    def test_records_the_owner_before_and_after_and_the_issue_follows_it(self) -> None:
        issue = committed()
        issue.amend_commitment(1, "owner", "director-of-finance", "Moved to finance",
                               SECRETARIAT, LATER)
        [event] = then_events(issue)
        assert isinstance(event, Issue.CommitmentAmended)
        assert (event.commitment, event.field, event.before, event.after, event.reason) == (
            1, "owner", "chief-executive", "director-of-finance", "Moved to finance")
        assert issue.commitment(1).owner == "director-of-finance"

    def test_a_due_date_is_kept_as_a_date_and_replays_to_the_same_commitment(self) -> None:
        issue = committed()
        issue.amend_commitment(1, "due", "2015-09-30", "Board agreed more time",
                               SECRETARIAT, LATER)
        [event] = then_events(issue)
        assert (event.before, event.after) == ("2015-06-30", "2015-09-30")
        again = committed()
        event.mutate(again)
        assert again.commitment(1).due == date(2015, 9, 30) == issue.commitment(1).due

    def test_the_text_and_measure_can_be_amended(self) -> None:
        issue = committed()
        issue.amend_commitment(1, "text", "Promise, restated", "Clearer", SECRETARIAT, LATER)
        issue.amend_commitment(1, "measure", "Seen by all", "Clearer", SECRETARIAT, LATER)
        assert (issue.commitment(1).text, issue.commitment(1).measure) == (
            "Promise, restated", "Seen by all")

    def test_the_entry_that_made_the_commitment_is_not_rewritten(self) -> None:
        issue = committed()
        made = [e for e in issue.collect_events()]
        issue.amend_commitment(1, "text", "Something else", "Clearer", SECRETARIAT, LATER)
        assert made == []  # committed() collected them; an amendment appends, never edits
        assert [type(e) for e in then_events(issue)] == [Issue.CommitmentAmended]

    @pytest.mark.parametrize(("field", "value", "at_fault"), [
        ("status", "delivered", "field"),
        ("owner", "Not A Slug", "value"),
        ("due", "31/02/2015", "value"),
        ("due", "2014-01-01", "value"),
        ("owner", "chief-executive", "value"),
        ("text", "   ", "value"),
    ])
    def test_refuses_what_is_not_an_amendment(self, field: str, value: str,
                                               at_fault: str) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            committed().amend_commitment(1, field, value, "Why", SECRETARIAT, LATER)
        assert error.value.field == at_fault

    def test_refuses_an_amendment_without_a_reason(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            committed().amend_commitment(1, "text", "New", " ", SECRETARIAT, LATER)
        assert error.value.field == "reason"

    def test_refuses_an_amendment_dated_before_the_commitment(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            committed().amend_commitment(1, "text", "New", "Why", SECRETARIAT,
                                         BOARD_DAY.replace(day=1))
        assert error.value.field == "occurred_on"

    def test_refuses_an_unknown_commitment(self) -> None:
        with pytest.raises(errors.CommitmentNotFound):
            committed().amend_commitment(2, "text", "New", "Why", SECRETARIAT, LATER)

    def test_refuses_an_amendment_of_a_hidden_issue(self) -> None:
        with pytest.raises(errors.IssueHidden):
            hidden().amend_commitment(1, "text", "New", "Why", SECRETARIAT, LATER)
