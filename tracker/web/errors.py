"""Domain errors become HTTP answers with a JSON body that names the field."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tracker.domain import errors

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
