"""Open data: the public event stream and CSV tables, streamed page by page
(produced by tracker.site.exports)."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from tracker.site import exports
from tracker.web.http_cache import SiteDep
from tracker.web.replies import body_in

router = APIRouter(prefix="/export", tags=["open data"])
EXPORT_MAX_AGE = 300


def _streamed(request: Request, site: SiteDep, variant: str, media_type: str,
              body: Iterator[str], filename: str) -> Response:
    # An export always exists, so If-None-Match: * matches it too.
    return site.stamped(request, variant, EXPORT_MAX_AGE, lambda: StreamingResponse(
        body, media_type=media_type,
        headers={"Content-Disposition": f'inline; filename="{filename}"'}))


@router.get("/events.jsonl", response_class=Response,
            responses=body_in("application/x-ndjson", description="JSON lines"))
def export_events(request: Request, site: SiteDep) -> Response:
    """Every public entry, oldest first, one JSON object per line (supporters anonymous)."""
    return _streamed(request, site, "events", "application/x-ndjson; charset=utf-8",
                     exports.events(site.site), "events.jsonl")


@router.get("/issues.csv", response_class=Response,
            responses=body_in("text/csv", description="CSV with a header row"))
def export_issues(request: Request, site: SiteDep) -> Response:
    """Every visible issue with its stage and verdict."""
    return _streamed(request, site, "issues-csv", "text/csv; charset=utf-8",
                     exports.issues_csv(site.site), "issues.csv")


@router.get("/commitments.csv", response_class=Response,
            responses=body_in("text/csv", description="CSV with a header row"))
def export_commitments(request: Request, site: SiteDep) -> Response:
    """Every commitment of a visible issue, with its status and whether it is overdue."""
    return _streamed(request, site, "commitments-csv", "text/csv; charset=utf-8",
                     exports.commitments_csv(site.site), "commitments.csv")
