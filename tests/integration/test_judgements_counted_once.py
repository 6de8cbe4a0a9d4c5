"""Each person's "was it delivered?" counts once, however many answers arrive at once, from
the same and from different people, through one process or two, on SQLite and PostgreSQL."""

from __future__ import annotations

from contextlib import suppress
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import CITIZEN, SECRETARIAT
from tests.integration.test_concurrency import _all_at_once
from tracker.application import TrackerApplication
from tracker.bootstrap import Tracker, event_store_env
from tracker.domain import errors
from tracker.projections.judgements import citizens_by_commitment


def delivered(app: TrackerApplication) -> int:
    with suppress(errors.AlreadyExists):
        app.create_owner("lead", "Lead", "Board", SECRETARIAT)
    n = app.submit_issue("Clinics", "", CITIZEN, date(2015, 1, 1)).number
    app.create_assembly(f"a-{n}", "Assembly", date(2015, 1, 2), "Leeds", SECRETARIAT)
    app.schedule_issue(n, f"a-{n}", None, SECRETARIAT)
    app.record_discussion(n, f"a-{n}", "Talked", [], [], SECRETARIAT)
    app.record_response(n, "commit", "Yes", "lead", None, SECRETARIAT)
    app.make_commitment(n, "Open clinics", "lead", date(2030, 1, 1), "Open", SECRETARIAT)
    app.deliver_commitment(n, 1, "Done", "Paper 1", SECRETARIAT)
    return n


def test_many_answers_at_once_count_each_person_once(any_tracker: Tracker) -> None:
    other = TrackerApplication(env=event_store_env(any_tracker.settings))
    apps = [any_tracker.app, other]
    n = delivered(any_tracker.app)
    # 60 answers: people p-0 .. p-11, each answering five times, through two processes.
    people = [f"p-{i % 12}" for i in range(60)]

    def attempt(i: int) -> str:
        try:
            apps[i % 2].answer_delivery(n, 1, "no" if i % 3 else "yes", None, people[i],
                                        CITIZEN)
            return "counted"
        except errors.AlreadyAnswered:
            return "refused"

    try:
        results = _all_at_once(60, attempt)
    finally:
        other.close()
    assert results.count("counted") == 12
    any_tracker.refresh()
    with any_tracker.engine.connect() as conn:
        counts = citizens_by_commitment(conn, n)[1]
    assert sum(counts.values()) == 12


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["ann", "bob", "cy", "di"]),
                          st.sampled_from(["yes", "partly", "no"])), max_size=12))
def test_the_counts_are_each_persons_first_answer(tracker: Tracker,
                                                  answers: list[tuple[str, str]]) -> None:
    app = tracker.app
    n = delivered(app)
    first: dict[str, str] = {}
    for person, said in answers:
        try:
            app.answer_delivery(n, 1, said, None, person, CITIZEN)
        except errors.AlreadyAnswered:
            assert person in first
            continue
        assert person not in first
        first[person] = said
    tracker.refresh()
    with tracker.engine.connect() as conn:
        counts = citizens_by_commitment(conn, n)[1]
    assert counts == {a: list(first.values()).count(a) for a in ("yes", "partly", "no")}
