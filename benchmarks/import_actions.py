"""Importing an action log, in rows per second, against the same number of commitments made
by commands through the application, in the same run.

The baseline: N ``make_commitment`` commands, each a load, check and save of its issue (one
event each). The measured: ``tracker import actions`` on an N-row CSV (read, every row
checked by the domain on a copy of its issue, then all saved in one transaction; two events
a row: the commitment and where it was imported from). Both spread over the same number of
issues, on a fresh store.

    python benchmarks/import_actions.py --n 10000 [--per-issue 50] [--backend sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_writes import add_backend_option, backends, in_process

from tracker.bootstrap import Tracker
from tracker.domain.values import Actor, Role
from tracker.importing.actions import ActionLogImport, owner_names, parse_mapping

STAFF = Actor("bench-staff", Role.SECRETARIAT)
DAY = date(2015, 1, 1)
DUE = date(2030, 3, 31)


def _accepted(tracker: Tracker, count: int) -> list[int]:
    app = tracker.app
    numbers = []
    for _ in range(count):
        n = app.submit_issue("Promised", "", STAFF, DAY).number
        app.schedule_issue(n, "bench", None, STAFF)
        app.record_discussion(n, "bench", "Talked", [], [], STAFF)
        app.record_response(n, "accepted", "Yes", "lead", None, STAFF)
        numbers.append(n)
    return numbers


def _log(path: Path, numbers: list[int], n: int) -> None:
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Reference", "Issue", "Action", "Owner", "Due", "Status"])
        for i in range(n):
            writer.writerow([f"A/{i}", numbers[i % len(numbers)], f"Action {i} of the log",
                             "Lead Board member", "31/03/2030", "in progress"])


def run(backend: str, n: int, per_issue: int, workdir: Path) -> dict[str, Any]:
    with in_process(backend, workdir) as tracker:
        app = tracker.app
        app.create_owner("lead", "Lead Board member", "Board", STAFF)
        app.create_assembly("bench", "Assembly", DAY, "Leeds", STAFF)
        issues = max(n // per_issue, 1)
        by_command, by_import = _accepted(tracker, issues), _accepted(tracker, issues)
        tracker.refresh()
        path = workdir / f"log-{uuid.uuid4().hex[:6]}.csv"
        _log(path, by_import, n)

        started = time.perf_counter()
        for i in range(n):
            app.make_commitment(by_command[i % issues], f"Action {i}", "lead", DUE,
                                "As reported", STAFF)
        commands = n / (time.perf_counter() - started)

        started = time.perf_counter()
        job = ActionLogImport(app, owner_names(tracker.engine), path, parse_mapping(None))
        summary = job.run()
        imported = n / (time.perf_counter() - started)
        assert summary.counts["create"] == n and summary.written, summary.line()
    return {"backend": backend, "n": n, "issues": issues, "commands_per_s": round(commands),
            "import_rows_per_s": round(imported), "ratio": round(imported / commands, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--per-issue", type=int, default=50)
    add_backend_option(parser)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = [run(b, args.n, args.per_issue, Path(tmp)) for b in backends(args.backend)]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print("| backend | rows | issues | commands/s (baseline) | import rows/s | ratio |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['backend']} | {r['n']} | {r['issues']} | {r['commands_per_s']} | "
              f"{r['import_rows_per_s']} | {r['ratio']} |")


if __name__ == "__main__":
    main()
