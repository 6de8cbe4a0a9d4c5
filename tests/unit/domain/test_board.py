"""The Board: responses, commitments, progress, due dates, delivery, dropping, referrals."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import SECRETARIAT
from tests.unit.domain.builders import BOARD_DAY, committed, discussed, scheduled, then_events
from tracker.domain import errors
from tracker.domain.commitment import CommitmentStatus
from tracker.domain.issue import Issue

LATER = date(2015, 1, 10)


class TestRecordResponse:
    def test_records_a_decision_to_commit_with_its_lead(self) -> None:
        issue = discussed()
        issue.respond("commit", "We will act", "chief-executive", None, SECRETARIAT, BOARD_DAY)
        [event] = then_events(issue)
        assert isinstance(event, Issue.BoardResponded)
        assert (event.grade, event.lead, event.referred_to) == (
            "accepted", "chief-executive", "")

    def test_refuses_a_decline_without_a_reason(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            discussed().respond("decline", "  ", None, None, SECRETARIAT, BOARD_DAY)
        assert error.value.field == "summary"

    def test_refuses_a_referral_without_a_body(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            discussed().respond("refer", "Ask them", None, None, SECRETARIAT, BOARD_DAY)
        assert error.value.field == "referred_to"

    def test_refuses_a_body_on_anything_but_a_referral(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            discussed().respond("commit", "Act", "ceo", "Healthwatch", SECRETARIAT, BOARD_DAY)
        assert error.value.field == "referred_to"

    def test_refuses_a_commitment_decision_without_a_lead(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            discussed().respond("commit", "Act", None, None, SECRETARIAT, BOARD_DAY)
        assert error.value.field == "lead"

    def test_refuses_an_unknown_grade(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            discussed().respond("maybe", "Hmm", None, None, SECRETARIAT, BOARD_DAY)
        assert error.value.field == "grade"

    def test_refuses_an_issue_not_yet_discussed(self) -> None:
        with pytest.raises(errors.RuleViolation):
            scheduled().respond("decline", "No", None, None, SECRETARIAT, BOARD_DAY)

    def test_refuses_declining_while_commitments_are_open(self) -> None:
        with pytest.raises(errors.RuleViolation) as error:
            committed().respond("decline", "Changed our mind", None, None, SECRETARIAT, LATER)
        assert error.value.field == "grade"



class TestRequestRevisedResponse:
    def test_records_the_reason_and_the_board_owes_a_new_response(self) -> None:
        issue = discussed()
        issue.respond("decline", "Not this year", None, None, SECRETARIAT, BOARD_DAY)
        issue.collect_events()
        issue.request_revised_response("It does not say why", SECRETARIAT, LATER)
        [event] = then_events(issue)
        assert isinstance(event, Issue.RevisedResponseRequested)
        assert (event.reason, event.occurred_on) == ("It does not say why", LATER)
        assert issue.grade is None

    def test_refuses_an_issue_without_a_board_response(self) -> None:
        with pytest.raises(errors.RuleViolation) as error:
            discussed().request_revised_response("Too vague", SECRETARIAT, LATER)
        assert error.value.field == "reason"

    def test_refuses_a_second_request_before_the_new_response(self) -> None:
        issue = committed()
        issue.request_revised_response("Too vague", SECRETARIAT, LATER)
        with pytest.raises(errors.RuleViolation):
            issue.request_revised_response("Still vague", SECRETARIAT, LATER)

    def test_refuses_without_a_reason(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            committed().request_revised_response("  ", SECRETARIAT, LATER)
        assert error.value.field == "reason"

    def test_no_new_commitment_until_the_board_responds_again(self) -> None:
        issue = committed()
        issue.request_revised_response("Too vague", SECRETARIAT, LATER)
        with pytest.raises(errors.RuleViolation):
            issue.make_commitment("More", "chief-executive", date(2015, 6, 30), "Seen",
                                  SECRETARIAT, LATER)
        issue.respond("commit", "Clearer now", "chief-executive", None, SECRETARIAT, LATER)
        issue.make_commitment("More", "chief-executive", date(2015, 6, 30), "Seen",
                              SECRETARIAT, LATER)

class TestMakeCommitment:
    def test_numbers_commitments_within_the_issue(self) -> None:
        issue = committed(1)
        number = issue.make_commitment("Second", "cno", date(2015, 9, 1), "Done", SECRETARIAT,
                                       LATER)
        [event] = then_events(issue)
        assert number == 2
        assert isinstance(event, Issue.CommitmentMade)
        assert (event.commitment, event.owner, event.due) == (2, "cno", date(2015, 9, 1))
        assert issue.commitment(2).status == CommitmentStatus.ON_TRACK

    def test_refuses_without_a_decision_to_commit(self) -> None:
        with pytest.raises(errors.RuleViolation):
            discussed().make_commitment("X", "ceo", date(2015, 1, 1), "Y", SECRETARIAT,
                                        BOARD_DAY)

    def test_refuses_a_due_date_before_the_commitment_was_made(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            committed().make_commitment("X", "ceo", date(2014, 1, 1), "Y", SECRETARIAT,
                                        BOARD_DAY)
        assert error.value.field == "due"

    def test_refuses_a_due_date_that_is_not_a_date(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            committed().make_commitment("X", "ceo", "2015-02-30", "Y",  # type: ignore[arg-type]
                                        SECRETARIAT, BOARD_DAY)
        assert error.value.field == "due"

    @pytest.mark.parametrize(("text", "measure", "field"), [("", "Y", "text"),
                                                            ("X", " ", "measure")])
    def test_refuses_a_missing_text_or_measure(self, text: str, measure: str,
                                               field: str) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            committed().make_commitment(text, "ceo", date(2015, 5, 1), measure, SECRETARIAT,
                                        BOARD_DAY)
        assert error.value.field == field


class TestRecordProgress:
    def test_records_the_status_and_note(self) -> None:
        issue = committed()
        issue.record_progress(1, "at_risk", "Behind plan", None, SECRETARIAT, LATER)
        [event] = then_events(issue)
        assert isinstance(event, Issue.ProgressRecorded)
        assert (event.status, event.note) == ("at_risk", "Behind plan")
        assert issue.commitment(1).status == CommitmentStatus.AT_RISK
        assert issue.commitment(1).last_update_on == LATER

    def test_refuses_a_commitment_that_does_not_exist(self) -> None:
        with pytest.raises(errors.CommitmentNotFound) as error:
            committed().record_progress(2, "on_track", "Fine", None, SECRETARIAT, LATER)
        assert error.value.field == "commitment"

    @pytest.mark.parametrize("status", ["delivered", "dropped", "done", ""])
    def test_refuses_statuses_that_have_their_own_command(self, status: str) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            committed().record_progress(1, status, "Note", None, SECRETARIAT, LATER)
        assert error.value.field == "status"

    def test_refuses_a_delivered_commitment(self) -> None:
        issue = committed()
        issue.deliver_commitment(1, "Done", "https://example.org/x", SECRETARIAT, LATER)
        with pytest.raises(errors.CommitmentSettled):
            issue.record_progress(1, "on_track", "Still", None, SECRETARIAT, LATER)

    def test_refuses_a_dropped_commitment(self) -> None:
        issue = committed()
        issue.drop_commitment(1, "No money", SECRETARIAT, LATER)
        with pytest.raises(errors.CommitmentSettled):
            issue.record_progress(1, "on_track", "Still", None, SECRETARIAT, LATER)

    def test_refuses_an_update_dated_before_the_commitment(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            committed().record_progress(1, "on_track", "Early", None, SECRETARIAT,
                                        date(2014, 10, 1))
        assert error.value.field == "occurred_on"

    def test_refuses_a_script_link_as_evidence(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            committed().record_progress(1, "on_track", "x", "javascript:alert(1)", SECRETARIAT,
                                        LATER)
        assert error.value.field == "evidence"


class TestMoveDueDate:
    def test_moves_the_due_date_with_a_reason(self) -> None:
        issue = committed()
        issue.move_due_date(1, date(2015, 12, 31), "Supplier late", SECRETARIAT, LATER)
        [event] = then_events(issue)
        assert isinstance(event, Issue.DueDateMoved)
        assert (event.new_due, event.reason) == (date(2015, 12, 31), "Supplier late")
        assert issue.commitment(1).due == date(2015, 12, 31)

    def test_refuses_without_a_reason(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            committed().move_due_date(1, date(2015, 12, 31), "", SECRETARIAT, LATER)
        assert error.value.field == "reason"

    def test_refuses_the_same_date(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            committed().move_due_date(1, date(2015, 6, 30), "Why", SECRETARIAT, LATER)
        assert error.value.field == "new_due"

    def test_refuses_a_date_in_the_past_of_the_move(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            committed().move_due_date(1, date(2014, 12, 1), "Why", SECRETARIAT, LATER)
        assert error.value.field == "new_due"

    def test_refuses_something_that_is_not_a_date(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            committed().move_due_date(1, "soon", "Why", SECRETARIAT, LATER)  # type: ignore[arg-type]
        assert error.value.field == "new_due"


class TestDeliverCommitment:
    def test_records_delivery_with_its_evidence(self) -> None:
        issue = committed()
        issue.deliver_commitment(1, "Published", "Board paper 15/07", SECRETARIAT, LATER)
        [event] = then_events(issue)
        assert isinstance(event, Issue.CommitmentDelivered)
        assert event.evidence == "Board paper 15/07"
        assert issue.commitment(1).status == CommitmentStatus.DELIVERED
        assert issue.commitment(1).evidence == "Board paper 15/07"

    @pytest.mark.parametrize("evidence", [None, "", "   "])
    def test_refuses_delivery_without_evidence(self, evidence: str | None) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            committed().deliver_commitment(1, "Done", evidence, SECRETARIAT, LATER)
        assert error.value.field == "evidence"

    def test_refuses_delivering_twice(self) -> None:
        issue = committed()
        issue.deliver_commitment(1, "Done", "https://example.org", SECRETARIAT, LATER)
        with pytest.raises(errors.CommitmentSettled):
            issue.deliver_commitment(1, "Again", "https://example.org", SECRETARIAT, LATER)

    def test_refuses_a_commitment_that_does_not_exist(self) -> None:
        with pytest.raises(errors.CommitmentNotFound):
            committed().deliver_commitment(9, "Done", "https://example.org", SECRETARIAT, LATER)


class TestDropCommitment:
    def test_records_the_reason(self) -> None:
        issue = committed()
        issue.drop_commitment(1, "Funding withdrawn", SECRETARIAT, LATER)
        [event] = then_events(issue)
        assert isinstance(event, Issue.CommitmentDropped)
        assert event.reason == "Funding withdrawn"
        assert issue.commitment(1).status == CommitmentStatus.DROPPED

    def test_refuses_without_a_reason(self) -> None:
        with pytest.raises(errors.InvalidValue) as error:
            committed().drop_commitment(1, "", SECRETARIAT, LATER)
        assert error.value.field == "reason"


class TestAnswerReferral:
    def referred(self) -> Issue:
        issue = discussed()
        issue.respond("refer", "Ask Healthwatch", None, "Healthwatch England", SECRETARIAT,
                      BOARD_DAY)
        issue.collect_events()
        return issue

    def test_records_the_answer_of_the_body_referred_to(self) -> None:
        issue = self.referred()
        issue.answer_referral("They will look into it", SECRETARIAT, LATER)
        [event] = then_events(issue)
        assert isinstance(event, Issue.ReferralAnswered)
        assert (event.body, event.answer) == ("Healthwatch England", "They will look into it")

    def test_refuses_an_issue_not_referred(self) -> None:
        with pytest.raises(errors.RuleViolation):
            committed().answer_referral("Hmm", SECRETARIAT, LATER)

    def test_refuses_a_second_answer(self) -> None:
        issue = self.referred()
        issue.answer_referral("Yes", SECRETARIAT, LATER)
        with pytest.raises(errors.RuleViolation):
            issue.answer_referral("Again", SECRETARIAT, LATER)
