"""What ``/healthz`` reports, within a second whatever the databases are doing.

Each database is asked by a probe in a thread of its own, and the answer waits for it at
most ``timeout`` seconds: the event store's own reads retry for tens of seconds while
PostgreSQL is away, and a health check must say so at once instead. A probe still running
from an earlier request is waited on again rather than started twice, so an outage costs at
most one thread per database.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from sqlalchemy import select

from tracker.bootstrap import Tracker
from tracker.projections import problems
from tracker.projections.base import positions

TIMEOUT = 0.8  # seconds, for both probes together


class Probe:
    """Run ``check`` in a daemon thread; at most one run at a time."""

    def __init__(self, check: Callable[[], Any], name: str) -> None:
        self.check, self.name = check, name
        self._running: Future[Any] | None = None
        self._lock = threading.Lock()

    def start(self) -> Future[Any]:
        with self._lock:
            if self._running is None or self._running.done():
                future: Future[Any] = Future()
                threading.Thread(target=self._run, args=(future,), name=self.name,
                                 daemon=True).start()
                self._running = future
            return self._running

    def _run(self, future: Future[Any]) -> None:
        try:
            future.set_result(self.check())
        except BaseException as error:
            future.set_exception(error)


class Health:
    def __init__(self, tracker: Tracker, timeout: float = TIMEOUT) -> None:
        self.timeout = timeout
        self.event_store = Probe(lambda: tracker.app.recorder.max_notification_id() or 0,
                                 "health: event store")
        self.read_models = Probe(lambda: _read_models(tracker), "health: read models")

    def report(self) -> tuple[int, dict[str, Any]]:
        """The HTTP status (200, or 503 when a database does not answer) and the body."""
        deadline = time.monotonic() + self.timeout
        asked = {"event store": self.event_store.start(),
                 "read models": self.read_models.start()}
        answers: dict[str, Any] = {}
        unreachable = []
        for name, future in asked.items():
            try:
                answers[name] = future.result(timeout=max(deadline - time.monotonic(), 0))
            except FutureTimeout:
                unreachable.append({"name": name,
                                    "error": f"no answer within {self.timeout:g} s"})
            except Exception as error:
                unreachable.append({"name": name, "error": _first_line(error)})
        read = answers.get("read models") or {}
        body: dict[str, Any] = {
            "status": "ok",
            "position": answers.get("event store"),
            "projected": read.get("projected"),
            "stalled": read.get("stalled", []),
            "skipped": read.get("skipped", []),
            "rebuild_requested": read.get("rebuild_requested", False),
            "unreachable": unreachable,
        }
        if unreachable:
            body["status"] = "unavailable"
            return 503, body
        if body["stalled"]:
            body["status"] = "stalled"
        return 200, body


def _read_models(tracker: Tracker) -> dict[str, Any]:
    with tracker.engine.connect() as conn:
        projected = tracker.projector.position(conn)
        found = problems.report(conn, projected)
        requested = conn.execute(select(positions.c.name).where(
            positions.c.rebuild_requested_at.is_not(None)).limit(1)).first() is not None
    return {"projected": projected, "rebuild_requested": requested, **found}


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip() or type(error).__name__
    return text.splitlines()[0][:300]
