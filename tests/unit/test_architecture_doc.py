"""docs/architecture.md's "Where is X" table names files that exist, and covers what a
newcomer looks for first."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
PATHLIKE = re.compile(r"^[\w.-]+(/[\w.-]+)*/?$")


def _where_is_rows() -> list[tuple[str, str]]:
    text = DOC.read_text()
    section = text[text.index("## Where is X"):]
    section = section[:section.index("\n## ", 1)]
    rows = [line.split(" | ", 1) for line in section.splitlines()
            if line.startswith("| ") and not line.startswith("| what |")]
    return [(what.removeprefix("| "), where.removesuffix(" |")) for what, where in rows]


def _paths(cell: str) -> list[str]:
    """The backticked names of files and folders (not addresses, code or placeholders)."""
    return [t for t in re.findall(r"`([^`]+)`", cell)
            if PATHLIKE.match(t) and ("/" in t or t.endswith(".py"))]


def test_the_table_is_found_and_names_files() -> None:
    rows = _where_is_rows()
    assert len(rows) >= 30
    assert sum(len(_paths(where)) for _, where in rows) >= 60


def test_every_file_the_table_names_exists() -> None:
    missing = []
    for what, where in _where_is_rows():
        paths = _paths(where)
        # A bare name lies in a folder the same row names (`tracker/projections/<read
        # model>.py`, then `issues.py`).
        folders = {ROOT / t if t.endswith("/") else (ROOT / t).parent
                   for t in re.findall(r"`([^`/][^`]*/[^`]*)`", where)}
        for p in paths:
            found = (ROOT / p).exists()  # from the repository's root
            if not found and "/" not in p.rstrip("/"):
                found = any((folder / p).exists() for folder in folders)
            if not found:
                missing.append(f"{what}: {p}")
    assert missing == [], "\n".join(missing)


def test_the_table_covers_what_a_newcomer_looks_for() -> None:
    whats = " / ".join(what for what, _ in _where_is_rows())
    for topic in ("a command", "a public page", "feed", "a read model", "a setting",
                  "a migration"):
        assert topic in whats, topic
