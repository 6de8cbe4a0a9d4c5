"""A client on the demo data, shared by the read-side HTTP tests of a module; and a fresh
site for write tests, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.e2e.writes import Site, from_factory, open_site
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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site(request: pytest.FixtureRequest, make_tracker: Callable[..., Tracker],
         clock: Clock) -> Iterator[Site]:
    """A fresh tracker behind the app, on each database; a module may define its own."""
    with open_site(from_factory(make_tracker, clock, request.param)) as site:
        yield site
