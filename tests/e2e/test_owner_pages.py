"""An owner logs in to the staff pages and delivers its own commitment, with evidence; the
same forms refuse it another owner's commitment (403, saying whose), and store nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.e2e.staff import PASSWORD, Staff
from tests.e2e.writes import SETUP, Stages, build
from tracker.bootstrap import Tracker
from tracker.web.app import create_app


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Tracker, Staff, int]]:
    tracker = build(tmp_path / "data")
    Stages(tracker).reference_data()
    tracker.app.create_owner("other", "Another Board member", "Board", SETUP)
    number = Stages(tracker).make("committed")  # commitment 1, owned by "lead"
    tracker.app.make_commitment(number, "Someone else's", "other", date(2026, 6, 1), "Seen",
                                SETUP)
    tracker.accounts.add("lead-desk", "owner", owner="lead")
    tracker.accounts.set_password("lead-desk", PASSWORD)
    tracker.refresh()
    with TestClient(create_app(tracker, poll=False)) as client:
        staff = Staff(client, tracker)
        assert staff.log_in("lead-desk").status_code == 200
        yield tracker, staff, number
    tracker.close()


def test_an_owner_delivers_its_own_commitment_with_evidence(
        site: tuple[Tracker, Staff, int]) -> None:
    tracker, staff, n = site
    page = staff.open(f"/admin/issues/{n}")
    assert f"/admin/issues/{n}/commitments/1/delivery" in page.text
    assert f"/admin/issues/{n}/close" not in page.text  # only what an owner may do
    done = staff.send(f"/admin/issues/{n}/commitments/1/delivery", note="Clinics open",
                      evidence_url="Board paper 16/40")
    assert done.status_code == 200, done.text[:500]
    assert tracker.app.load_issue(n).commitment(1).status == "delivered"
    public = staff.client.get(f"/issues/{n}")
    assert "by the owner" in public.text


def test_an_owner_is_refused_another_owners_commitment(
        site: tuple[Tracker, Staff, int]) -> None:
    _, staff, n = site
    before = staff.position()
    refused = staff.send(f"/admin/issues/{n}/commitments/2/delivery", note="Not mine",
                         evidence_url="Board paper 16/41")
    assert refused.status_code == 403
    assert "owner &#39;other&#39;" in refused.text or "owner 'other'" in refused.text
    assert staff.position() == before
