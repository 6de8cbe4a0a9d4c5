"""A client on the demo data, shared by the read-side HTTP tests of a module."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.helpers import Clock
from tracker.bootstrap import Tracker, bootstrap
from tracker.config import load_settings
from tracker.demo import load_demo
from tracker.web.app import create_app

DEMO_TODAY = date(2026, 1, 1)


@pytest.fixture(scope="module")
def demo_tracker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tracker]:
    data: Path = tmp_path_factory.mktemp("demo") / "data"
    tracker = bootstrap(load_settings(data_dir=data), clock=Clock(DEMO_TODAY))
    load_demo(tracker)
    yield tracker
    tracker.close()


@pytest.fixture(scope="module")
def demo(demo_tracker: Tracker) -> Iterator[TestClient]:
    """Read-only: tests using it must not write."""
    with TestClient(create_app(demo_tracker, poll=False)) as client:
        yield client
