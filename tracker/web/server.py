"""`tracker serve`: granian (HTTP parsed in Rust by hyper) by default, uvicorn where no
granian wheel could be installed.

Granian is the faster of the two for this app (docs/performance.md) and closes slow and
silent connections itself: its header-read deadline runs from the connection's opening
(and from each answer on a kept-alive one) to the end of the headers, however the bytes
dribble in. The body deadline, the concurrency limit and the refusal of an ambiguous
length live in tracker.web.guards, so they hold on either server. On uvicorn a small
protocol guard (below) gives the same header deadline.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from tracker.config import Settings, load_settings


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

    Granian("tracker.web.asgi:granian_app_factory", factory=True, address=host, port=port,
            interface=Interfaces.ASGI, workers=workers, http=HTTPModes.http1,
            websockets=False, backlog=max(1024, 2 * settings.concurrency_limit),
            # Connections held at once per process; the guard answers 503 above half.
            backpressure=2 * settings.concurrency_limit,
            http1_settings=HTTP1Settings(
                header_read_timeout=int(settings.header_timeout * 1000), keep_alive=True),
            log_access=False).serve()


def _serve_uvicorn(settings: Settings, host: str, port: int, workers: int) -> None:
    import uvicorn

    protocol: type = globals().get("HeaderDeadlineHttpTools", HeaderDeadlineH11)
    uvicorn.run("tracker.web.asgi:app_factory", factory=True, host=host, port=port,
                workers=workers, http=protocol, access_log=False,
                timeout_keep_alive=max(1, int(settings.header_timeout)),
                limit_concurrency=2 * settings.concurrency_limit)


class _HeaderDeadline:
    """Closes a connection whose request headers are not complete ``header_timeout``
    seconds after it opened or after the previous answer on it. uvicorn's parsers
    create a request cycle exactly when the headers are complete."""

    cycle: Any
    transport: Any
    _seen: Any = None
    _timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)  # type: ignore[misc]
        self._note_request()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        if not self._note_request() and not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]

    def _note_request(self) -> bool:
        if self.cycle is None or self.cycle is self._seen:
            return False
        self._seen = self.cycle
        self._disarm()
        return True

    def _arm(self) -> None:
        self._disarm()
        self._timer = asyncio.get_running_loop().call_later(
            _header_timeout(), self.transport.close)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


_TIMEOUT: list[float] = []


def _header_timeout() -> float:
    if not _TIMEOUT:
        _TIMEOUT.append(load_settings().header_timeout)
    return _TIMEOUT[0]


from uvicorn.protocols.http.h11_impl import H11Protocol  # noqa: E402


class HeaderDeadlineH11(_HeaderDeadline, H11Protocol):
    pass


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class HeaderDeadlineHttpTools(_HeaderDeadline, HttpToolsProtocol):
        pass
except ImportError:  # httptools is optional
    pass
