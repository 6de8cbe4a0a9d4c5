"""The projector: exactly once, restartable, rebuildable, and loud about bad events."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from sqlalchemy import Connection, select

from tests.helpers import CITIZEN, SECRETARIAT
from tracker.bootstrap import Tracker
from tracker.demo import load_demo
from tracker.projections.base import Projection, metadata, positions
from tracker.projections.issues import IssueStatusProjection
from tracker.projections.runner import ProjectionError, Projector


def snapshot_of_read_models(tracker: Tracker,
                            tables: tuple[Any, ...] | None = None) -> dict[str, list[Any]]:
    """Every row of every read-model table (or of ``tables``), in a stable order."""
    chosen = tables or [t for t in metadata.sorted_tables if t is not positions]
    with tracker.engine.connect() as conn:
        return {table.name: sorted(tuple(str(v) for v in row)
                                   for row in conn.execute(select(table)))
                for table in chosen}


class PowerCut(BaseException):
    """The process stops mid-batch. (An ordinary exception is an event's fault: the
    projector then looks for the failing event, see test_unprojectable_events.py.)"""


class ExplodingProjection(IssueStatusProjection):
    """Fails on the n-th event it is given, like a crash mid-batch."""

    def __init__(self, fail_at: int) -> None:
        super().__init__()
        self.seen = 0
        self.fail_at = fail_at

    def process(self, conn: Connection, event: Any, position: int) -> None:
        self.seen += 1
        if self.seen == self.fail_at:
            raise PowerCut("power cut")
        super().process(conn, event, position)


def _busy_log(tracker: Tracker) -> int:
    app = tracker.app
    n = app.submit_issue("Busy", "", CITIZEN, date(2014, 7, 1)).number
    for i in range(30):
        app.support_issue(n, f"s-{i}", CITIZEN)
    return n


def test_incremental_equals_rebuild_on_the_demo_data(any_tracker: Tracker) -> None:
    load_demo(any_tracker)  # projects as it goes, batch by batch
    incremental = snapshot_of_read_models(any_tracker)
    any_tracker.projector.rebuild()
    assert snapshot_of_read_models(any_tracker) == incremental
    assert any_tracker.projector.position() == any_tracker.app.recorder.max_notification_id()


def test_a_crash_mid_batch_changes_nothing_and_resume_completes(any_tracker: Tracker) -> None:
    _busy_log(any_tracker)
    crashing = Projector(any_tracker.app, any_tracker.write_engine, [ExplodingProjection(17)],
                         batch_size=10)
    crashing.catch_up(until=10)  # first batch commits
    with pytest.raises(PowerCut, match="power cut"):
        crashing.catch_up()
    assert crashing.position() == 10  # the failed batch left no trace
    crashing.projections[0].fail_at = 0  # type: ignore[attr-defined]
    crashing.catch_up()
    tables = IssueStatusProjection.tables
    resumed = snapshot_of_read_models(any_tracker, tables)
    any_tracker.projector.rebuild()
    assert snapshot_of_read_models(any_tracker, tables) == resumed


def test_two_projectors_at_once_apply_each_event_once(any_tracker: Tracker) -> None:
    n = _busy_log(any_tracker)
    projectors = [Projector(any_tracker.app, any_tracker.write_engine, [IssueStatusProjection()],
                            batch_size=5) for _ in range(2)]
    threads = [threading.Thread(target=p.catch_up) for p in projectors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with any_tracker.engine.connect() as conn:
        from tracker.projections.issues import issues

        supporters = conn.execute(select(issues.c.supporters).where(
            issues.c.number == n)).scalar_one()
    assert supporters == 30


class CountingProjection(Projection):
    """A read model added later: it has no tables, it only counts what it is given."""

    name = "counting"
    tables = ()

    def __init__(self) -> None:
        self.positions: list[int] = []

    def process(self, conn: Connection, event: Any, position: int) -> None:
        self.positions.append(position)


def test_a_new_projection_catches_up_without_moving_the_others(any_tracker: Tracker) -> None:
    _busy_log(any_tracker)
    any_tracker.projector.catch_up()
    before = snapshot_of_read_models(any_tracker)
    newcomer = CountingProjection()
    both = Projector(any_tracker.app, any_tracker.write_engine,
                     [any_tracker.projector.projections[0], newcomer], batch_size=7)
    both.create_tables()
    both.catch_up()
    last = any_tracker.app.recorder.max_notification_id()
    assert newcomer.positions == list(range(1, last + 1))  # each event once, in order
    assert snapshot_of_read_models(any_tracker) == before  # nothing applied twice


def test_an_unreadable_event_stops_projection_naming_its_position(any_tracker: Tracker) -> None:
    any_tracker.app.submit_issue("Fine", "", CITIZEN)
    any_tracker.projector.catch_up()
    any_tracker.app.recorder.insert_events([StoredEvent(
        originator_id=uuid4(), originator_version=1, topic="tracker.domain.gone:Vanished",
        state=b"{}")])
    bad_position = any_tracker.app.recorder.max_notification_id()
    with pytest.raises(ProjectionError, match=f"position {bad_position}"):
        any_tracker.projector.catch_up()
    assert any_tracker.projector.position() == bad_position - 1


def test_a_write_is_visible_on_the_next_read(any_tracker: Tracker) -> None:
    from tracker.projections.issues import get_issue

    any_tracker.app.create_topic("access", "Access", SECRETARIAT)
    outcome = any_tracker.app.submit_issue("Fresh", "", CITIZEN)
    any_tracker.refresh(outcome.position)
    with any_tracker.engine.connect() as conn:
        view = get_issue(conn, outcome.number, date(2020, 1, 1), 60)
    assert view is not None and view.title == "Fresh"
