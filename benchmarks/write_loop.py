"""Write path: commands per second through the application, against raw inserts.

The loop, repeated N times: submit a new issue, then record one support for it. That is two
commands, each a real one: the application loads the issue (for the support), the aggregate
checks its rules, and the new event is saved in its own transaction.

The baseline is measured in the same run on the same kind of database: the same number of
rows inserted with the plain driver (sqlite3 / psycopg), one transaction per row, into a
table of the same shape (id, version, topic, state) with the same durability settings
(SQLite: WAL, default synchronous; PostgreSQL: default commit). The ratio says what the
event-sourcing machinery costs on top of the bare commit.

With ``--threads 1,4`` the loop runs on that many threads at once (each its own issues).
With ``--unlocked-too`` PostgreSQL is also measured, in the same run, with eventsourcing's
own insert function, which takes no table lock: faster with several writers, but a reader
can pass over an id that commits late (see tracker/event_log.py). It is there to show what
the lock costs, not as an option.

    python benchmarks/write_loop.py --n 1000 [--backend sqlite|postgres|both]
        [--threads 1,4] [--unlocked-too] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_writes import POSTGRES_URL, add_backend_option, backends, in_process

import tracker.bootstrap
from tracker.domain.values import Actor, Role

CITIZEN = Actor("bench", Role.CITIZEN)
STATE = json.dumps({"title": "An issue raised for the benchmark", "description": "",
                    "actor_id": "bench", "actor_role": "citizen",
                    "occurred_on": "2015-01-01"}).encode()


@contextlib.contextmanager
def unlocked_inserts() -> Iterator[None]:
    """PostgreSQL with eventsourcing's own insert function (no table lock)."""
    original = tracker.bootstrap.event_store_env

    def without_lock(settings: object) -> dict[str, str]:
        env = original(settings)  # type: ignore[arg-type]
        env.pop("APPLICATION_RECORDER_TOPIC", None)
        return env

    tracker.bootstrap.event_store_env = without_lock  # type: ignore[assignment]
    try:
        yield
    finally:
        tracker.bootstrap.event_store_env = original


def command_loop(backend: str, n: int, workdir: Path, threads: int = 1) -> float:
    """Commands per second of the submit + support loop through the application, on
    ``threads`` threads at once (``n`` iterations in all)."""
    with in_process(backend, workdir) as bench:
        app = bench.app
        start = threading.Barrier(threads + 1)

        def loop(first: int, count: int) -> None:
            start.wait()
            for i in range(first, first + count):
                number = app.submit_issue(f"Issue {i}", "", CITIZEN, date(2015, 1, 1)).number
                app.support_issue(number, f"supporter-{i}", CITIZEN)

        share = n // threads
        workers = [threading.Thread(target=loop, args=(t * share, share))
                   for t in range(threads)]
        for worker in workers:
            worker.start()
        start.wait()
        started = time.perf_counter()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - started
    return 2 * share * threads / elapsed


def raw_sqlite(rows: int, workdir: Path) -> float:
    conn = sqlite3.connect(workdir / "raw.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE events (originator_id TEXT, originator_version INTEGER, "
                 "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))")
    started = time.perf_counter()
    for _ in range(rows):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO events VALUES (?,?,?,?)",
                     (uuid.uuid4().hex, 1, "bench:Event", STATE))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return rows / elapsed


def raw_postgres(rows: int) -> float:
    import psycopg

    schema = f"raw_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(f"CREATE TABLE {schema}.events (originator_id uuid, originator_version "
                     "integer, topic text, state bytea, notification_id bigserial, "
                     "PRIMARY KEY (originator_id, originator_version))")
        try:
            started = time.perf_counter()
            for _ in range(rows):
                with conn.transaction():
                    conn.execute(f"INSERT INTO {schema}.events (originator_id, "
                                 "originator_version, topic, state) VALUES (%s,%s,%s,%s)",
                                 (uuid.uuid4(), 1, "bench:Event", STATE))
            elapsed = time.perf_counter() - started
        finally:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    return rows / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="loop iterations (2 commands each)")
    add_backend_option(parser)
    parser.add_argument("--threads", default="1",
                        help="comma-separated thread counts to run the loop on, e.g. 1,4")
    parser.add_argument("--unlocked-too", action="store_true",
                        help="PostgreSQL: also measure eventsourcing's unlocked insert")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    thread_counts = [int(t) for t in args.threads.split(",")]
    results = []
    for backend in backends(args.backend):
        variants = ["locked", "unlocked"] if backend == "postgres" and args.unlocked_too \
            else ["locked" if backend == "postgres" else "-"]
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            raw = raw_sqlite(2 * args.n, workdir) if backend == "sqlite" \
                else raw_postgres(2 * args.n)
            for threads in thread_counts:
                for variant in variants:
                    with unlocked_inserts() if variant == "unlocked" \
                            else contextlib.nullcontext():
                        commands = command_loop(backend, args.n, workdir, threads)
                    results.append({
                        "backend": backend, "insert": variant, "threads": threads,
                        "commands": 2 * args.n, "commands_per_s": round(commands),
                        "raw_inserts_per_s": round(raw), "ratio": round(commands / raw, 3)})
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{'backend':<10} {'insert':<9} {'threads':>7} {'commands':>9} "
              f"{'commands/s':>11} {'raw inserts/s':>14} {'ratio':>6}")
        for r in results:
            print(f"{r['backend']:<10} {r['insert']:<9} {r['threads']:>7} {r['commands']:>9} "
                  f"{r['commands_per_s']:>11} {r['raw_inserts_per_s']:>14} {r['ratio']:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
