"""``tracker worker``: follow the event log and keep every read model current.

Several workers may run at once: each batch locks the projections' position rows, so two
workers never apply the same event; the second simply finds nothing left to do. On
PostgreSQL the worker is woken by eventsourcing's subscription to the log (LISTEN/NOTIFY)
as soon as an event is committed, on SQLite by the database file's data_version changing;
polling is the fallback (see tracker.log_follower). The static
site, when there is one, is published in a thread of its own (tracker.publish_loop).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from types import FrameType
from typing import Any

from tracker.bootstrap import Tracker
from tracker.log_follower import LogFollower
from tracker.projections.runner import ProjectionError
from tracker.publish import Publisher
from tracker.publish_loop import PublishLoop

log = logging.getLogger(__name__)


def run_worker(tracker: Tracker, *, once: bool = False, publisher: Publisher | None = None,
               stopping: threading.Event | None = None) -> int:
    """Run until SIGTERM or SIGINT (or ``stopping`` is set, when run from a thread)."""
    stopping = stopping or threading.Event()
    follower: LogFollower | None = None

    def stop_now() -> None:
        stopping.set()
        if follower is not None:
            follower.wake()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        # A handler runs in the main thread, which may be holding one of these events'
        # locks at that moment (waiting, clearing): setting them from here could deadlock.
        threading.Thread(target=stop_now, name="stop", daemon=True).start()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    position = _start_projecting(tracker, wait=once)
    print(f"worker: read models at event {position}", file=sys.stderr)
    sender = None
    if tracker.settings.mail_enabled:
        from tracker.following.sender import sender_for

        sender = sender_for(tracker)
        print(f"worker: {sender.run()}", file=sys.stderr)
    interval = tracker.settings.poll_seconds
    if once:
        return _publish_once(publisher) if publisher is not None else 0
    publishing = None
    if publisher is not None:
        publishing = PublishLoop(tracker, publisher, interval)
        publishing.start()
    follower = LogFollower(tracker.app, start=position,
                           subscribe=tracker.settings.worker_subscribe)
    if follower.subscribed:
        print("worker: following the event log (subscription)", file=sys.stderr)
    elif follower.watching:
        print("worker: following the event log (watching the database file)", file=sys.stderr)
    try:
        _follow(tracker, follower, stopping, interval, position, publishing, sender)
    finally:
        follower.close()
        if publishing is not None:
            publishing.stop()
    print("worker: stopped", file=sys.stderr)
    return 0


def _start_projecting(tracker: Tracker, *, wait: bool) -> int:
    """Catch up, and rebuild beside it if a migration asked for that (the live read models
    are served and kept current meanwhile). An event that cannot be projected does not stop
    the worker: it is recorded and on /healthz, and the loop keeps trying until it is fixed
    or skipped."""

    def rebuild() -> None:
        try:
            tracker.projector.rebuild_if_requested()
        except Exception:
            log.exception("worker: the rebuild a migration asked for failed; the live "
                          "read models stay as they are, and the next start tries again")

    rebuilding = threading.Thread(target=rebuild, name="rebuild", daemon=True)
    rebuilding.start()
    if wait:
        rebuilding.join()
    try:
        return tracker.projector.catch_up()
    except ProjectionError as error:
        log.error("worker: %s", error)
        return tracker.projector.position()


def _follow(tracker: Tracker, follower: LogFollower, stopping: threading.Event,
            interval: float, position: int, publishing: PublishLoop | None,
            sender: Any) -> None:
    mailed = time.monotonic()
    while True:
        follower.wait(interval)
        if stopping.is_set():
            return
        try:
            reached = tracker.projector.catch_up()
            if publishing is not None and reached != position:
                publishing.nudge()  # it runs apart, so projecting never waits for it
            # Woken by every write, the worker still mails at most once per interval: a
            # follower's alert can wait a second, and each run asks the database for work.
            if sender is not None and time.monotonic() - mailed >= interval:
                mailed = time.monotonic()
                report = sender.run()  # alerts, retries, and digests after midnight
                if report.sent or report.retrying or report.failed:
                    log.info("worker: %s", report)
                from tracker.following.reminders import Reminders

                reminded = Reminders(tracker).run()  # owners' due and overdue reminders
                if reminded.sent or reminded.retrying or reminded.failed:
                    log.info("worker: %s", reminded)
        except Exception:
            # A bad event stops projection (never skipped); keep retrying so an operator's
            # fix (or a restored database) is picked up without a restart.
            log.exception("worker: projection failed; retrying in %s s", interval)
            continue
        if reached != position:
            log.info("worker: read models at event %s", reached)
            position = reached


def _publish_once(publisher: Publisher) -> int:
    report = publisher.publish_changes()
    print(f"worker: published up to event {report.published}", file=sys.stderr)
    if report.failed:
        print(f"worker: {report.failed} pages could not be built; the next run tries them "
              "again", file=sys.stderr)
        return 1
    return 0
