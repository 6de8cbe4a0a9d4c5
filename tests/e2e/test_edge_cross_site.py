"""No page on another site can make its visitors raise or support an issue.

The public JSON commands refuse what a browser says another site's page sent (Sec-Fetch-Site,
else Origin), and anything not sent as JSON: a page elsewhere could otherwise post a form
or a no-cors fetch, which browsers send without asking first. Programs (curl, scripts) send
neither header and keep working, with Content-Type: application/json.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.writes import Site, build, open_site

EVIL = "https://evil.example"
# What a browser sends for a page elsewhere: an HTML form, a no-cors fetch (with no body, a
# text body or a JSON-looking blob), from browsers with and without Sec-Fetch-Site.
FORGED = [
    ({"Origin": EVIL, "Sec-Fetch-Site": "cross-site",
      "Content-Type": "application/x-www-form-urlencoded"}, b"title=Forged"),
    ({"Origin": EVIL, "Sec-Fetch-Site": "cross-site"}, b""),
    ({"Origin": EVIL}, b""),
    ({"Origin": EVIL, "Content-Type": "text/plain;charset=UTF-8"}, b'{"title": "Forged"}'),
    ({"Sec-Fetch-Site": "cross-site", "Content-Type": "text/plain"}, b"{}"),
    ({"Sec-Fetch-Site": "same-site", "Origin": "https://other.localhost:8000"}, b"{}"),
    ({"Origin": "null", "Content-Type": "multipart/form-data; boundary=x"}, b""),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data: Path = tmp_path_factory.mktemp("cross-site") / "data"
    tracker = build(data)
    with open_site(tracker) as site:
        yield site
    tracker.close()


@pytest.mark.parametrize(("headers", "body"), FORGED)
def test_refuses_a_support_sent_by_another_sites_page(site: Site, headers: dict[str, str],
                                                      body: bytes) -> None:
    number = site.issue()
    before = site.position()
    answer = site.client.post(f"/api/v1/issues/{number}/support", content=body,
                              headers=headers)
    assert answer.status_code == 403 and answer.json()["field"] == "Origin"
    assert site.position() == before
    assert site.client.get(f"/api/v1/issues/{number}").json()["supporters"] == 0


@pytest.mark.parametrize(("headers", "body"), FORGED)
def test_refuses_an_issue_sent_by_another_sites_page(site: Site, headers: dict[str, str],
                                                     body: bytes) -> None:
    before = site.position()
    answer = site.client.post("/api/v1/issues", content=body, headers=headers)
    assert answer.status_code == 403 and answer.json()["field"] == "Origin"
    assert site.position() == before


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x",
                                          "application/jsonp", "application/ld+json"])
@pytest.mark.parametrize("command", ["support", "submit"])
def test_refuses_a_public_command_not_sent_as_json(site: Site, content_type: str | None,
                                                   command: str) -> None:
    path = f"/api/v1/issues/{site.issue()}/support" if command == "support" \
        else "/api/v1/issues"
    before = site.position()
    headers = {"Content-Type": content_type} if content_type else {}
    answer = site.client.post(path, content=b'{"title": "Not JSON"}' if command == "submit"
                              else b"{}", headers=headers)
    assert answer.status_code == 415 and answer.json()["field"] == "Content-Type"
    assert site.position() == before


def test_refuses_a_support_with_no_body_at_all(site: Site) -> None:
    number = site.issue()
    answer = site.client.post(f"/api/v1/issues/{number}/support",
                              headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
    assert site.client.get(f"/api/v1/issues/{number}").json()["supporters"] == 0


@pytest.mark.parametrize("headers", [
    {},  # curl, a script
    {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},  # this site's own page
    {"Origin": "http://localhost:8000"},  # TRACKER_BASE_URL's origin, an older browser
    {"Sec-Fetch-Site": "none"},  # typed into the browser itself
])
def test_accepts_json_from_this_site_and_from_programs(site: Site,
                                                       headers: dict[str, str]) -> None:
    number = site.issue()
    for content_type in ("application/json", "application/json; charset=utf-8"):
        supported = site.client.post(f"/api/v1/issues/{number}/support", content=b"{}",
                                     headers={**headers, "Content-Type": content_type})
        assert supported.status_code in (200, 409), supported.text
    assert site.client.get(f"/api/v1/issues/{number}").json()["supporters"] == 1
    raised = site.client.post("/api/v1/issues", json={"title": "From a program"},
                              headers=headers)
    assert raised.status_code == 201


def test_the_schema_says_support_takes_an_empty_json_object(site: Site) -> None:
    operation = site.client.get("/openapi.json").json()["paths"][
        "/api/v1/issues/{number}/support"]["post"]
    assert "application/json" in operation["requestBody"]["content"]
    assert {"403", "415"} <= set(operation["responses"])
