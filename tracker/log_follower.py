"""Waking the worker when the event log grows.

On PostgreSQL the worker follows the log through eventsourcing's subscription
(``recorder.subscribe``), which LISTENs on the channel every insert NOTIFYs: the worker
hears of a write within milliseconds of its commit instead of at its next poll. The
subscription only says *that* the log grew and how far; the projector still reads and
applies each batch itself, under its position lock, so two workers never apply the same
event. Where there is no subscription (SQLite), or while the connection behind it is lost,
the worker falls back to polling every ``TRACKER_POLL_SECONDS``.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from typing import Any

log = logging.getLogger(__name__)

# How often the embedded store's data_version is asked for. Each look takes the interpreter
# lock from the publishing thread for a moment; on a busy machine a handover can cost a
# scheduler slice, so it is not asked for more often than this.
WATCH_SECONDS = 0.05


class LogFollower:
    """A flag raised whenever events are recorded after ``start``."""

    def __init__(self, app: Any, start: int, retry_seconds: float = 1.0,
                 subscribe: bool = True) -> None:
        self.app = app
        self.head = start  # the newest notification id heard of
        self.retry_seconds = retry_seconds
        self._grew = threading.Event()
        self._stopping = threading.Event()
        self._subscription: Any = None
        self._lock = threading.Lock()
        self.subscribed = subscribe and _can_subscribe(app)
        watched = _sqlite_file(app) if subscribe and not self.subscribed else None
        self.watching = watched is not None
        self._thread: threading.Thread | None = None
        if self.subscribed:
            self._thread = threading.Thread(target=self._follow, name="log-follower",
                                            daemon=True)
        elif watched is not None:
            # Opened here, so that a write made once the constructor returns is seen.
            watch = _DataVersion(watched)
            self._thread = threading.Thread(target=self._watch, args=(watch,),
                                            name="log-watcher", daemon=True)
        if self._thread is not None:
            self._thread.start()

    def wait(self, timeout: float) -> bool:
        """Block until the log grows, the follower is closed, or ``timeout`` passes;
        True when something arrived (or may have: the caller catches up either way)."""
        arrived = self._grew.wait(timeout)
        self._grew.clear()
        return arrived

    def wake(self) -> None:
        """Let a waiting caller go now (shutting down)."""
        self._grew.set()

    def close(self) -> None:
        self._stopping.set()
        with self._lock:
            if self._subscription is not None:
                self._subscription.stop()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _follow(self) -> None:
        while not self._stopping.is_set():
            try:
                with self.app.recorder.subscribe(gt=self.head) as subscription:
                    with self._lock:
                        self._subscription = subscription
                    if self._stopping.is_set():
                        return
                    for notification in subscription:
                        self.head = notification.id
                        self._grew.set()
            except Exception:
                if self._stopping.is_set():
                    return
                # The database went away: poll meanwhile, and subscribe again shortly.
                log.warning("log follower: subscription lost; polling until it is back",
                            exc_info=True)
                self._grew.set()
            finally:
                with self._lock:
                    self._subscription = None
            self._stopping.wait(self.retry_seconds)


    def _watch(self, watch: _DataVersion) -> None:
        try:
            while not self._stopping.wait(WATCH_SECONDS):
                if watch.changed():
                    self._grew.set()
        except sqlite3.Error:
            log.warning("log follower: cannot watch the event store; polling instead",
                        exc_info=True)
        finally:
            watch.close()


class _DataVersion:
    """``PRAGMA data_version`` of an SQLite file: it changes whenever another connection
    has committed to it."""

    def __init__(self, path: str) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._last = self._read()

    def _read(self) -> int:
        row = self._conn.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def changed(self) -> bool:
        now = self._read()
        if now == self._last:
            return False
        self._last = now
        return True

    def close(self) -> None:
        self._conn.close()


def _sqlite_file(app: Any) -> str | None:
    """The event store's file, when it is an SQLite file."""
    try:
        from eventsourcing.sqlite import SQLiteApplicationRecorder
    except ImportError:  # pragma: no cover - part of eventsourcing
        return None
    recorder = app.recorder
    if not isinstance(recorder, SQLiteApplicationRecorder):
        return None
    name = str(getattr(getattr(recorder.datastore, "pool", None), "db_name", "") or "")
    if not name or ":memory:" in name or name.startswith("file:"):
        return None
    return name


def _can_subscribe(app: Any) -> bool:
    try:
        from eventsourcing.postgres import PostgresApplicationRecorder
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    return isinstance(app.recorder, PostgresApplicationRecorder)
