"""Schemathesis against /openapi.json: generated requests, valid and not, to every operation.

Whatever it sends, the API must answer without a 5xx and as its schema says (status codes,
content types, bodies, headers). It runs with an admin token, so write operations really
run (on the demo data) instead of all stopping at 401.

One check is left out, on purpose: "schema-valid data is accepted". A command's schema
checks each field alone; the domain then checks the story (a commitment needs a Board
response first, dates cannot run backwards, an issue cannot be hidden twice) and refuses
what breaks it with 409 or 422, naming the field. Schema-valid requests are therefore often,
and rightly, refused.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from tests.e2e.writes import build
from tracker.bootstrap import Tracker
from tracker.demo import load_demo
from tracker.web.app import create_app

TOKEN: dict[str, str] = {}
# Per operation; TRACKER_TEST_EXAMPLES raises it for a longer hunt than CI needs.
EXAMPLES = int(os.environ.get("TRACKER_TEST_EXAMPLES", "20"))


@pytest.fixture(scope="module")
def tracker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tracker]:
    data: Path = tmp_path_factory.mktemp("schemathesis") / "data"
    tracker = build(data)
    load_demo(tracker)
    TOKEN["admin"] = tracker.accounts.add("schemathesis", "admin")[1]
    yield tracker
    tracker.close()


@pytest.fixture(scope="module")
def api_schema(tracker: Tracker) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(tracker, poll=False))


def test_the_api_answers_as_its_schema_says(api_schema: Any) -> None:
    # One hypothesis run per operation, driven here rather than by schemathesis's pytest
    # plugin, which does not work with the pytest this project uses.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 30
    failures = []
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN['admin']}"},
                                   excluded_checks=[checks.positive_data_acceptance])

        try:
            check()
        except BaseExceptionGroup as error:  # schemathesis reports its findings as a group
            failures.append(f"{operation.label}: {str(error)[:1500]}")
    assert not failures, "\n\n".join(failures)
