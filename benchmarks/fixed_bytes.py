"""The ceiling: a bare ASGI app that answers every request with one response recorded
beforehand (status page bytes and headers), read from the file FIXED_RESPONSE names.

The file holds the header lines, a blank line, then the body. Used by serve_load.py.
"""

from __future__ import annotations

import os
from typing import Any

with open(os.environ["FIXED_RESPONSE"], "rb") as _file:
    _head, _, BODY = _file.read().partition(b"\r\n\r\n")
HEADERS = [tuple(line.split(b": ", 1)) for line in _head.split(b"\r\n") if line]
START = {"type": "http.response.start", "status": 200, "headers": HEADERS}
MESSAGE = {"type": "http.response.body", "body": BODY}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send(START)
    await send(MESSAGE)
