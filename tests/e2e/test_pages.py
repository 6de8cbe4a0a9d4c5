"""Public pages through the real app, on the demo data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from tracker.bootstrap import Tracker
from tracker.demo import load_demo
from tracker.web.app import create_app


@pytest.fixture
def client(tracker: Tracker, clock) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    clock.today = date(2026, 1, 1)
    load_demo(tracker)
    with TestClient(create_app(tracker, poll=False)) as test_client:
        yield test_client


class TestIssuePage:
    def test_shows_the_verdict_before_the_commitments(self, client: TestClient) -> None:
        page = client.get("/issues/2")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        verdict = page.text.index("Partly: 1 of 2 commitments delivered")
        assert verdict < page.text.index("Commitments</h2>")

    def test_marks_an_overdue_commitment_and_links_its_evidence(self, client: TestClient) -> None:
        page = client.get("/issues/2").text
        assert "Overdue" in page
        assert 'href="https://example.org/demo/concordat-map"' in page

    def test_dates_are_written_the_uk_way(self, client: TestClient) -> None:
        assert "18 June 2014" in client.get("/issues/2").text

    def test_an_unknown_issue_gets_a_helpful_html_404(self, client: TestClient) -> None:
        page = client.get("/issues/9999")
        assert page.status_code == 404
        assert "There is no issue 9999" in page.text
        assert 'href="/issues"' in page.text

    def test_a_malformed_issue_number_is_a_404_page_not_a_json_error(
            self, client: TestClient) -> None:
        page = client.get("/issues/not-a-number")
        assert page.status_code == 404
        assert "text/html" in page.headers["content-type"]


class TestStatusesPage:
    def test_defines_every_stage_and_status_key(self, client: TestClient) -> None:
        page = client.get("/about/statuses").text
        for key in ("submitted", "in_progress", "partly_delivered", "not_taken_forward",
                    "on_track", "no_public_evidence", "overdue", "silent"):
            assert f"({key})" in page


class TestLayout:
    def test_every_page_has_a_skip_link_and_no_inline_script(self, client: TestClient) -> None:
        for address in ("/issues/1", "/about/statuses", "/nowhere"):
            page = client.get(address).text
            assert 'href="#maincontent"' in page
            assert "<script>" not in page

    def test_serves_the_own_stylesheet(self, client: TestClient) -> None:
        response = client.get("/static/tracker.css")
        assert response.status_code == 200
        assert ".verdict" in response.text


class TestReadYourWrites:
    def test_a_write_shows_on_the_next_read_despite_the_page_cache(
            self, client: TestClient, tracker: Tracker) -> None:
        from tests.helpers import CITIZEN

        before = client.get("/issues/12").text
        assert "15 supporters" in before
        outcome = tracker.app.support_issue(12, "new-supporter", CITIZEN)
        tracker.refresh(outcome.position)
        assert "16 supporters" in client.get("/issues/12").text
        api = client.get("/api/v1/issues/12").json()
        assert api["supporters"] == 16 and api["version"] == outcome.version

    def test_the_cache_never_mixes_up_addresses(self, client: TestClient) -> None:
        assert "Issue 1<" in client.get("/issues/1").text
        assert "Issue 2<" in client.get("/issues/2").text
        assert "Issue 1<" in client.get("/issues/1").text
