"""The owner's page lists the responses it owes that are overdue: the Board response its
owner leads, or the answer an external body owes to a referral, each with its due date."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from tests.e2e.writes import Site, from_factory, open_site
from tests.helpers import Clock
from tracker.bootstrap import Tracker
from tracker.domain.status import long_date


def section(page: str) -> str:
    """The text of the page's "Responses overdue" section, tags dropped ("" if absent)."""
    found = re.search(r"<h2[^>]*>Responses overdue</h2>(.*?)</ul>", page, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip() if found else ""


class TestOnTheDemo:
    def test_an_external_body_s_page_lists_its_overdue_referral_answer(
            self, demo: TestClient) -> None:
        page = demo.get("/owners/local-healthwatch")
        assert page.status_code == 200
        listed = section(page.text)
        assert listed == ("Issue 7: People in mental health crisis are held in police cells "
                          "Answer to the referral due 5 January 2015 · overdue by over 10 "
                          "years")
        assert 'href="/issues/7#board-response"' in page.text

    @pytest.mark.parametrize("slug", ["healthwatch-england", "chief-executive"])
    def test_an_owner_owing_nothing_overdue_has_no_such_section(
            self, demo: TestClient, slug: str) -> None:
        assert "Responses overdue" not in demo.get(f"/owners/{slug}").text


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site(request: pytest.FixtureRequest, make_tracker: Callable[..., Tracker],
         clock: Clock) -> Iterator[Site]:
    with open_site(from_factory(make_tracker, clock, request.param)) as site:
        yield site


def test_the_lead_owner_s_page_lists_a_revised_response_once_overdue(
        site: Site, clock: Clock) -> None:
    n = site.issue("responded")  # accepted, led by "lead"
    asked = site.post(f"/api/v1/issues/{n}/revised-response-request",
                      {"reason": "It does not answer the question"}, "secretariat")
    assert asked.status_code == 200, asked.text
    due = site.client.get(f"/api/v1/issues/{n}").json()["response"]["due"]
    assert f"Issue {n}:" not in section(site.client.get("/owners/lead").text)
    clock.today = clock.today.replace(year=clock.today.year + 1)
    listed = section(site.client.get("/owners/lead").text)
    assert due is not None
    assert (f"Issue {n}: Issue set up as responded Board response due "
            f"{long_date(date.fromisoformat(due))} · overdue by ") in listed
