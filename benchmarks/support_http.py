"""A support over HTTP against the same command in-process, in one run.

For each backend: N supports in-process (the application's command, then the projection
that a write over HTTP waits for: what the route does, without HTTP), then N supports over
HTTP to `tracker serve` (granian, one process) from one client, one after another, then N
from 32 concurrent clients. Each support comes from a distinct simulated client (through
the trusted-proxy setting), so the rate limiter meets a new client every time, as in a
surge. Each phase has a fresh issue of its own, so none pays for another's supporters.

    python benchmarks/support_http.py [--n 2000] [--backend sqlite|postgres|both] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from http_writes import Processes, Sent, backend_env, drop_schema, send_supports

from tracker.bootstrap import bootstrap
from tracker.config import load_settings
from tracker.domain.values import Actor, Role

CITIZEN = Actor("bench", Role.CITIZEN)


def settings_of(env: dict[str, str]) -> dict[str, str]:
    return {key.removeprefix("TRACKER_").lower(): value for key, value in env.items()}


def in_process(env: dict[str, str], n: int) -> tuple[list[int], Sent]:
    """Three fresh issues, and N supports of the first through the application."""
    tracker = bootstrap(load_settings(**settings_of(env)))
    try:
        issues = [tracker.app.submit_issue(f"Issue {i}", "", CITIZEN).number for i in range(3)]
        tracker.projector.catch_up()
        sent = Sent()
        started = time.perf_counter()
        for i in range(n):
            began = time.perf_counter()
            outcome = tracker.app.support_issue(issues[0], f"in-process-{i}", CITIZEN)
            tracker.show_written(outcome.position)
            sent.latencies.append(time.perf_counter() - began)
            sent.statuses[200] += 1
        sent.seconds = time.perf_counter() - started
    finally:
        tracker.close()
    return issues, sent


def measure(backend: str, n: int, workdir: Path) -> dict[str, object]:
    env = backend_env(backend, workdir)
    env["TRACKER_RATE_SUPPORT"] = "30/minute"
    processes = Processes(workdir)
    try:
        issues, local = in_process(env, n)
        port = processes.serve(env)
        one = send_supports(port, issues[1], range(0, n), 1)
        many = send_supports(port, issues[2], range(n, 2 * n), 32)
    finally:
        processes.stop()
        drop_schema(env)
    base = local.summary()
    rows: dict[str, object] = {"in_process": base, "http_1_client": one.summary(),
                               "http_32_clients": many.summary()}
    rate = float(base["per_s"])  # type: ignore[arg-type]
    rows["ratio_1_client"] = round(float(one.summary()["per_s"]) / rate, 2)  # type: ignore[arg-type]
    rows["ratio_32_clients"] = round(float(many.summary()["per_s"]) / rate, 2)  # type: ignore[arg-type]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="supports per phase")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    results = {}
    for backend in backends:
        with tempfile.TemporaryDirectory() as tmp:
            results[backend] = measure(backend, args.n, Path(tmp))
        if not args.json:
            r = results[backend]
            for phase in ("in_process", "http_1_client", "http_32_clients"):
                s = r[phase]
                print(f"{backend:8} {phase:16} {s['per_s']:>8} supports/s  p50 {s['p50_ms']} ms"  # type: ignore[index]
                      f"  p99 {s['p99_ms']} ms  accepted {s['accepted']}/{s['sent']}")  # type: ignore[index]
            print(f"{backend:8} ratio to in-process: 1 client {r['ratio_1_client']}, "
                  f"32 clients {r['ratio_32_clients']}")
    if args.json:
        print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
