"""ETag and Last-Modified from the read models' position, and cheap 304 answers.

Every page and JSON read depends on two things only: the events projected so far and today's
date (overdue and "N days ago" change at midnight without any new event). The validators
therefore combine the projector's position with the date, and Last-Modified is the later of
the newest projected event's recording time and the start of today. Working them out costs
two primary-key reads; a matching conditional request is answered before any page is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import Request, Response
from sqlalchemy import Connection, select

from tracker.bootstrap import Tracker
from tracker.projections.timeline import entries


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: datetime

    @property
    def http_date(self) -> str:
        return format_datetime(self.last_modified, usegmt=True)


def validators(tracker: Tracker, conn: Connection, variant: str = "") -> Validators:
    """The validators of any representation read now; ``variant`` tells formats apart."""
    position = tracker.projector.position()
    today: date = tracker.clock()
    recorded = conn.execute(select(entries.c.recorded_at).where(entries.c.position <= position)
                            .order_by(entries.c.position.desc()).limit(1)).scalar()
    midnight = datetime.combine(today, time(), tzinfo=UTC)
    if recorded is not None and recorded.tzinfo is None:
        recorded = recorded.replace(tzinfo=UTC)
    newest = max(midnight, recorded) if recorded is not None else midnight
    tag = f'"{position}-{today.isoformat()}{"-" + variant if variant else ""}"'
    return Validators(etag=tag, last_modified=newest.replace(microsecond=0))


def not_modified(request: Request, current: Validators) -> Response | None:
    """A 304 when the client's copy is current (If-None-Match wins over If-Modified-Since)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        if current.etag in tags or "*" in tags:
            return _304(current)
        return None
    since = request.headers.get("if-modified-since")
    if since:
        try:
            client = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return None
        if client.tzinfo is None:
            client = client.replace(tzinfo=UTC)
        if current.last_modified <= client:
            return _304(current)
    return None


def stamp(response: Response, current: Validators, max_age: int = 60) -> Response:
    response.headers["ETag"] = current.etag
    response.headers["Last-Modified"] = current.http_date
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


def _304(current: Validators) -> Response:
    return stamp(Response(status_code=304), current)
