"""Someone other than the Board judges delivery: citizens' answers, challenges and their
answers, and independent assessments."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import CITIZEN, SECRETARIAT
from tests.unit.domain.builders import committed, hidden, then_events
from tracker.domain import errors
from tracker.domain.issue import Issue
from tracker.domain.judgement import DeliveryAnswer
from tracker.domain.values import Actor, Role

DELIVERED_ON = date(2015, 5, 1)
AFTER = date(2015, 5, 20)
OVERDUE_DAY = date(2015, 7, 15)  # the builders' commitments are due on 30 June 2015
ASSESSOR = Actor("account-9", Role.ASSESSOR)


def delivered() -> Issue:
    issue = committed()
    issue.deliver_commitment(1, "Done", "Paper 15/05", SECRETARIAT, DELIVERED_ON)
    issue.collect_events()
    return issue


class TestAnswerDelivery:
    def test_records_the_answer_and_returns_a_marker_for_this_person(self) -> None:
        issue = delivered()
        marker = issue.answer_delivery(1, "partly", None, "person-a", CITIZEN, AFTER)
        [event] = then_events(issue)
        assert isinstance(event, Issue.CitizenAnswered)
        assert (event.commitment, event.answer, event.reason, event.challenge) == (
            1, "partly", "", 0)
        assert marker.id == DeliveryAnswer.id_for(issue.number, 1, "person-a")
        assert marker.id != DeliveryAnswer.id_for(issue.number, 1, "person-b")

    def test_takes_an_answer_on_an_overdue_commitment(self) -> None:
        issue = committed()
        issue.answer_delivery(1, "no", None, "person-a", CITIZEN, OVERDUE_DAY)
        assert isinstance(then_events(issue)[0], Issue.CitizenAnswered)

    def test_refuses_a_commitment_neither_delivered_nor_overdue(self) -> None:
        with pytest.raises(errors.RuleViolation) as error:
            committed().answer_delivery(1, "yes", None, "person-a", CITIZEN, AFTER)
        assert error.value.field == "commitment"

    def test_refuses_a_dropped_commitment(self) -> None:
        issue = committed()
        issue.drop_commitment(1, "No money", SECRETARIAT, DELIVERED_ON)
        with pytest.raises(errors.RuleViolation):
            issue.answer_delivery(1, "no", None, "person-a", CITIZEN, OVERDUE_DAY)

    def test_refuses_an_unknown_answer_naming_the_field(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            delivered().answer_delivery(1, "maybe", None, "person-a", CITIZEN, AFTER)
        assert error.value.field == "answer"

    def test_refuses_a_hidden_issue(self) -> None:
        with pytest.raises(errors.IssueHidden):
            hidden().answer_delivery(1, "no", None, "person-a", CITIZEN, AFTER)

    def test_a_no_or_partly_with_a_reason_is_a_numbered_challenge(self) -> None:
        issue = delivered()
        issue.answer_delivery(1, "no", "Never opened", "a", CITIZEN, AFTER)
        issue.answer_delivery(1, "yes", "Saw it", "b", CITIZEN, AFTER)
        issue.answer_delivery(1, "partly", "One of two", "c", CITIZEN, AFTER)
        issue.answer_delivery(1, "no", "  ", "d", CITIZEN, AFTER)
        assert [e.challenge for e in then_events(issue)] == [1, 0, 2, 0]
        assert issue.challenges == (False, False)


class TestAnswerChallenge:
    def test_records_the_answer_once(self) -> None:
        issue = delivered()
        issue.answer_delivery(1, "no", "Never opened", "a", CITIZEN, AFTER)
        issue.collect_events()
        issue.answer_challenge(1, "It opened in May", SECRETARIAT, AFTER)
        [event] = then_events(issue)
        assert (event.challenge, event.answer) == (1, "It opened in May")
        with pytest.raises(errors.RuleViolation) as error:
            issue.answer_challenge(1, "Again", SECRETARIAT, AFTER)
        assert error.value.field == "challenge"

    def test_refuses_a_challenge_that_does_not_exist(self) -> None:
        with pytest.raises(errors.ChallengeNotFound):
            delivered().answer_challenge(1, "Nothing to answer", SECRETARIAT, AFTER)

    def test_marks_only_the_challenge_answered(self) -> None:
        issue = delivered()
        issue.answer_delivery(1, "no", "Never opened", "a", CITIZEN, AFTER)
        issue.answer_delivery(1, "no", "Closed again", "b", CITIZEN, AFTER)
        issue.answer_challenge(2, "It reopens", SECRETARIAT, AFTER)
        assert issue.challenges == (False, True)


class TestAssessCommitment:
    def test_records_grades_reason_and_sources_and_numbers_each(self) -> None:
        issue = delivered()
        issue.assess_commitment(1, "limited", "marginal", "One clinic of two",
                                ["https://example.org/report", "Paper 3"], ASSESSOR, AFTER)
        issue.assess_commitment(1, "complete", "major", "Both open", [], ASSESSOR, AFTER)
        first, second = then_events(issue)
        assert (first.assessment, first.completion, first.outcome) == (1, "limited",
                                                                      "marginal")
        assert first.sources == ("https://example.org/report", "Paper 3")
        assert second.assessment == 2

    @pytest.mark.parametrize(("completion", "outcome", "reason", "field"), [
        ("finished", "major", "Why", "completion"), ("complete", "great", "Why", "outcome"),
        ("complete", "major", " ", "reason")])
    def test_refuses_an_unknown_grade_or_no_reason(self, completion: str, outcome: str,
                                                   reason: str, field: str) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            delivered().assess_commitment(1, completion, outcome, reason, [], ASSESSOR,
                                          AFTER)
        assert error.value.field == field

    def test_refuses_a_source_that_is_a_script(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            delivered().assess_commitment(1, "complete", "major", "Why",
                                          ["javascript:alert(1)"], ASSESSOR, AFTER)
        assert error.value.field == "sources"

    def test_refuses_a_commitment_the_issue_does_not_have(self) -> None:
        with pytest.raises(errors.CommitmentNotFound):
            delivered().assess_commitment(2, "complete", "major", "Why", [], ASSESSOR, AFTER)


def test_an_issue_with_judgements_replays_to_the_same_state() -> None:
    issue = delivered()
    issue.answer_delivery(1, "no", "Never opened", "a", CITIZEN, AFTER)
    issue.answer_challenge(1, "It did", SECRETARIAT, AFTER)
    issue.assess_commitment(1, "complete", "major", "Both open", [], ASSESSOR, AFTER)
    pending = list(issue.collect_events())
    again = delivered()
    for event in pending:
        again = event.mutate(again)
    assert (again.challenges, again.assessments, again.version) == (
        issue.challenges, issue.assessments, issue.version)
