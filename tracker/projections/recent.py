"""What changed recently, by when things happened: the home page's list.

The timeline is ordered by when entries were recorded, so an old meeting logged today sits at
its top. "Recently" on the home page means happened recently: the newest entries whose day
is within ``RECENT_DAYS`` of today; when there are none, the latest that happened, said as
such. Only the newest ``_LOOK_AT`` entries are read (the primary key's order), so the cost
does not grow with the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection

from tracker.projections.timeline import TimelineEntry, what_changed

RECENT_DAYS = 90
_LOOK_AT = 200


@dataclass(frozen=True)
class Recent:
    entries: list[TimelineEntry]
    recent: bool  # False: nothing happened within RECENT_DAYS; these are the latest
    since: date  # the first day that counts as recent


def recent_changes(conn: Connection, today: date, limit: int = 10) -> Recent:
    since = today - timedelta(days=RECENT_DAYS)
    newest = what_changed(conn, limit=_LOOK_AT)
    recent = [e for e in newest if e.occurred_on >= since]
    if recent:
        return Recent(recent[:limit], True, since)
    latest = sorted(newest, key=lambda e: (e.occurred_on, e.position), reverse=True)
    return Recent(latest[:min(limit, 5)], False, since)
