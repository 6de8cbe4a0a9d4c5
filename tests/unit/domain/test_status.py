"""Stage and verdict: derived from facts, and (for the verdict) from today's date."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.status import CommitmentFacts, IssueFacts, Stage, derive_stage, verdict

TODAY = date(2015, 7, 12)
DISCUSSED = date(2015, 5, 26)


def commitment(status: str = "on_track", due: date = date(2015, 12, 31),
               updated: date | None = None) -> CommitmentFacts:
    return CommitmentFacts(status=status, due=due, made_on=date(2015, 6, 1),
                           last_update_on=updated)


def committed(*commitments: CommitmentFacts) -> IssueFacts:
    return IssueFacts(topic="access", discussed_on=DISCUSSED, grade="accepted",
                      responded_on=date(2015, 6, 1), commitments=commitments)


class TestStage:
    @pytest.mark.parametrize(("facts", "stage"), [
        (IssueFacts(), Stage.SUBMITTED),
        (IssueFacts(topic="access"), Stage.UNDER_CONSIDERATION),
        (IssueFacts(assembly="london-2014"), Stage.UNDER_CONSIDERATION),
        (IssueFacts(discussed_on=DISCUSSED), Stage.DISCUSSED),
        (IssueFacts(discussed_on=DISCUSSED, grade="accepted"), Stage.RESPONDED),
        (IssueFacts(discussed_on=DISCUSSED, grade="referred"), Stage.RESPONDED),
        (IssueFacts(discussed_on=DISCUSSED, grade="rejected"), Stage.NOT_TAKEN_FORWARD),
        (committed(commitment()), Stage.IN_PROGRESS),
        (committed(commitment("delivered"), commitment("delivered")), Stage.DELIVERED),
        (committed(commitment("delivered"), commitment("dropped")), Stage.PARTLY_DELIVERED),
        (committed(commitment("dropped")), Stage.NOT_TAKEN_FORWARD),
        (committed(commitment("no_public_evidence")), Stage.IN_PROGRESS),
        (IssueFacts(outcome="Nothing more to do"), Stage.CLOSED),
        (IssueFacts(merged_into=3, topic="x"), Stage.MERGED),
        (IssueFacts(hidden_reason="Spam", merged_into=3), Stage.HIDDEN),
    ])
    def test_every_stage(self, facts: IssueFacts, stage: Stage) -> None:
        assert derive_stage(facts) == stage


class TestVerdict:
    @pytest.mark.parametrize(("facts", "sentence"), [
        (IssueFacts(), "Not discussed yet"),
        (IssueFacts(discussed_on=DISCUSSED),
         "No Board response yet: discussed 26 May 2015, due by 24 August 2015"),
        (IssueFacts(discussed_on=date(2015, 7, 11)),
         "No Board response yet: discussed 11 July 2015, due by 9 October 2015"),
        (IssueFacts(discussed_on=DISCUSSED, grade="accepted"),
         "The Board accepted this; no commitment recorded yet"),
        (IssueFacts(grade="rejected", response_summary="No money this year"),
         "The Board rejected this: No money this year"),
        (IssueFacts(grade="referred", referred_to="Healthwatch England",
                    responded_on=date(2015, 6, 12)),
         "Referred to Healthwatch England on 12 June 2015; no answer yet, due by 11 August 2015"),
        (IssueFacts(grade="referred", referred_to="Healthwatch England",
                    referral_answered=True),
         "Referred to Healthwatch England, who answered"),
        (committed(commitment("delivered"), commitment("delivered")),
         "Yes: 2 of 2 commitments delivered"),
        (committed(commitment("delivered")), "Yes: 1 of 1 commitment delivered"),
        (committed(commitment("delivered"), commitment("dropped")),
         "Partly: 1 of 2 commitments delivered; 1 dropped"),
        (committed(commitment(due=date(2015, 6, 30))),
         "Promised by 30 June 2015; overdue by 12 days"),
        (committed(commitment(due=date(2015, 6, 30)), commitment(due=date(2015, 7, 1))),
         "Promised: 2 of 2 commitments overdue; the oldest due 30 June 2015 (overdue by 12 "
         "days)"),
        (committed(commitment("delivered"), commitment(due=date(2015, 7, 11))),
         "Partly: 1 of 2 commitments delivered; 1 overdue, due 11 July 2015 (overdue by 1 "
         "day)"),
        (committed(commitment("delivered"), commitment()),
         "Partly: 1 of 2 commitments delivered"),
        (committed(commitment(updated=date(2015, 7, 1))),
         "Promised: 1 commitment, next due 31 December 2015"),
        (committed(CommitmentFacts("on_track", date(2015, 12, 31), date(2015, 4, 1)),
                   commitment(due=date(2015, 11, 6), updated=date(2015, 7, 1))),
         "Promised: 2 commitments, next due 6 November 2015; no update since 1 April 2015"),
        (committed(commitment("dropped"), commitment("dropped")),
         "Not taken forward: 2 commitments dropped"),
        (committed(commitment("no_public_evidence", due=date(2015, 7, 1))),
         "Promised by 1 July 2015; overdue by 11 days"),
        (IssueFacts(outcome="Hours now published"), "Closed: Hours now published"),
        (IssueFacts(merged_into=4), "Merged into issue 4"),
        (IssueFacts(hidden_reason="Abusive", merged_into=4), "Hidden by a moderator: Abusive"),
    ])
    def test_every_sentence(self, facts: IssueFacts, sentence: str) -> None:
        assert verdict(facts, TODAY, silent_days=60) == sentence

    def test_a_revised_response_requested_is_owed_until_the_board_answers(self) -> None:
        owed = IssueFacts(topic="access", discussed_on=DISCUSSED, grade=None,
                          responded_on=date(2015, 6, 1),
                          revision_requested_on=date(2015, 6, 20))
        assert verdict(owed, TODAY) == ("The Board was asked for a revised response on "
                                        "20 June 2015; none yet, due by 18 September 2015")
        assert derive_stage(owed) == Stage.DISCUSSED

    def test_delivered_is_never_claimed_without_delivery(self) -> None:
        facts = committed(commitment("no_public_evidence"))
        assert not verdict(facts, TODAY).startswith("Yes")

    def test_the_same_facts_read_differently_as_days_pass(self) -> None:
        facts = committed(commitment(due=date(2015, 7, 20), updated=date(2015, 7, 1)))
        assert verdict(facts, TODAY).startswith("Promised: 1 commitment")
        assert verdict(facts, date(2015, 7, 25)) == "Promised by 20 July 2015; overdue by 5 days"

    def test_long_delays_are_said_in_months_and_years(self) -> None:
        facts = committed(commitment(due=date(2015, 6, 30)))
        assert verdict(facts, date(2026, 11, 30)) == (
            "Promised by 30 June 2015; overdue by over 11 years")
        assert verdict(facts, date(2015, 10, 1)) == (
            "Promised by 30 June 2015; overdue by over 3 months")
