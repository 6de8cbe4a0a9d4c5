"""Random stories: the read models built as events arrive equal a rebuild from zero."""

from __future__ import annotations

import contextlib
import itertools
import tempfile
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import POSTGRES_URL, _drop_schema, require_postgres
from tests.helpers import CITIZEN, MODERATOR, SECRETARIAT, Clock
from tests.integration.test_projector import snapshot_of_read_models
from tracker.bootstrap import bootstrap
from tracker.config import load_settings
from tracker.domain.errors import DomainError
from tracker.projections.issues import get_issue

DAY = date(2015, 1, 1)
_words = itertools.count(1)  # each title its own words, to look for them in the read models

steps = st.lists(st.tuples(
    st.sampled_from(["submit", "support", "topic", "schedule", "discuss", "respond", "commit",
                     "progress", "deliver", "drop", "hide", "restore", "close", "correct",
                     "reopen", "merge", "grade", "revise", "answer"]),
    st.integers(1, 3), st.integers(1, 2), st.booleans()), max_size=40)


# Every grade but accepted (taken by "respond" as part one's commit): by (c, flag).
GRADES = {(1, True): "accepted_in_part", (1, False): "noted", (2, True): "referred",
          (2, False): "rejected"}


def apply(app: Any, step: tuple[str, int, int, bool]) -> None:
    name, n, c, flag = step
    commands = {
        "submit": lambda: app.submit_issue(f"Issue <{n}> & co {next(_words)}", "Text",
                                           CITIZEN, DAY),
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
        "reopen": lambda: app.reopen_issue(n, "Again", SECRETARIAT),
        "merge": lambda: app.merge_issue(n, c, "Same", SECRETARIAT),
        "grade": lambda: app.record_response(
            n, GRADES[(c, flag)], "Answer", "ceo" if c == 1 and flag else None,
            "Local Healthwatch" if (c, flag) == (2, True) else None, SECRETARIAT, DAY,
            reason="Too dear" if (c, flag) == (2, False) else None),
        "revise": lambda: app.request_revised_response(n, "Misses the point", SECRETARIAT,
                                                       DAY),
        "answer": lambda: app.answer_referral(n, "We will look", SECRETARIAT, DAY),
    }
    # Refused commands record nothing; the story goes on.
    with contextlib.suppress(DomainError):
        commands[name]()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres",
                                                              marks=pytest.mark.postgres)])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(story=steps, refresh_often=st.booleans())
# Always tried: an issue submitted and supported within one batch (the rebuild) and across
# batches (refresh_often), and one whose topic arrives in the batch that created it.
@example(story=[("submit", 1, 1, True), ("support", 1, 1, True), ("support", 1, 2, False)],
         refresh_often=True)
@example(story=[("submit", 1, 1, True), ("support", 1, 1, True), ("topic", 1, 1, True),
                ("support", 1, 2, True), ("schedule", 1, 1, True)], refresh_often=True)
# And the Board's story: each grade, a revised response request, a referral answered.
@example(story=[("submit", 1, 1, True), ("schedule", 1, 1, True), ("discuss", 1, 1, True),
                ("grade", 1, 2, True), ("answer", 1, 1, True), ("revise", 1, 1, True),
                ("grade", 1, 1, False), ("revise", 1, 1, True), ("grade", 1, 2, False),
                ("revise", 1, 1, True), ("grade", 1, 1, True), ("commit", 1, 1, True),
                ("hide", 1, 1, True), ("restore", 1, 1, True)], refresh_often=False)
def test_incremental_equals_rebuild_for_any_story(backend: str, story: list[Any],
                                                  refresh_often: bool) -> None:
    # PostgreSQL writes a batch's entries with COPY and SQLite with executemany; both must
    # build the same read models one event at a time (refresh_often) and all at once.
    schema = f"story_{uuid.uuid4().hex[:10]}"
    if backend == "postgres":
        require_postgres()
        settings_ = load_settings(database_url=POSTGRES_URL, database_schema=schema)
    with tempfile.TemporaryDirectory() as tmp:
        clock = Clock(date(2015, 9, 1))
        if backend == "sqlite":
            settings_ = load_settings(data_dir=Path(tmp))
        tracker = bootstrap(settings_, clock=clock)
        try:
            app = tracker.app
            app.response_threshold = 2  # so that stories reach it, and record ResponseOwed
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
            _assert_hidden_words_withheld(tracker, incremental)
            tracker.projector.rebuild()
            assert snapshot_of_read_models(tracker) == incremental
        finally:
            tracker.close()
            if backend == "postgres":
                _drop_schema(schema)


def _assert_hidden_words_withheld(tracker: Any, snapshot: dict[str, list[Any]]) -> None:
    """No public row holds a hidden issue's title; a visible issue's title is shown."""
    public = {name: rows for name, rows in snapshot.items()
              if name in ("issue_status", "commitment_status", "timeline_entries")}
    for n in range(1, tracker.app.last_issue_number() + 1):
        issue = tracker.app.load_issue(n)
        found = any(issue.title in value for rows in public.values() for row in rows
                    for value in row)
        assert found is not issue.is_hidden, (n, issue.title, issue.is_hidden)


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
    assert after.verdict.endswith("overdue by 12 days")
