"""Shared fixtures: a tracker on SQLite (always) and on PostgreSQL (when reachable).

PostgreSQL tests use ``TRACKER_TEST_POSTGRES_URL`` (default: the local server's ``test``
database). Each test gets a schema of its own, dropped afterwards. Where no server answers,
those tests skip with the reason, unless ``CI`` is set: then they fail, because CI must
exercise PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers import Clock
from tracker.bootstrap import Tracker, bootstrap
from tracker.config import load_settings

POSTGRES_URL = os.environ.get("TRACKER_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")

def postgres_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except Exception as error:
        return f"no PostgreSQL at {POSTGRES_URL}: {str(error).splitlines()[0]}"


_pg_reason = postgres_available()


def require_postgres() -> None:
    if _pg_reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests, but {_pg_reason}")
        pytest.skip(_pg_reason)


def _drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_tracker(tmp_path: Path, clock: Clock) -> Iterator[Callable[..., Tracker]]:
    """Build trackers on a backend ('sqlite' or 'postgres'); all are closed afterwards."""
    made: list[Tracker] = []
    schemas: list[str] = []

    def make(backend: str = "sqlite", schema: str | None = None) -> Tracker:
        if backend == "postgres":
            require_postgres()
            if schema is None:
                schema = f"t_{uuid.uuid4().hex[:12]}"
                schemas.append(schema)
            settings = load_settings(database_url=POSTGRES_URL, database_schema=schema)
        else:
            settings = load_settings(data_dir=tmp_path / "data")
        tracker = bootstrap(settings, clock=clock)
        made.append(tracker)
        return tracker

    yield make
    for tracker in made:
        tracker.close()
    for schema in schemas:
        _drop_schema(schema)


@pytest.fixture
def tracker(make_tracker: Callable[..., Tracker]) -> Tracker:
    """A tracker on embedded SQLite in a temporary directory."""
    return make_tracker("sqlite")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_tracker(request: pytest.FixtureRequest,
                make_tracker: Callable[..., Tracker]) -> Tracker:
    """The same test on SQLite and on PostgreSQL."""
    return make_tracker(request.param)
