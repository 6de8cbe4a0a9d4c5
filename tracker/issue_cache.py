"""Issues kept in memory between commands, shared safely by a process's threads.

Every object stored here is a private copy that nothing changes afterwards, and every
reader gets a copy of its own. (eventsourcing's own aggregate cache fast-forwards the cached
object in place, and a copy taken meanwhile by another thread can show a version whose
event is not applied yet: a command judged on it could accept what the rules refuse.)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from copy import deepcopy
from uuid import UUID

from tracker.domain.issue import Issue


class IssueCache:
    """The newest known state of up to ``size`` recently used issues."""

    def __init__(self, size: int = 5000) -> None:
        self.size = size
        self._items: OrderedDict[UUID, Issue] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, issue_id: UUID) -> Issue | None:
        """A copy of the stored issue (the caller may change it freely), or None."""
        with self._lock:
            stored = self._items.get(issue_id)
            if stored is None:
                return None
            self._items.move_to_end(issue_id)
        return deepcopy(stored)  # outside the lock: stored objects never change

    def put(self, issue: Issue) -> None:
        """Store a copy of ``issue`` unless a newer version is already stored (threads may
        finish out of order)."""
        copy = deepcopy(issue)
        with self._lock:
            stored = self._items.get(issue.id)
            if stored is not None and stored.version > copy.version:
                return
            self._items[issue.id] = copy
            self._items.move_to_end(issue.id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
