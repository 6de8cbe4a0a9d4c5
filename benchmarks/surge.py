"""A petition goes viral: thousands of supports from distinct clients, and nothing lost.

20,000 supports (by default) of one issue, each from a distinct simulated client (through
the trusted-proxy setting, TRACKER_TRUSTED_PROXIES=127.0.0.1, and an X-Forwarded-For
address per client; all traffic to 127.0.0.1), sent by 64 concurrent connections. One
client in a hundred also sends its support four more times: one repeat is answered 409
(a client counts once) and the rest are over the rate limit (set to 2/minute here), so
the refusals are measured too.

On PostgreSQL: `tracker serve --workers 2` and `tracker worker` (which publishes the static
site). On the embedded default: `tracker serve` in one process, and `tracker worker` for
the static site. Reported: accepted, refused (429 rate limit, 503 busy), other answers,
p50/p99 of the accepted, supports per second, lost supports (accepted but not in the
issue's count: must be 0) and doubled ones (counted more than once: must be 0), how long
after the last answer the status page and the published page show the final count, and
the peak memory of the server and of the worker.

    python benchmarks/surge.py [--supports 20000] [--concurrency 64]
        [--backend sqlite|postgres|both] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from http_writes import (
    Processes,
    add_backend_option,
    backend_env,
    backends,
    drop_schema,
    peak_memory_mib,
    send_supports,
    tracker_command,
)

from tracker.bootstrap import bootstrap
from tracker.config import load_settings
from tracker.domain.values import Actor, Role
from tracker.progress import Progress

CITIZEN = Actor("surge", Role.CITIZEN)
REPEATERS = 100  # one client in this many sends its support REPEATS more times
REPEATS = 4


def settings_of(env: dict[str, str]) -> dict[str, str]:
    return {key.removeprefix("TRACKER_").lower(): value for key, value in env.items()}


def clients_of(supports: int) -> list[int]:
    """Each client's number once, repeaters' more often, in a fixed shuffled order."""
    clients = list(range(supports)) + [i for i in range(0, supports, REPEATERS)
                                       for _ in range(REPEATS)]
    random.Random(20).shuffle(clients)
    return clients


def shows(text: str, count: int) -> bool:
    return f"{count} supporters" in text or (count == 1 and "1 supporter" in text)


def wait_until(check: Any, seconds: float = 300.0) -> float:
    """Seconds until ``check()`` holds (polled every 5 ms)."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > seconds:
            raise RuntimeError(f"not shown within {seconds} s")
        time.sleep(0.005)
    return time.monotonic() - started


def page(port: int, address: str) -> str:
    """The page's text, or "" while the server does not answer within 10 s."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{address}", timeout=10) as answer:
            return str(answer.read().decode())
    except OSError:
        return ""


def published(file: Path) -> str:
    try:
        return file.read_text()
    except OSError:
        return ""


def count_of(env: dict[str, str], number: int) -> int:
    tracker = bootstrap(load_settings(**settings_of(env)))
    try:
        return tracker.app.load_issue(number).supporter_count
    finally:
        tracker.close()


def surge(backend: str, supports: int, concurrency: int, workdir: Path) -> dict[str, Any]:
    env = backend_env(backend, workdir)
    site = workdir / "site"
    env.update({"TRACKER_RATE_SUPPORT": "2/minute", "TRACKER_PUBLISH_DIR": str(site),
                "TRACKER_CONCURRENCY_LIMIT": str(max(500, 2 * concurrency))})
    tracker = bootstrap(load_settings(**settings_of(env)))
    try:
        number = tracker.app.submit_issue("Keep the library open", "", CITIZEN).number
        tracker.projector.catch_up()
    finally:
        tracker.close()
    processes = Processes(workdir)
    try:
        workers = 2 if backend == "postgres" else 1
        port = processes.serve(env, workers)
        worker = processes.start("worker", tracker_command("worker"), env)
        file = site / "issues" / str(number) / "index.html"
        wait_until(lambda: shows(published(file), 0), 120)
        clients = clients_of(supports)
        with Progress(f"surge on {backend}", len(clients), "requests") as progress:
            sent = send_supports(port, number, clients, concurrency,
                                 on_answer=progress.advance)
        ended = time.monotonic()
        accepted = sent.accepted
        # The truth: the issue's count in the event store. The pages must come to show it.
        counted = count_of(env, number)
        wait_until(lambda: shows(page(port, f"/issues/{number}"), counted))
        status_page = time.monotonic() - ended
        wait_until(lambda: shows(published(file), counted))
        shown_after = {"status_page_s": round(status_page, 3),
                       "published_page_s": round(time.monotonic() - ended, 3)}
        memory = {"server_mib": peak_memory_mib(processes.started[0]),
                  "worker_mib": peak_memory_mib(worker)}
    finally:
        processes.stop()
        drop_schema(env)
    return {"backend": backend, "web_processes": workers, "supports": supports,
            "concurrency": concurrency, **sent.summary(), "counted": counted,
            "lost": max(accepted - counted, 0),
            # Counted but never answered 200: a request whose answer did not come in time.
            "doubled": max(counted - accepted - sent.statuses[0], 0),
            **shown_after, **memory}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--supports", type=int, default=20_000,
                        help="distinct simulated clients, one support each")
    parser.add_argument("--concurrency", type=int, default=64)
    add_backend_option(parser)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = []
    for backend in backends(args.backend):
        with tempfile.TemporaryDirectory() as tmp:
            result = surge(backend, args.supports, args.concurrency, Path(tmp))
        results.append(result)
        if args.json:
            print(json.dumps(result), file=sys.stderr, flush=True)
        else:
            print(f"{backend}: {result['accepted']} accepted, {result['refused']} refused, "
                  f"other {result['other']}, {result['per_s']} supports/s over "
                  f"{result['seconds']} s, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} "
                  f"ms; lost {result['lost']}, doubled {result['doubled']}; shown on the "
                  f"status page after {result['status_page_s']} s, published after "
                  f"{result['published_page_s']} s; memory: server {result['server_mib']} "
                  f"MiB, worker {result['worker_mib']} MiB", flush=True)
    if args.json:
        print(json.dumps(results, indent=1))
    return 1 if any(r["lost"] or r["doubled"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
