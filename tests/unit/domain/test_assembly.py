"""The assembly: topics, scheduling, presentation and discussion."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import SECRETARIAT
from tests.unit.domain.builders import (
    ASSEMBLY_DAY,
    closed,
    hidden,
    scheduled,
    submitted,
    then_events,
)
from tracker.domain import errors
from tracker.domain.issue import Issue


class TestAssignTopic:
    def test_records_the_topic(self) -> None:
        issue = submitted()
        issue.assign_topic("mental-health", SECRETARIAT, date(2014, 8, 1))
        [event] = then_events(issue)
        assert isinstance(event, Issue.TopicAssigned)
        assert event.topic == "mental-health"

    def test_moves_an_issue_to_another_topic(self) -> None:
        issue = scheduled()
        issue.assign_topic("mental-health", SECRETARIAT, date(2014, 8, 2))
        assert issue.topic == "mental-health"

    def test_refuses_the_topic_it_already_has(self) -> None:
        with pytest.raises(errors.RuleViolation) as error:
            scheduled().assign_topic("access", SECRETARIAT, date(2014, 8, 2))
        assert error.value.field == "topic"

    @pytest.mark.parametrize("slug", ["Mental Health", "-x", "a--b", "", "x" * 81])
    def test_refuses_a_malformed_slug(self, slug: str) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            submitted().assign_topic(slug, SECRETARIAT, date(2014, 8, 1))
        assert error.value.field == "topic"

    def test_refuses_a_hidden_issue(self) -> None:
        with pytest.raises(errors.IssueHidden):
            hidden().assign_topic("access", SECRETARIAT, date(2014, 8, 1))

    def test_refuses_a_closed_issue(self) -> None:
        with pytest.raises(errors.IssueClosed):
            closed().assign_topic("other", SECRETARIAT, date(2015, 1, 1))


class TestScheduleIssue:
    def test_records_the_assembly_and_presenter(self) -> None:
        issue = submitted()
        issue.schedule("london-2014", "A citizen", SECRETARIAT, date(2014, 9, 1))
        [event] = then_events(issue)
        assert isinstance(event, Issue.Scheduled)
        assert (event.assembly, event.presenter) == ("london-2014", "A citizen")

    def test_refuses_the_assembly_it_is_already_scheduled_for(self) -> None:
        with pytest.raises(errors.RuleViolation) as error:
            scheduled().schedule("london-2014", None, SECRETARIAT, date(2014, 9, 2))
        assert error.value.field == "assembly"


class TestRecordPresentation:
    def test_records_the_presentation_at_the_scheduled_assembly(self) -> None:
        issue = scheduled()
        issue.present("A citizen", SECRETARIAT, ASSEMBLY_DAY)
        [event] = then_events(issue)
        assert isinstance(event, Issue.Presented)
        assert event.assembly == "london-2014"

    def test_refuses_an_issue_not_scheduled(self) -> None:
        with pytest.raises(errors.RuleViolation) as error:
            submitted().present(None, SECRETARIAT, ASSEMBLY_DAY)
        assert error.value.field == "assembly"

    def test_refuses_presenting_twice(self) -> None:
        issue = scheduled()
        issue.present(None, SECRETARIAT, ASSEMBLY_DAY)
        with pytest.raises(errors.RuleViolation):
            issue.present(None, SECRETARIAT, ASSEMBLY_DAY)


class TestRecordDiscussion:
    def test_records_summary_questions_and_proposals(self) -> None:
        issue = scheduled()
        issue.record_discussion("london-2014", "Long talk", ["Who decides?"], ["Open later"],
                                SECRETARIAT, ASSEMBLY_DAY)
        [event] = then_events(issue)
        assert isinstance(event, Issue.Discussed)
        assert event.summary == "Long talk"
        assert list(event.key_questions) == ["Who decides?"]
        assert list(event.proposals) == ["Open later"]

    def test_refuses_another_assembly_than_the_scheduled_one(self) -> None:
        with pytest.raises(errors.RuleViolation) as error:
            scheduled().record_discussion("leeds-2015", "Talk", [], [], SECRETARIAT,
                                          ASSEMBLY_DAY)
        assert error.value.field == "assembly"

    def test_refuses_an_issue_not_scheduled(self) -> None:
        with pytest.raises(errors.RuleViolation):
            submitted().record_discussion("london-2014", "Talk", [], [], SECRETARIAT,
                                          ASSEMBLY_DAY)

    def test_refuses_an_empty_summary(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            scheduled().record_discussion("london-2014", "", [], [], SECRETARIAT, ASSEMBLY_DAY)
        assert error.value.field == "summary"

    def test_refuses_an_empty_key_question(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            scheduled().record_discussion("london-2014", "Talk", [" "], [], SECRETARIAT,
                                          ASSEMBLY_DAY)
        assert error.value.field == "key_questions"
