"""``tracker worker`` follows the log: on PostgreSQL woken by the subscription, not a poll."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.helpers import CITIZEN
from tests.integration.test_crash import (
    BACKENDS,
    environment,
    open_tracker,
    tracker_process,
)
from tracker.application import TrackerApplication
from tracker.bootstrap import Tracker, event_store_env
from tracker.log_follower import LogFollower
from tracker.publish import Publisher, Report
from tracker.web.app import create_app
from tracker.worker import run_worker

__all__ = ["environment"]  # the fixture, shared with the crash tests


def test_on_postgresql_a_write_elsewhere_wakes_the_follower_at_once(
        make_tracker: Callable[..., Tracker]) -> None:
    tracker = make_tracker("postgres")
    follower = LogFollower(tracker.app, start=0)
    other = TrackerApplication(env=event_store_env(tracker.settings))
    try:
        assert follower.subscribed
        time.sleep(0.3)  # let it LISTEN
        follower.wait(0)  # forget anything heard so far
        started = time.monotonic()
        position = other.submit_issue("Heard", "", CITIZEN).position
        assert follower.wait(timeout=10)
        assert time.monotonic() - started < 1.0
        deadline = time.monotonic() + 5
        while follower.head < position and time.monotonic() < deadline:
            follower.wait(0.1)
        assert follower.head == position
    finally:
        other.close()
        follower.close()


def test_on_sqlite_a_write_elsewhere_wakes_the_follower_at_once(tracker: Tracker) -> None:
    follower = LogFollower(tracker.app, start=0)
    other = TrackerApplication(env=event_store_env(tracker.settings))
    try:
        assert follower.watching and not follower.subscribed
        follower.wait(0)
        started = time.monotonic()
        other.submit_issue("Heard", "", CITIZEN)
        assert follower.wait(timeout=10)
        assert time.monotonic() - started < 1.0
        assert follower.wait(timeout=0.1) is False  # once per change
    finally:
        other.close()
        follower.close()


def test_on_sqlite_without_subscribing_the_caller_polls(tracker: Tracker) -> None:
    follower = LogFollower(tracker.app, start=0, subscribe=False)
    try:
        assert not follower.subscribed and not follower.watching
        tracker.app.submit_issue("Unheard", "", CITIZEN)
        assert follower.wait(timeout=0.05) is False
    finally:
        follower.close()


def test_close_ends_a_wait_and_the_subscription(make_tracker: Callable[..., Tracker]) -> None:
    follower = LogFollower(make_tracker("postgres").app, start=0)
    started = time.monotonic()
    follower.close()
    assert follower.wait(timeout=10)
    assert time.monotonic() - started < 6


@pytest.mark.postgres
@pytest.mark.parametrize("environment", ["postgres"], indirect=True)
def test_the_worker_projects_a_write_long_before_its_next_poll(
        environment: dict[str, str]) -> None:
    environment["TRACKER_POLL_SECONDS"] = "60"
    tracker = open_tracker(environment)
    tracker.app.submit_issue("Already there", "", CITIZEN)  # so that catching up shows
    worker = tracker_process(environment, "worker")
    try:
        # Started once the read models have moved; it subscribes right after that.
        deadline = time.monotonic() + 30
        while tracker.projector.position() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # subscribing takes a moment after the catch-up
        started = time.monotonic()
        position = tracker.app.submit_issue("Projected", "", CITIZEN).position
        while tracker.projector.position() < position and time.monotonic() - started < 10:
            time.sleep(0.01)
        took = time.monotonic() - started
        assert tracker.projector.position() >= position
        assert took < 2.0, f"projected after {took:.2f} s: the worker waited for its poll"
        worker.terminate()  # SIGTERM: a clean stop, at once, subscription closed
        assert worker.wait(timeout=10) == 0
        assert worker.stderr is not None and b"worker: stopped" in worker.stderr.read()
    finally:
        worker.terminate()
        worker.wait(timeout=10)
        tracker.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_read_models_move_on_while_a_publish_run_is_slow_and_its_lag_is_shown(
        backend: str, make_tracker: Callable[..., Tracker], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    monkeypatch.setenv("TRACKER_PUBLISH_DIR", str(site))
    monkeypatch.setenv("TRACKER_POLL_SECONDS", "0.1")
    tracker = make_tracker(backend)
    tracker.app.submit_issue("Raised before", "", CITIZEN)
    running, gate = threading.Event(), threading.Event()

    class SlowPublisher(Publisher):
        def publish_changes(self) -> Report:
            running.set()
            gate.wait(30)  # a long run: a burst of changed issues, say
            return super().publish_changes()

    publisher = SlowPublisher(tracker, site)
    stopping = threading.Event()
    worker = threading.Thread(target=run_worker, args=(tracker,),
                              kwargs={"publisher": publisher, "stopping": stopping})
    worker.start()
    try:
        with TestClient(create_app(tracker, poll=False)) as web:
            assert running.wait(10)
            position = tracker.app.submit_issue("Raised while publishing", "", CITIZEN).position
            assert wait_until(lambda: tracker.projector.position() >= position), \
                "the worker did not project while a publish run was in progress"
            health = web.get("/healthz").json()
            assert health["projected"] >= position and health["published"] is None
            gate.set()
            assert wait_until(lambda: web.get("/healthz").json()["published"] == position)
            assert (site / "issues/2/index.html").is_file()
    finally:
        gate.set()
        stopping.set()
        worker.join(30)
        publisher.close()
    assert not worker.is_alive()
    assert f"worker: published up to event {position}" in capsys.readouterr().err


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
