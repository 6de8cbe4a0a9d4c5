"""Values every read-model database can store, whatever an event holds.

PostgreSQL text cannot hold the NUL character (U+0000), which JSON, and so the event log,
stores without complaint. An event recorded with one (by an older version, or any path that
did not refuse it) would stop projection for good. Read models therefore get U+FFFD
(the replacement character, shown as a "?" in a box) in its place, on every backend alike,
so SQLite and PostgreSQL read models stay equal. The event log itself is left as it was.
"""

from __future__ import annotations

import dataclasses
from typing import Any

NUL = "\x00"
REPLACEMENT = "\ufffd"


def storable(event: Any) -> Any:
    """The event itself, or a copy with NUL replaced in its text values."""
    changes = {name: _clean(value) for name, value in vars(event).items()
               if _has_nul(value)}
    if not changes:
        return event
    return dataclasses.replace(event, **changes)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, list | tuple | set | frozenset):
        return any(_has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace(NUL, REPLACEMENT)
    if isinstance(value, list | tuple | set | frozenset):
        return type(value)(_clean(v) for v in value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value
