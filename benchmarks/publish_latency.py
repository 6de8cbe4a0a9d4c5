"""How long after a write the published static files show it: the worker woken by the
write against the worker that polls, in one run.

Loads the demo data, then for each mode starts `tracker worker` with a publish directory
and makes N writes from this process (another process, as the web server would be), one
at a time: a new supporter of one issue. For each, the time from the command's return
until the issue's published page shows the new count. Modes, on the same data:

- polling: TRACKER_WORKER_SUBSCRIBE=false, the worker looks every TRACKER_POLL_SECONDS
  (1 s, the default; ``--poll`` to change it);
- woken: the default, LISTEN/NOTIFY on PostgreSQL, the database file's data_version on
  SQLite (tracker.log_follower).

    python benchmarks/publish_latency.py [--n 200] [--backend sqlite|postgres|both]
        [--poll 1.0] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from http_writes import (
    Processes,
    add_backend_option,
    backend_env,
    backends,
    drop_schema,
    tracker_command,
)

from tracker.bootstrap import bootstrap
from tracker.config import load_settings
from tracker.domain.values import Actor, Role
from tracker.progress import Progress

CITIZEN = Actor("bench", Role.CITIZEN)
ISSUE = 12  # a demo issue with no other activity
MODES = {"polling": "false", "woken": "true"}


def settings_of(env: dict[str, str]) -> dict[str, str]:
    return {key.removeprefix("TRACKER_").lower(): value for key, value in env.items()}


def count_shown(page: Path, count: int) -> bool:
    try:
        return f"{count} supporters" in page.read_text()
    except OSError:
        return False


def published(state: Path) -> int:
    """How far the published files are complete, by the publisher's own record."""
    try:
        return int(json.loads(state.read_bytes())["published"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def lags(env: dict[str, str], workdir: Path, mode: str, n: int, first: int) -> list[float]:
    """Seconds from each write's return until the published page shows it."""
    page = Path(env["TRACKER_PUBLISH_DIR"]) / "issues" / str(ISSUE) / "index.html"
    state = Path(env["TRACKER_PUBLISH_DIR"]) / ".published.json"
    processes = Processes(workdir)
    tracker = bootstrap(load_settings(**settings_of(env)))
    try:
        count = tracker.app.load_issue(ISSUE).supporter_count
        processes.start(f"worker-{mode}", tracker_command("worker"),
                        {**env, "TRACKER_WORKER_SUBSCRIBE": MODES[mode]})
        log = workdir / f"worker-{mode}.out"
        deadline = time.monotonic() + 300
        # Its first run (the whole site when it is new) is over, and the page is there.
        while not (count_shown(page, count) and
                   b"worker: published up to event" in log.read_bytes()):
            if time.monotonic() > deadline:
                raise RuntimeError("the worker did not publish within 300 s")
            time.sleep(0.05)
        time.sleep(0.5)
        found = []
        with Progress(f"{mode} publisher", n, "writes") as progress:
            for i in range(n):
                position = tracker.app.support_issue(ISSUE, f"bench-{first + i}",
                                                     CITIZEN).position
                count += 1
                written = time.monotonic()
                while not (count_shown(page, count) and published(state) >= position):
                    if time.monotonic() - written > 30:
                        raise RuntimeError("the published page did not change within 30 s")
                    time.sleep(0.002)
                found.append(time.monotonic() - written)
                progress.advance()
    finally:
        tracker.close()
        processes.stop()
    return found


def summary(values: list[float]) -> dict[str, Any]:
    ordered = sorted(values)
    return {"writes": len(values), "p50_ms": round(1000 * statistics.median(ordered), 1),
            "p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1),
            "max_ms": round(1000 * ordered[-1], 1)}


def measure(backend: str, n: int, poll: float, workdir: Path) -> dict[str, Any]:
    env = backend_env(backend, workdir)
    env.update({"TRACKER_PUBLISH_DIR": str(workdir / "site"), "TRACKER_POLL_SECONDS": str(poll)})
    processes = Processes(workdir)
    try:
        processes.start("demo", tracker_command("demo"), env).wait()
        results = {mode: summary(lags(env, workdir, mode, n, k * n))
                   for k, mode in enumerate(MODES)}
    finally:
        drop_schema(env)
    return {"backend": backend, "poll_s": poll, **results,
            "p99_ratio": round(results["woken"]["p99_ms"] / results["polling"]["p99_ms"], 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="writes per mode")
    add_backend_option(parser)
    parser.add_argument("--poll", type=float, default=1.0, help="TRACKER_POLL_SECONDS")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = []
    for backend in backends(args.backend):
        with tempfile.TemporaryDirectory() as tmp:
            result = measure(backend, args.n, args.poll, Path(tmp))
        results.append(result)
        if args.json:
            print(json.dumps(result), file=sys.stderr, flush=True)
        else:
            for mode in MODES:
                r = result[mode]
                print(f"{backend:8} {mode:8} {r['writes']} writes: p50 {r['p50_ms']} ms, "
                      f"p99 {r['p99_ms']} ms, max {r['max_ms']} ms", flush=True)
    if args.json:
        print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
