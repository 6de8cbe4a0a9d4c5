"""uvicorn's protocols with a header deadline, for `tracker serve` where granian has no
wheel: uvicorn's own keep-alive timeout is reset by every byte and does not run before the
first request, so a client dribbling a header line every few seconds, or saying nothing,
would hold its connection for ever."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from tracker.config import load_settings


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


class HeaderDeadlineH11(_HeaderDeadline, H11Protocol):
    pass


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class HeaderDeadlineHttpTools(_HeaderDeadline, HttpToolsProtocol):
        pass
except ImportError:  # httptools is optional
    pass
