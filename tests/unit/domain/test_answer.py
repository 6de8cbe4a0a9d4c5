"""The answer per assembly and the words it is made of."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.answer import (
    OUTCOMES,
    AssemblyAnswer,
    Judged,
    OnTime,
    Promises,
    answer_sentence,
    on_time_sentence,
)
from tracker.domain.wording import count, duration, listing

TODAY = date(2026, 11, 30)
DEMO = AssemblyAnswer(
    slug="london-2014", title="First test assembly with the Board", place="London",
    held_on=date(2014, 9, 18),
    outcomes={**dict.fromkeys(OUTCOMES, 0), "promised": 6, "declined": 1, "referred": 2,
              "closed": 1, "unanswered": 1, "not_discussed": 1},
    promises=Promises(kept=4, dropped=1, overdue=3, open=1,
                      oldest_overdue_due=date(2015, 6, 30)))


def _numbers(text: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", text)]


class TestAnswerSentence:
    def test_says_where_when_and_each_outcome_of_the_demo_assembly(self) -> None:
        assert answer_sentence(DEMO, TODAY) == (
            "At the London assembly on 18 September 2014, citizens raised 12 issues. The "
            "Board made 9 promises on 6 of them: 4 kept, 1 dropped, 3 overdue (the oldest by "
            "over 11 years) and 1 open. It declined 1, referred 2 to other bodies, closed 1 "
            "without a promise and has not answered 1. 1 has not been discussed yet.")

    def test_an_assembly_with_no_issues_says_so(self) -> None:
        empty = AssemblyAnswer("x", "X", "Leeds", date(2020, 1, 2),
                               dict.fromkeys(OUTCOMES, 0))
        assert answer_sentence(empty, TODAY) == (
            "At the Leeds assembly on 2 January 2020, no issues raised by citizens have been "
            "recorded yet.")

    def test_an_assembly_still_to_come_lists_its_agenda(self) -> None:
        coming = AssemblyAnswer("x", "X", "Leeds", date(2027, 3, 1),
                                {**dict.fromkeys(OUTCOMES, 0), "not_discussed": 3})
        assert answer_sentence(coming, TODAY) == (
            "The Leeds assembly is on 1 March 2027; 3 issues are on its agenda.")

    def test_uses_thousands_separators(self) -> None:
        big = AssemblyAnswer("x", "X", "", date(2020, 1, 2),
                             {**dict.fromkeys(OUTCOMES, 0), "unanswered": 1234})
        assert "citizens raised 1,234 issues" in answer_sentence(big, TODAY)
        assert "has not answered 1,234" in answer_sentence(big, TODAY)

    @given(outcomes=st.fixed_dictionaries({k: st.integers(0, 3000) for k in OUTCOMES}),
           states=st.tuples(*(st.integers(0, 3000) for _ in range(4))))
    def test_the_counts_add_up_to_the_issues_raised_and_the_promises_made(
            self, outcomes: dict[str, int], states: tuple[int, int, int, int]) -> None:
        kept, dropped, overdue, still_open = states
        if outcomes["promised"] == 0:
            kept = dropped = overdue = still_open = 0  # no promise without a promised issue
        elif kept + dropped + overdue + still_open == 0:
            kept = 1
        answer = AssemblyAnswer(
            "x", "X", "York", date(2014, 9, 18), outcomes,
            Promises(kept, dropped, overdue, still_open,
                     date(2015, 1, 1) if overdue else None))
        text = answer_sentence(answer, TODAY)
        head, _, rest = text.partition(". ")
        if not answer.raised:
            return
        assert _numbers(head)[-1] == answer.raised
        promised = 0
        made = re.search(r"The Board made ([\d,]+) promises? on (it|all of them|([\d,]+) "
                         r"of them): ([^.]*)\. ?", rest)
        if answer.promises.made:
            assert made is not None
            assert _numbers(made.group(1)) == [answer.promises.made]
            states_said = re.sub(r"\((the oldest )?by [^)]*\)", "", made.group(4))
            assert sum(_numbers(states_said)) == answer.promises.made
            promised = {"it": 1, "all of them": answer.raised}.get(
                made.group(2)) or _numbers(made.group(3))[0]
            rest = rest.replace(made.group(0), "")
        else:
            assert made is None
        assert promised + sum(_numbers(rest)) == answer.raised


class TestOnTime:
    def test_counts_overdue_promises_against_the_share(self) -> None:
        assert on_time_sentence(OnTime(due=8, on_time=4)) == (
            "8 promises were due by today; 4 of them were delivered on time (50%).")

    def test_nothing_due_yet(self) -> None:
        assert on_time_sentence(OnTime()) == "No promise is due yet."

    @given(due=st.integers(1, 10_000), data=st.data())
    def test_the_share_is_the_delivered_on_time_over_all_due(self, due: int,
                                                           data: st.DataObject) -> None:
        on_time = data.draw(st.integers(0, due))
        figure = OnTime(due=due, on_time=on_time)
        assert figure.share == on_time / due
        if due > 1:
            assert f"({round(100 * on_time / due)}%)" in on_time_sentence(figure)


class TestWording:
    def test_short_durations_are_days(self) -> None:
        assert duration(date(2015, 1, 1), date(2015, 1, 2)) == "1 day"
        assert duration(date(2015, 1, 1), date(2015, 3, 2)) == "60 days"

    def test_longer_durations_are_months_or_years_in_words(self) -> None:
        assert duration(date(2015, 1, 1), date(2015, 4, 1)) == "3 months"
        assert duration(date(2015, 1, 1), date(2015, 4, 5)) == "over 3 months"
        assert duration(date(2015, 6, 30), date(2026, 11, 30)) == "over 11 years"
        assert duration(date(2015, 1, 31), date(2016, 1, 31)) == "1 year"

    def test_counts_have_thousands_separators_and_plurals(self) -> None:
        assert count(1, "issue") == "1 issue"
        assert count(12_345, "issue") == "12,345 issues"

    def test_lists_join_with_and(self) -> None:
        assert listing(["a"]) == "a"
        assert listing(["a", "b", "c"]) == "a, b and c"


def test_the_api_knows_every_outcome_key() -> None:
    from typing import get_args

    from tracker.web.routes.api_issues import Outcome

    assert set(get_args(Outcome)) == set(OUTCOMES)


class TestJudged:
    """What others than the Board said of an assembly, as the home page says it."""

    def test_says_nothing_when_nobody_judged_anything(self) -> None:
        assert Judged().said() == []

    def test_a_delivered_promise_nobody_answered_or_graded(self) -> None:
        assert Judged(delivered=1).said() == [
            ("Citizens say", "No one has answered yet about the 1 promise the Board says it "
                             "delivered"),
            ("The assessor says", "It has not graded it yet")]

    def test_counts_add_up_and_a_single_score_is_not_an_average(self) -> None:
        said = dict(Judged(delivered=5, citizens_confirmed=2, citizens_disputed=3,
                           assessed=5, assessor_confirmed=0,
                           panel_held_on=date(2026, 3, 1), panel_scored=1,
                           panel_average=7.0).said())
        assert said == {
            "Citizens say": "Of the 5 promises the Board says it delivered, citizens "
                            "confirmed 2 and disputed 3",
            "The assessor says": "It graded 5 of them: 0 complete or with substantial "
                                 "progress, 5 with less",
            "The reconvened panel says": "On 1 March 2026 it scored the Board's response 7 "
                                         "out of 10"}

    def test_a_panel_without_delivered_promises_is_still_said(self) -> None:
        assert Judged(panel_held_on=date(2026, 3, 1), panel_scored=2,
                      panel_average=5.5).said() == [
            ("The reconvened panel says", "On 1 March 2026 it scored the Board's 2 responses "
                                          "5.5 out of 10 on average")]
