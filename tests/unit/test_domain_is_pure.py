"""The domain imports only the standard library and eventsourcing.domain."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("fastapi", "starlette", "sqlalchemy", "jinja2", "psycopg", "uvicorn",
             "tracker.web", "tracker.projections", "tracker.application", "eventsourcing.sqlite",
             "eventsourcing.postgres")


def test_the_domain_imports_no_web_database_or_template_code() -> None:
    program = (
        "import sys, pkgutil, importlib, tracker.domain\n"
        "for m in pkgutil.iter_modules(tracker.domain.__path__):\n"
        "    importlib.import_module('tracker.domain.' + m.name)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", program], check=True, capture_output=True,
                            text=True).stdout.split()
    offenders = [m for m in loaded if m.startswith(FORBIDDEN)]
    assert offenders == []
    assert "tracker.domain.issue" in loaded
