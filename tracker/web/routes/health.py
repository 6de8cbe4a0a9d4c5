"""Liveness, with how far the event store, the read models and the static site have got,
and what stops them (see tracker.health for the fields)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from tracker.publish_state import published_position
from tracker.web.deps import HealthDep, SettingsDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def read_health(health: HealthDep, settings: SettingsDep) -> JSONResponse:
    """``status`` is ``ok``, ``stalled`` (an event stops projection or a rebuild: named in
    ``stalled``) or ``unavailable`` (503: a database does not answer within a second,
    named in ``unreachable``). ``position`` is the newest event, ``projected`` what pages
    show; ``skipped`` lists the events an operator let projection pass over."""
    status, body = health.report()
    if settings.publish_dir is not None and status != 503:
        # How far the static copy has got (null before its first run).
        body["published"] = published_position(settings.publish_dir)
    headers = {"Cache-Control": "no-store"}
    if status == 503:
        headers["Retry-After"] = "30"
    return JSONResponse(body, status_code=status, headers=headers)
