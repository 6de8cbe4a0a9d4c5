"""The README's copy of the authorisation table says exactly what the declarations do."""

from __future__ import annotations

import re
from pathlib import Path

from tracker.domain.values import Role
from tracker.permissions import PERMISSIONS, markdown_table

README = Path(__file__).resolve().parents[2] / "README.md"
COLUMNS = (Role.CITIZEN, Role.SECRETARIAT, Role.MODERATOR, Role.ADMIN, Role.ASSESSOR,
           Role.OWNER)


def test_the_readme_table_matches_the_code() -> None:
    rows = re.findall(r"^\| `([a-z_]+)` \| ((?:(?:yes|\u2013) \| ){5}(?:yes|\u2013)) \|$",
                      README.read_text(), re.M)
    documented = {command: tuple(cell.strip() == "yes" for cell in cells.split("|"))
                  for command, cells in rows}
    expected = {command: tuple(role in allowed for role in COLUMNS)
                for command, allowed in PERMISSIONS.items()}
    assert documented == expected


def test_the_readme_table_is_the_one_python_m_tracker_permissions_prints() -> None:
    assert markdown_table() in README.read_text()
