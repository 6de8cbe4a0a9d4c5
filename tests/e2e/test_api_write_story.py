"""One issue's whole story through the write API, on SQLite and on PostgreSQL, ending with
the verdict the public reads; and the refusals once more on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from tests.e2e.writes import Site, from_factory, open_site
from tests.helpers import Clock
from tracker.bootstrap import Tracker


def ok(site: Site, path: str, body: dict[str, Any] | None, role: str = "secretariat",
       **headers: str) -> dict[str, Any]:
    response = site.post(path, body, role, **headers)
    assert response.status_code in (200, 201), (path, response.text)
    written: dict[str, Any] = response.json()
    return written


def test_an_issue_from_gather_to_delivery(site: Site, clock: Clock) -> None:
    clock.today = date(2014, 9, 1)
    ok(site, "/api/v1/topics", {"slug": "access-to-services", "name": "Access to Services"})
    ok(site, "/api/v1/owners", {"slug": "chief-executive", "name": "Chief Executive"},
       role="admin")
    ok(site, "/api/v1/assemblies", {"slug": "london-2014", "title": "Test Assembly",
                                    "date": "2014-09-18", "place": "London"})
    n = ok(site, "/api/v1/issues", {"title": "Evening GP appointments"}, "anonymous")["number"]
    issue = f"/api/v1/issues/{n}"
    ok(site, f"{issue}/support", {}, "anonymous")
    ok(site, f"{issue}/topic", {"topic": "access-to-services"})
    ok(site, f"{issue}/schedule", {"assembly": "london-2014", "presenter": "A shift worker"})

    clock.today = date(2014, 11, 10)
    ok(site, f"{issue}/presentation", {"occurred_on": "2014-09-18"})
    ok(site, f"{issue}/discussion", {"assembly": "london-2014", "summary": "Hours too short",
                                     "key_questions": ["Who sets the hours?"],
                                     "occurred_on": "2014-09-18"})
    ok(site, f"{issue}/response", {"decision": "commit", "summary": "We will act",
                                   "lead": "chief-executive", "occurred_on": "2014-11-06"})
    for text in ("Pilot evening clinics", "Publish opening hours", "Open at weekends"):
        made = ok(site, f"{issue}/commitments", {"text": text, "owner": "chief-executive",
                                                  "due": "2015-06-30", "measure": "Seen"})
    assert made["commitment"] == 3

    clock.today = date(2015, 3, 1)
    ok(site, f"{issue}/commitments/1/updates", {"status": "at_risk", "note": "No staff yet"})
    ok(site, f"{issue}/commitments/2/updates", {"new_due": "2015-12-31",
                                                "reason": "Waits for the new website"})

    clock.today = date(2015, 7, 1)
    ok(site, f"{issue}/commitments/1/updates", {
        "status": "delivered", "note": "Two clinics open",
        "evidence_url": "https://example.org/board/2015-06.pdf"})
    ok(site, f"{issue}/commitments/3/updates", {"status": "dropped",
                                                "reason": "No weekend staff budget"})
    assert site.client.get(issue).json()["verdict"] == "Partly: 1 of 2 commitments delivered"

    clock.today = date(2016, 1, 10)
    site.tracker.refresh()
    read = site.client.get(issue).json()
    assert read["verdict"] == ("Partly: 1 of 2 commitments delivered; 1 overdue, due "
                               "31 December 2015 (overdue by 10 days)")
    ok(site, f"{issue}/commitments/2/updates",
       {"status": "delivered", "evidence_url": "Board paper 16/01"},
       **{"If-Match": f'"{read["version"]}"'})
    ok(site, f"{issue}/close", {"outcome": "Evening clinics and published hours"})
    last = ok(site, f"{issue}/corrections", {"entry": 1, "reason": "Spelling",
                                             "correction": "Evening GP appointments"})

    final = site.client.get(issue).json()
    assert final["verdict"] == "Partly: 2 of 3 commitments delivered; 1 dropped"
    assert final["version"] == last["version"]
    assert final["topic"] == "access-to-services" and final["supporters"] == 1
    assert [(c["commitment"], c["status"], c["overdue"]) for c in final["commitments"]] == [
        (1, "delivered", False), (2, "delivered", False), (3, "dropped", False)]
    history = site.client.get(f"{issue}/history").json()
    # Every event is an entry, save supports, which the count gives.
    assert len(history) + final["supporters"] == final["version"]
    assert history[0]["actor_role"] == "citizen" and history[-1]["type"] == "corrected"


@pytest.mark.postgres
class TestRefusedOnPostgres:
    @pytest.fixture
    def pg(self, make_tracker: Callable[..., Tracker], clock: Clock) -> Iterator[Site]:
        with open_site(from_factory(make_tracker, clock, "postgres")) as site:
            yield site

    def test_nothing_is_stored_on_any_refusal(self, pg: Site) -> None:
        n = pg.issue("committed")
        version = pg.client.get(f"/api/v1/issues/{n}").json()["version"]
        updates = f"/api/v1/issues/{n}/commitments/1/updates"
        before = pg.position()
        refusals = [
            (pg.post(updates, {"status": "on_track", "note": "n"}, "anonymous"), 401),
            (pg.post(updates, {"status": "on_track", "note": "n"}, "moderator"), 403),
            (pg.post(updates, {"status": "delivered"}, "secretariat"), 422),
            (pg.post(updates, {"status": "on_track", "note": "n"}, "secretariat",
                     **{"If-Match": f'"{version - 1}"'}), 412),
            (pg.post("/api/v1/issues/999/close", {"outcome": "o"}, "secretariat"), 404),
            (pg.post("/api/v1/issues", {"title": "x" * 201}, "anonymous"), 422),
            (pg.post("/api/v1/issues", {"title": "x", "website": "y"}, "anonymous"), 422),
        ]
        assert [r.status_code for r, _ in refusals] == [code for _, code in refusals]
        assert pg.position() == before

    def test_a_supporter_counts_once(self, pg: Site) -> None:
        n = pg.issue()
        codes = [pg.client.post(f"/api/v1/issues/{n}/support", json={}).status_code
                 for _ in range(2)]
        assert codes == [200, 409]
        assert pg.client.get(f"/api/v1/issues/{n}").json()["supporters"] == 1
