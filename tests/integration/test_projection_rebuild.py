"""Random stories: the read models built as events arrive equal a rebuild from zero."""

from __future__ import annotations

import contextlib
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import CITIZEN, MODERATOR, SECRETARIAT, Clock
from tests.integration.test_projector import snapshot_of_read_models
from tracker.bootstrap import bootstrap
from tracker.config import load_settings
from tracker.domain.errors import DomainError
from tracker.projections.issues import get_issue

DAY = date(2015, 1, 1)

steps = st.lists(st.tuples(
    st.sampled_from(["submit", "support", "topic", "schedule", "discuss", "respond", "commit",
                     "progress", "deliver", "drop", "hide", "restore", "close", "correct"]),
    st.integers(1, 3), st.integers(1, 2), st.booleans()), max_size=40)


def apply(app: Any, step: tuple[str, int, int, bool]) -> None:
    name, n, c, flag = step
    commands = {
        "submit": lambda: app.submit_issue(f"Issue <{n}> & co", "Text", CITIZEN, DAY),
        "support": lambda: app.support_issue(n, f"s{c}{flag}", CITIZEN, DAY),
        "topic": lambda: app.assign_topic(n, "access" if flag else "care", SECRETARIAT, DAY),
        "schedule": lambda: app.schedule_issue(n, "london", None, SECRETARIAT, DAY),
        "discuss": lambda: app.record_discussion(n, "london", "Talk", [], [], SECRETARIAT, DAY),
        "respond": lambda: app.record_response(n, "commit" if flag else "decline", "Why",
                                               "ceo", None, SECRETARIAT, DAY),
        "commit": lambda: app.make_commitment(n, "Do it", "ceo",
                                              date(2015, 6, 1) if flag else date(2016, 6, 1),
                                              "Done", SECRETARIAT, DAY),
        "progress": lambda: app.record_progress(n, c, "at_risk", "Slow", None, SECRETARIAT,
                                                DAY),
        "deliver": lambda: app.deliver_commitment(n, c, "Done", "Paper 1", SECRETARIAT, DAY),
        "drop": lambda: app.drop_commitment(n, c, "No money", SECRETARIAT, DAY),
        "hide": lambda: app.hide_issue(n, "Abuse", MODERATOR),
        "restore": lambda: app.restore_issue(n, "Fine", MODERATOR),
        "close": lambda: app.close_issue(n, "Done", SECRETARIAT, DAY),
        "correct": lambda: app.correct_entry(n, c, "Typo", "Fixed", SECRETARIAT),
    }
    # Refused commands record nothing; the story goes on.
    with contextlib.suppress(DomainError):
        commands[name]()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps, st.booleans())
def test_incremental_equals_rebuild_for_any_story(story: list[Any], refresh_often: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clock = Clock(date(2015, 9, 1))
        tracker = bootstrap(load_settings(data_dir=Path(tmp)), clock=clock)
        try:
            app = tracker.app
            app.create_topic("access", "Access", SECRETARIAT)
            app.create_topic("care", "Care", SECRETARIAT)
            app.create_owner("ceo", "Chief Executive", "Board", SECRETARIAT)
            app.create_assembly("london", "Assembly", DAY, "London", SECRETARIAT)
            for step in story:
                apply(app, step)
                if refresh_often:
                    tracker.refresh()
            tracker.refresh()
            incremental = snapshot_of_read_models(tracker)
            tracker.projector.rebuild()
            assert snapshot_of_read_models(tracker) == incremental
        finally:
            tracker.close()


def test_overdue_is_worked_out_against_the_clock_with_no_job_run(tracker: Any, clock: Clock
                                                                  ) -> None:
    app = tracker.app
    app.create_owner("ceo", "Chief Executive", "Board", SECRETARIAT)
    app.create_assembly("london", "Assembly", DAY, "London", SECRETARIAT)
    clock.today = date(2015, 1, 1)
    n = app.submit_issue("Issue", "", CITIZEN, DAY).number
    app.schedule_issue(n, "london", None, SECRETARIAT, DAY)
    app.record_discussion(n, "london", "Talk", [], [], SECRETARIAT, DAY)
    app.record_response(n, "commit", "Yes", "ceo", None, SECRETARIAT, DAY)
    app.make_commitment(n, "Do it", "ceo", date(2015, 3, 1), "Done", SECRETARIAT, DAY)
    tracker.refresh()
    with tracker.engine.connect() as conn:
        before = get_issue(conn, n, date(2015, 3, 1), 60)
        after = get_issue(conn, n, date(2015, 3, 13), 60)
    assert before is not None and after is not None
    assert not before.commitments[0].overdue
    assert before.verdict == "Promised: 1 commitment, next due 1 March 2015"
    assert after.commitments[0].overdue
    assert after.verdict == "Promised, overdue by 12 days"
