"""PostgreSQL: notification ids become visible in the order they were given out.

The projector moves its position to the highest id it has read. If a write could commit
after a later id had been read, the projector would pass over it for good: the write was
acknowledged, but the read models would never show it. Each insert therefore takes the
event table's lock before it draws an id (eventsourcing's own rule for its plain inserts;
the tracker's insert function keeps it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from tests.helpers import SECRETARIAT
from tracker.bootstrap import Tracker
from tracker.domain.reference import Topic
from tracker.projections.reference import topics


def _slugs(tracker: Tracker) -> set[str]:
    with tracker.engine.connect() as conn:
        return set(conn.execute(select(topics.c.slug)).scalars())


@pytest.mark.postgres
def test_a_write_that_commits_after_a_later_one_is_still_projected(
        make_tracker: Callable[..., Tracker]) -> None:
    tracker = make_tracker("postgres")
    app = tracker.app
    recorder: Any = app.recorder
    app.create_topic("before", "Before", SECRETARIAT)
    tracker.projector.catch_up()

    # One writer has inserted its event (the same insert every save makes) and not yet
    # committed: it holds an id lower than any a later writer can draw.
    held = Topic.create("held", "Held back", SECRETARIAT)
    stored = [app.mapper.to_stored_event(e) for e in held.collect_events()]
    inserted = threading.Event()
    release = threading.Event()
    held_ids: list[int] = []

    def slow_writer() -> None:
        with recorder.datastore.get_connection() as conn, conn.transaction():
            rows = conn.execute(recorder.sql_invoke_pg_function_insert_events, (
                [recorder.construct_pg_stored_event(s.originator_id, s.originator_version,
                                                    s.topic, s.state) for s in stored],)
            ).fetchall()
            held_ids.extend(row[recorder.pg_function_name_insert_events] for row in rows)
            inserted.set()
            release.wait(timeout=30)

    slow = threading.Thread(target=slow_writer)
    slow.start()
    assert inserted.wait(timeout=10)

    # Meanwhile another writer saves, and the projector runs.
    later = threading.Thread(target=app.create_topic, args=("later", "Later", SECRETARIAT))
    later.start()
    later.join(timeout=2)
    tracker.projector.catch_up()

    release.set()
    slow.join(timeout=30)
    later.join(timeout=30)
    assert not later.is_alive()
    tracker.projector.catch_up()

    assert _slugs(tracker) == {"before", "held", "later"}
    assert tracker.projector.position() == recorder.max_notification_id()
    assert held_ids and held_ids[0] < recorder.max_notification_id()
