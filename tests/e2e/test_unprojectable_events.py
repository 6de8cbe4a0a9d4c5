"""An event the read models cannot take never stops the public record without an alarm.

Events are stored here the way an older version (or any path that did not refuse them)
could have stored them: through the application, bypassing the web's checks. The promise:
the projector stops before such an event, never past it; /healthz names it, a log line
names it, and once an operator skips it (``tracker skip-event``) projection and rebuilds
pass over it while /healthz lists it. A value that can be made storable (a NUL in a text)
is, and nothing stops at all.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from fastapi.testclient import TestClient

from tests.helpers import CITIZEN
from tests.integration.test_projector import snapshot_of_read_models
from tracker import cli
from tracker.bootstrap import Tracker
from tracker.domain.issue import Issue
from tracker.projections.runner import ProjectionError
from tracker.web.app import create_app

DAY = date(2016, 1, 1)


def store_issue_as_an_older_version_might_have(tracker: Tracker, title: str) -> int:
    """An Issue saved through the application with no check of its title; returns its
    position in the log."""
    app = tracker.app
    number = app.submit_issue("The one before", "", CITIZEN, DAY).number + 1
    issue = Issue._create(Issue.Submitted, id=Issue.id_for(number), number=number,
                          title=title, description="", actor_id="public",
                          actor_role="citizen", occurred_on=DAY)
    recordings = app.save(issue)
    return int(recordings[-1].notification.id)


def store_unreadable_event(tracker: Tracker) -> int:
    tracker.app.submit_issue("The one before", "", CITIZEN, DAY)
    tracker.app.recorder.insert_events([StoredEvent(
        originator_id=uuid4(), originator_version=1, topic="tracker.domain.gone:Vanished",
        state=b"{}")])
    return int(tracker.app.recorder.max_notification_id())


def run_cli(tracker: Tracker, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """``tracker ARGS`` against this tracker's databases."""
    settings = tracker.settings
    if settings.is_postgres:
        monkeypatch.setenv("TRACKER_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("TRACKER_DATABASE_SCHEMA", settings.database_schema)
    else:
        monkeypatch.setenv("TRACKER_DATA_DIR", str(settings.data_dir))
    return cli.main(list(args))


def health(client: TestClient) -> dict[str, Any]:
    answer = client.get("/healthz")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_a_nul_in_a_stored_title_is_shown_replaced_and_stops_nothing(
        any_tracker: Tracker) -> None:
    store_issue_as_an_older_version_might_have(any_tracker, "Broken\x00title")
    after = any_tracker.app.submit_issue("Raised after it", "", CITIZEN, DAY).number
    with TestClient(create_app(any_tracker, poll=False)) as client:
        shown = client.get(f"/api/v1/issues/{after - 1}")
        assert shown.status_code == 200, shown.text
        assert shown.json()["title"] == "Broken\ufffdtitle"
        assert client.get(f"/api/v1/issues/{after}").json()["title"] == "Raised after it"
        assert "Broken\ufffdtitle" in client.get(f"/issues/{after - 1}").text
        status = health(client)
        assert status["status"] == "ok" and status["stalled"] == []
        assert status["projected"] == status["position"]
    incremental = snapshot_of_read_models(any_tracker)
    any_tracker.projector.rebuild()
    assert snapshot_of_read_models(any_tracker) == incremental


def _stops_then_passes_once_skipped(tracker: Tracker, bad: int,
                                    monkeypatch: pytest.MonkeyPatch,
                                    caplog: pytest.LogCaptureFixture) -> None:
    after = tracker.app.submit_issue("Raised after it", "", CITIZEN, DAY)
    with caplog.at_level(logging.ERROR, logger="tracker.projections.runner"), \
            TestClient(create_app(tracker, poll=False)) as client:
        with pytest.raises(ProjectionError, match=f"position {bad}"):
            tracker.refresh()
        # Everything before it is shown; it and everything after wait.
        assert tracker.projector.position() == bad - 1
        assert client.get(f"/api/v1/issues/{after.number}").status_code == 404
        # The alarm: /healthz names the position and the error, and so does the log.
        status = health(client)
        assert status["status"] == "stalled"
        [stalled] = status["stalled"]
        assert stalled["position"] == bad and stalled["error"]
        assert stalled["found_by"] == "projection"
        assert status["projected"] == bad - 1 and status["position"] == after.position
        logged = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert any(f"projection stopped at event {bad}" in line and
                   f"tracker skip-event {bad}" in line for line in logged), logged

        # Not a way around every alarm: an event that stopped nothing cannot be skipped.
        assert run_cli(tracker, monkeypatch, "skip-event", str(after.position),
                       "--reason", "Just because") == 1
        # The way past it.
        assert run_cli(tracker, monkeypatch, "skip-event", str(bad),
                       "--reason", "Unreadable since the 2015 upgrade") == 0
        tracker.refresh()
        assert client.get(f"/api/v1/issues/{after.number}").status_code == 200
        status = health(client)
        assert status["status"] == "ok" and status["stalled"] == []
        assert status["projected"] == status["position"]
        assert [(s["position"], s["reason"]) for s in status["skipped"]] == [
            (bad, "Unreadable since the 2015 upgrade")]

    # A rebuild passes over it too, and builds what was there.
    before = snapshot_of_read_models(tracker)
    assert run_cli(tracker, monkeypatch, "rebuild") == 0
    assert snapshot_of_read_models(tracker) == before


def test_an_unreadable_event_raises_the_alarm_and_is_passed_over_once_skipped(
        any_tracker: Tracker, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    bad = store_unreadable_event(any_tracker)
    _stops_then_passes_once_skipped(any_tracker, bad, monkeypatch, caplog)


@pytest.mark.postgres
def test_a_title_postgresql_cannot_store_raises_the_alarm_and_is_passed_over_once_skipped(
        make_tracker: Any, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    tracker = make_tracker("postgres")
    # Longer than the read model's column: SQLite would keep it, PostgreSQL refuses it.
    bad = store_issue_as_an_older_version_might_have(tracker, "Too long " * 40)
    _stops_then_passes_once_skipped(tracker, bad, monkeypatch, caplog)


def test_a_rebuild_that_meets_such_an_event_leaves_the_read_models_as_they_were(
        any_tracker: Tracker, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    bad = store_unreadable_event(any_tracker)
    for i in range(5):
        any_tracker.app.submit_issue(f"Raised after it {i}", "", CITIZEN, DAY)
    # Passed over once (skipped), then taken off the list: the live read models have the
    # events after it, and a rebuild meets it again.
    with pytest.raises(ProjectionError):
        any_tracker.refresh()
    assert run_cli(any_tracker, monkeypatch, "skip-event", str(bad), "--reason", "x") == 0
    any_tracker.refresh()
    assert run_cli(any_tracker, monkeypatch, "unskip-event", str(bad)) == 0
    before = snapshot_of_read_models(any_tracker)
    assert sum(len(rows) for rows in before.values()) > 0
    capsys.readouterr()

    assert run_cli(any_tracker, monkeypatch, "rebuild") == 1
    refused = capsys.readouterr().err
    assert f"position {bad}" in refused and "The read models are as they were" in refused
    assert snapshot_of_read_models(any_tracker) == before
    with TestClient(create_app(any_tracker, poll=False)) as client:
        status = health(client)
        assert status["status"] == "stalled"
        assert [(s["position"], s["found_by"]) for s in status["stalled"]] == [
            (bad, "rebuild")]
        assert run_cli(any_tracker, monkeypatch, "skip-event", str(bad),
                       "--reason", "Unreadable") == 0
        assert run_cli(any_tracker, monkeypatch, "rebuild") == 0
        assert health(client)["status"] == "ok"
    assert snapshot_of_read_models(any_tracker) == before


def test_a_rebuild_while_projection_stops_at_an_event_switches_in_up_to_that_event(
        any_tracker: Tracker, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = store_unreadable_event(any_tracker)
    any_tracker.app.submit_issue("Raised after it", "", CITIZEN, DAY)
    with pytest.raises(ProjectionError):
        any_tracker.refresh()
    before = snapshot_of_read_models(any_tracker)

    # The rebuilt read models stop where the live ones do: no less, so they switch in.
    assert run_cli(any_tracker, monkeypatch, "rebuild") == 0
    assert snapshot_of_read_models(any_tracker) == before
    assert any_tracker.projector.position() == bad - 1
    with TestClient(create_app(any_tracker, poll=False)) as client:
        status = health(client)
        assert status["status"] == "stalled"
        assert [(s["position"], s["found_by"]) for s in status["stalled"]] == [
            (bad, "projection")]


def test_the_worker_starts_and_projects_up_to_an_event_it_cannot_project(
        any_tracker: Tracker, caplog: pytest.LogCaptureFixture) -> None:
    from tracker.worker import run_worker

    bad = store_unreadable_event(any_tracker)
    any_tracker.app.submit_issue("Raised after it", "", CITIZEN, DAY)
    with caplog.at_level(logging.ERROR):
        assert run_worker(any_tracker, once=True) == 0
    assert any_tracker.projector.position() == bad - 1
    assert any(f"position {bad}" in r.getMessage() for r in caplog.records
               if r.name == "tracker.worker")
