"""Citizens' "was it delivered?" answers per second, against supports, in the same run.

Both are public commands that count each person once by saving a marker aggregate with the
issue's event in one transaction. The baseline is the support command: N distinct people
support one issue. The measured loop: N distinct people answer about one delivered
commitment of another issue. Each through the application (load, check, save), on a fresh
store, then the projector brings the read models up to date (timed separately).

    python benchmarks/citizen_answers.py --n 1000 [--backend sqlite|postgres|both] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_writes import add_backend_option, backends, in_process

from tracker.bootstrap import Tracker
from tracker.domain.values import Actor, Role

CITIZEN = Actor("bench", Role.CITIZEN)
STAFF = Actor("bench-staff", Role.SECRETARIAT)
DAY = date(2015, 1, 1)


def _delivered(tracker: Tracker) -> int:
    app = tracker.app
    app.create_owner("lead", "Lead", "Board", STAFF)
    app.create_assembly("bench", "Assembly", DAY, "Leeds", STAFF)
    n = app.submit_issue("Delivered", "", CITIZEN, DAY).number
    app.schedule_issue(n, "bench", None, STAFF)
    app.record_discussion(n, "bench", "Talked", [], [], STAFF)
    app.record_response(n, "commit", "Yes", "lead", None, STAFF)
    app.make_commitment(n, "Open clinics", "lead", date(2030, 1, 1), "Open", STAFF)
    app.deliver_commitment(n, 1, "Done", "Paper 1", STAFF)
    return n


def run(backend: str, n: int, workdir: Path) -> dict[str, Any]:
    with in_process(backend, workdir) as tracker:
        app = tracker.app
        target = _delivered(tracker)
        supported = app.submit_issue("Supported", "", CITIZEN, DAY).number
        tracker.refresh()
        # In alternating halves, so that neither gains from running second on a warm cache
        # or a quieter machine.
        spent = {"supports": 0.0, "answers": 0.0}
        for half in (range(0, n // 2), range(n // 2, n)):
            started = time.perf_counter()
            for i in half:
                app.support_issue(supported, f"supporter-{i}", CITIZEN)
            spent["supports"] += time.perf_counter() - started
            started = time.perf_counter()
            for i in half:
                app.answer_delivery(target, 1, ("yes", "partly", "no")[i % 3], None,
                                    f"person-{i}", CITIZEN)
            spent["answers"] += time.perf_counter() - started
        supports, answers = n / spent["supports"], n / spent["answers"]
        started = time.perf_counter()
        tracker.refresh()
        projected = 2 * n / (time.perf_counter() - started)
    return {"backend": backend, "n": n, "supports_per_s": round(supports),
            "answers_per_s": round(answers), "ratio": round(answers / supports, 2),
            "projected_events_per_s": round(projected)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    add_backend_option(parser)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = [run(b, args.n, Path(tmp)) for b in backends(args.backend)]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print("| backend | supports/s (baseline) | answers/s | ratio | projected events/s |")
    print("|---|---|---|---|---|")
    for r in results:
        print(f"| {r['backend']} | {r['supports_per_s']} | {r['answers_per_s']} | "
              f"{r['ratio']} | {r['projected_events_per_s']} |")


if __name__ == "__main__":
    main()
