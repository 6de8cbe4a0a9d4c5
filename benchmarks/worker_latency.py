"""How long after a write the projection worker has it in the read models (PostgreSQL).

Starts `tracker worker` on a schema of its own, makes N writes one at a time from this
process (a new supporter each, at random intervals as traffic would come), and for each
measures the time from the command's return until the read models' position reaches the
write. Twice: with the worker woken by the event log's subscription (LISTEN/NOTIFY), and,
as the baseline in the same run, polling every TRACKER_POLL_SECONDS (1 s, the default).

    python benchmarks/worker_latency.py [--n 60] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import write_loop
from http_writes import drop_named_schema

from tracker.bootstrap import Tracker, bootstrap
from tracker.config import load_settings
from tracker.domain.values import Actor, Role

CITIZEN = Actor("bench", Role.CITIZEN)


def measure(subscribe: bool, n: int, rng: random.Random) -> dict[str, Any]:
    schema = f"latency_{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(TRACKER_DATABASE_URL=write_loop.POSTGRES_URL, TRACKER_DATABASE_SCHEMA=schema,
               TRACKER_SECRET_KEY="bench", TRACKER_POLL_SECONDS="1.0",
               TRACKER_WORKER_SUBSCRIBE="true" if subscribe else "false")
    tracker: Tracker = bootstrap(load_settings(
        database_url=write_loop.POSTGRES_URL, database_schema=schema, secret_key="bench"))
    number = tracker.app.submit_issue("Latency", "", CITIZEN).number
    worker = subprocess.Popen([sys.executable, "-m", "tracker.cli", "worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while tracker.projector.position() == 0:
            time.sleep(0.05)
        time.sleep(1.5)  # let it subscribe (or settle into its polling rhythm)
        seconds = []
        for i in range(n):
            time.sleep(rng.uniform(0, 0.3))
            position = tracker.app.support_issue(number, f"s-{i}", CITIZEN).position
            started = time.perf_counter()
            while tracker.projector.position() < position:
                time.sleep(0.002)
            seconds.append(time.perf_counter() - started)
    finally:
        worker.terminate()
        worker.wait(timeout=10)
        tracker.close()
        drop_named_schema(schema)
    seconds.sort()
    return {"writes": n, "p50_ms": round(statistics.median(seconds) * 1000, 1),
            "p99_ms": round(seconds[int(len(seconds) * 0.99) - 1] * 1000, 1),
            "max_ms": round(seconds[-1] * 1000, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rng = random.Random(11)
    result = {"subscription": measure(True, args.n, rng),
              "polling_1s": measure(False, args.n, rng)}
    result["ratio_p50"] = round(result["subscription"]["p50_ms"]
                                / result["polling_1s"]["p50_ms"], 3)
    print(f"{'worker woken by':<16} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name in ("subscription", "polling_1s"):
        r = result[name]
        print(f"{name:<16} {r['p50_ms']:>8} {r['p99_ms']:>8} {r['max_ms']:>8}")
    print(f"p50 ratio (subscription / polling): {result['ratio_p50']}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
