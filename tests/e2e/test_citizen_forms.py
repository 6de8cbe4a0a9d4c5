"""The citizen's forms through the real app: raise an issue, support one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.e2e.staff import errors_shown
from tests.e2e.writes import Site, Stages, build, open_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data: Path = tmp_path_factory.mktemp("citizen-forms") / "data"
    tracker = build(data)
    with open_site(tracker) as site:
        yield site
    tracker.close()


def raise_issue(client: TestClient, **fields: str) -> object:
    return client.post("/submit", data={"title": "", "description": "", "contact_name": "",
                                        "contact_email": "", "website": "", **fields})


class TestRaiseAnIssue:
    def test_the_form_gives_the_number_at_once(self, site: Site) -> None:
        form = site.client.get("/submit")
        assert form.status_code == 200 and form.headers["cache-control"] == "no-store"
        assert 'name="website"' in form.text and 'tabindex="-1"' in form.text
        answer = raise_issue(site.client, title="Evening GP appointments",
                             description="Shift workers *cannot* get one.")
        assert answer.status_code == 200  # type: ignore[attr-defined]
        number = int(re.search(r"Your issue is number (\d+)", answer.text).group(1))  # type: ignore
        page = site.client.get(f"/issues/{number}").text
        assert "Evening GP appointments" in page and "<em>cannot</em>" in page

    def test_contact_details_are_kept_private(self, site: Site) -> None:
        answer = raise_issue(site.client, title="Parking at the hospital",
                             contact_name="Grace Hopper", contact_email="grace@example.org")
        number = int(re.search(r"number (\d+)", answer.text).group(1))  # type: ignore
        assert site.tracker.contacts.count_for("grace@example.org") == 1
        for path in (f"/issues/{number}", f"/api/v1/issues/{number}",
                     f"/issues/{number}/feed.atom", "/export/events.jsonl",
                     "/export/issues.csv"):
            body = site.client.get(path).text
            assert "grace@example.org" not in body and "Grace Hopper" not in body, path

    def test_what_is_wrong_is_said_at_the_field_and_nothing_is_stored(self,
                                                                      site: Site) -> None:
        before = site.position()
        answer = raise_issue(site.client, title="", description="Typed text kept",
                             contact_email="not-an-address")
        assert answer.status_code == 422  # type: ignore[attr-defined]
        shown = errors_shown(answer.text)  # type: ignore[attr-defined]
        assert set(shown) == {"title", "contact_email"}
        assert "Typed text kept" in answer.text  # type: ignore[attr-defined]
        assert site.position() == before

    def test_the_honeypot_refuses_honestly(self, site: Site) -> None:
        before = site.position()
        answer = raise_issue(site.client, title="Buy cheap pills", website="http://spam")
        assert answer.status_code == 422  # type: ignore[attr-defined]
        assert "Leave the field labelled" in answer.text  # type: ignore[attr-defined]
        assert site.position() == before

    def test_a_post_from_another_site_is_refused(self, site: Site) -> None:
        before = site.position()
        answer = site.client.post("/submit", data={"title": "Forged"},
                                  headers={"Origin": "https://evil.example"})
        assert answer.status_code == 403 and site.position() == before


class TestSupport:
    def test_me_too_counts_once(self, site: Site) -> None:
        n = site.issue("submitted")
        page = site.client.get(f"/issues/{n}").text
        assert f'action="/issues/{n}/support"' in page
        first = site.client.post(f"/issues/{n}/support")
        assert first.status_code == 200 and "your support for issue" in first.text
        second = site.client.post(f"/issues/{n}/support")
        assert second.status_code == 200 and "You already support" in second.text
        assert site.client.get(f"/api/v1/issues/{n}").json()["supporters"] == 1

    def test_a_cross_site_support_is_refused(self, site: Site) -> None:
        n = site.issue("submitted")
        before = site.position()
        answer = site.client.post(f"/issues/{n}/support",
                                  headers={"Sec-Fetch-Site": "cross-site"})
        assert answer.status_code == 403 and site.position() == before

    def test_a_closed_issue_offers_no_button_and_refuses_support(self, site: Site) -> None:
        n = site.issue("hidden")
        assert f'action="/issues/{n}/support"' not in site.client.get(f"/issues/{n}").text
        answer = site.client.post(f"/issues/{n}/support")
        assert answer.status_code == 409 and "not recorded" in answer.text

    def test_an_unknown_issue(self, site: Site) -> None:
        assert site.client.post("/issues/99999/support").status_code == 404


def test_the_forms_are_rate_limited(tmp_path: Path) -> None:
    tracker = build(tmp_path / "data", rate_submit="2/minute", rate_support="2/minute")
    try:
        Stages(tracker).reference_data()
        n = Stages(tracker).make("submitted")
        with open_site(tracker) as site:
            codes = [raise_issue(site.client, title=f"Issue {i}").status_code  # type: ignore
                     for i in range(3)]
            assert codes == [200, 200, 429]
            limited = raise_issue(site.client, title="One more")
            assert int(limited.headers["retry-after"]) >= 1  # type: ignore[attr-defined]
            assert "Please wait a moment" in limited.text  # type: ignore[attr-defined]
            codes = [site.client.post(f"/issues/{n}/support").status_code for _ in range(3)]
            assert codes == [200, 200, 429]
    finally:
        tracker.close()
