"""The ASGI entry points `tracker serve` starts, by name, in every server process.

Each process bootstraps its own tracker from the environment and puts the server's guards
(tracker.web.guards) and the access log in front of the app.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from tracker.bootstrap import bootstrap
from tracker.config import load_settings
from tracker.web.access_log import AccessLog
from tracker.web.app import create_app
from tracker.web.guards import ServerGuard

Scope = dict[str, Any]
Message = dict[str, Any]


def app_factory() -> Any:
    """For uvicorn, which takes the client's address from X-Forwarded-For itself."""
    settings = load_settings()
    tracker = bootstrap(settings)
    app: Any = ServerGuard(create_app(tracker), concurrency_limit=settings.concurrency_limit,
                           body_timeout=settings.body_timeout,
                           max_body_bytes=settings.max_body_bytes)
    if settings.access_log:
        app = AccessLog(app)
    return _closing(app, tracker.close)


def granian_app_factory() -> Any:
    """For granian: the same, and X-Forwarded-For believed from the proxies named in
    FORWARDED_ALLOW_IPS only (as uvicorn does)."""
    from granian.utils.proxies import wrap_asgi_with_proxy_headers

    return wrap_asgi_with_proxy_headers(
        app_factory(), trusted_hosts=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"))


def _closing(app: Any, close: Callable[[], None]) -> Any:
    """Close the tracker once the app has finished its own shutdown."""

    async def closing(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return

        async def then_close(message: Message) -> None:
            await send(message)
            if message["type"].startswith("lifespan.shutdown"):
                close()

        await app(scope, receive, then_close)

    return closing
