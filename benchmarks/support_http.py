"""A support over HTTP against the same command in-process, in one run.

For each backend, three phases of N supports each: in-process (the application's command,
then the projection that a write over HTTP waits for: what the route does, without HTTP),
over HTTP to `tracker serve` (granian, one process) from one client, one after another,
and from 32 concurrent clients. The phases are taken in turn, a third of N at a time.
Each support comes from a distinct simulated client (through the trusted-proxy setting),
so the rate limiter meets a new client every time, as in a surge. Each phase has an issue
of its own, so none pays for another's supporters. The server runs throughout, idle during
the in-process phase.

    python benchmarks/support_http.py [--n 1500] [--rounds 3]
        [--backend sqlite|postgres|both] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from http_writes import (
    Processes,
    Sent,
    add_backend_option,
    backend_env,
    backends,
    drop_schema,
    send_supports,
)

from tracker.bootstrap import Tracker, bootstrap
from tracker.config import load_settings
from tracker.domain.values import Actor, Role

CITIZEN = Actor("bench", Role.CITIZEN)


def settings_of(env: dict[str, str]) -> dict[str, str]:
    return {key.removeprefix("TRACKER_").lower(): value for key, value in env.items()}


def in_process(tracker: Tracker, issue: int, first: int, n: int) -> Sent:
    """N supports of ``issue`` through the application, as the route does without HTTP."""
    sent = Sent()
    started = time.perf_counter()
    for i in range(first, first + n):
        began = time.perf_counter()
        outcome = tracker.app.support_issue(issue, f"in-process-{i}", CITIZEN)
        tracker.show_written(outcome.position)
        sent.latencies.append(time.perf_counter() - began)
        sent.statuses[200] += 1
    sent.seconds = time.perf_counter() - started
    return sent


def add(total: Sent, part: Sent) -> None:
    total.statuses.update(part.statuses)
    total.latencies.extend(part.latencies)
    total.seconds += part.seconds


def measure(backend: str, n: int, rounds: int, workdir: Path) -> dict[str, object]:
    """The three phases in turn, ``rounds`` times, so that a busy spell on a shared
    machine falls on all three alike."""
    env = backend_env(backend, workdir)
    env["TRACKER_RATE_SUPPORT"] = "30/minute"
    processes = Processes(workdir)
    tracker = bootstrap(load_settings(**settings_of(env)))
    phases = {"in_process": Sent(), "http_1_client": Sent(), "http_32_clients": Sent()}
    try:
        issues = [tracker.app.submit_issue(f"Issue {i}", "", CITIZEN).number for i in range(3)]
        tracker.projector.catch_up()
        port = processes.serve(env)
        each = n // rounds
        for r in range(rounds):
            add(phases["in_process"], in_process(tracker, issues[0], r * each, each))
            add(phases["http_1_client"],
                send_supports(port, issues[1], range(r * each, (r + 1) * each), 1))
            add(phases["http_32_clients"],
                send_supports(port, issues[2], range(n + r * each, n + (r + 1) * each), 32))
    finally:
        tracker.close()
        processes.stop()
        drop_schema(env)
    rows: dict[str, object] = {name: sent.summary() for name, sent in phases.items()}
    rate = phases["in_process"].accepted / phases["in_process"].seconds
    for name, key in (("http_1_client", "ratio_1_client"),
                      ("http_32_clients", "ratio_32_clients")):
        rows[key] = round(phases[name].accepted / phases[name].seconds / rate, 2)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1500, help="supports per phase")
    parser.add_argument("--rounds", type=int, default=3, help="phases taken in turn")
    add_backend_option(parser)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = {}
    for backend in backends(args.backend):
        with tempfile.TemporaryDirectory() as tmp:
            results[backend] = measure(backend, args.n, args.rounds, Path(tmp))
        if not args.json:
            r = results[backend]
            for phase in ("in_process", "http_1_client", "http_32_clients"):
                s = r[phase]
                print(f"{backend:8} {phase:16} {s['per_s']:>8} supports/s  p50 {s['p50_ms']} ms"  # type: ignore[index]
                      f"  p99 {s['p99_ms']} ms  accepted {s['accepted']}/{s['sent']}")  # type: ignore[index]
            print(f"{backend:8} ratio to in-process: 1 client {r['ratio_1_client']}, "
                  f"32 clients {r['ratio_32_clients']}", flush=True)
    if args.json:
        print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
