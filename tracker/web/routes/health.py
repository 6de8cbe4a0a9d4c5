"""Liveness, with how far the event store and the read models have got."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tracker.web.deps import TrackerDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def read_health(tracker: TrackerDep) -> dict[str, Any]:
    """The server is up; ``position`` is the newest event, ``projected`` what pages show."""
    return {
        "status": "ok",
        "position": tracker.app.recorder.max_notification_id() or 0,
        "projected": tracker.projector.position(),
    }
