"""Write path: commands per second through the application, against raw inserts.

The loop, repeated N times: submit a new issue, then record one support for it. That is two
commands, each a real one: the application loads the issue (for the support), the aggregate
checks its rules, and the new event is saved in its own transaction.

The baseline is measured in the same run on the same kind of database: the same number of
rows inserted with the plain driver (sqlite3 / psycopg), one transaction per row, into a
table of the same shape (id, version, topic, state) with the same durability settings
(SQLite: WAL, default synchronous; PostgreSQL: default commit). The ratio says what the
event-sourcing machinery costs on top of the bare commit.

    python benchmarks/write_loop.py --n 1000 [--backend sqlite|postgres|both] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from tracker.bootstrap import bootstrap
from tracker.config import load_settings
from tracker.domain.values import Actor, Role

CITIZEN = Actor("bench", Role.CITIZEN)
POSTGRES_URL = os.environ.get("TRACKER_BENCH_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")
STATE = json.dumps({"title": "An issue raised for the benchmark", "description": "",
                    "actor_id": "bench", "actor_role": "citizen",
                    "occurred_on": "2015-01-01"}).encode()


def command_loop(backend: str, n: int, workdir: Path) -> float:
    """Commands per second of the submit + support loop through the application."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    if backend == "postgres":
        settings = load_settings(database_url=POSTGRES_URL, database_schema=schema)
    else:
        settings = load_settings(data_dir=workdir / "data")
    tracker = bootstrap(settings)
    try:
        app = tracker.app
        started = time.perf_counter()
        for i in range(n):
            number = app.submit_issue(f"Issue {i}", "", CITIZEN, date(2015, 1, 1)).number
            app.support_issue(number, f"supporter-{i}", CITIZEN)
        elapsed = time.perf_counter() - started
    finally:
        tracker.close()
        if backend == "postgres":
            _drop_schema(schema)
    return 2 * n / elapsed


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


def _drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="loop iterations (2 commands each)")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    results = []
    for backend in backends:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            commands = command_loop(backend, args.n, workdir)
            raw = raw_sqlite(2 * args.n, workdir) if backend == "sqlite" \
                else raw_postgres(2 * args.n)
        results.append({"backend": backend, "commands": 2 * args.n,
                        "commands_per_s": round(commands), "raw_inserts_per_s": round(raw),
                        "ratio": round(commands / raw, 3)})
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{'backend':<10} {'commands':>9} {'commands/s':>11} {'raw inserts/s':>14} "
              f"{'ratio':>6}")
        for r in results:
            print(f"{r['backend']:<10} {r['commands']:>9} {r['commands_per_s']:>11} "
                  f"{r['raw_inserts_per_s']:>14} {r['ratio']:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
