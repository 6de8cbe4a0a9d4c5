"""Every public page type and filter, through the real app on the demo data."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_home_shows_the_scoreboard_and_what_changed_recently(demo: TestClient) -> None:
    page = demo.get("/").text
    assert "Did anything come of it?" in page
    assert "issues raised" in page and "overdue" in page
    assert "(median)" in page
    assert 1 <= page.count('class="history__entry') <= 10


class TestIssueList:
    def test_lists_every_issue_a_hidden_one_saying_so_without_its_words(
            self, demo: TestClient) -> None:
        page = demo.get("/issues").text
        assert "18 issues found" in page
        assert "11. Hidden by a moderator" in page
        assert "Abusive post" not in page

    @pytest.mark.parametrize(("query", "found", "absent"), [
        ("q=pharmac", "Community pharmacies", "Shift workers"),
        ("stage=delivered", "Shift workers", "Crisis mental health"),
        ("topic=mental-health", "Crisis mental health", "Shift workers"),
        ("owner=chief-nursing-officer", "Young people fall", "Shift workers"),
        ("overdue=true", "Young people fall", "Shift workers"),
    ])
    def test_filters_work_as_a_plain_form(self, demo: TestClient, query: str, found: str,
                                          absent: str) -> None:
        page = demo.get(f"/issues?{query}").text
        assert found in page and absent not in page

    def test_keeps_what_was_searched_in_the_form(self, demo: TestClient) -> None:
        assert 'value="pharmac"' in demo.get("/issues?q=pharmac").text

    def test_a_search_with_markup_comes_back_escaped(self, demo: TestClient) -> None:
        page = demo.get('/issues?q="><script>alert(1)</script>').text
        assert "<script>alert(1)" not in page
        assert "&lt;script&gt;" in page


class TestIssuePageHistory:
    def test_shows_every_entry_with_its_date(self, demo: TestClient) -> None:
        page = demo.get("/issues/1").text
        assert "History</h2>" in page
        assert '<time datetime="2014-07-02">2 July 2014</time>' in page
        # The demo records each entry on the day it happened: only the one date shows
        # (an entry recorded over a week later says both).
        assert "; recorded <time" not in page

    def test_marks_a_correction_and_links_what_it_corrects(self, demo: TestClient) -> None:
        page = demo.get("/issues/1").text
        assert "history__entry--correction" in page
        assert 'href="/issues/1#entry-46"' in page  # the discussion, after 41 supporters
        assert 'id="entry-46"' in page

    def test_a_hidden_issue_keeps_its_page_and_public_reason(self, demo: TestClient) -> None:
        page = demo.get("/issues/11").text
        assert "Hidden by a moderator: It named and insulted individual staff members." in page


class TestOtherPages:
    def test_commitments_come_overdue_first(self, demo: TestClient) -> None:
        page = demo.get("/commitments").text
        assert page.index("Overdue by") < page.index("status-tag--delivered")

    def test_commitments_filter_by_status(self, demo: TestClient) -> None:
        page = demo.get("/commitments?status=dropped").text
        assert "1 commitment." in page

    def test_timeline_filters_and_pages(self, demo: TestClient) -> None:
        page = demo.get("/timeline").text
        assert page.count('class="history__entry') == 50
        assert 'rel="next"' in page
        filtered = demo.get("/timeline?owner=medical-director").text
        assert "National Medical Director" in filtered
        assert "Shift workers" not in filtered

    @pytest.mark.parametrize(("address", "heading"), [
        ("/topics/mental-health", "Mental Health"),
        ("/owners/medical-director", "National Medical Director"),
        ("/assemblies/london-2014", "First test assembly with the Board"),
    ])
    def test_topic_owner_and_assembly_pages(self, demo: TestClient, address: str,
                                            heading: str) -> None:
        page = demo.get(address)
        assert page.status_code == 200
        assert f">{heading}</h1>" in page.text

    @pytest.mark.parametrize("address", ["/topics/nothing-here", "/owners/nobody",
                                         "/assemblies/never", "/no/such/page"])
    def test_unknown_addresses_get_a_helpful_404_page(self, demo: TestClient,
                                                      address: str) -> None:
        page = demo.get(address)
        assert page.status_code == 404
        assert "Page not found" in page.text and 'href="/issues"' in page.text

    @pytest.mark.parametrize("address", ["/", "/issues", "/issues/2", "/commitments",
                                         "/timeline", "/topics/self-care"])
    def test_pages_answer_conditional_requests(self, demo: TestClient, address: str) -> None:
        first = demo.get(address)
        assert demo.get(address, headers={"If-None-Match": first.headers["etag"]}) \
            .status_code == 304
