"""Domain errors become HTTP answers with a JSON body that names the field; a database that
cannot be reached or written (down, disk full) becomes a 503 that says nothing changed."""

from __future__ import annotations

import logging
import sqlite3

import psycopg
import sqlalchemy.exc
from eventsourcing import persistence
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tracker.domain import errors
from tracker.web.rendering import render

log = logging.getLogger(__name__)

# Failures of the database itself, not of the request. A write that meets one is rolled
# back whole by the event store's transaction, so the answer can promise nothing changed.
# (IntegrityError is absent: a version conflict is the application's to retry or refuse.)
UNAVAILABLE = (
    persistence.OperationalError, persistence.InterfaceError, persistence.InternalError,
    sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError, sqlite3.OperationalError, psycopg.OperationalError,
)
RETRY_AFTER = "30"
UNAVAILABLE_MESSAGE = ("The record cannot be reached just now, so nothing was changed. "
                       "Please try again in a minute.")

STATUS = (
    (errors.NotFound, 404),
    (errors.StaleVersion, 412),
    (errors.NotPermitted, 403),
    (errors.AlreadyExists, 409),
    (errors.RuleViolation, 409),
    (errors.InvalidValue, 422),
    (errors.DomainError, 400),
)


def status_for(error: errors.DomainError) -> int:
    return next(code for kind, code in STATUS if isinstance(error, kind))


def install(app: FastAPI) -> None:
    for kind in UNAVAILABLE:
        app.add_exception_handler(kind, _unavailable)

    @app.exception_handler(errors.DomainError)
    async def _domain_error(_request: Request, error: errors.DomainError) -> JSONResponse:
        body: dict[str, object] = {"error": type(error).__name__, "detail": error.message,
                                   "field": error.field}
        headers = None
        if isinstance(error, errors.StaleVersion):
            # The version the client must read again: it can retry without a second request.
            body["current_version"] = error.current_version
            headers = {"ETag": f'"{error.current_version}"'}
        return JSONResponse(body, status_code=status_for(error), headers=headers)


async def _unavailable(request: Request, error: Exception) -> Response:
    log.error("database unavailable on %s %r: %s", request.method, request.url.path, error)
    headers = {"Retry-After": RETRY_AFTER, "Cache-Control": "no-store"}
    path = request.url.path
    if path.startswith(("/api/", "/export/")) or path == "/healthz" or \
            "." in path.rsplit("/", 1)[-1]:
        return JSONResponse({"detail": UNAVAILABLE_MESSAGE, "field": None}, status_code=503,
                            headers=headers)
    response = render(request, "problem.html", 503, heading="Please try again in a minute",
                      message=UNAVAILABLE_MESSAGE, back=path, back_text="Try again")
    response.headers.update(headers)
    return response
