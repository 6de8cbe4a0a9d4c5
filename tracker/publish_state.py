"""What the static site holds: ``.published.json`` in the publish directory.

``position``: the events the last run took into account; every address they affect is
either written or listed in ``pending`` (its page could not be built, say while the
database was away) and is tried again on the next run. ``published``: every change up to
this event is in the files: the figure to watch (``/healthz`` shows it as ``published``).
``date``: the day the files were built for (overdue and "N days ago" change at midnight).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tracker.site_files import SiteDirectory, UnsafeDirectory

STATE_FILE = ".published.json"


@dataclass(frozen=True)
class PublishState:
    position: int
    published: int
    date: str
    pending: tuple[str, ...] = field(default=())
    at: str = ""  # when it was written (UTC, ISO 8601)

    def to_bytes(self) -> bytes:
        data = asdict(self)
        data["pending"] = list(self.pending)
        return json.dumps(data, indent=1).encode()


def read_state(site: SiteDirectory) -> PublishState | None:
    """The state of the last run, if the directory has one that reads."""
    try:
        raw = site.read(STATE_FILE)
        if raw is None:
            return None
        data = json.loads(raw)
        position = int(data["position"])
        return PublishState(
            position=position, published=int(data.get("published", position)),
            date=str(data["date"]), pending=tuple(str(a) for a in data.get("pending", ())),
            at=str(data.get("at", "")))
    except (OSError, UnsafeDirectory, ValueError, KeyError, TypeError):
        return None


def published_position(directory: Path | None) -> int | None:
    """How far the static copy in ``directory`` has got, or None if it has no state."""
    if directory is None:
        return None
    state = read_state(SiteDirectory(directory))
    return None if state is None else state.published
