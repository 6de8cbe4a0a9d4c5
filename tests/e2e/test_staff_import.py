"""The staff page imports an action log: upload, the dry run's report per row, confirm."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.staff import Staff, staff_client
from tests.e2e.writes import Stages, build
from tracker.bootstrap import Tracker

LOG = ("Reference,Issue,Action,Owner,Target date\n"
       "P/1,{n},Open two more clinics,Lead Board member,31/03/2027\n"
       "P/2,{n},Publish the waiting times,lead,30 June 2027\n")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Tracker, Staff, int]]:
    tracker = build(tmp_path / "data")
    Stages(tracker).reference_data()
    number = Stages(tracker).make("responded")
    tracker.refresh()
    staff = staff_client(tracker, "secretariat")
    yield tracker, staff, number
    staff.client.__exit__(None, None, None)
    tracker.close()


def _upload(staff: Staff, text: str, mapping: str = "due=Target date") -> Any:
    page = staff.open("/admin/import")
    token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert token is not None
    return staff.client.post("/admin/import", data={"form_token": token.group(1),
                                                    "map": mapping},
                             files={"file": ("board-log.csv", text.encode(), "text/csv")})


def test_a_dry_run_then_confirm_imports_the_rows(site: tuple[Tracker, Staff, int]) -> None:
    tracker, staff, n = site
    before = staff.position()
    checked = _upload(staff, LOG.format(n=n))
    text = checked.text
    assert "2 rows: 2 to create" in text and "nothing written (dry run)" in text
    assert staff.position() == before
    confirm = {name: value for name, value in re.findall(
        r'<input type="hidden" name="(\w+)" value="([^"]*)">', text)}
    assert set(confirm) == {"form_token", "token", "map"}
    done = staff.client.post("/admin/import", data=confirm)
    assert done.status_code == 200 and "imported" in done.text
    assert [c.reference for c in tracker.app.load_issue(n).commitments] == ["P/1", "P/2"]
    page = staff.client.get(f"/issues/{n}").text
    assert "imported from the action log board-log.csv, row 3 (reference P/2)" in page
    again = staff.client.post("/admin/import", data=confirm)
    assert again.status_code == 410  # the upload is used once


def test_a_refused_row_is_shown_and_nothing_can_be_confirmed(
        site: tuple[Tracker, Staff, int]) -> None:
    _, staff, n = site
    before = staff.position()
    refused = _upload(staff, LOG.format(n=n).replace("30 June 2027", "someday"))
    assert refused.status_code == 422
    text = refused.text
    assert "<strong>refused</strong>" in text and "Target date" in text
    assert 'name="token"' not in text
    assert staff.position() == before


def test_a_moderator_may_not_import(tmp_path: Path) -> None:
    tracker = build(tmp_path / "data")
    Stages(tracker).reference_data()
    staff = staff_client(tracker, "moderator")
    answer = _upload(staff, LOG.format(n=1))
    assert answer.status_code == 403
    staff.client.__exit__(None, None, None)
    tracker.close()
