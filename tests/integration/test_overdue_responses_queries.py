"""The overdue responses are read in one query, however many issues owe one (no query per
issue for its assembly's day)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

from tests.e2e.writes import TODAY, Stages, build
from tracker.projections.issues import overdue_responses


def test_many_overdue_responses_take_one_statement(tmp_path: Path) -> None:
    tracker = build(tmp_path / "data")
    try:
        stages = Stages(tracker)
        stages.reference_data()
        owed = [stages.make("discussed") for _ in range(25)]  # the 2015 assembly: overdue
        referred = [stages.make("referred") for _ in range(5)]
        tracker.refresh()
        statements: list[str] = []

        def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                statements.append(statement)

        event.listen(tracker.engine, "before_cursor_execute", count)
        try:
            with tracker.engine.connect() as conn:
                found = overdue_responses(conn, TODAY + timedelta(days=100),
                                          tracker.settings.clocks)
        finally:
            event.remove(tracker.engine, "before_cursor_execute", count)
        assert sorted(r.number for r in found) == sorted(owed + referred)
        assert {r.owed_by for r in found} == {"the Board", "Healthwatch England"}
        assert len(statements) == 1, statements
    finally:
        tracker.close()
