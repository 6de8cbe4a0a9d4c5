"""Security headers on every response, and no stack trace ever sent to a client."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

log = logging.getLogger(__name__)

# No inline script or style anywhere; the pages work without JavaScript at all. Images may
# come from anywhere https (an organisation's logo may live on its own site).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)

# The interactive API docs load their script and style from a CDN; they get a policy of
# their own that allows exactly that, and nothing else does.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' https: data:; "
    "frame-ancestors 'none'; object-src 'none'; base-uri 'none'"
)

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        try:
            response = await call_next(request)
        except Exception:
            # Log the details for operators; the client learns only that it failed.
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            response = JSONResponse({"detail": "Something went wrong on our side."},
                                    status_code=500)
        policy = DOCS_POLICY if request.url.path in ("/docs", "/redoc") else \
            CONTENT_SECURITY_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def install(app: FastAPI) -> None:
    app.add_middleware(SecurityHeaders)
