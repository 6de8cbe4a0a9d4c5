"""What the benchmarks share: a `tracker serve` (and `tracker worker`) started in
processes of their own, a tracker in this process on a fresh store (SQLite or its own
PostgreSQL schema), the demo data, wrk's figures, and a small HTTP/1.1 client that sends
supports from many simulated clients at once.

The simulated clients are told apart the way a reverse proxy tells the tracker: the
server is started with TRACKER_TRUSTED_PROXIES=127.0.0.1 and each request carries an
X-Forwarded-For address from 198.18.0.0/15 (the range set aside for benchmarks). All
traffic goes to 127.0.0.1 only.

The client is asyncio over plain sockets, one kept-alive connection per concurrent client,
so that on a small machine it takes as little CPU from the server as a Python client can.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker.bootstrap import Tracker

POSTGRES_URL = os.environ.get("TRACKER_BENCH_POSTGRES_URL") or os.environ.get(
    "TRACKER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
FIRST_CLIENT = ipaddress.IPv4Address("198.18.0.0")
CLIENTS_AVAILABLE = 2**17  # 198.18.0.0/15


def client_address(i: int) -> str:
    if not 0 <= i < CLIENTS_AVAILABLE:
        raise ValueError(f"only {CLIENTS_AVAILABLE} simulated clients")
    return str(FIRST_CLIENT + i)


def tracker_command(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("tracker")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "tracker.cli"]
    return [*command, *args]


def backend_env(backend: str, workdir: Path) -> dict[str, str]:
    """The settings every process of one run shares."""
    env = {"TRACKER_DATA_DIR": str(workdir / "data"), "TRACKER_SECRET_KEY": "bench",
           "TRACKER_TRUSTED_PROXIES": "127.0.0.1", "TRACKER_BASE_URL": "http://127.0.0.1"}
    if backend == "postgres":
        env["TRACKER_DATABASE_URL"] = POSTGRES_URL
        env["TRACKER_DATABASE_SCHEMA"] = f"bench_{uuid.uuid4().hex[:10]}"
    return env


def drop_schema(env: dict[str, str]) -> None:
    drop_named_schema(env.get("TRACKER_DATABASE_SCHEMA"))


def drop_named_schema(schema: str | None) -> None:
    if schema:
        import psycopg

        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def add_backend_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")


def backends(choice: str) -> tuple[str, ...]:
    """The backends a ``--backend sqlite|postgres|both`` option names."""
    return ("sqlite", "postgres") if choice == "both" else (choice,)


@contextlib.contextmanager
def in_process(backend: str, workdir: Path) -> Iterator[Tracker]:
    """A tracker in this process on a fresh store: a new SQLite data directory under
    ``workdir``, or a new PostgreSQL schema (dropped at the end)."""
    from tracker.bootstrap import bootstrap
    from tracker.config import load_settings

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    if backend == "postgres":
        settings = load_settings(database_url=POSTGRES_URL, database_schema=schema)
    else:
        settings = load_settings(data_dir=workdir / f"data-{uuid.uuid4().hex[:6]}")
    tracker = bootstrap(settings)
    try:
        yield tracker
    finally:
        tracker.close()
        if backend == "postgres":
            drop_named_schema(schema)


def demo_data(workdir: Path) -> Path:
    """A data directory under ``workdir`` holding the demo data (`tracker demo`)."""
    data = workdir / "data"
    subprocess.run([sys.executable, "-m", "tracker.cli", "demo"], check=True,
                   env={**os.environ, "TRACKER_DATA_DIR": str(data)},
                   stdout=subprocess.DEVNULL)
    return data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def have_wrk(benchmark: str) -> bool:
    """Whether wrk is installed; if not, says so for ``benchmark``."""
    if shutil.which("wrk"):
        return True
    print(f"{benchmark}: wrk is needed (apt-get install wrk)", file=sys.stderr)
    return False


def wrk(url: str, seconds: int, connections: int, header: str | None = None
        ) -> dict[str, float]:
    """wrk's requests per second, median and 99th percentile latency (ms) and the number of
    answers other than 2xx or 3xx, from 2 threads and ``connections`` connections."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if header:
        command[1:1] = ["-H", header]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def latency(label: str) -> float:
        match = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", out)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {"rps": float(rps.group(1)) if rps else 0.0, "p50_ms": latency("50%"),
            "p99_ms": latency("99%"), "non_2xx": int(errors.group(1)) if errors else 0}


@dataclass
class Processes:
    """Server processes of one run, each with its output in a file; all stopped at the end."""

    workdir: Path
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        out = (self.workdir / f"{name}.out").open("wb")
        process = subprocess.Popen(command, env={**os.environ, **env}, stdout=out,
                                   stderr=subprocess.STDOUT)
        self.started.append(process)
        return process

    def serve(self, env: dict[str, str], workers: int = 1) -> int:
        port = free_port()
        process = self.start("serve", tracker_command(
            "serve", "--port", str(port), "--workers", str(workers)), env)
        wait_ready(f"http://127.0.0.1:{port}/healthz", process)
        return port

    def stop(self) -> None:
        for process in self.started:
            process.terminate()
        for process in self.started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.started.clear()


def peak_memory_mib(process: subprocess.Popen[bytes]) -> float:
    """The peak resident memory of a process and its children (granian's workers)."""
    total = 0
    for pid in [process.pid, *_children(process.pid)]:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def _children(pid: int) -> Iterator[int]:
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return
    for task in tasks:
        try:
            found = (task / "children").read_text().split()
        except OSError:
            continue
        for child in found:
            yield int(child)
            yield from _children(int(child))


@dataclass
class Sent:
    """What a run of requests got back."""

    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)  # seconds, accepted ones
    seconds: float = 0.0

    @property
    def accepted(self) -> int:
        return self.statuses[200]

    @property
    def refused(self) -> int:
        return sum(n for status, n in self.statuses.items() if status in (429, 503))

    def percentile_ms(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return round(1000 * ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 1)

    def summary(self) -> dict[str, object]:
        return {"sent": sum(self.statuses.values()), "accepted": self.accepted,
                "refused": self.refused,
                "other": {str(k): v for k, v in sorted(self.statuses.items())
                          if k not in (200, 429, 503)},
                "seconds": round(self.seconds, 2),
                "per_s": round(self.accepted / self.seconds, 1) if self.seconds else 0,
                "p50_ms": self.percentile_ms(50), "p99_ms": self.percentile_ms(99)}


def send_supports(port: int, issue: int, clients: Sequence[int], concurrency: int,
                  timeout: float = 60.0, on_answer: Callable[[], None] | None = None) -> Sent:
    """A support from the simulated client of each number in ``clients`` (a number may come
    more than once), ``concurrency`` at a time, each on a kept-alive connection. An answer
    that has not come within ``timeout`` seconds counts as status 0 (as does a dropped
    connection), and the connection is opened again."""
    # In a thread of its own: a caller whose thread already runs an event loop (a test
    # session that drove a browser before) cannot start another one in it.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _send(port, issue, clients, concurrency, timeout,
                                              on_answer)).result()


async def _send(port: int, issue: int, clients: Sequence[int], concurrency: int,
                timeout: float, on_answer: Callable[[], None] | None) -> Sent:
    sent = Sent()
    pending = iter(clients)
    path = f"/api/v1/issues/{issue}/support"

    async def one_connection() -> None:
        reader: asyncio.StreamReader | None = None
        writer: asyncio.StreamWriter | None = None
        for i in pending:
            request = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       f"Content-Type: application/json\r\nContent-Length: 2\r\n"
                       f"X-Forwarded-For: {client_address(i)}\r\n\r\n{{}}").encode()
            started = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                assert reader is not None
                writer.write(request)
                status, close = await asyncio.wait_for(_response(reader), timeout)
            except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError):
                status, close = 0, True
            if status == 200:
                sent.latencies.append(time.perf_counter() - started)
            sent.statuses[status] += 1
            if on_answer is not None:
                on_answer()
            if close and writer is not None:
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(one_connection() for _ in range(concurrency)))
    sent.seconds = time.perf_counter() - started
    return sent


async def _response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """The status of one answer (its body read and dropped), and whether the server closes."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, close = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            close = True
    if length:
        await reader.readexactly(length)
    return status, close


def median(values: list[float]) -> float:
    return round(statistics.median(values), 1) if values else float("nan")
