"""``tracker worker``: follow the event log and keep every read model current.

Several workers may run at once: each batch locks the projections' position rows, so two
workers never apply the same event; the second simply finds nothing left to do.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

from tracker.bootstrap import Tracker
from tracker.publish import Publisher

log = logging.getLogger(__name__)


def run_worker(tracker: Tracker, *, once: bool = False,
               publisher: Publisher | None = None) -> int:
    stopping = threading.Event()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    position = tracker.projector.catch_up()
    print(f"worker: read models at event {position}", file=sys.stderr)
    sender = None
    if tracker.settings.mail_enabled:
        from tracker.following.sender import sender_for

        sender = sender_for(tracker)
        print(f"worker: {sender.run()}", file=sys.stderr)
    if publisher is not None:
        publisher.publish_changes()
    if once:
        return 0
    interval = tracker.settings.poll_seconds
    while not stopping.wait(interval):
        try:
            reached = tracker.projector.catch_up()
            if publisher is not None:
                publisher.publish_changes()  # also after midnight, when overdue changes
            if sender is not None:
                report = sender.run()  # alerts, retries, and digests after midnight
                if report.sent or report.retrying or report.failed:
                    log.info("worker: %s", report)
        except Exception:
            # A bad event stops projection (never skipped); keep retrying so an operator's
            # fix (or a restored database) is picked up without a restart.
            log.exception("worker: projection failed; retrying in %s s", interval)
            continue
        if reached != position:
            log.info("worker: read models at event %s", reached)
            position = reached
    print("worker: stopped", file=sys.stderr)
    return 0
