"""`tracker serve`: granian (HTTP parsed in Rust by hyper) by default, uvicorn where no
granian wheel could be installed.

Granian is the faster of the two for this app (docs/performance.md) and closes slow and
silent connections itself: its header-read deadline runs from the connection's opening
(and from each answer on a kept-alive one) to the end of the headers, however the bytes
dribble in. The body deadline, the concurrency limit and the refusal of an ambiguous
length live in tracker.web.front, so they hold on either server. On uvicorn a small
protocol guard (tracker.web.header_deadline) gives the same header deadline.
"""

from __future__ import annotations

import os
import sys

from tracker.config import Settings


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    # The server processes it starts end with this one (tracker.web.asgi).
    os.environ["TRACKER_SERVE_PID"] = str(os.getpid())
    try:
        import granian  # noqa: F401
    except ImportError:
        print("tracker: granian is not installed on this platform; serving on uvicorn "
              "(slower)", file=sys.stderr)
        _serve_uvicorn(settings, host, port, workers)
    else:
        _serve_granian(settings, host, port, workers)


def _serve_granian(settings: Settings, host: str, port: int, workers: int) -> None:
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings

    Granian("tracker.web.asgi:app_factory", factory=True, address=host, port=port,
            interface=Interfaces.ASGI, workers=workers, http=HTTPModes.http1,
            websockets=False, backlog=max(1024, 2 * settings.concurrency_limit),
            # Connections held at once per process; tracker.web.front answers 503 to
            # requests above half of them.
            backpressure=2 * settings.concurrency_limit,
            http1_settings=HTTP1Settings(
                header_read_timeout=int(settings.header_timeout * 1000), keep_alive=True),
            log_access=False).serve()


def _serve_uvicorn(settings: Settings, host: str, port: int, workers: int) -> None:
    import uvicorn

    from tracker.web import header_deadline

    protocol: type = getattr(header_deadline, "HeaderDeadlineHttpTools",
                             header_deadline.HeaderDeadlineH11)
    # uvicorn's own X-Forwarded-For handling is off: by default it believes the header from
    # 127.0.0.1, so any local client could be anyone. TRACKER_TRUSTED_PROXIES is the one
    # rule (tracker.web.citizens.client_key).
    uvicorn.run("tracker.web.asgi:app_factory", factory=True, host=host, port=port,
                workers=workers, http=protocol, access_log=False, proxy_headers=False,
                timeout_keep_alive=max(1, int(settings.header_timeout)),
                limit_concurrency=2 * settings.concurrency_limit)
