"""Gather: submitting, supporting, moderating and merging issues."""

from __future__ import annotations

from datetime import date

import pytest
from eventsourcing.domain import Snapshot
from eventsourcing.utils import get_topic

from tests.helpers import CITIZEN, MODERATOR, SECRETARIAT
from tests.unit.domain.builders import SUBMITTED_ON, hidden, merged, submitted, then_events
from tracker.domain import errors
from tracker.domain.issue import Issue
from tracker.domain.support import Support

LATER = date(2014, 7, 5)


class TestSubmitIssue:
    def test_records_the_number_title_description_actor_and_day(self) -> None:
        issue = Issue.submit(7, "  Waiting times  ", "Too long", CITIZEN, SUBMITTED_ON)
        [event] = then_events(issue)
        assert isinstance(event, Issue.Submitted)
        assert (event.number, event.title, event.description) == (7, "Waiting times", "Too long")
        assert (event.actor_id, event.actor_role, event.occurred_on) == (
            "public", "citizen", SUBMITTED_ON)
        assert event.timestamp.tzinfo is not None
        assert event.originator_id == Issue.id_for(7)

    @pytest.mark.parametrize("title", ["", "   ", "x" * 201])
    def test_refuses_an_empty_or_overlong_title(self, title: str) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            Issue.submit(1, title, "", CITIZEN, SUBMITTED_ON)
        assert error.value.field == "title"

    def test_refuses_a_number_below_one(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            Issue.submit(0, "Title", "", CITIZEN, SUBMITTED_ON)
        assert error.value.field == "number"

    def test_refuses_a_datetime_where_a_day_is_expected(self) -> None:
        from datetime import datetime

        with pytest.raises(errors.InvalidValue) as error:
            Issue.submit(1, "Title", "", CITIZEN, datetime(2014, 7, 1, 12))  # type: ignore[arg-type]
        assert error.value.field == "occurred_on"

    def test_the_id_derives_from_the_number_alone(self) -> None:
        assert Issue.id_for(12) == Issue.id_for(12) != Issue.id_for(13)


class TestSupportIssue:
    def test_counts_a_new_supporter_and_gives_its_marker(self) -> None:
        issue = submitted()
        marker = issue.support("s-1", CITIZEN, LATER)
        [event] = then_events(issue)
        assert isinstance(event, Issue.Supported)
        assert (event.supporter, event.marked) == ("s-1", True)
        assert issue.supporter_count == 1
        assert issue.legacy_supporters == set()
        assert marker.id == Support.id_for(issue.number, "s-1")
        [given] = marker.collect_events()
        assert isinstance(given, Support.Given) and given.issue_number == issue.number

    def test_a_repeat_gives_a_marker_with_the_same_id_which_the_store_refuses(self) -> None:
        issue = submitted()
        first = issue.support("s-1", CITIZEN, LATER)
        again = issue.support("s-1", CITIZEN, LATER)
        assert first.id == again.id
        assert issue.support("s-2", CITIZEN, LATER).id != first.id

    def test_refuses_a_supporter_recorded_before_markers_existed(self) -> None:
        # A version 1 Supported event (no marker was saved with it) upcasts to marked=False,
        # and the issue remembers that supporter itself.
        issue = submitted()
        legacy = Issue.Supported(
            originator_id=issue.id, originator_version=issue.version + 1,
            timestamp=Issue.Supported.create_timestamp(), actor_id="public",
            actor_role="citizen", occurred_on=LATER, supporter="s-1", marked=False)
        legacy.mutate(issue)
        assert issue.supporter_count == 1
        with pytest.raises(errors.AlreadySupported):
            issue.support("s-1", CITIZEN, LATER)
        assert then_events(issue) == []

    def test_a_version_1_snapshot_keeps_its_supporters_as_legacy(self) -> None:
        issue = submitted()
        issue.support("s-9", CITIZEN, LATER)
        state = Snapshot.take(issue).state
        state.pop("class_version")
        state.pop("supporter_count")
        state.pop("legacy_supporters")
        state["supporters"] = {"s-1", "s-2"}  # how version 1 kept its supporters
        old = Snapshot(originator_id=issue.id, originator_version=issue.version,
                       timestamp=Snapshot.create_timestamp(), topic=get_topic(Issue),
                       state=state)
        restored = old.mutate(None)
        assert restored.supporter_count == 2
        assert restored.legacy_supporters == {"s-1", "s-2"}
        with pytest.raises(errors.AlreadySupported):
            restored.support("s-2", CITIZEN, LATER)

    def test_refuses_support_for_a_hidden_issue(self) -> None:
        with pytest.raises(errors.IssueHidden):
            hidden().support("s-1", CITIZEN, LATER)

    def test_refuses_support_for_a_merged_issue(self) -> None:
        with pytest.raises(errors.IssueMerged):
            merged().support("s-1", CITIZEN, LATER)

    def test_refuses_a_day_before_the_submission(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            submitted().support("s-1", CITIZEN, date(2014, 6, 30))
        assert error.value.field == "occurred_on"


class TestHideAndRestoreIssue:
    def test_hides_with_a_public_reason(self) -> None:
        issue = submitted()
        issue.hide("Abusive language", MODERATOR, LATER)
        [event] = then_events(issue)
        assert isinstance(event, Issue.Hidden)
        assert event.reason == "Abusive language"
        assert event.actor_role == "moderator"
        assert issue.is_hidden

    def test_refuses_hiding_without_a_reason(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            submitted().hide(" ", MODERATOR, LATER)
        assert error.value.field == "reason"

    def test_refuses_hiding_twice(self) -> None:
        with pytest.raises(errors.RuleViolation):
            hidden().hide("Again", MODERATOR, LATER)

    def test_restores_a_hidden_issue_which_then_takes_support(self) -> None:
        issue = hidden()
        issue.restore("Reviewed: acceptable", MODERATOR, LATER)
        issue.support("s-1", CITIZEN, LATER)
        restored, supported = then_events(issue)
        assert isinstance(restored, Issue.Restored)
        assert isinstance(supported, Issue.Supported)

    def test_refuses_restoring_a_visible_issue(self) -> None:
        with pytest.raises(errors.RuleViolation):
            submitted().restore("Why", MODERATOR, LATER)


class TestMergeIssue:
    def test_records_the_issue_it_duplicates(self) -> None:
        issue = submitted(2)
        issue.merge_into(1, "Same as issue 1", MODERATOR, LATER)
        [event] = then_events(issue)
        assert isinstance(event, Issue.Merged)
        assert (event.into, event.reason) == (1, "Same as issue 1")
        assert issue.merged_into == 1

    def test_refuses_merging_into_itself(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            submitted(3).merge_into(3, "Self", MODERATOR, LATER)
        assert error.value.field == "into"

    def test_refuses_merging_twice(self) -> None:
        with pytest.raises(errors.IssueMerged):
            merged().merge_into(3, "Again", MODERATOR, LATER)

    def test_refuses_merging_an_issue_with_open_commitments(self) -> None:
        from tests.unit.domain.builders import committed

        with pytest.raises(errors.RuleViolation):
            committed().merge_into(5, "Duplicate", SECRETARIAT, date(2015, 1, 1))

    def test_a_merged_issue_takes_no_work(self) -> None:
        with pytest.raises(errors.IssueMerged):
            merged().assign_topic("access", SECRETARIAT, LATER)
