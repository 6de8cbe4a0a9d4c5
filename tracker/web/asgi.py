"""The ASGI entry point for several worker processes (``tracker serve --workers N``).

Each worker process bootstraps its own tracker from the environment; uvicorn imports this
factory by name in every process it starts.
"""

from __future__ import annotations

from fastapi import FastAPI

from tracker.bootstrap import bootstrap
from tracker.config import load_settings
from tracker.web.app import create_app


def app_factory() -> FastAPI:
    tracker = bootstrap(load_settings())
    app = create_app(tracker)
    app.router.on_shutdown.append(tracker.close)
    return app
