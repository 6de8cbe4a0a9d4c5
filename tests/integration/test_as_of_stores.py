"""The read models as recorded by the end of a past day: only what was recorded by then,
built once and reused, and never the words of an issue hidden now."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from tracker.bootstrap import Tracker
from tracker.demo import CITIZEN, MODERATOR, SECRETARIAT, _demo_clock
from tracker.projections.as_of import AsOfStores, first_recorded_day, last_position_by
from tracker.projections.issues import issues
from tracker.projections.timeline import entries


def _titles(stores: AsOfStores, tracker: Tracker, day: date) -> dict[int, str]:
    with tracker.engine.connect() as conn:
        engine, _ = stores.engine_for(conn, day)
    with engine.connect() as past:
        return {n: t for n, t in past.execute(select(issues.c.number, issues.c.title))}


def test_a_day_shows_what_was_recorded_by_its_end(any_tracker: Tracker, tmp_path: Path) -> None:
    tracker = any_tracker
    with _demo_clock(tracker.app) as app:
        app.create_topic("access", "Access", SECRETARIAT)
        one = app.submit_issue("Late letters", "Letters arrive late.", CITIZEN,
                               date(2014, 7, 1)).number
        two = app.submit_issue("Abusive words", "Words about a named person.", CITIZEN,
                               date(2014, 7, 3)).number
        app.assign_topic(one, "access", SECRETARIAT, date(2014, 7, 5))
    # Hidden today (recorded now, long after those days).
    tracker.app.hide_issue(two, "It named a member of staff.", MODERATOR)
    tracker.refresh()
    stores = AsOfStores(tracker.projector, tmp_path / "as_of", max_kept=2)
    try:
        with tracker.engine.connect() as conn:
            assert first_recorded_day(conn) == date(2014, 7, 1)
            assert last_position_by(conn, date(2014, 6, 30)) == 0
        assert _titles(stores, tracker, date(2014, 7, 1)) == {one: "Late letters"}
        then = _titles(stores, tracker, date(2014, 7, 3))
        assert then[one] == "Late letters"
        # Hidden now: its words stay withheld on every earlier day.
        assert "Abusive" not in then[two]
        with tracker.engine.connect() as conn:
            engine, name = stores.engine_for(conn, date(2014, 7, 3))
            again, same = stores.engine_for(conn, date(2014, 7, 3))
        assert again is engine and same == name
        with engine.connect() as past:
            assert past.execute(select(issues.c.topic).where(
                issues.c.number == one)).scalar() is None  # assigned on the 5th
            assert "Words about" not in " ".join(past.execute(
                select(entries.c.sentence)).scalars())
        # Hidden after that day's read models were built: they are built again without it.
        tracker.app.hide_issue(one, "It named a member of staff too.", MODERATOR)
        tracker.refresh()
        assert "Late letters" not in _titles(stores, tracker, date(2014, 7, 3))[one]
        with tracker.engine.connect() as conn:
            assert stores.engine_for(conn, date(2014, 7, 3))[1] != name
        _titles(stores, tracker, date(2014, 7, 6))
        assert len(list((tmp_path / "as_of").glob("*.sqlite"))) <= 2  # bounded
    finally:
        stores.close()


def test_the_days_an_address_changed(any_tracker: Tracker) -> None:
    from tracker.site.time_travel import changed_days, check_day

    tracker = any_tracker
    with _demo_clock(tracker.app) as app:
        one = app.submit_issue("Late letters", "Letters arrive late.", CITIZEN,
                               date(2014, 7, 1)).number
        app.submit_issue("Long waits", "Waits are long.", CITIZEN, date(2014, 7, 3))
        app.create_topic("post", "Post", SECRETARIAT)
        app.assign_topic(one, "post", SECRETARIAT, date(2014, 9, 18))
    tracker.refresh()
    with tracker.engine.connect() as conn:
        assert changed_days(conn, f"/issues/{one}") == [date(2014, 7, 1), date(2014, 9, 18)]
        assert changed_days(conn, f"/api/v1/issues/{one}/history") == [
            date(2014, 7, 1), date(2014, 9, 18)]
        assert changed_days(conn, "/") == [date(2014, 7, 1), date(2014, 7, 3),
                                           date(2014, 9, 18)]
        today = date(2026, 1, 1)
        assert check_day(conn, "2014-07-01", today) == date(2014, 7, 1)
        for refused in ("2014-06-30", "2026-01-02", "2014-7-1", "2014-02-30"):
            assert isinstance(check_day(conn, refused, today), str), refused
