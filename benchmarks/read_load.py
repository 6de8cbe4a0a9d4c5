"""Read path: requests per second of pages under load, against a fixed-bytes ceiling.

For each address, in one run:
- the tracker serves the page as it always does (read models, template, verdict for today);
- the same server process and stack returns the same page's bytes, rendered once beforehand,
  for the same address: the ceiling, i.e. what the HTTP stack alone costs;
- conditional requests (If-None-Match with the page's ETag) answered with 304.
Load comes from wrk (64 connections, 2 threads) when installed, else a Python generator.

    python benchmarks/read_load.py [--seconds 10] [--connections 64] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_writes import demo_data, free_port, have_wrk, wait_ready, wrk

ADDRESSES = ["/issues/2", "/api/v1/issues/2", "/", "/timeline.atom", "/issues/2/feed.rss"]

SERVER = """
import sys, uvicorn
from tracker.bootstrap import bootstrap
from tracker.config import load_settings
from tracker.web.app import create_app
mode, port = sys.argv[1], int(sys.argv[2])
tracker = bootstrap(load_settings())
app = create_app(tracker, poll=False)
if mode == "ceiling":
    from fastapi.testclient import TestClient
    with TestClient(create_app(tracker, poll=False)) as client:
        fixed = {a: (client.get(a).content, client.get(a).headers["content-type"])
                 for a in sys.argv[3:]}
    inner = app
    async def app(scope, receive, send):
        # Pure ASGI, in front of everything: the cheapest answer this stack can give.
        if scope["type"] != "http" or scope["path"] not in fixed:
            return await inner(scope, receive, send)
        body, kind = fixed[scope["path"]]
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", kind.encode()), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
"""


def start(mode: str, data: Path | None, settings: dict[str, str] | None = None
          ) -> tuple[subprocess.Popen[bytes], int]:
    """Start the server on the data directory ``data``, or on the database that
    ``settings`` (TRACKER_* variables) name."""
    port = free_port()
    env = {**os.environ, **(settings or {})}
    if data is not None:
        env["TRACKER_DATA_DIR"] = str(data)
    server = subprocess.Popen([sys.executable, "-c", SERVER, mode, str(port), *ADDRESSES],
                              env=env)
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz", server, 60)
    except RuntimeError:
        server.kill()
        raise
    return server, port


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not have_wrk("read_load"):
        return 2
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        data = demo_data(Path(tmp))
        for mode in ("tracker", "ceiling"):
            server, port = start(mode, data)
            try:
                for address in ADDRESSES:
                    url = f"http://127.0.0.1:{port}{address}"
                    # Warm up: the ceiling's bytes were rendered beforehand too.
                    urllib.request.urlopen(url).read()
                    row = {"mode": mode, "address": address,
                           **wrk(url, args.seconds, args.connections, None)}
                    if mode == "tracker":
                        etag = urllib.request.urlopen(url).headers["ETag"]
                        row304 = wrk(url, args.seconds, args.connections,
                                     f"If-None-Match: {etag}")
                        row.update({f"{k}_304": v for k, v in row304.items()})
                    results.append(row)
            finally:
                server.terminate()
                server.wait(timeout=20)
    ceiling = {r["address"]: r["rps"] for r in results if r["mode"] == "ceiling"}
    ceiling_p99 = {r["address"]: r["p99_ms"] for r in results if r["mode"] == "ceiling"}
    rows = [{**r, "ratio": round(r["rps"] / ceiling[r["address"]], 3)}
            for r in results if r["mode"] == "tracker"]
    if args.json:
        print(json.dumps({"connections": args.connections, "rows": rows,
                          "ceiling": ceiling, "ceiling_p99_ms": ceiling_p99}, indent=2))
        return 0
    print(f"{'address':<20}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'ceiling':>9}{'ratio':>7}"
          f"{'ceil p99':>9}{'304 req/s':>11}{'304 p99':>9}")
    for r in rows:
        print(f"{r['address']:<20}{r['rps']:>9.0f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}"
              f"{ceiling[r['address']]:>9.0f}{r['ratio']:>7.2f}"
              f"{ceiling_p99[r['address']]:>9.1f}{r['rps_304']:>11.0f}"
              f"{r['p99_ms_304']:>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
