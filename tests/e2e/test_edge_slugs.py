"""A slug in an address is checked before anything uses it (tracker.web.edge.SlugInPath):
what is not a slug, and a slug nothing has, are a clean 404, never a header, a log line or
a 304."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_edge_text import app_routes
from tests.e2e.writes import Site, build, open_site
from tracker.web.edge import known_slug

NOT_SLUGS = ("x%0d%0aSet-Cookie:%20a=b", "%C3%A9%E2%82%AC", "x%22y", "Upper", "a--b", "-a",
             "a%20b", "a%0a", "x" * 81)
SLUG_ADDRESSES = ("/owners/{}/calendar.ics", "/owners/{}/feed.rss", "/topics/{}/feed.atom",
                  "/topics/{}/feed.json", "/topics/{}", "/owners/{}", "/assemblies/{}")
CONDITIONS = ({}, {"If-None-Match": "*"}, {"If-None-Match": '"x"'},
              {"If-Modified-Since": "Thu, 01 Jan 2099 00:00:00 GMT"})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data: Path = tmp_path_factory.mktemp("slugs") / "data"
    tracker = build(data)
    with open_site(tracker) as site:
        yield site
    tracker.close()


def test_refuses_an_address_whose_slug_is_no_slug_with_a_clean_404(
        site: Site, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    for template in SLUG_ADDRESSES:
        for slug in NOT_SLUGS:
            for headers in CONDITIONS:
                for _ in range(2):  # the second time, from memory if anything was kept
                    answer = site.client.get(template.format(slug), headers=headers)
                    where = (template, slug, headers)
                    assert answer.status_code == 404, where
                    assert "etag" not in answer.headers and "set-cookie" not in answer.headers
                    if "." in template.rsplit("/", 1)[-1]:
                        assert answer.json()["detail"], where
    # Nothing went wrong on the way: no error, and no line break from an address in the log.
    ours = [r for r in caplog.records if r.name.startswith("tracker")]
    assert not [r for r in ours if r.levelno >= logging.ERROR]
    assert not [r for r in ours if "\r" in r.getMessage() or "Set-Cookie" in r.getMessage()]


@pytest.mark.parametrize("address", ["/owners/nobody/calendar.ics", "/owners/nobody/feed.rss",
                                     "/topics/nobody", "/issues/99999/calendar.ics",
                                     "/issues/99999/feed.atom", "/api/v1/issues/99999",
                                     "/issues/99999"])
def test_if_none_match_star_is_no_304_for_what_does_not_exist(site: Site,
                                                              address: str) -> None:
    # The second and third requests find the 404 kept in memory, by either way of answering.
    codes = [site.client.get(address, headers={"If-None-Match": "*"}).status_code
             for _ in range(3)]
    assert codes == [404, 404, 404]


@pytest.mark.parametrize("address", ["/owners/lead/calendar.ics", "/topics/access/feed.rss",
                                     "/topics/access", "/export/issues.csv"])
def test_if_none_match_star_is_a_304_for_what_exists(site: Site, address: str) -> None:
    codes = [site.client.get(address, headers={"If-None-Match": "*"}).status_code
             for _ in range(3)]
    assert codes == [304, 304, 304]


def test_every_etag_of_a_slug_address_is_well_formed(site: Site) -> None:
    for address in ("/owners/lead/calendar.ics", "/owners/lead/feed.rss",
                    "/topics/access/feed.json", "/topics/access", "/assemblies/leeds"):
        answer = site.client.get(address)
        assert answer.status_code == 200, address
        # RFC 9110: an entity tag is visible ASCII but the double quote, in double quotes.
        assert re.fullmatch(r'"[\x21\x23-\x7e]+"', answer.headers["etag"]), address


def test_every_address_with_a_slug_checks_it_before_anything_else() -> None:
    routes = [route for route in app_routes() if "{slug}" in route.path]
    assert len(routes) >= 6
    for route in routes:
        assert any(d.call is known_slug for d in route.dependant.dependencies), route.path
