"""The verifiable log's cost on the write path and on rebuilds: with it against without it.

Write: the loop a web request runs, N times: a command (submit an issue, or support it),
then projecting up to its event (read-your-writes, `Tracker.show_written`). Measured on two
fresh trackers in the same run, one with every projection and one without the ledger's,
alternating rounds; best of `--repeat`. Rebuild: every read model built again from the
events the write loop left, with and without the ledger projection.

    python benchmarks/ledger_projection.py [--n 500] [--repeat 3] [--backend sqlite|postgres]
        [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from tracker.bootstrap import Tracker, bootstrap
from tracker.config import load_settings
from tracker.domain.values import Actor, Role
from tracker.projections.ledger import LedgerProjection

CITIZEN = Actor("bench", Role.CITIZEN)
DAY = date(2015, 1, 1)
POSTGRES_URL = os.environ.get("TRACKER_BENCH_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")


def make(folder: Path, backend: str, with_log: bool) -> Tracker:
    if backend == "postgres":
        settings = load_settings(database_url=POSTGRES_URL, data_dir=folder,
                                 database_schema=f"bench_{uuid.uuid4().hex[:10]}")
    else:
        settings = load_settings(data_dir=folder)
    tracker = bootstrap(settings)
    if not with_log:
        tracker.projector.projections = [p for p in tracker.projector.projections
                                         if not isinstance(p, LedgerProjection)]
    return tracker


def write_loop(tracker: Tracker, n: int) -> float:
    """Commands per second, each followed by its projection."""
    app = tracker.app
    start = time.perf_counter()
    for i in range(n):
        outcome = app.submit_issue(f"Benchmark issue {i}", "Words", CITIZEN, DAY)
        tracker.show_written(outcome.position)
        outcome = app.support_issue(outcome.number, f"s{i}", CITIZEN, DAY)
        tracker.show_written(outcome.position)
    return 2 * n / (time.perf_counter() - start)


def rebuild(tracker: Tracker) -> float:
    """Events per second of a full rebuild."""
    events = tracker.app.recorder.max_notification_id() or 0
    start = time.perf_counter()
    tracker.projector.rebuild()
    return events / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.repeat):
            for with_log in (False, True):
                label = "with log" if with_log else "without log"
                tracker = make(Path(tmp) / f"{round_}-{with_log}", args.backend, with_log)
                try:
                    writes = write_loop(tracker, args.n)
                    rebuilt = rebuild(tracker)
                finally:
                    tracker.close()
                best[f"commands/s {label}"] = max(best.get(f"commands/s {label}", 0), writes)
                best[f"rebuild events/s {label}"] = max(
                    best.get(f"rebuild events/s {label}", 0), rebuilt)
    result: dict[str, Any] = {
        "backend": args.backend, "n": args.n, "repeat": args.repeat,
        **{k: round(v) for k, v in best.items()},
        "commands ratio (with / without)": round(
            best["commands/s with log"] / best["commands/s without log"], 3),
        "rebuild ratio (with / without)": round(
            best["rebuild events/s with log"] / best["rebuild events/s without log"], 3),
        "load average": os.getloadavg()[0],
    }
    print(json.dumps(result, indent=2) if args.json else
          "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
