"""The web application factory: nothing is built at import time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracker import __version__
from tracker.bootstrap import Tracker
from tracker.projections.runner import Poller, ProjectionError
from tracker.site.templating import STATIC_DIR, VENDOR_DIR
from tracker.web import errors, security
from tracker.web.body_limit import BodyLimit
from tracker.web.edge import plain_parameters
from tracker.web.idempotency import IdempotentWrites
from tracker.web.mounting import mount, mounted
from tracker.web.rendering import render
from tracker.web.routes import (
    api_issues,
    api_lists,
    api_write,
    api_write_citizens,
    calendars,
    exports,
    feeds,
    files,
    follow,
    health,
    log,
    pages_about,
    pages_issues,
    pages_judgements,
    pages_lists,
    pages_submit,
    report_cards,
    staff,
    staff_accounts,
    staff_audit,
    staff_import,
    staff_issues,
    staff_meeting,
    staff_worklist,
    time_travel,
)

logger = logging.getLogger(__name__)


def create_app(tracker: Tracker, *, poll: bool = True) -> TrackerAPI:
    """Mount the container (tracker.bootstrap) in a new app: the caller owns and closes it.
    Routes take its parts through tracker.web.deps; nothing else is put on ``app.state``."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The key is worked out (made, on a first start) before the first request needs it.
        _ = tracker.secret
        watcher = mounted(app).http_cache.watcher()
        watcher.start()
        poller = None
        if not poll:
            with suppress(ProjectionError):  # recorded, logged, on /healthz
                tracker.projector.catch_up()
        else:
            # Serve at once, even after a long outage: the poller catches up in the
            # background, and pages show the read models as far as they have got.
            # Pick up events written by other processes (the CLI, other web workers). Safe
            # beside `tracker worker`: batches lock their positions, so nothing is doubled.
            poller = Poller(tracker.projector, tracker.settings.poll_seconds)
            poller.start()
        try:
            yield
        finally:
            watcher.stop()
            if poller is not None:
                poller.stop()

    app = TrackerAPI(title="Citizens' assembly tracker", version=__version__,
                     lifespan=lifespan, dependencies=[Depends(plain_parameters)],
                     description="Did anything concrete come of it? Issues, commitments, "
                                 "delivery: a public, event-sourced record.")
    mount(app, tracker)
    app.add_middleware(IdempotentWrites, tracker=tracker)  # inside the body limit
    # An upload's multipart envelope adds a little to the file itself.
    app.add_middleware(BodyLimit, max_bytes=tracker.settings.max_body_bytes,
                       larger=(files.UPLOADS, tracker.settings.max_file_bytes + 16_384))
    errors.install(app)
    security.install(app)
    _install_not_found(app)
    for routes in (health, api_issues, api_lists, api_write_citizens, api_write, exports,
                   feeds, calendars, follow, pages_submit, pages_issues, pages_about,
                   pages_lists, pages_judgements, report_cards, staff, staff_issues,
                   staff_accounts, staff_meeting, staff_worklist, files, staff_audit, log,
                   staff_import):
        app.include_router(routes.router)
    app.include_router(time_travel.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
    if (VENDOR_DIR / "assets").is_dir():
        # The NHS.UK stylesheet refers to its images at /assets/...
        app.mount("/assets", StaticFiles(directory=VENDOR_DIR / "assets"), name="assets")
    return app


class TrackerAPI(FastAPI):
    """FastAPI with the answers from memory (tracker.web.http_cache, HttpCache.early) in
    front of everything, and the security headers on every other response. A repeat read
    is answered with two prebuilt messages, and costs none of what the security layer,
    FastAPI and Starlette do per request (FastAPI's telemetry check alone reads three
    environment variables), nor routing. `tracker serve` asks ``answer_early`` from its
    outermost layer (tracker.web.front) and sends the rest to ``past_the_front``."""

    _inner: ASGIApp | None = None
    _early: Callable[[Scope], tuple[Message, Message] | None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            found = self.answer_early(scope)
            if found is not None:
                await send(found[0])
                await send(found[1])
                return
        await self.past_the_front(scope, receive, send)

    def answer_early(self, scope: Scope) -> tuple[Message, Message] | None:
        """A GET or HEAD answered from memory, as its two ASGI messages, or None."""
        if scope["method"] not in ("GET", "HEAD"):
            return None
        early = self._early
        if early is None:
            early = self._early = mounted(self).http_cache.early
        try:
            return early(scope)
        except Exception:
            # Never a failure for the client: the app answers it, the slow way.
            logger.exception("answer from memory failed on %s %r", scope["method"],
                          scope.get("path"))
            return None

    async def past_the_front(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Everything but the answers from memory: the security headers, then FastAPI."""
        if scope["type"] != "http":  # lifespan: FastAPI's own handling
            await super().__call__(scope, receive, send)
            return
        if self._inner is None:
            self._inner = security.SecurityHeaders(super().__call__)
        await self._inner(scope, receive, send)


def _wants_json(request: Request) -> bool:
    path = request.url.path
    # Feeds, calendars, exports (any address ending in a file extension) and the
    # verifiable log are read by programs: their refusals are JSON too. Pages never end in one.
    return path.startswith(("/api/", "/export/", "/log/")) or path == "/healthz" or \
        "." in path.rsplit("/", 1)[-1]


def _install_not_found(app: FastAPI) -> None:
    """Pages get a helpful HTML 404; the API keeps JSON bodies."""

    @app.exception_handler(staff.LoginNeeded)
    async def _login_needed(request: Request, _error: Exception) -> Response:
        return staff.see("/admin/login")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404 and not _wants_json(request):
            return render(request, "not_found.html", 404,
                          message="We could not find the page you asked for.")
        if not _wants_json(request) and request.method == "POST":
            # A refused form post (forged, too large, too many) gets a page, not JSON.
            heading = {403: "This form was refused", 413: "That is too much text",
                       429: "Please wait a moment"}.get(error.status_code, "That did not work")
            response = render(request, "problem.html", error.status_code, heading=heading,
                              message=str(error.detail), back=request.url.path,
                              back_text="Go back to the form")
            response.headers.update(getattr(error, "headers", None) or {})
            return response
        detail = error.detail
        if isinstance(detail, dict) and "field" in detail:
            body = {"detail": detail.get("detail"), "field": detail["field"]}
        else:
            body = {"detail": detail, "field": None}
        return JSONResponse(body, status_code=error.status_code,
                            headers=getattr(error, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        problems = [{"field": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]),
                     "detail": e["msg"]} for e in error.errors()]
        if not _wants_json(request) and request.method == "GET":
            return render(request, "not_found.html", 404,
                          message="That address is not one this site knows.")
        return JSONResponse({"detail": "The request is not valid", "errors": problems,
                             "field": problems[0]["field"] if problems else None},
                            status_code=422)
