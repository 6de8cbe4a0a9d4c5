"""The benchmark suite: build data sets of 10k, 100k (and 1M) events and measure each path
against a baseline measured in the same run, on the same machine.

For each size and backend (SQLite; PostgreSQL when it answers):
- write: commands per second through the application (submit + support), one thread and
  four, against raw single-row inserts into the same database;
- projection: a full rebuild of every read model, events per second, against a raw SELECT
  of the same stored events;
- a long issue: one command on an issue with 10,000 events against one on a fresh issue
  (a count instead of a supporter set, snapshots every 50 events and the aggregate cache
  are what keep it flat);
- read: status page, feed and 304 requests per second and p50/p99 at 64 connections
  (wrk), against the same server returning fixed bytes; and the server's peak memory after
  the load.

    python benchmarks/suite.py --sizes 10k,100k [--backends sqlite,postgres] [--json out.json]

The 100k size takes a few minutes on a 2-core machine; 1m is a longer, documented run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import read_load
import write_loop
from http_writes import drop_named_schema, wrk

from tracker.bootstrap import Tracker, bootstrap
from tracker.config import load_settings
from tracker.domain.issue import Issue
from tracker.domain.values import Actor, Role

CITIZEN = Actor("bench", Role.CITIZEN)
DAY = date(2015, 1, 1)
SUPPORTS_PER_ISSUE = 24  # each issue saved with its supports: 25 events per save
POSTGRES_URL = write_loop.POSTGRES_URL


def parse_size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * factor)


def open_tracker(backend: str, workdir: Path, schema: str) -> Tracker:
    if backend == "postgres":
        return bootstrap(load_settings(database_url=POSTGRES_URL, database_schema=schema,
                                       secret_key="bench"))
    return bootstrap(load_settings(data_dir=workdir / "data", secret_key="bench"))


def build_data(tracker: Tracker, events: int) -> float:
    """Issues with their supports, saved together; returns seconds taken."""
    started = time.perf_counter()
    issues = events // (SUPPORTS_PER_ISSUE + 1)
    for number in range(1, issues + 1):
        issue = Issue.submit(number, f"Issue {number}: waiting times", "Details", CITIZEN, DAY)
        for s in range(SUPPORTS_PER_ISSUE):
            issue.support(f"s{s}", CITIZEN, DAY)
        tracker.app.save(issue)
    return time.perf_counter() - started


def write_rate(tracker: Tracker, commands: int, threads: int) -> float:
    """Commands per second: submit then support, in ``threads`` threads at once."""
    app = tracker.app
    per_thread = commands // (2 * threads)

    def loop() -> None:
        for i in range(per_thread):
            number = app.submit_issue(f"Written {i}", "", CITIZEN, DAY).number
            app.support_issue(number, "writer", CITIZEN)

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return 2 * per_thread * threads / (time.perf_counter() - started)


def raw_select_rate(backend: str, workdir: Path, schema: str) -> tuple[int, float]:
    """Stored events read with the plain driver, in notification order: (count, per s)."""
    if backend == "postgres":
        import psycopg

        with psycopg.connect(POSTGRES_URL) as conn:
            started = time.perf_counter()
            rows = conn.execute(f'SELECT * FROM "{schema}".tracker_events '
                                "ORDER BY notification_id").fetchall()
            elapsed = time.perf_counter() - started
    else:
        conn = sqlite3.connect(workdir / "data" / "events.db")
        started = time.perf_counter()
        rows = conn.execute("SELECT * FROM stored_events ORDER BY rowid").fetchall()
        elapsed = time.perf_counter() - started
        conn.close()
    return len(rows), len(rows) / elapsed


def long_issue_ratio(tracker: Tracker, events: int = 10_000, commands: int = 200) -> dict:
    """Seconds per support command on an issue with ``events`` events, against a fresh one."""
    app = tracker.app
    long_number = app.submit_issue("A long-lived issue", "", CITIZEN, DAY).number
    issue: Any = app.repository.get(Issue.id_for(long_number))
    done = 1
    while done < events:
        markers = [issue.support(f"old-{done + i}", CITIZEN, DAY)
                   for i in range(min(500, events - done))]
        app.save(issue, *markers)
        done = issue.version
        issue = app.repository.get(Issue.id_for(long_number))
    fresh_number = app.submit_issue("A fresh issue", "", CITIZEN, DAY).number

    def per_command(number: int) -> float:
        started = time.perf_counter()
        for i in range(commands):
            app.support_issue(number, f"new-{i}", CITIZEN)
        return (time.perf_counter() - started) / commands

    fresh, long = per_command(fresh_number), per_command(long_number)
    return {"events": events, "fresh_ms": round(fresh * 1000, 3),
            "long_ms": round(long * 1000, 3), "ratio": round(long / fresh, 2)}


def peak_memory_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def read_figures(settings: dict[str, str], seconds: int) -> dict[str, Any]:
    addresses = ["/issues/2", "/issues/2/feed.rss"]
    read_load.ADDRESSES = addresses
    result: dict[str, Any] = {}
    for mode in ("tracker", "ceiling"):
        server, port = read_load.start(mode, None, settings)
        try:
            for address in addresses:
                url = f"http://127.0.0.1:{port}{address}"
                urllib.request.urlopen(url).read()
                row = wrk(url, seconds, 64)
                if mode == "tracker":
                    etag = urllib.request.urlopen(url).headers["ETag"]
                    row["rps_304"] = wrk(url, seconds, 64, f"If-None-Match: {etag}")["rps"]
                result.setdefault(address, {})[mode] = row
            if mode == "tracker":
                result["peak_memory_mib"] = round(peak_memory_kib(server.pid) / 1024, 1)
        finally:
            server.terminate()
            server.wait(timeout=30)
    for address in addresses:
        r = result[address]
        r["ratio"] = round(r["tracker"]["rps"] / r["ceiling"]["rps"], 2)
    return result


def run_size(size: int, backend: str, seconds: int) -> dict[str, Any]:
    schema = f"suite_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        tracker = open_tracker(backend, workdir, schema)
        try:
            row: dict[str, Any] = {"size": size, "backend": backend}
            row["build_seconds"] = round(build_data(tracker, size), 1)
            stored, raw_rate = raw_select_rate(backend, workdir, schema)
            started = time.perf_counter()
            tracker.projector.rebuild()
            rebuild = stored / (time.perf_counter() - started)
            row["rebuild"] = {"events": stored, "events_per_s": round(rebuild),
                              "raw_select_per_s": round(raw_rate),
                              "ratio": round(rebuild / raw_rate, 3)}
            raw = (write_loop.raw_postgres(2000) if backend == "postgres"
                   else write_loop.raw_sqlite(2000, workdir))
            one = write_rate(tracker, 2000, 1)
            four = write_rate(tracker, 4000, 4)
            row["write"] = {"one_thread_per_s": round(one), "four_threads_per_s": round(four),
                            "raw_inserts_per_s": round(raw), "ratio": round(one / raw, 2),
                            "ratio_four_threads": round(four / raw, 2)}
            row["long_issue"] = long_issue_ratio(tracker)
            tracker.refresh()
        finally:
            tracker.close()
        try:
            if shutil.which("wrk"):
                settings = {"TRACKER_DATA_DIR": str(workdir / "data"),
                            "TRACKER_SECRET_KEY": "bench"}
                if backend == "postgres":
                    settings.update(TRACKER_DATABASE_URL=POSTGRES_URL,
                                    TRACKER_DATABASE_SCHEMA=schema)
                row["read"] = read_figures(settings, seconds)
        finally:
            if backend == "postgres":
                drop_named_schema(schema)
    return row


def table(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'size':>8} {'backend':<9} {'write/s (1t)':>13} {'(4t)':>7} {'raw':>7} "
             f"{'ratio':>6} {'rebuild/s':>10} {'raw sel/s':>10} {'long issue':>11} "
             f"{'page/s':>7} {'ratio':>6} {'p99 ms':>7} {'304/s':>7} {'mem MiB':>8}"]
    for r in rows:
        w, b, li = r["write"], r["rebuild"], r["long_issue"]
        read = r.get("read", {})
        page = read.get("/issues/2", {})
        lines.append(
            f"{r['size']:>8} {r['backend']:<9} {w['one_thread_per_s']:>13} "
            f"{w['four_threads_per_s']:>7} {w['raw_inserts_per_s']:>7} {w['ratio']:>6} "
            f"{b['events_per_s']:>10} {b['raw_select_per_s']:>10} {li['ratio']:>10}x "
            f"{page.get('tracker', {}).get('rps', 0):>7.0f} {page.get('ratio', 0):>6} "
            f"{page.get('tracker', {}).get('p99_ms', 0):>7.1f} "
            f"{page.get('tracker', {}).get('rps_304', 0):>7.0f} "
            f"{read.get('peak_memory_mib', 0):>8}")
    return "\n".join(lines)


def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return True
    except Exception:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--seconds", type=int, default=5, help="wrk run length")
    parser.add_argument("--json", type=Path, help="also write the results here as JSON")
    args = parser.parse_args()
    backends = [b for b in args.backends.split(",") if b]
    if "postgres" in backends and not postgres_reachable():
        print(f"suite: no PostgreSQL at {POSTGRES_URL}; SQLite only", file=sys.stderr)
        backends.remove("postgres")
    rows = []
    started = time.perf_counter()
    for size in [parse_size(s) for s in args.sizes.split(",")]:
        for backend in backends:
            print(f"suite: {size} events on {backend}...", file=sys.stderr)
            rows.append(run_size(size, backend, args.seconds))
    result = {"machine": {"cores": os.cpu_count(), "python": sys.version.split()[0],
                          "sqlite": sqlite3.sqlite_version},
              "seconds": round(time.perf_counter() - started), "rows": rows}
    print(table(rows))
    print(f"({result['seconds']} s in all)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
