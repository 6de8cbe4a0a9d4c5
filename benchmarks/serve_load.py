"""The server as shipped: `tracker serve --demo`, started as the README starts it, against
fixed-bytes ceilings on three HTTP stacks, all measured in one run.

Started here, each on a port of its own:
- the ceilings: benchmarks/fixed_bytes.py (the status page's bytes and headers, recorded
  from the running tracker) on uvicorn with httptools and uvloop, on granian, and on
  uvicorn's pure-Python h11 parser with asyncio (the server the tracker shipped before);
- `tracker serve --demo` with default logging (its standard output to a file), and the
  same with `--access-log` (on, to that file), with `--workers 2`, and on its fallback
  (uvicorn, h11, asyncio's own loop);
then wrk (2 threads, 64 connections) on the status page, a feed and the JSON read, each
run --repeat times, the servers taken in turn within each round. Each row's ratio is to
the ceiling of its own stack in the same round; the table gives medians and ranges.

    python benchmarks/serve_load.py [--seconds 10] [--repeat 3] [--json out.json] [--shipped]

``--shipped``: only `tracker serve --demo` in one process (its three addresses) and the
granian ceiling.

Needs wrk (apt-get install wrk); the httptools ceiling needs `pip install -e ".[bench]"`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from http_writes import free_port, have_wrk, wait_ready, wrk

HERE = Path(__file__).resolve().parent
STATUS, FEED, JSON_READ = "/issues/1", "/issues/1/feed.atom", "/api/v1/issues/1"
# Dropped from the recorded response: the server adds its own.
SERVER_HEADERS = {b"date", b"server", b"content-length", b"connection"}
# Pretend granian (and httptools) had no wheel here: the fallback `tracker serve` takes.
WITHOUT_GRANIAN = ("import sys; sys.modules['granian'] = None; sys.modules['httptools'] = None; "
                   "sys.modules['uvloop'] = None; from tracker.cli import main; sys.exit(main())")


class Servers:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.processes: list[subprocess.Popen[bytes]] = []
        self.ports: dict[str, int] = {}

    def start(self, name: str, command: list[str], env: dict[str, str],
              ready: str = "/healthz", cwd: Path | None = None) -> int:
        port = free_port()
        command = [part.replace("{port}", str(port)) for part in command]
        log = (self.tmp / f"{name}.out").open("wb")
        process = subprocess.Popen(command, env={**os.environ, **env}, cwd=cwd, stdout=log,
                                   stderr=subprocess.STDOUT)
        self.processes.append(process)
        wait_ready(f"http://127.0.0.1:{port}{ready}", process)
        self.ports[name] = port
        return port

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def tracker_serve(data: Path, *args: str) -> tuple[list[str], dict[str, str]]:
    """`tracker serve --demo` as the README runs it (the console script of the venv)."""
    script = Path(sys.executable).with_name("tracker")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "tracker.cli"]
    return [*command, "serve", "--demo", "--port", "{port}", *args], \
        {"TRACKER_DATA_DIR": str(data)}


def record(port: int, address: str, target: Path) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{address}") as response:
        body = response.read()
        head = b"".join(f"{k.lower()}: {v}\r\n".encode("latin-1")
                        for k, v in response.headers.items()
                        if k.lower().encode() not in SERVER_HEADERS)
    target.write_bytes(head + b"\r\n" + body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--json", type=Path, help="also write every run here")
    parser.add_argument("--shipped", action="store_true",
                        help="only the tracker as shipped (one process) and granian's ceiling")
    args = parser.parse_args()
    if not have_wrk("serve_load"):
        return 2
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        servers = Servers(tmp)
        try:
            # (row name, server, address, stack whose ceiling it is compared with)
            rows: list[tuple[str, str, str, str]] = []
            port = servers.start("tracker", *tracker_serve(tmp / "shipped"))
            fixed = tmp / "status-page.http"
            record(port, STATUS, fixed)
            rows += [("tracker serve --demo", "tracker", a, "granian")
                     for a in (STATUS, FEED, JSON_READ)]
            if not args.shipped:
                servers.start("log", *tracker_serve(tmp / "log", "--access-log"))
                rows.append(("  the same, --access-log", "log", STATUS, "granian"))
                servers.start("workers", *tracker_serve(tmp / "workers", "--workers", "2"))
                rows.append(("  the same, --workers 2", "workers", STATUS, "granian"))
                command, env = tracker_serve(tmp / "fallback")
                servers.start("fallback", [python, "-c", WITHOUT_GRANIAN, *command[-4:]],
                              env)
                rows.append(("  fallback: uvicorn, h11", "fallback", STATUS, "uvicorn h11"))

            fixed_env = {"FIXED_RESPONSE": str(fixed)}
            ceilings = {
                "granian": [python, "-m", "granian", "--interface", "asgi", "--http", "1",
                            "--no-ws", "--log-level", "warning", "--port", "{port}",
                            "fixed_bytes:app"],
                "uvicorn h11": [python, "-m", "uvicorn", "fixed_bytes:app", "--http", "h11",
                                "--loop", "asyncio", "--no-access-log", "--log-level",
                                "warning", "--port", "{port}"],
            }
            if args.shipped:
                del ceilings["uvicorn h11"]
            else:
                try:
                    import httptools  # noqa: F401
                    import uvloop  # noqa: F401

                    ceilings["uvicorn httptools+uvloop"] = [
                        python, "-m", "uvicorn", "fixed_bytes:app", "--http", "httptools",
                        "--loop", "uvloop", "--no-access-log", "--log-level", "warning",
                        "--port", "{port}"]
                except ImportError:
                    print("serve_load: no httptools/uvloop; pip install -e \".[bench]\" for "
                          "that ceiling", file=sys.stderr)
            for stack, command in ceilings.items():
                servers.start(f"ceiling {stack}", command, fixed_env, ready=STATUS, cwd=HERE)
                rows.insert(0, (f"ceiling: fixed bytes, {stack}", f"ceiling {stack}",
                                STATUS, stack))

            for _, name, address, _ in rows:  # warm up: pages built, caches filled
                for _ in range(3):
                    urllib.request.urlopen(
                        f"http://127.0.0.1:{servers.ports[name]}{address}").read()
            runs: list[dict[str, object]] = []
            for round_ in range(args.repeat):
                for label, name, address, stack in rows:
                    result = wrk(f"http://127.0.0.1:{servers.ports[name]}{address}",
                                 args.seconds, args.connections)
                    runs.append({"round": round_, "row": label, "address": address,
                                 "stack": stack, **result})
                    print(f"round {round_ + 1}: {label} {address}: {result['rps']:.0f} req/s, "
                          f"p99 {result['p99_ms']:.1f} ms", file=sys.stderr)
        finally:
            servers.stop()
    table = summarise(rows, runs)
    print_table(table)
    if args.json:
        args.json.write_text(json.dumps({"seconds": args.seconds, "connections":
                                         args.connections, "runs": runs, "table": table},
                                        indent=2))
    return 0


def summarise(rows: list[tuple[str, str, str, str]],
              runs: list[dict[str, object]]) -> list[dict[str, object]]:
    def run_of(label: str, address: str, round_: object) -> dict[str, object]:
        return next(r for r in runs if r["row"] == label and r["address"] == address
                    and r["round"] == round_)

    table = []
    for label, _, address, stack in rows:
        mine = [r for r in runs if r["row"] == label and r["address"] == address]
        ceiling_label = f"ceiling: fixed bytes, {stack}"
        ratios = [float(r["rps"]) / float(run_of(ceiling_label, STATUS, r["round"])["rps"])
                  for r in mine]
        rps = [float(r["rps"]) for r in mine]
        p99 = [float(r["p99_ms"]) for r in mine]
        table.append({"row": label, "address": address, "stack": stack,
                      "rps": statistics.median(rps), "rps_range": [min(rps), max(rps)],
                      "p50_ms": statistics.median(float(r["p50_ms"]) for r in mine),
                      "p99_ms": statistics.median(p99), "p99_range": [min(p99), max(p99)],
                      "ratio": statistics.median(ratios),
                      "ratio_range": [min(ratios), max(ratios)],
                      "non_2xx": sum(int(r["non_2xx"]) for r in mine)})
    return table


def print_table(table: list[dict[str, object]]) -> None:
    print("| what | address | req/s (median, range) | p50 ms | p99 ms (median, range) "
          "| ratio to its stack's ceiling (median, range) |")
    print("|---|---|---|---|---|---|")
    for r in table:
        low, high = r["rps_range"]
        p_low, p_high = r["p99_range"]
        r_low, r_high = r["ratio_range"]
        print(f"| {r['row'].strip()} | `{r['address']}` | {r['rps']:,.0f} ({low:,.0f}-{high:,.0f}) "
              f"| {r['p50_ms']:.1f} | {r['p99_ms']:.1f} ({p_low:.1f}-{p_high:.1f}) "
              f"| {r['ratio']:.2f} ({r_low:.2f}-{r_high:.2f}) |")


if __name__ == "__main__":
    sys.exit(main())
