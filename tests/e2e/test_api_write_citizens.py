"""The public commands: raising and supporting issues, abuse limits, pseudonymous supporters."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.writes import Site, build, open_site
from tracker.config import load_settings
from tracker.secret_key import server_secret


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data: Path = tmp_path_factory.mktemp("citizens") / "data"
    tracker = build(data)
    with open_site(tracker) as site:
        yield site
    tracker.close()


def from_address(site: Site, host: str) -> TestClient:
    """A second client of the same app, seen from another address."""
    return TestClient(site.client.app, client=(host, 40000))


def supporters(site: Site, number: int) -> int:
    count: int = site.client.get(f"/api/v1/issues/{number}").json()["supporters"]
    return count


class TestSubmitting:
    def test_answers_the_number_at_once_and_the_next_read_shows_it(self, site: Site) -> None:
        response = site.post("/api/v1/issues", {"title": "Benches in the park"}, "anonymous")
        assert response.status_code == 201
        written = response.json()
        number = written["number"]
        assert written["url"].endswith(f"/issues/{number}")
        assert response.headers["location"] == written["url"]
        assert response.headers["etag"] == '"1"'
        issue = site.client.get(f"/api/v1/issues/{number}").json()
        assert issue["title"] == "Benches in the park" and issue["version"] == 1
        history = site.client.get(f"/api/v1/issues/{number}/history").json()
        assert history[0]["actor_role"] == "citizen"

    def test_contact_details_stay_private(self, site: Site) -> None:
        response = site.post("/api/v1/issues", {
            "title": "Private contact", "contact_name": "Ada Lovelace",
            "contact_email": "ada@example.org"}, "anonymous")
        number = response.json()["number"]
        assert site.tracker.contacts.count_for("ada@example.org") == 1
        public = "".join(site.client.get(path).text for path in (
            f"/api/v1/issues/{number}", f"/api/v1/issues/{number}/history",
            f"/issues/{number}", "/export/events.jsonl"))
        assert "ada@example.org" not in public and "Ada Lovelace" not in public
        stored = b"".join(n.state for n in
                          site.tracker.app.recorder.select_notifications(1, 1_000_000))
        assert b"ada@example.org" not in stored and b"Ada Lovelace" not in stored

    def test_a_filled_honeypot_is_refused_by_name_and_nothing_is_stored(
            self, site: Site) -> None:
        before = site.position()
        response = site.post("/api/v1/issues", {"title": "Buy now", "website": "http://spam"},
                             "anonymous")
        assert response.status_code == 422
        assert response.json()["field"] == "website"
        assert site.position() == before

    def test_a_citizen_cannot_backdate_an_issue(self, site: Site) -> None:
        before = site.position()
        response = site.post("/api/v1/issues", {"title": "Old", "occurred_on": "2014-09-18"},
                             "anonymous")
        assert response.status_code == 422 and response.json()["field"] == "occurred_on"
        assert site.position() == before

    def test_staff_log_a_paper_submission_under_their_own_role_and_date(
            self, site: Site) -> None:
        response = site.post("/api/v1/issues", {"title": "From the Gather cards",
                                                "occurred_on": "2014-09-18"}, "secretariat")
        assert response.status_code == 201
        entry = site.client.get(f"/api/v1/issues/{response.json()['number']}/history").json()[0]
        assert entry["actor_role"] == "secretariat"
        assert entry["occurred_on"] == "2014-09-18"


class TestSupporting:
    def test_a_client_counts_once(self, site: Site) -> None:
        number = site.issue()
        first = site.client.post(f"/api/v1/issues/{number}/support", json={})
        assert first.status_code == 200 and first.json()["version"] == 2
        before = site.position()
        again = site.client.post(f"/api/v1/issues/{number}/support", json={})
        assert again.status_code == 409 and again.json()["error"] == "AlreadySupported"
        assert site.position() == before
        assert supporters(site, number) == 1

    def test_another_client_counts_too(self, site: Site) -> None:
        number = site.issue()
        for host in ("198.51.100.1", "198.51.100.2"):
            assert from_address(site, host).post(
                f"/api/v1/issues/{number}/support", json={}).status_code == 200
        assert supporters(site, number) == 2

    def test_a_forged_forwarded_for_header_does_not_make_a_new_supporter(
            self, site: Site) -> None:
        number = site.issue()
        client = from_address(site, "198.51.100.3")
        codes = [client.post(f"/api/v1/issues/{number}/support", json={},
                             headers={"X-Forwarded-For": f"203.0.113.{i}",
                                      "X-Real-IP": f"203.0.113.{i}"}).status_code
                 for i in range(3)]
        assert codes == [200, 409, 409]

    def test_one_ipv6_line_counts_once_whatever_address_it_takes(self, site: Site) -> None:
        number = site.issue()
        codes = [from_address(site, host).post(f"/api/v1/issues/{number}/support",
                                               json={}).status_code
                 for host in ("2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ab:cd:ef:1",
                              "2001:db8:1:3::1")]
        assert codes == [200, 409, 409, 200]

    def test_no_address_is_stored_only_an_opaque_id(self, site: Site) -> None:
        number = site.issue()
        from_address(site, "198.51.100.77").post(f"/api/v1/issues/{number}/support", json={})
        stored = b"".join(n.state for n in
                          site.tracker.app.recorder.select_notifications(1, 1_000_000))
        assert b"198.51.100.77" not in stored
        export = site.client.get("/export/events.jsonl").text
        assert "198.51.100.77" not in export

    def test_a_hidden_issue_takes_no_support(self, site: Site) -> None:
        number = site.issue("hidden")
        before = site.position()
        assert site.client.post(f"/api/v1/issues/{number}/support", json={}).status_code == 409
        assert site.position() == before


class TestRateLimits:
    @pytest.fixture
    def strict(self, tmp_path: Path) -> Iterator[Site]:
        tracker = build(tmp_path / "data", rate_submit="2/minute", rate_support="3/minute")
        with open_site(tracker) as strict:
            yield strict
        tracker.close()

    def test_submitting_too_often_is_a_429_with_retry_after(self, strict: Site) -> None:
        codes = [strict.post("/api/v1/issues", {"title": f"Issue {i}"}, "anonymous")
                 .status_code for i in range(3)]
        assert codes == [201, 201, 429]
        before = strict.position()
        refused = strict.post("/api/v1/issues", {"title": "Again"}, "anonymous")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.json()["detail"].startswith("Too many requests; try again in ")
        assert refused.json()["field"] is None
        assert strict.position() == before

    def test_supporting_too_often_is_a_429(self, strict: Site) -> None:
        numbers = [strict.issue() for _ in range(4)]
        codes = [strict.client.post(f"/api/v1/issues/{n}/support", json={}).status_code
                 for n in numbers]
        assert codes == [200, 200, 200, 429]
        assert "retry-after" in strict.client.post(
            f"/api/v1/issues/{numbers[3]}/support", json={}).headers

    def test_the_limit_is_per_client(self, strict: Site) -> None:
        for i in range(3):
            strict.post("/api/v1/issues", {"title": f"Busy {i}"}, "anonymous")
        other = from_address(strict, "198.51.100.9")
        assert other.post("/api/v1/issues", json={"title": "Mine"}).status_code == 201

    def test_a_forged_forwarded_for_header_does_not_reset_the_limit(self, strict: Site) -> None:
        codes = [strict.client.post("/api/v1/issues", json={"title": f"Spam {i}"},
                                    headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
                 for i in range(3)]
        assert codes == [201, 201, 429]

    def test_honeypot_hits_count_against_the_limit(self, strict: Site) -> None:
        bot: dict[str, Any] = {"title": "Cheap pills", "website": "http://spam"}
        assert [strict.post("/api/v1/issues", bot, "anonymous").status_code
                for _ in range(3)] == [422, 422, 429]

    def test_staff_with_a_token_are_not_limited(self, strict: Site) -> None:
        codes = {strict.post("/api/v1/issues", {"title": f"Card {i}"}, "secretariat")
                 .status_code for i in range(4)}
        assert codes == {201}


class TestServerSecret:
    def test_is_made_once_kept_owner_only_and_reused(self, tmp_path: Path) -> None:
        settings = load_settings(data_dir=tmp_path / "data")
        first = server_secret(settings)
        path = tmp_path / "data" / "secret.key"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert len(first) == 32
        assert server_secret(settings) == first

    def test_a_configured_key_is_used_and_nothing_is_written(self, tmp_path: Path) -> None:
        settings = load_settings(data_dir=tmp_path / "data", secret_key="from-settings")
        assert server_secret(settings) == b"from-settings"
        assert not (tmp_path / "data" / "secret.key").exists()
