"""kill -9, for real: the worker during a long catch-up, the web server during writes.

Both run as separate processes (``tracker worker``, ``tracker serve``) and are killed with
SIGKILL at random moments: no clean-up code runs. Afterwards the read models must equal a
fresh rebuild, and every write the server acknowledged must be in the event store.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import POSTGRES_URL, _drop_schema, require_postgres
from tests.helpers import CITIZEN
from tests.integration.test_projector import snapshot_of_read_models
from tracker.bootstrap import Tracker, bootstrap
from tracker.config import load_settings
from tracker.domain.issue import Issue

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def environment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Settings (as environment variables) for a tracker of its own on the backend."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_DATA_DIR"] = str(tmp_path / "data")
    env["TRACKER_SECRET_KEY"] = "crash-tests"
    env["TRACKER_RATE_SUBMIT"] = "100000/minute"
    env["TRACKER_POLL_SECONDS"] = "0.2"
    schema = None
    if request.param == "postgres":
        require_postgres()
        schema = f"crash_{uuid.uuid4().hex[:10]}"
        env["TRACKER_DATABASE_URL"] = POSTGRES_URL
        env["TRACKER_DATABASE_SCHEMA"] = schema
    yield env
    if schema is not None:
        _drop_schema(schema)


def open_tracker(env: dict[str, str]) -> Tracker:
    keys = {"TRACKER_DATA_DIR": "data_dir", "TRACKER_DATABASE_URL": "database_url",
            "TRACKER_DATABASE_SCHEMA": "database_schema", "TRACKER_SECRET_KEY": "secret_key"}
    return bootstrap(load_settings(**{name: env[key] for key, name in keys.items()
                                      if key in env}))


def tracker_process(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "tracker.cli", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def backlog(tracker: Tracker, issues: int, supports: int) -> int:
    """A log the read models have not seen: each issue saved with its supports at once."""
    day = date(2015, 1, 1)
    for number in range(1, issues + 1):
        issue = Issue.submit(number, f"Issue {number}", "", CITIZEN, day)
        for s in range(supports):
            issue.support(f"s{s}", CITIZEN, day)
        tracker.app.save(issue)
    return tracker.app.recorder.max_notification_id() or 0


def test_killing_the_worker_during_catch_up_loses_and_doubles_nothing(
        environment: dict[str, str]) -> None:
    tracker = open_tracker(environment)
    try:
        total = backlog(tracker, issues=800, supports=24)  # 20,000 events
        rng = random.Random(7)
        killed_mid_way = 0
        for _ in range(8):
            worker = tracker_process(environment, "worker")
            # Wait until it is projecting (a process starts in a second or so, and then
            # catches up in about one), then kill it at a random moment soon after.
            before = tracker.projector.position()
            deadline = time.monotonic() + 60
            while tracker.projector.position() == before and worker.poll() is None \
                    and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.2))
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            reached = tracker.projector.position()
            killed_mid_way += 0 < reached < total
            if reached == total:
                break
        assert killed_mid_way >= 1, "no kill landed during the catch-up"
        finish = tracker_process(environment, "worker", "--once")
        assert finish.wait(timeout=300) == 0, finish.stderr.read() if finish.stderr else ""
        assert tracker.projector.position() == total
        incremental = snapshot_of_read_models(tracker)
        tracker.projector.rebuild()
        assert snapshot_of_read_models(tracker) == incremental
    finally:
        tracker.close()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_killing_the_web_server_loses_no_acknowledged_write(
        environment: dict[str, str]) -> None:
    port = _free_port()
    server = tracker_process(environment, "serve", "--port", str(port))
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        server.kill()
        pytest.fail("the server did not start")

    acknowledged: dict[int, str] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def write(writer: int) -> None:
        with httpx.Client(base_url=url, timeout=10) as client:
            i = 0
            while not stop.is_set():
                title = f"Raised by writer {writer}, number {i}"
                i += 1
                try:
                    answer = client.post("/api/v1/issues", json={"title": title})
                except httpx.HTTPError:
                    continue  # cut off by the kill: not acknowledged, may or may not exist
                if answer.status_code == 201:
                    with lock:
                        acknowledged[answer.json()["number"]] = title

    writers = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in writers:
        thread.start()
    time.sleep(random.Random(11).uniform(1.5, 3.0))
    server.send_signal(signal.SIGKILL)
    server.wait()
    stop.set()
    for thread in writers:
        thread.join(timeout=30)
    assert len(acknowledged) > 20, "too few writes before the kill to mean anything"

    tracker = open_tracker(environment)
    try:
        for number, title in acknowledged.items():
            issue: Any = tracker.app.repository.get(Issue.id_for(number))
            assert issue.title == title
        # Started again, the server shows every acknowledged issue.
        restarted = tracker_process(environment, "serve", "--port", str(port))
        try:
            for _ in range(200):
                try:
                    health = httpx.get(f"{url}/healthz", timeout=1).json()
                    if health["projected"] == health["position"]:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            for number, title in list(acknowledged.items())[:50]:
                assert httpx.get(f"{url}/api/v1/issues/{number}").json()["title"] == title
        finally:
            restarted.send_signal(signal.SIGTERM)
            restarted.wait(timeout=30)
    finally:
        tracker.close()
