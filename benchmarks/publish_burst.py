"""A burst of new issues while `tracker worker` keeps a static site: when do the read models
and the static copy show the last one?

Starts `tracker worker` with TRACKER_PUBLISH_DIR (embedded SQLite), waits for its first
publish, writes N issues through the application as fast as it can, then polls the read
models' position and `published` in `.published.json` every 0.2 s.

    python benchmarks/publish_burst.py [--n 1500] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tracker.bootstrap import bootstrap
from tracker.config import load_settings
from tracker.domain.values import Actor, Role

CITIZEN = Actor("bench", Role.CITIZEN)


def published(state_file: Path) -> int:
    try:
        state = json.loads(state_file.read_text())
        return int(state.get("published", state["position"]))
    except (OSError, ValueError, KeyError):
        return -1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1500)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data, site = Path(tmp) / "data", Path(tmp) / "site"
        env = {**os.environ, "TRACKER_DATA_DIR": str(data), "TRACKER_PUBLISH_DIR": str(site)}
        tracker = bootstrap(load_settings(data_dir=data))
        tracker.app.submit_issue("Before the burst", "", CITIZEN)
        worker = subprocess.Popen([sys.executable, "-m", "tracker.cli", "worker"], env=env,
                                  stderr=subprocess.DEVNULL)
        state_file = site / ".published.json"
        try:
            while published(state_file) < 1:
                time.sleep(0.1)
            started = time.monotonic()
            for i in range(args.n):
                tracker.app.submit_issue(f"Burst {i}", "", CITIZEN)
            written = time.monotonic() - started
            head = tracker.app.recorder.max_notification_id()
            projected_at = published_at = None
            while published_at is None and time.monotonic() - started < 1800:
                now = time.monotonic() - started
                if projected_at is None and tracker.projector.position() >= head:
                    projected_at = now
                if published(state_file) >= head:
                    published_at = now
                time.sleep(0.2)
        finally:
            worker.terminate()
            worker.wait(timeout=60)
            tracker.close()
    result = {"issues": args.n, "writes_s": round(written, 1),
              "read_models_after_last_write_s": projected_at and round(projected_at - written, 1),
              "static_copy_after_last_write_s": published_at and round(published_at - written, 1)}
    print(json.dumps(result) if args.json else
          f"{args.n} issues written in {result['writes_s']} s; in the read models "
          f"{result['read_models_after_last_write_s']} s and in the static copy "
          f"{result['static_copy_after_last_write_s']} s after the last write")
    return 0


if __name__ == "__main__":
    sys.exit(main())
