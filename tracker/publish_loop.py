"""The worker's publishing, in a thread of its own beside projecting and mailing.

A run of the publisher takes a while when much has changed (five files per changed issue,
and the home page, lists and feeds each run). In the worker's own loop every run held back
the read models and the mail for as long. Here it runs apart: woken whenever the read
models move (and every poll interval, for midnight and for pages to retry), each run
publishes the latest state with every change since the last run taken together, so in a
burst it is at most about one run behind and catches up after.

How far it has got: ``published`` in the publish directory's ``.published.json``, on
``/healthz`` of a web process that shares the directory, and in the worker's log.
"""

from __future__ import annotations

import logging
import sys
import threading
import time

from tracker.bootstrap import Tracker
from tracker.publish import Cancelled, Publisher, Report
from tracker.site_files import UnsafeDirectory

log = logging.getLogger(__name__)

# A line for progress at most this often; failures and the first run always get one.
REPORT_EVERY = 10.0


class PublishLoop:
    def __init__(self, tracker: Tracker, publisher: Publisher, interval: float) -> None:
        self.tracker = tracker
        self.publisher = publisher
        self.interval = interval
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._reported = float("-inf")
        self._thread = threading.Thread(target=self._run, name="publish", daemon=True)

    def start(self) -> None:
        self._wake.set()  # a first run at once: whatever happened while nobody published
        self._thread.start()

    def nudge(self) -> None:
        """The read models moved: publish (a run in progress is followed by another)."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stopping.set()
        self.publisher.cancel()  # a long run stops between two pages
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stopping.is_set():
                return
            self.run_once()

    def run_once(self) -> Report | None:
        try:
            report = self.publisher.publish_changes()
        except Cancelled:
            return None
        except UnsafeDirectory as error:
            log.error("worker: %s; retrying in %s s", error, self.interval)
            return None
        except Exception:
            log.exception("worker: publishing failed; retrying in %s s", self.interval)
            return None
        self._report(report)
        return report

    def _report(self, report: Report) -> None:
        now = time.monotonic()
        first = self._reported == float("-inf")
        if not (first or report.failed or
                (report.written and now - self._reported >= REPORT_EVERY)):
            return
        self._reported = now
        projected = self.tracker.projector.position()
        behind = max(projected - report.published, 0)
        retry = f"; {report.failed} pages to retry" if report.failed else ""
        print(f"worker: published up to event {report.published}; read models at "
              f"{projected} ({behind} behind){retry}", file=sys.stderr)
