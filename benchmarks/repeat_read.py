"""What a repeat read costs the Python thread, in process: CPU microseconds per GET of an
address already answered, through the whole ASGI app as `tracker serve` runs it
(tracker.web.front in front of the app), without any HTTP server, against a bare ASGI
function answering fixed bytes (the ceiling's app) measured in the same run.

    python benchmarks/repeat_read.py [--requests 20000] [--rounds 5]

Prints the median of the rounds, per address, and the ratio to the fixed bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tracker.bootstrap import bootstrap
from tracker.config import load_settings
from tracker.demo import load_demo
from tracker.web.app import create_app
from tracker.web.front import Front

ADDRESSES = ("/issues/1", "/issues/1/feed.atom", "/api/v1/issues/1")


def scope_of(path: str, headers: list[tuple[bytes, bytes]] | None = None,
             method: str = "GET") -> dict[str, Any]:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": b"", "root_path": "", "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "headers": headers or [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"wrk"),
                                   (b"accept", b"*/*")]}


async def receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def per_request(app: Any, scope: dict[str, Any], count: int) -> tuple[float, int]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    started = time.thread_time()  # CPU time: other work on a shared machine aside
    for _ in range(count):
        sent.clear()
        await app(dict(scope), receive, send)
    elapsed = time.thread_time() - started
    return elapsed / count * 1e6, int(sent[0]["status"])


async def measure(requests: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as data:
        tracker = bootstrap(load_settings(data_dir=Path(data)))
        load_demo(tracker)
        app = Front(create_app(tracker), concurrency_limit=1000, body_timeout=10,
                    max_body_bytes=1 << 20, access_log=None, on_shutdown=lambda: None)
        cache = tracker_cache(app)
        watcher = cache.watcher()  # keeps the position fresh, as while serving
        watcher.start()
        for path in ADDRESSES:  # answered once: the next ones are repeat reads
            await per_request(app, scope_of(path), 2)
        start, body = await recorded(app, ADDRESSES[0])

        async def fixed(_scope: Any, _receive: Any, send: Any) -> None:
            await send(start)
            await send(body)

        results: dict[str, list[float]] = {"fixed bytes": []}
        for _ in range(rounds):
            results["fixed bytes"].append((await per_request(fixed, scope_of("/"),
                                                             requests))[0])
            for path in ADDRESSES:
                micro, status = await per_request(app, scope_of(path), requests)
                assert status == 200, (path, status)
                results.setdefault(path, []).append(micro)
        base = statistics.median(results["fixed bytes"])
        for name, values in results.items():
            median = statistics.median(values)
            print(f"{name:24} {median:6.2f} us  ({min(values):.2f}-{max(values):.2f})  "
                  f"ratio {base / median:.2f}")
        watcher.stop()
        tracker.close()


def tracker_cache(app: Front) -> Any:
    from tracker.web.mounting import mounted
    return mounted(app.app).http_cache


async def recorded(app: Any, path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope_of(path), receive, send)
    return sent[0], sent[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(measure(args.requests, args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
