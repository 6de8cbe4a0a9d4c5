"""How long after a write the published static files show it.

Loads the demo data, starts `tracker publish DIR --watch` (polling every 0.1 s), then makes
N writes through the application, one at a time (a new supporter for an issue), and for each
measures the time from the command's return until the issue's published page shows the new
count. Reports the median and the worst.

    python benchmarks/publish_latency.py [--n 100] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tracker.bootstrap import bootstrap
from tracker.config import load_settings
from tracker.domain.values import Actor, Role

CITIZEN = Actor("bench", Role.CITIZEN)
ISSUE = 12  # the demo issue with no other activity


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data, site = Path(tmp) / "data", Path(tmp) / "site"
        env = {**os.environ, "TRACKER_DATA_DIR": str(data), "TRACKER_POLL_SECONDS": "0.1"}
        subprocess.run([sys.executable, "-m", "tracker.cli", "demo"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        watcher = subprocess.Popen([sys.executable, "-m", "tracker.cli", "publish", str(site),
                                    "--watch"], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        page = site / "issues" / str(ISSUE) / "index.html"
        tracker = bootstrap(load_settings(data_dir=data))
        try:
            deadline = time.monotonic() + 60
            while not page.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            supporters = len(tracker.app.load_issue(ISSUE).supporters)
            delays = []
            for i in range(args.n):
                tracker.app.support_issue(ISSUE, f"bench-{i}", CITIZEN)
                written = time.monotonic()
                expected = f"{supporters + i + 1} supporters"
                while expected not in page.read_text():
                    if time.monotonic() - written > 30:
                        raise RuntimeError("the published page did not change within 30 s")
                    time.sleep(0.005)
                delays.append(time.monotonic() - written)
        finally:
            tracker.close()
            watcher.terminate()
            watcher.wait(timeout=20)
    result = {"writes": args.n, "median_s": round(statistics.median(delays), 3),
              "worst_s": round(max(delays), 3), "poll_s": 0.1}
    print(json.dumps(result) if args.json else
          f"{args.n} writes: median {result['median_s']} s, worst {result['worst_s']} s "
          f"(publisher polling every 0.1 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
