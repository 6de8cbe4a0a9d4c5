"""Group commit: concurrent calls for one key, coalesced into one batch run by one thread.

Why: when a petition goes viral, every request supports the same issue. Saved one at a
time, they conflict on the issue's version and queue behind each other, and each pays a
commit (an fsync) for its event and another for its projection. Coalesced, one thread
applies all of the waiting calls and saves them in one transaction, and the next read
projects them in one batch.

How: the first caller for a key becomes the leader and runs at once (a caller alone waits
for nothing). Callers arriving while it runs queue up. When the leader is done it hands the
lead to the first queued caller, which takes up to ``limit`` of the queue as its batch; so
each thread runs at most one batch and then returns with its own answer, and no caller is
kept serving others indefinitely.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _Call(Generic[T, R]):
    item: T
    woken: threading.Event = field(default_factory=threading.Event)
    lead: bool = False
    done: bool = False
    result: R | None = None
    error: BaseException | None = None


@dataclass
class _Line(Generic[T, R]):
    queue: deque[_Call[T, R]] = field(default_factory=deque)
    running: bool = False


class GroupCommit(Generic[K, T, R]):
    """Runs ``run(key, items)`` for batches of concurrent ``submit(key, item)`` calls.

    ``run`` returns one answer per item, in order: a result, or an exception to raise in
    that item's caller. If ``run`` itself raises, every caller of the batch gets that
    error (``run`` must then have stored nothing of the batch).
    """

    def __init__(self, run: Callable[[K, Sequence[T]], Sequence[R | BaseException]],
                 limit: int = 256) -> None:
        self._run = run
        self.limit = limit
        self._lock = threading.Lock()
        self._lines: dict[K, _Line[T, R]] = {}

    def submit(self, key: K, item: T) -> R:
        """Run ``item`` in a batch with whatever else is waiting for ``key``; return its
        result or raise its error."""
        call: _Call[T, R] = _Call(item)
        with self._lock:
            line = self._lines.setdefault(key, _Line())
            line.queue.append(call)
            if not line.running:
                line.running = True
                call.lead = True
        if not call.lead:
            call.woken.wait()
        if call.lead and not call.done:
            self._lead(key, line)
        if call.error is not None:
            raise call.error
        return call.result  # type: ignore[return-value]  # set when done without error

    def queued(self, key: K) -> int:
        """How many calls for ``key`` wait for a batch (not counting one being run)."""
        with self._lock:
            line = self._lines.get(key)
            return 0 if line is None else len(line.queue)

    def _lead(self, key: K, line: _Line[T, R]) -> None:
        with self._lock:
            batch = [line.queue.popleft() for _ in range(min(self.limit, len(line.queue)))]
        try:
            answers: Sequence[R | BaseException] | BaseException = self._run(
                key, [c.item for c in batch])
        except BaseException as error:  # every caller of the batch is told, then re-raised
            answers = error
        for number, call in enumerate(batch):
            answer = answers if isinstance(answers, BaseException) else answers[number]
            if isinstance(answer, BaseException):
                call.error = answer
            else:
                call.result = answer
            call.done = True
        with self._lock:
            if line.queue:
                # The next batch is led by the first caller waiting (not by this thread,
                # which has its own caller to answer).
                following = line.queue[0]
                following.lead = True
                following.woken.set()
            else:
                line.running = False
                del self._lines[key]
        for call in batch:
            call.woken.set()
