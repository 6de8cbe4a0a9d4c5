"""A rebuild never shows readers less than was there.

The rebuilt read models are made beside the live ones and switched in at once, so while a
rebuild runs (``tracker rebuild``, or the one a migration asks for with ``reproject``) a
reader polling the issue count and an issue's page sees the full record every time, and
afterwards the read models are what they were.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.helpers import CITIZEN, MODERATOR, SECRETARIAT
from tests.integration.test_projector import snapshot_of_read_models
from tracker.bootstrap import Tracker
from tracker.migrations.reproject import reproject
from tracker.projections.issues import issues
from tracker.projections.timeline import entries
from tracker.web.app import create_app

DAY = date(2016, 1, 1)
ISSUES = 60


def a_busy_record(tracker: Tracker) -> None:
    app = tracker.app
    app.create_topic("access", "Access", SECRETARIAT)
    for i in range(ISSUES):
        n = app.submit_issue(f"Issue {i}", "Words", CITIZEN, DAY).number
        for s in range(3):
            app.support_issue(n, f"s-{s}", CITIZEN, DAY)
        if i % 3 == 0:
            app.assign_topic(n, "access", SECRETARIAT, DAY)
        if i % 10 == 0:
            app.hide_issue(n, "Abuse", MODERATOR)
    tracker.refresh()
    # Small batches: the rebuild takes many transactions, and readers get in between.
    tracker.projector.batch_size = 10


def _counts(tracker: Tracker) -> tuple[int, int]:
    with tracker.engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(issues)).scalar_one(),
                conn.execute(select(func.count()).select_from(entries)).scalar_one())


def by_command(tracker: Tracker) -> None:
    tracker.projector.rebuild()


def by_migration(tracker: Tracker) -> None:
    with tracker.write_engine.begin() as conn, \
            Operations.context(MigrationContext.configure(conn)):
        reproject("issue_status")
    assert tracker.projector.rebuild_if_requested() is not None


@pytest.fixture
def slow_rebuild(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each of the rebuild's batches takes a little longer, so readers surely get in."""
    from tracker.projections.rebuild import _Shadow

    batch = _Shadow._batch

    def slow_batch(self: _Shadow, conn: Any, limit: int, **options: Any) -> tuple[bool, int]:
        time.sleep(0.02)
        return batch(self, conn, limit, **options)

    monkeypatch.setattr(_Shadow, "_batch", slow_batch)


@pytest.mark.parametrize("rebuild", [by_command, by_migration],
                         ids=["tracker rebuild", "a migration's reproject"])
@pytest.mark.usefixtures("slow_rebuild")
def test_readers_never_see_less_during_a_rebuild(
        any_tracker: Tracker, rebuild: Callable[[Tracker], None]) -> None:
    a_busy_record(any_tracker)
    before = snapshot_of_read_models(any_tracker)
    full = _counts(any_tracker)
    assert full[0] == ISSUES
    seen: list[tuple[int, int]] = []
    answers: list[int] = []
    stop = threading.Event()

    with TestClient(create_app(any_tracker, poll=False)) as client:
        def reader() -> None:
            while not stop.is_set():
                seen.append(_counts(any_tracker))
                answers.append(client.get("/issues/2").status_code)
                answers.append(client.get(f"/api/v1/issues/{ISSUES}").status_code)
                total = client.get("/api/v1/issues", params={"limit": 1}).json()["total"]
                answers.append(200 if total >= full[0] - ISSUES // 10 else total)

        thread = threading.Thread(target=reader)
        thread.start()
        while len(seen) < 2:  # under way
            time.sleep(0.01)
        before_rebuild = len(seen)
        try:
            rebuild(any_tracker)
            during = len(seen) - before_rebuild
        finally:
            stop.set()
            thread.join(timeout=30)

    assert during >= 3, "the reader did not get in while the rebuild ran"
    assert min(seen) >= full, f"a reader saw {min(seen)} (issues, entries) of {full}"
    assert set(answers) == {200}, sorted(set(answers))
    assert snapshot_of_read_models(any_tracker) == before


@pytest.mark.usefixtures("slow_rebuild")
def test_writes_during_a_rebuild_are_all_there_after_the_switch(
        any_tracker: Tracker) -> None:
    a_busy_record(any_tracker)
    app = any_tracker.app
    written: list[int] = []
    account_waits: list[float] = []
    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            outcome = app.submit_issue(f"Written during the rebuild {i}", "", CITIZEN, DAY)
            any_tracker.refresh(outcome.position)  # read-your-writes, as the web does
            written.append(outcome.number)
            started = time.monotonic()
            any_tracker.accounts.add(f"desk-{i}", "secretariat")  # a private table
            account_waits.append(time.monotonic() - started)
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(0.1)
    try:
        reached = any_tracker.projector.rebuild()
    finally:
        stop.set()
        thread.join(timeout=30)
    any_tracker.refresh()

    assert written, "nothing was written while the rebuild ran"
    assert reached >= written[0]
    with any_tracker.engine.connect() as conn:
        numbers = set(conn.execute(select(issues.c.number)).scalars())
    assert set(written) <= numbers
    assert max(account_waits) < 2.0  # the rebuild does not hold the private tables
    # What the switch left, plus what followed, is what a rebuild from zero gives.
    after = snapshot_of_read_models(any_tracker)
    any_tracker.projector.rebuild()
    assert snapshot_of_read_models(any_tracker) == after


def test_a_second_rebuild_at_the_same_time_is_refused(any_tracker: Tracker) -> None:
    from tracker.projections.rebuild import Rebuild, RebuildBusy

    any_tracker.app.submit_issue("One", "", CITIZEN, DAY)
    any_tracker.refresh()
    before = snapshot_of_read_models(any_tracker)
    with Rebuild(any_tracker.projector).backend.connection():  # one under way
        with pytest.raises(RebuildBusy):
            any_tracker.projector.rebuild()
        assert any_tracker.projector.rebuild_if_requested() is None
    assert snapshot_of_read_models(any_tracker) == before
    any_tracker.projector.rebuild()  # and once it is over, the next may run
    assert snapshot_of_read_models(any_tracker) == before
