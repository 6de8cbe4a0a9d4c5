"""The application on a real store: the same tests on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import CITIZEN, MODERATOR, SECRETARIAT
from tracker.bootstrap import Tracker
from tracker.domain import errors
from tracker.domain.issue import Issue


def _reference(tracker: Tracker) -> None:
    app = tracker.app
    app.create_topic("access", "Access to Services", SECRETARIAT)
    app.create_owner("chief-executive", "Chief Executive", "Board", SECRETARIAT)
    app.create_assembly("london-2014", "Assembly", date(2014, 9, 18), "London", SECRETARIAT)


def _discussed(tracker: Tracker) -> int:
    app = tracker.app
    n = app.submit_issue("Waiting times", "Too long", CITIZEN, date(2014, 7, 1)).number
    app.assign_topic(n, "access", SECRETARIAT, date(2014, 8, 1))
    app.schedule_issue(n, "london-2014", None, SECRETARIAT, date(2014, 9, 1))
    app.record_discussion(n, "london-2014", "Talk", [], [], SECRETARIAT, date(2014, 9, 18))
    return n


def _position(tracker: Tracker) -> int:
    return tracker.app.recorder.max_notification_id() or 0


class TestCommands:
    def test_the_whole_story_is_stored_and_reloaded(self, any_tracker: Tracker) -> None:
        app = any_tracker.app
        _reference(any_tracker)
        n = _discussed(any_tracker)
        app.record_response(n, "commit", "Act", "chief-executive", None, SECRETARIAT,
                            date(2014, 11, 6))
        made = app.make_commitment(n, "Publish hours", "chief-executive", date(2015, 3, 1),
                                   "Published", SECRETARIAT, date(2014, 11, 6))
        assert made.commitment == 1
        app.record_progress(n, 1, "at_risk", "Slow", None, SECRETARIAT, date(2015, 1, 1))
        app.move_due_date(n, 1, date(2015, 6, 1), "Late data", SECRETARIAT, date(2015, 2, 1))
        app.deliver_commitment(n, 1, "Done", "https://example.org/x", SECRETARIAT,
                               date(2015, 5, 1))
        app.close_issue(n, "Hours published", SECRETARIAT, date(2015, 6, 1))
        app.reopen_issue(n, "Hours withdrawn", SECRETARIAT, date(2015, 7, 1))
        outcome = app.correct_entry(n, 5, "Wrong summary", "Right summary", SECRETARIAT)
        issue = app.load_issue(n)
        assert issue.version == outcome.version == 12
        assert issue.commitment(1).evidence == "https://example.org/x"
        assert not issue.is_closed
        assert outcome.position == _position(any_tracker)

    def test_numbers_are_one_two_three(self, any_tracker: Tracker) -> None:
        numbers = [any_tracker.app.submit_issue(f"Issue {i}", "", CITIZEN).number
                   for i in range(5)]
        assert numbers == [1, 2, 3, 4, 5]
        assert any_tracker.app.last_issue_number() == 5

    def test_moderation_and_merging(self, any_tracker: Tracker) -> None:
        app = any_tracker.app
        first = app.submit_issue("One", "", CITIZEN).number
        second = app.submit_issue("Two", "", CITIZEN).number
        app.hide_issue(second, "Spam", MODERATOR)
        with pytest.raises(errors.IssueHidden):
            app.support_issue(second, "s-1", CITIZEN)
        app.restore_issue(second, "Not spam", MODERATOR)
        app.merge_issue(second, first, "Duplicate", MODERATOR)
        assert app.load_issue(second).merged_into == first

    def test_referral_and_its_answer(self, any_tracker: Tracker) -> None:
        _reference(any_tracker)
        n = _discussed(any_tracker)
        any_tracker.app.record_response(n, "refer", "Ask them", None, "Healthwatch England",
                                        SECRETARIAT, date(2014, 11, 6))
        any_tracker.app.answer_referral(n, "Answered", SECRETARIAT, date(2015, 1, 1))
        assert any_tracker.app.load_issue(n).referral_answered


class TestNothingIsStoredOnError:
    def test_a_rule_violation(self, any_tracker: Tracker) -> None:
        n = any_tracker.app.submit_issue("One", "", CITIZEN).number
        before = _position(any_tracker)
        with pytest.raises(errors.RuleViolation):
            any_tracker.app.record_presentation(n, None, SECRETARIAT)
        assert _position(any_tracker) == before

    @pytest.mark.parametrize(("call", "error", "field"), [
        (lambda app, n: app.assign_topic(n, "nowhere", SECRETARIAT), errors.TopicNotFound,
         "topic"),
        (lambda app, n: app.schedule_issue(n, "nowhere", None, SECRETARIAT),
         errors.AssemblyNotFound, "assembly"),
        (lambda app, n: app.support_issue(99, "s", CITIZEN), errors.IssueNotFound, "number"),
        (lambda app, n: app.merge_issue(n, 99, "dup", MODERATOR), errors.IssueNotFound,
         "number"),
        (lambda app, n: app.hide_issue(n, "Spam", CITIZEN), errors.NotPermitted, None),
        (lambda app, n: app.assign_topic(n, "access", MODERATOR), errors.NotPermitted, None),
        (lambda app, n: app.support_issue(n, "s", CITIZEN, date(2099, 1, 1)),
         errors.InvalidValue, "occurred_on"),
    ])
    def test_unknown_references_wrong_roles_and_bad_dates(self, any_tracker: Tracker, call,
                                                          error, field) -> None:  # type: ignore[no-untyped-def]
        n = any_tracker.app.submit_issue("One", "", CITIZEN).number
        before = _position(any_tracker)
        with pytest.raises(error) as raised:
            call(any_tracker.app, n)
        assert raised.value.field == field
        assert _position(any_tracker) == before

    def test_a_slug_is_created_once(self, any_tracker: Tracker) -> None:
        any_tracker.app.create_topic("access", "Access", SECRETARIAT)
        before = _position(any_tracker)
        with pytest.raises(errors.AlreadyExists):
            any_tracker.app.create_topic("access", "Again", SECRETARIAT)
        assert _position(any_tracker) == before


class TestExpectedVersion:
    def test_a_current_version_is_accepted(self, any_tracker: Tracker) -> None:
        n = any_tracker.app.submit_issue("One", "", CITIZEN).number
        outcome = any_tracker.app.hide_issue(n, "Spam", MODERATOR, expected_version=1)
        assert outcome.version == 2

    def test_a_stale_version_is_refused_and_nothing_is_stored(self, any_tracker: Tracker) -> None:
        app = any_tracker.app
        n = app.submit_issue("One", "", CITIZEN).number
        app.support_issue(n, "s-1", CITIZEN)
        before = _position(any_tracker)
        with pytest.raises(errors.StaleVersion) as raised:
            app.hide_issue(n, "Spam", MODERATOR, expected_version=1)
        assert raised.value.current_version == 2
        assert _position(any_tracker) == before


class TestPersistence:
    def test_snapshots_keep_a_long_lived_issue_cheap_to_load(self, any_tracker: Tracker) -> None:
        app = any_tracker.app
        n = app.submit_issue("Popular", "", CITIZEN, date(2014, 7, 1)).number
        for i in range(120):
            app.support_issue(n, f"s-{i}", CITIZEN)
        snapshots = list(app.snapshots.get(Issue.id_for(n)))  # type: ignore[union-attr]
        assert [s.originator_version for s in snapshots] == [50, 100]
        issue = app.load_issue(n)
        # 1 submission, 120 supports, and the response owed at the 100th
        assert issue.version == 122
        assert issue.response_owed_on is not None
        assert issue.supporter_count == 120
        # The snapshot holds a count, not the supporters: it stays the same size however
        # popular the issue becomes.
        assert "supporters" not in snapshots[-1].state
        assert snapshots[-1].state["legacy_supporters"] == set()

    def test_a_supporter_counts_once_even_after_snapshots(self, any_tracker: Tracker) -> None:
        app = any_tracker.app
        n = app.submit_issue("Popular", "", CITIZEN, date(2014, 7, 1)).number
        for i in range(60):
            app.support_issue(n, f"s-{i}", CITIZEN)
        before = _position(any_tracker)
        with pytest.raises(errors.AlreadySupported):
            app.support_issue(n, "s-3", CITIZEN)
        assert app.load_issue(n).supporter_count == 60
        assert _position(any_tracker) == before
        other = app.submit_issue("Other", "", CITIZEN, date(2014, 7, 1)).number
        app.support_issue(other, "s-3", CITIZEN)  # the same supporter, another issue

    def test_everything_survives_a_restart(self, any_tracker: Tracker, make_tracker) -> None:  # type: ignore[no-untyped-def]
        n = any_tracker.app.submit_issue("Kept", "", CITIZEN).number
        any_tracker.app.support_issue(n, "s-1", CITIZEN)
        schema = any_tracker.settings.database_schema
        any_tracker.close()
        backend = "postgres" if any_tracker.settings.is_postgres else "sqlite"
        again = make_tracker(backend, schema=schema) if backend == "postgres" else make_tracker()
        assert again.app.load_issue(n).supporter_count == 1
        with pytest.raises(errors.AlreadySupported):
            again.app.support_issue(n, "s-1", CITIZEN)
        assert again.app.submit_issue("Next", "", CITIZEN).number == n + 1
