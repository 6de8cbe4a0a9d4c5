"""What a rate-limit check costs as the number of known clients grows, in one run.

Each limiter is filled with K clients (one request each, as a surge brings them), then
timed over N checks from new clients. The baseline is the store the tracker used before,
the ``limits`` library's in-memory storage with its moving window, whose timer thread
walks every key every 10 ms; against it, the tracker's own (``tracker.web.citizens``,
a ``cachetools.TTLCache`` per kind that expires entries lazily). Wall-clock time per
check includes what the other thread takes from it (the interpreter lock).

    python benchmarks/rate_limits.py [--n 20000] [--known 100,10000,100000] [--rounds 3]
        [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from tracker.config import load_settings
from tracker.web.citizens import RateLimits


class Before:
    def __init__(self) -> None:
        self.storage = MemoryStorage()
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.item = parse("30/minute")

    def check(self, client: str) -> None:
        self.limiter.hit(self.item, "support", client)


class After:
    def __init__(self) -> None:
        self.limits = RateLimits(load_settings(rate_support="30/minute"))

    def check(self, client: str) -> None:
        self.limits.check("support", client)


def per_check_us(limiter: Any, known: int, n: int) -> float:
    for i in range(known):
        limiter.check(f"known-{i}")
    time.sleep(0.1)  # the timer, where there is one, is walking the keys by now
    started = time.perf_counter()
    for i in range(n):
        limiter.check(f"new-{i}")
    return (time.perf_counter() - started) / n * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--known", default="100,10000,100000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sizes = [int(k) for k in args.known.split(",")]
    runs: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
    # Rounds, every limiter in each, one alive at a time; the best of the rounds, so that
    # a busy spell on a shared machine does not decide the figure.
    for _ in range(args.rounds):
        for known in sizes:
            for name, kind in (("before", Before), ("after", After)):
                limiter = kind()
                runs[name].setdefault(str(known), []).append(
                    per_check_us(limiter, known, args.n))
                if isinstance(limiter, Before):
                    limiter.storage.timer.cancel()
                del limiter
    results = {name: {k: round(min(v), 1) for k, v in row.items()}
               for name, row in runs.items()}
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        first = str(sizes[0])
        for name, row in results.items():
            print(f"{name:7}" + "".join(
                f"  {k} known: {v} us ({v / row[first]:.2f}x)" for k, v in row.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
