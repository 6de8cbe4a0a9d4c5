"""The web application factory: nothing is built at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from tracker import __version__
from tracker.bootstrap import Tracker
from tracker.projections.runner import Poller
from tracker.web import errors
from tracker.web.routes import api_issues, health


def create_app(tracker: Tracker, *, poll: bool = True) -> FastAPI:
    """Build the app around a bootstrapped tracker (the caller owns and closes it)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        tracker.projector.catch_up()
        poller = None
        if poll and not tracker.settings.is_postgres:
            # Embedded mode: pick up events written by other processes (e.g. the CLI).
            poller = Poller(tracker.projector, tracker.settings.poll_seconds)
            poller.start()
        try:
            yield
        finally:
            if poller is not None:
                poller.stop()

    app = FastAPI(title="Citizens' assembly tracker", version=__version__, lifespan=lifespan,
                  description="Did anything concrete come of it? Issues, commitments, "
                              "delivery: a public, event-sourced record.")
    app.state.tracker = tracker
    errors.install(app)
    app.include_router(health.router)
    app.include_router(api_issues.router)
    return app
