"""A surge of supports over HTTP, as benchmarks/surge.py runs it, at a size CI can afford:
every accepted support is counted exactly once, and the pages catch up."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import require_postgres

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))

import surge

SUPPORTS = 500


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres",
                                                            marks=pytest.mark.postgres)])
def test_a_surge_of_supports_loses_none_and_counts_none_twice(backend: str,
                                                              tmp_path: Path) -> None:
    if backend == "postgres":
        require_postgres()
    result = surge.surge(backend, SUPPORTS, 32, tmp_path)
    assert result["accepted"] == SUPPORTS, result
    assert result["counted"] == SUPPORTS, result
    assert result["lost"] == 0 and result["doubled"] == 0, result
    # Each repeating client's repeats: a 409 (counted once already) or over the limit
    # (each of several processes keeps limits of its own, and on a slow machine the
    # window may move between a client's repeats).
    repeaters = len(range(0, SUPPORTS, surge.REPEATERS))
    repeated = int(result["other"].get("409", 0))
    assert set(result["other"]) <= {"409"}, result
    assert repeated >= repeaters, result
    assert repeated + result["refused"] == repeaters * surge.REPEATS, result
