"""Ledger: leaves appended and entries verified per second, against a plain SHA-256 loop.

Entries are shaped like the tracker's public entries (about 300 bytes of canonical JSON).
The baseline hashes the same canonical bytes once each with hashlib.sha256 in a Python
loop: the least any leaf hashing could cost. The ratios say what the tree costs on top.

- append: leaf hash of the canonical bytes, appended to the right edge (`CompactRange`),
  every completed subtree kept (`MemoryHashStore`), as a projection would store them;
  "from dicts" adds the RFC 8785 canonicalisation of each entry.
- verify: `verify_log` over published tiles (in memory) and the entries' bytes: checkpoint
  signature, every entry against its leaf, the root rebuilt from the leaves; "from dicts"
  hands it the dicts instead.

    python benchmarks/ledger.py [--n 100000] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from hashlib import sha256
from typing import Any

from tracker.ledger import (
    Checkpoint,
    CompactRange,
    MemoryHashStore,
    canonical_json,
    changed_tiles,
    generate_signer,
    leaf_hash,
    sign_checkpoint,
    tile_bytes,
    verify_log,
)


def entries(n: int) -> list[dict[str, Any]]:
    return [{"entry": i, "issue": i // 7 + 1, "kind": "Issue.ProgressRecorded",
             "recorded_on": "2014-11-06", "role": "secretariat",
             "summary": f"Progress on commitment {i % 5 + 1}: the council met the residents"
                        " and agreed the next steps for the bus stop on Station Road.",
             "sources": [f"https://example.org/minutes/{i}"]} for i in range(n)]


def best(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    n = args.n
    records = entries(n)
    blobs = [canonical_json(r) for r in records]

    def baseline() -> None:
        for blob in blobs:
            sha256(blob).digest()

    def append_bytes() -> None:
        store = MemoryHashStore()
        for blob in blobs:
            store.append(leaf_hash(blob))

    def append_dicts() -> None:
        edge = CompactRange()
        for record in records:
            edge.append(leaf_hash(canonical_json(record)))

    store = MemoryHashStore(leaf_hash(b) for b in blobs)
    files = {t.path: tile_bytes(store, t) for t in changed_tiles(0, n)}
    signer = generate_signer("bench.example/log")
    checkpoint = sign_checkpoint(Checkpoint("bench.example/log", n, store.root()), signer)

    def verify(given: list[Any]) -> Callable[[], None]:
        def run() -> None:
            report = verify_log(checkpoint, signer.verifier, enumerate(given), files.__getitem__)
            assert report.ok, report.problem
        return run

    base = best(args.repeat, baseline)
    results = {"n": n, "entry_bytes_mean": sum(map(len, blobs)) // n,
               "sha256_loop_per_s": n / base}
    for name, run in [("append_bytes", append_bytes), ("append_dicts", append_dicts),
                      ("verify_bytes", verify(blobs)), ("verify_dicts", verify(records))]:
        seconds = best(args.repeat, run)
        results[f"{name}_per_s"] = n / seconds
        results[f"{name}_ratio"] = seconds / base
    # The machine's load changes absolute rates a lot; the ratios move much less.
    results["load_average_1min"] = os.getloadavg()[0]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{n} entries, {results['entry_bytes_mean']} bytes of canonical JSON on average;"
          f" best of {args.repeat}")
    print(f"{'plain SHA-256 loop':<28}{results['sha256_loop_per_s']:>12,.0f} /s")
    for name, label in [("append_bytes", "append (canonical bytes)"),
                        ("append_dicts", "append (from dicts)"),
                        ("verify_bytes", "verify (canonical bytes)"),
                        ("verify_dicts", "verify (from dicts)")]:
        print(f"{label:<28}{results[f'{name}_per_s']:>12,.0f} /s"
              f"   {results[f'{name}_ratio']:5.1f}x the SHA-256 loop's time")


if __name__ == "__main__":
    main()
