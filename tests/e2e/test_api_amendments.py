"""Amendments through the API and the staff form: the entry keeps before and after, the
original entry stays, and every read model follows the new value, on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.e2e.staff import staff_client
from tests.e2e.writes import SETUP, Site, from_factory, open_site
from tests.helpers import Clock
from tests.integration.test_projector import snapshot_of_read_models
from tracker.bootstrap import Tracker


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site(request: pytest.FixtureRequest, make_tracker: Callable[..., Tracker],
         clock: Clock) -> Iterator[Site]:
    tracker = from_factory(make_tracker, clock, request.param)
    with open_site(tracker) as site:
        site.issue("submitted")  # the reference data
        tracker.app.create_owner("finance", "Director of Finance", "Board", SETUP)
        tracker.refresh()
        yield site


def amend(site: Site, n: int, role: str = "secretariat", **body: str) -> object:
    return site.post(f"/api/v1/issues/{n}/commitments/1/amendments", body, role)


class TestAmendCommitment:
    def test_an_owner_amended_moves_the_commitment_everywhere(self, site: Site) -> None:
        n = site.issue("committed")
        answer = site.post(f"/api/v1/issues/{n}/commitments/1/amendments",
                           {"field": "owner", "value": "finance",
                            "reason": "The Board gave it to finance"}, "secretariat")
        assert answer.status_code == 200, answer.text
        client = site.client
        assert client.get(f"/api/v1/issues/{n}").json()["commitments"][0]["owner"] == "finance"
        listed = client.get("/api/v1/commitments?owner=finance").json()
        assert [(c["issue"], c["commitment"]) for c in listed["commitments"]] == [(n, 1)]
        old_owner = client.get("/api/v1/commitments?owner=lead").json()["commitments"]
        assert all(c["issue"] != n for c in old_owner)
        assert f"/issues/{n}" in client.get("/owners/finance").text
        assert f"/issues/{n}" in client.get("/owners/finance/calendar.ics").text
        assert f"/issues/{n}" not in client.get("/owners/lead/calendar.ics").text
        history = client.get(f"/api/v1/issues/{n}/history").json()
        made = next(e for e in history if e["type"] == "commitment_made")
        amended = next(e for e in history if e["type"] == "commitment_amended")
        assert made["fields"]["owner"] == "lead"  # the original stays as it was
        assert {k: amended["fields"][k] for k in ("field", "before", "after", "reason")} == {
            "field": "owner", "before": "lead", "after": "finance",
            "reason": "The Board gave it to finance"}
        assert amended["sentence"] == ("Commitment 1 was amended: its owner was Lead Board "
                                       "member, now Director of Finance (why: The Board "
                                       "gave it to finance)")

    def test_a_rebuild_gives_the_same_read_models(self, site: Site) -> None:
        n = site.issue("committed")
        for field, value in (("due", "2026-10-31"), ("text", "Do it better"),
                             ("measure", "Seen by all"), ("owner", "finance")):
            answer = amend(site, n, field=field, value=value, reason="Agreed")
            assert answer.status_code == 200, answer.text  # type: ignore[attr-defined]
        before = snapshot_of_read_models(site.tracker)
        site.tracker.projector.rebuild()
        assert snapshot_of_read_models(site.tracker) == before
        c = site.client.get(f"/api/v1/issues/{n}").json()["commitments"][0]
        assert (c["due"], c["text"], c["owner"]) == ("2026-10-31", "Do it better", "finance")

    def test_refusals_name_the_field_and_write_nothing(self, site: Site) -> None:
        n = site.issue("committed")
        before = site.position()
        for body, field, status in (
                ({"field": "owner", "value": "nobody-here", "reason": "x"}, "value", 404),
                ({"field": "due", "value": "soon", "reason": "x"}, "value", 422),
                ({"field": "status", "value": "x", "reason": "x"}, "field", 422),
                ({"field": "text", "value": "Do it"}, "reason", 422)):
            answer = site.post(f"/api/v1/issues/{n}/commitments/1/amendments", body,
                               "secretariat")
            assert answer.status_code == status, (body, answer.text)
            assert answer.json()["field"] in (field, "owner"), answer.text
        assert site.position() == before

    def test_a_moderator_may_not_amend(self, site: Site) -> None:
        n = site.issue("committed")
        answer = site.post(f"/api/v1/issues/{n}/commitments/1/amendments",
                           {"field": "text", "value": "New", "reason": "x"}, "moderator")
        assert answer.status_code == 403


def test_the_staff_form_offers_an_amendment_on_each_commitment(site: Site) -> None:
    n = site.issue("committed")
    staff = staff_client(site.tracker, "secretariat")
    page = staff.open(f"/admin/issues/{n}")
    assert f'href="/admin/issues/{n}/commitments/1/amendments"' in page.text
    answer = staff.send(f"/admin/issues/{n}/commitments/1/amendments", field="measure",
                        value="Counted monthly", reason="Agreed at the meeting")
    assert answer.status_code == 200, answer.text[-2000:]
    c = site.client.get(f"/api/v1/issues/{n}").json()["commitments"][0]
    assert c["measure"] == "Counted monthly"
