"""Progress of long work (a rebuild, a publish run, a benchmark): on a terminal a bar with
the rate and the time left (rich); elsewhere (a log, cron, CI) one line when it is done.

    with Progress("rebuild", total, "events") as progress:
        ...
        progress.update(done)
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import IO, Any


class Progress:
    def __init__(self, what: str, total: int, unit: str, stream: IO[str] | None = None,
                 terminal: bool | None = None) -> None:
        self.what, self.total, self.unit = what, max(total, 0), unit
        self.stream = stream if stream is not None else sys.stderr
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self.done = 0
        self._started = time.monotonic()
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        self._started = time.monotonic()
        if self.terminal:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TaskProgressColumn,
                TextColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as Bar

            self._bar = Bar(TextColumn("{task.description}"), BarColumn(),
                            MofNCompleteColumn(), TaskProgressColumn(),
                            TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
                            console=Console(file=self.stream), transient=False)
            self._bar.start()
            self._task = self._bar.add_task(self.what, total=self.total or None, rate="")
        return self

    def update(self, done: int, total: int | None = None) -> None:
        """``done`` of the total so far (never goes back); the total, once known."""
        if total is not None:
            self.total = total
        self.done = max(self.done, min(done, self.total) if self.total else done)
        if self._bar is not None:
            elapsed = time.monotonic() - self._started
            rate = f"{self.done / elapsed:,.0f} {self.unit}/s" if elapsed > 0 else ""
            self._bar.update(self._task, completed=self.done, total=self.total or None,
                             rate=rate)

    def advance(self, step: int = 1) -> None:
        self.update(self.done + step)

    def summary(self) -> str:
        elapsed = time.monotonic() - self._started
        rate = f" ({self.done / elapsed:,.0f} {self.unit}/s)" if elapsed > 0 else ""
        return f"{self.what}: {self.done:,} of {self.total:,} {self.unit} in {elapsed:.1f} s{rate}"

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()
        else:
            print(self.summary() + (" (stopped)" if kind is not None else ""),
                  file=self.stream, flush=True)
