"""The demo data shows every stage and every kind of verdict."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tracker.bootstrap import Tracker
from tracker.demo import ASSEMBLY, load_demo
from tracker.domain.status import Clocks, Stage
from tracker.projections.issues import get_issue, issues
from tracker.projections.report_card import report_card


def test_the_demo_covers_every_stage_and_verdict(tracker: Tracker) -> None:
    load_demo(tracker)
    with tracker.engine.connect() as conn:
        numbers = list(conn.execute(select(issues.c.number)).scalars())
        views = [get_issue(conn, n, date(2026, 1, 1), 60) for n in numbers]
    stages = {v.stage for v in views if v}
    assert stages == {str(s) for s in Stage}
    verdicts = " | ".join(v.verdict for v in views if v)
    for form in ("Yes: ", "Partly: ", "Promised by ", "overdue by", "Promised: ",
                 "The Board rejected this: ", "Referred to Healthwatch England on ",
                 "who answered on", "The Board noted this but promised nothing",
                 "The Board accepted this in principle but promised nothing",
                 "Referred to Local Healthwatch", "no answer yet", "discussed ",
                 "No Board response yet", "Not discussed yet", "Merged into issue",
                 "Hidden by a moderator", "Closed: "):
        assert form in verdicts, form


def test_every_commitment_in_the_demo_is_labelled_illustrative(tracker: Tracker) -> None:
    from tracker.projections.issues import commitments

    load_demo(tracker)
    with tracker.engine.connect() as conn:
        texts = list(conn.execute(select(commitments.c.text)).scalars())
    assert texts and all(t.startswith("Illustrative: ") for t in texts)


def test_the_demo_assembly_s_report_card_shows_every_grade_and_an_overdue_response(
        tracker: Tracker) -> None:
    load_demo(tracker)
    with tracker.engine.connect() as conn:
        card = report_card(conn, ASSEMBLY, date(2026, 1, 1), Clocks())
    assert card is not None
    assert all(count >= 1 for count in card.grades.values()), card.grades
    assert (card.owed, card.owed_overdue) == (2, 2)  # one never answered, one asked again
    assert card.delivered >= 1 and card.on_time >= 1
