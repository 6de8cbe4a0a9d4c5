"""The ledger is a library of pure functions: no web, database or projection code."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("fastapi", "starlette", "sqlalchemy", "jinja2", "psycopg", "uvicorn", "eventsourcing",
             "tracker.web", "tracker.projections", "tracker.application", "tracker.domain")


def test_the_ledger_imports_no_web_database_or_projection_code() -> None:
    program = (
        "import sys, pkgutil, importlib, tracker.ledger\n"
        "for m in pkgutil.iter_modules(tracker.ledger.__path__):\n"
        "    importlib.import_module('tracker.ledger.' + m.name)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", program], check=True, capture_output=True,
                            text=True).stdout.split()
    assert [m for m in loaded if m.startswith(FORBIDDEN)] == []
    assert "tracker.ledger.verify" in loaded
