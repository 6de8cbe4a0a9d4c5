"""Time travel under load: a page as of a past day against today's page, in the same run.

On the demo data, one server: for each address, requests per second and latency of today's
version and of ``?as_of=2014-11-06`` (the Board meeting), both warmed up first (the past
day's read models are built by the first request for that day, and that first request's
time is reported too). Load comes from wrk (64 connections, 2 threads).

    python benchmarks/as_of_load.py [--seconds 10] [--connections 64] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_writes import demo_data, have_wrk, wrk
from read_load import start

ADDRESSES = ["/issues/1", "/api/v1/issues/1", "/", "/issues"]
DAY = "2014-11-06"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not have_wrk("as_of_load"):
        return 2
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        server, port = start("tracker", demo_data(Path(tmp)))
        try:
            began = time.perf_counter()
            urllib.request.urlopen(f"http://127.0.0.1:{port}/?as_of={DAY}").read()
            first_ms = (time.perf_counter() - began) * 1000
            for address in ADDRESSES:
                for version, url in (
                        ("today", f"http://127.0.0.1:{port}{address}"),
                        ("as_of", f"http://127.0.0.1:{port}{address}?as_of={DAY}")):
                    urllib.request.urlopen(url).read()
                    rows.append({"address": address, "version": version,
                                 **wrk(url, args.seconds, args.connections)})
        finally:
            server.terminate()
            server.wait(timeout=20)
    if args.json:
        print(json.dumps({"connections": args.connections, "first_build_ms": first_ms,
                          "rows": rows}, indent=2))
        return 0
    print(f"first request for {DAY} (builds that day's read models): {first_ms:.0f} ms")
    print(f"{'address':<20}{'version':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for r in rows:
        print(f"{r['address']:<20}{r['version']:>8}{r['rps']:>9.0f}{r['p50_ms']:>9.1f}"
              f"{r['p99_ms']:>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
