"""kill -9 between the write and its answer: the client's retry with the same Idempotency-Key
gets the first write's answer from a restarted server, and no second issue is raised.

The server is the real one (``tracker serve`` in a process of its own), save that its
application's ``save`` sends the process SIGKILL right after (or right before) a keyed
write reaches the event store: the one moment a test cannot hit by chance.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import update

from tests.integration.test_crash import _free_port, environment, open_tracker, tracker_process
from tracker.idempotency import LEASE, idempotency_keys

__all__ = ["environment"]  # the fixture, on SQLite and PostgreSQL

DYING_SERVER = """
import os, signal, sys
from tracker import application

save = application.TrackerApplication.save

def dying_save(self, *objs, **kwargs):
    keyed = application._keyed.get()
    if keyed is not None and not keyed.saved and sys.argv[1] == "before":
        os.kill(os.getpid(), signal.SIGKILL)
    recordings = save(self, *objs, **kwargs)
    if keyed is not None and keyed.saved:
        os.kill(os.getpid(), signal.SIGKILL)
    return recordings

application.TrackerApplication.save = dying_save
# Served in this very process (uvicorn with one worker runs the app in-process), so that the
# patched save is the one that runs: granian would start the app in a process of its own.
from tracker.config import load_settings
from tracker.web.server import _serve_uvicorn
_serve_uvicorn(load_settings(), "127.0.0.1", int(sys.argv[2]), 1)
"""


def _serve(env: dict[str, str], port: int, dying: str | None = None) -> subprocess.Popen[bytes]:
    if dying is None:
        server = tracker_process(env, "serve", "--port", str(port))
    else:
        server = subprocess.Popen([sys.executable, "-c", DYING_SERVER, dying, str(port)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    pytest.fail("the server did not start")


def _submit(port: int, key: str) -> httpx.Response:
    return httpx.post(f"http://127.0.0.1:{port}/api/v1/issues", timeout=20,
                      json={"title": "Sent once, answered never"},
                      headers={"Idempotency-Key": key})


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(timeout=30)


def test_a_retry_after_a_kill_between_write_and_answer_gets_the_first_write(
        environment: dict[str, str]) -> None:
    port, key = _free_port(), str(uuid.uuid4())
    dying = _serve(environment, port, "after")
    with pytest.raises(httpx.HTTPError):
        _submit(port, key)  # the process dies with the issue saved and no answer sent
    assert dying.wait(timeout=30) == -9
    tracker = open_tracker(environment)
    try:
        assert tracker.app.last_issue_number() == 1  # it was written
        server = _serve(environment, port)
        try:
            retry = _submit(port, key)
            assert retry.status_code == 201, retry.text
            assert retry.json()["number"] == 1 and retry.json()["version"] == 1
            assert retry.headers["location"].endswith("/issues/1")
            assert retry.headers["idempotent-replayed"] == "true"
            assert _submit(port, key).json() == retry.json()
            assert tracker.app.last_issue_number() == 1  # and not twice
            assert httpx.get(f"http://127.0.0.1:{port}/api/v1/issues/1").json()["title"] == \
                "Sent once, answered never"
        finally:
            _stop(server)
    finally:
        tracker.close()


def test_a_retry_after_a_kill_before_the_write_waits_for_the_lease_then_writes_once(
        environment: dict[str, str]) -> None:
    port, key = _free_port(), str(uuid.uuid4())
    dying = _serve(environment, port, "before")
    with pytest.raises(httpx.HTTPError):
        _submit(port, key)
    assert dying.wait(timeout=30) == -9
    tracker = open_tracker(environment)
    try:
        assert tracker.app.last_issue_number() == 0  # nothing was written
        server = _serve(environment, port)
        try:
            early = _submit(port, key)
            assert early.status_code == 409 and early.headers["retry-after"] == "1"
            with tracker.write_engine.begin() as conn:  # as if the lease had run out
                conn.execute(update(idempotency_keys).values(
                    running_since=datetime.now(UTC) - LEASE - timedelta(seconds=1)))
            retry = _submit(port, key)
            assert retry.status_code == 201 and retry.json()["number"] == 1
            assert "idempotent-replayed" not in retry.headers
            assert _submit(port, key).json() == retry.json()
            assert tracker.app.last_issue_number() == 1
        finally:
            _stop(server)
    finally:
        tracker.close()
