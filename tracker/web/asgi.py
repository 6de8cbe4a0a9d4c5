"""The ASGI entry points `tracker serve` starts, by name, in every server process.

Each process bootstraps its own tracker from the environment and puts tracker.web.front
(limits, timeouts, the access log, and the answers from memory) in front of the app.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from tracker.bootstrap import Tracker, bootstrap
from tracker.config import load_settings
from tracker.web.access_log import LineWriter
from tracker.web.app import create_app
from tracker.web.front import Front


def app_factory() -> Any:
    """The app of one server process (granian's or uvicorn's)."""
    _die_with_parent()
    return served(bootstrap(load_settings()))


def served(tracker: Tracker) -> Front:
    """The app as a server process runs it: tracker.web.front in front, answering the
    reads it can from memory, and closing the tracker when the app shuts down."""
    settings = tracker.settings
    app = create_app(tracker)
    return Front(app.past_the_front, concurrency_limit=settings.concurrency_limit,
                 body_timeout=settings.body_timeout, max_body_bytes=settings.max_body_bytes,
                 access_log=LineWriter(sys.stdout.buffer) if settings.access_log else None,
                 on_shutdown=tracker.close, early=app.answer_early)


def _die_with_parent() -> None:
    """A server process started by `tracker serve` ends when that process ends, even by
    kill -9: otherwise it would go on serving, and holding the port, on its own."""
    parent = os.environ.get("TRACKER_SERVE_PID")
    if not sys.platform.startswith("linux") or parent in (None, str(os.getpid())):
        return  # not Linux, or serving in the very process that was started
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if str(os.getppid()) != parent:  # it ended before the prctl
        os._exit(1)
