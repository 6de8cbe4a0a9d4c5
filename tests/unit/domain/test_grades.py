"""The Board's response, graded: given a discussed issue, when the Board responds, then the
response is recorded with its grade, or refused naming the field at fault."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import CITIZEN, SECRETARIAT
from tests.unit.domain.builders import BOARD_DAY, committed, discussed, submitted, then_events
from tracker.domain import errors
from tracker.domain.issue import Issue
from tracker.domain.reference import Assembly
from tracker.domain.response import PROMISING, Grade, a_grade
from tracker.domain.status import Clocks, IssueFacts, referral_due, response_due, verdict

LATER = date(2015, 1, 10)
DUE = date(2015, 6, 30)


def responded(grade: str, **given: str | None) -> Issue:
    issue = discussed()
    values: dict[str, str | None] = {"lead": None, "referred_to": None, "reason": None}
    if grade in ("accepted", "accepted_in_part"):
        values["lead"] = "chief-executive"
    if grade == "referred":
        values["referred_to"] = "Healthwatch England"
    if grade == "rejected":
        values["reason"] = "No money this year"
    values.update(given)
    issue.respond(grade, "The Board's answer", values["lead"], values["referred_to"],
                  SECRETARIAT, BOARD_DAY, reason=values["reason"])
    return issue


class TestGradedResponse:
    @pytest.mark.parametrize("grade", [g.value for g in Grade])
    def test_records_every_grade_by_its_key(self, grade: str) -> None:
        [event] = then_events(responded(grade))
        assert isinstance(event, Issue.BoardResponded)
        assert event.grade == grade

    def test_records_a_rejection_with_its_reason(self) -> None:
        [event] = then_events(responded("rejected"))
        assert (event.grade, event.reason, event.summary) == (
            "rejected", "No money this year", "The Board's answer")

    def test_refuses_a_rejection_without_a_reason(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            responded("rejected", reason=" ")
        assert error.value.field == "reason"

    def test_refuses_a_reason_on_anything_but_a_rejection(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            responded("noted", reason="Because")
        assert error.value.field == "reason"

    def test_refuses_a_referral_without_a_body(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            responded("referred", referred_to=None)
        assert error.value.field == "referred_to"

    @pytest.mark.parametrize("grade", ["accepted", "accepted_in_part"])
    def test_refuses_a_promising_grade_without_a_lead(self, grade: str) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            responded(grade, lead=None)
        assert error.value.field == "lead"

    @pytest.mark.parametrize("grade", ["accepted_in_principle", "noted"])
    def test_a_grade_that_promises_nothing_needs_no_lead(self, grade: str) -> None:
        [event] = then_events(responded(grade))
        assert event.lead == ""

    @pytest.mark.parametrize("grade", ["nope", "", "ACCEPTED", None])
    def test_refuses_a_grade_that_is_not_one_of_the_keys(self, grade: str | None) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            discussed().respond(grade, "Hmm", None, None, SECRETARIAT, BOARD_DAY)  # type: ignore[arg-type]
        assert error.value.field == "grade"

    @pytest.mark.parametrize("decision, grade", [
        ("commit", "accepted"), ("decline", "rejected"), ("refer", "referred")])
    def test_takes_part_one_decisions_as_their_grade(self, decision: str, grade: str) -> None:
        issue = discussed()
        issue.respond(decision, "Answer", "chief-executive" if decision == "commit" else None,
                      "Healthwatch England" if decision == "refer" else None, SECRETARIAT,
                      BOARD_DAY)
        [event] = then_events(issue)
        assert event.grade == grade
        assert event.reason == ("Answer" if decision == "decline" else "")

    def test_refuses_a_grade_promising_nothing_while_commitments_are_open(self) -> None:
        with pytest.raises(errors.RuleViolation) as error:
            committed().respond("noted", "On reflection", None, None, SECRETARIAT, LATER)
        assert error.value.field == "grade"


class TestCommitmentsFollowOnlyPromisingGrades:
    @pytest.mark.parametrize("grade", ["accepted", "accepted_in_part"])
    def test_a_promising_grade_allows_commitments(self, grade: str) -> None:
        issue = responded(grade)
        issue.collect_events()
        assert issue.make_commitment("Evening clinics", "chief-executive", DUE, "Open",
                                     SECRETARIAT, BOARD_DAY) == 1

    @pytest.mark.parametrize("grade", ["accepted_in_principle", "noted", "rejected",
                                       "referred"])
    def test_any_other_grade_refuses_commitments(self, grade: str) -> None:
        issue = responded(grade)
        issue.collect_events()
        with pytest.raises(errors.InvalidValue, match="promised nothing") as error:
            issue.make_commitment("Evening clinics", "chief-executive", DUE, "Open",
                                  SECRETARIAT, BOARD_DAY)
        assert error.value.field == "grade"
        assert then_events(issue) == []

    @given(st.lists(st.sampled_from([g.value for g in Grade]), min_size=1, max_size=6))
    def test_only_the_latest_grade_decides_whether_commitments_may_follow(
            self, grades: list[str]) -> None:
        issue = discussed()
        for n, grade in enumerate(grades):
            if n:
                issue.request_revised_response("It misses the point", SECRETARIAT, BOARD_DAY)
            issue.respond(grade, "Answer",
                          "chief-executive" if a_grade(grade) in PROMISING else None,
                          "Healthwatch England" if grade == "referred" else None,
                          SECRETARIAT, BOARD_DAY,
                          reason="Too dear" if grade == "rejected" else None)
        issue.collect_events()
        try:
            issue.make_commitment("Promise", "chief-executive", DUE, "Done", SECRETARIAT,
                                  BOARD_DAY)
        except errors.NothingPromised:
            allowed = False
        else:
            allowed = True
        assert allowed == (grades[-1] in ("accepted", "accepted_in_part"))


class TestResponseOwedBySupport:
    def supported_by(self, count: int) -> Issue:
        issue = submitted()
        for n in range(count):
            issue.support(f"s{n}", CITIZEN, date(2014, 7, 2 + n))
        issue.collect_events()
        return issue

    def test_records_once_when_support_reaches_the_threshold(self) -> None:
        issue = self.supported_by(3)
        assert issue.owe_response_for_support(3, SECRETARIAT, date(2014, 7, 5)) is True
        [event] = then_events(issue)
        assert isinstance(event, Issue.ResponseOwed)
        assert (event.supporters, event.threshold) == (3, 3)
        assert issue.response_owed_on == date(2014, 7, 5)
        assert issue.owe_response_for_support(3, SECRETARIAT, date(2014, 7, 6)) is False
        assert then_events(issue) == []

    def test_records_nothing_below_the_threshold(self) -> None:
        issue = self.supported_by(2)
        assert issue.owe_response_for_support(3, SECRETARIAT, date(2014, 7, 5)) is False
        assert then_events(issue) == []

    def test_refuses_a_threshold_below_one(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            self.supported_by(1).owe_response_for_support(0, SECRETARIAT, date(2014, 7, 5))
        assert error.value.field == "threshold"


class TestResponseClockVerdicts:
    TODAY = date(2015, 3, 1)

    def test_a_response_owed_by_support_is_due_after_the_response_days(self) -> None:
        facts = IssueFacts(response_owed_on=date(2015, 1, 1))
        assert response_due(facts, Clocks(90, 60)) == date(2015, 4, 1)
        assert verdict(facts, self.TODAY) == (
            "Reached the support threshold on 1 January 2015; no Board response yet, due by "
            "1 April 2015")

    def test_the_assembly_day_starts_the_clock_of_a_discussed_issue(self) -> None:
        facts = IssueFacts(discussed_on=date(2014, 9, 20), assembly_held_on=date(2014, 9, 18))
        assert response_due(facts, Clocks(90, 60)) == date(2014, 12, 17)
        assert verdict(facts, self.TODAY) == (
            "No Board response yet: discussed 20 September 2014, overdue by over 2 months")

    def test_a_revised_response_request_restarts_the_clock(self) -> None:
        facts = IssueFacts(discussed_on=date(2014, 9, 18), revision_requested_on=date(2015, 2, 1))
        assert response_due(facts, Clocks(30, 60)) == date(2015, 3, 3)

    def test_no_clock_runs_once_the_board_has_responded(self) -> None:
        facts = IssueFacts(discussed_on=date(2014, 9, 18), grade="noted")
        assert response_due(facts, Clocks()) is None

    def test_an_unanswered_referral_has_its_own_clock(self) -> None:
        facts = IssueFacts(grade="referred", referred_to="Local Healthwatch",
                           responded_on=date(2014, 11, 6))
        assert referral_due(facts, Clocks(90, 60)) == date(2015, 1, 5)
        assert verdict(facts, self.TODAY) == (
            "Referred to Local Healthwatch on 6 November 2014; no answer yet, overdue by "
            "55 days")

    def test_an_answered_referral_says_when(self) -> None:
        facts = IssueFacts(grade="referred", referred_to="Healthwatch England",
                           responded_on=date(2014, 11, 6), referral_answered=True,
                           referral_answered_on=date(2015, 1, 20))
        assert referral_due(facts, Clocks()) is None
        assert verdict(facts, self.TODAY) == (
            "Referred to Healthwatch England on 6 November 2014, who answered on "
            "20 January 2015")

    @pytest.mark.parametrize("grade, sentence", [
        ("accepted", "The Board accepted this; no commitment recorded yet"),
        ("accepted_in_part", "The Board accepted this in part; no commitment recorded yet"),
        ("accepted_in_principle", "The Board accepted this in principle but promised nothing"),
        ("noted", "The Board noted this but promised nothing"),
        ("rejected", "The Board rejected this: Too dear"),
    ])
    def test_each_grade_has_its_verdict(self, grade: str, sentence: str) -> None:
        facts = IssueFacts(discussed_on=date(2014, 9, 18), grade=grade,
                           response_reason="Too dear" if grade == "rejected" else "")
        assert verdict(facts, self.TODAY) == sentence


class TestAnAssemblysOwnResponseDate:
    def test_an_assembly_s_own_response_date_replaces_the_default(self) -> None:
        facts = IssueFacts(discussed_on=date(2014, 9, 18), assembly_held_on=date(2014, 9, 18),
                           assembly_response_due=date(2015, 3, 18))
        assert response_due(facts, Clocks(90, 60)) == date(2015, 3, 18)

    def test_refuses_a_response_date_not_after_the_assembly(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            Assembly.create("leeds", "Leeds", date(2015, 3, 1), "Leeds", SECRETARIAT,
                            date(2015, 3, 1))
        assert error.value.field == "response_due"
