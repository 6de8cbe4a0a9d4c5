"""Supports of one issue saved together (tracker.group_commit): the races a batch could open.

Each test holds the first support's save until the others are queued behind it, so the
next save is one batch holding all of them, then checks what each caller was told against
what the store holds. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest

from tests.conftest import POSTGRES_URL
from tests.helpers import CITIZEN
from tracker.application import Outcome, TrackerApplication
from tracker.bootstrap import Tracker
from tracker.domain import errors
from tracker.domain.issue import Issue
from tracker.domain.support import Support

POISON = "poison-supporter"


@contextmanager
def first_save_held(app: TrackerApplication, number: int, behind: int,
                    saved: list[int]) -> Iterator[None]:
    """Hold the first save until ``behind`` supports wait for the next batch; record how
    many supports each save holds in ``saved``."""
    original = app._record
    held = [True]

    def record(processing_event: Any) -> Any:
        saved.append(sum(isinstance(e, Issue.Supported) for e in processing_event.events))
        if held[0]:
            held[0] = False
            deadline = time.monotonic() + 30
            while app.waiting_supports(number) < behind and time.monotonic() < deadline:
                time.sleep(0.005)
        return original(processing_event)

    app._record = record  # type: ignore[method-assign]
    try:
        yield
    finally:
        del app._record


def run_together(tasks: list[Callable[[], Outcome]]) -> list[Outcome | Exception]:
    """Start the first task, then the rest, each on a thread; every answer, in order."""
    answers: list[Outcome | Exception | None] = [None] * len(tasks)

    def run(index: int) -> None:
        try:
            answers[index] = tasks[index]()
        except Exception as error:
            answers[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(tasks))]
    threads[0].start()
    time.sleep(0.05)  # the first is the leader, alone in its batch
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(a is not None for a in answers)
    return [a for a in answers if a is not None]


def marker_at(app: TrackerApplication, position: int) -> Any:
    [notification] = app.recorder.select_notifications(start=position, limit=1)
    assert notification.id == position
    return notification.originator_id


def test_a_batch_counts_each_supporter_once_and_answers_each_its_own(
        any_tracker: Tracker) -> None:
    app = any_tracker.app
    n = app.submit_issue("Viral", "", CITIZEN).number
    app.support_issue(n, "counted-before", CITIZEN)
    supporters = ["leader", *[f"s-{i}" for i in range(12)], "twice", "twice", "twice",
                  "counted-before"]
    saved: list[int] = []
    with first_save_held(app, n, len(supporters) - 1, saved):
        answers = run_together([lambda s=s: app.support_issue(n, s, CITIZEN)  # type: ignore[misc]
                                for s in supporters])

    # The twelve distinct supporters behind the leader went in one save.
    assert max(saved) >= 13, saved
    counted = {s: a for s, a in zip(supporters, answers, strict=True) if isinstance(a, Outcome)}
    refused = [(s, a) for s, a in zip(supporters, answers, strict=True)
               if not isinstance(a, Outcome)]
    assert sorted(counted) == sorted({*supporters} - {"counted-before"})
    # A repeat in the batch, and one counted before it, get today's refusal.
    assert sorted(s for s, _ in refused) == ["counted-before", "twice", "twice"]
    for _, error in refused:
        assert isinstance(error, errors.AlreadySupported)
        assert str(error) == f"This supporter already supports issue {n}"
    # Each answer's position is its own support's marker; versions are all different.
    for supporter, outcome in counted.items():
        assert marker_at(app, outcome.position) == Support.id_for(n, supporter)
    assert len({o.version for o in counted.values()}) == len(counted)
    issue = app.load_issue(n)
    assert issue.supporter_count == len(counted) + 1
    assert issue.version == max(o.version for o in counted.values())
    # Read-your-writes: every answer's position can be projected and shown.
    assert any_tracker.show_written(max(o.position for o in counted.values()))


def _poison(tracker: Tracker, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the store fail a save holding POISON's support, after writing its rows so far
    (mid-transaction), the way a full disk or a lost connection would."""
    app = tracker.app
    if tracker.settings.is_postgres:
        schema = tracker.settings.database_schema
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(
                f'CREATE FUNCTION "{schema}".poisoned() RETURNS trigger LANGUAGE plpgsql AS '
                "$$ BEGIN IF position(convert_to('" + POISON + "', 'UTF8') in NEW.state) > 0 "
                "THEN RAISE EXCEPTION 'the disk is full'; END IF; RETURN NEW; END $$")
            conn.execute(
                f'CREATE TRIGGER poisoned BEFORE INSERT ON "{schema}".tracker_events '
                f'FOR EACH ROW EXECUTE FUNCTION "{schema}".poisoned()')
        return
    original = app.recorder._insert_events  # type: ignore[attr-defined]

    def insert(c: Any, stored_events: Any, **kwargs: Any) -> Any:
        written = original(c, stored_events, **kwargs)  # inside the transaction
        if any(POISON.encode() in e.state for e in stored_events):
            raise RuntimeError("the disk is full")
        return written

    monkeypatch.setattr(app.recorder, "_insert_events", insert)


def test_a_failed_save_fails_every_caller_of_its_batch_and_stores_none(
        any_tracker: Tracker, monkeypatch: pytest.MonkeyPatch) -> None:
    app = any_tracker.app
    n = app.submit_issue("Viral", "", CITIZEN).number
    _poison(any_tracker, monkeypatch)
    batch = ["b-1", "b-2", POISON, "b-3", "b-4"]
    saved: list[int] = []
    with first_save_held(app, n, len(batch), saved):
        answers = run_together([lambda s=s: app.support_issue(n, s, CITIZEN)  # type: ignore[misc]
                                for s in ["leader", *batch]])
    assert isinstance(answers[0], Outcome)
    assert saved[:2] == [1, len(batch)], saved
    failures = answers[1:]
    assert all(isinstance(a, Exception) and not isinstance(a, errors.DomainError)
               for a in failures), failures
    assert len({type(a) for a in failures}) == 1
    assert "the disk is full" in str(failures[0])

    # Nothing of the batch is stored: no event after the leader's, no marker.
    assert app.recorder.max_notification_id() == answers[0].position
    assert app.load_issue(n).supporter_count == 1
    for supporter in batch:
        assert not app.recorder.select_events(Support.id_for(n, supporter), limit=1)

    # The next batch works, the failed supporters included (they were never counted).
    again = run_together([lambda s=s: app.support_issue(n, s, CITIZEN)  # type: ignore[misc]
                          for s in ["b-1", "b-2", "b-5"]])
    assert all(isinstance(a, Outcome) for a in again), again
    assert app.load_issue(n).supporter_count == 4
