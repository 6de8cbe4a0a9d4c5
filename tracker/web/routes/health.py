"""Liveness, with how far the event store, the read models and the static site have got."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tracker.publish_state import published_position
from tracker.web.deps import TrackerDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def read_health(tracker: TrackerDep) -> dict[str, Any]:
    """The server is up; ``position`` is the newest event, ``projected`` what pages show."""
    health: dict[str, Any] = {
        "status": "ok",
        "position": tracker.app.recorder.max_notification_id() or 0,
        "projected": tracker.projector.position(),
    }
    if tracker.settings.publish_dir is not None:
        # How far the static copy has got (null before its first run).
        health["published"] = published_position(tracker.settings.publish_dir)
    return health
