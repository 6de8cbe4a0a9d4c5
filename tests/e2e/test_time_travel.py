"""Time travel over the demo: pages and JSON as recorded by the end of a past day, their
Memento headers (RFC 7089) followed by a client, and what changed between two days."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

from tracker.bootstrap import Tracker

SHIFT_WORKERS = 1  # the demo's first issue: promises made at the Board on 6 November 2014
BOARD_DAY = "Thu, 06 Nov 2014 18:00:00 GMT"


def _links(header: str) -> dict[str, str]:
    """rel -> target of a Link header (or a link-format body)."""
    found: dict[str, str] = {}
    for target, params in re.findall(r"<([^>]*)>((?:\s*;\s*[^,<]+)*)", header):
        rel = re.search(r'rel="([^"]+)"', params)
        if rel:
            for name in rel[1].split():
                found.setdefault(name, target)
    return found


def test_the_board_promises_as_then_recorded(demo: TestClient) -> None:
    today = demo.get(f"/api/v1/issues/{SHIFT_WORKERS}").json()
    then = demo.get(f"/api/v1/issues/{SHIFT_WORKERS}", params={"as_of": "2014-11-06"})
    assert then.status_code == 200
    past = then.json()
    assert [c["text"] for c in past["commitments"]] == [c["text"] for c in today["commitments"]]
    assert len(past["commitments"]) == 2
    # Delivered in 2015: not yet on 6 November 2014.
    assert all(c["status"] != "delivered" for c in past["commitments"])
    assert any(c["status"] == "delivered" for c in today["commitments"])
    before = demo.get(f"/api/v1/issues/{SHIFT_WORKERS}", params={"as_of": "2014-11-05"}).json()
    assert before["commitments"] == []


def test_an_as_of_page_says_so_and_links_today(demo: TestClient) -> None:
    page = demo.get(f"/issues/{SHIFT_WORKERS}", params={"as_of": "2014-11-06"})
    assert page.status_code == 200
    assert "As recorded by the end of" in page.text
    assert f'href="/issues/{SHIFT_WORKERS}">See today' in page.text
    assert "Illustrative: publish where evening and weekend GP appointments" in page.text
    assert "The list is published." not in page.text
    assert "The list is published." in demo.get(f"/issues/{SHIFT_WORKERS}").text
    assert "As recorded by the end of" not in demo.get(f"/issues/{SHIFT_WORKERS}").text
    assert page.headers["memento-datetime"] == "Thu, 06 Nov 2014 23:59:59 GMT"
    home = demo.get("/", params={"as_of": "2014-11-06"})
    assert home.status_code == 200 and "As recorded by the end of" in home.text


def test_bad_days_are_refused_naming_as_of(demo: TestClient) -> None:
    for day in ("yesterday", "2014-02-30", "2099-01-01", "2000-01-01"):
        answer = demo.get("/api/v1/issues", params={"as_of": day})
        assert answer.status_code == 422, day
        assert answer.json()["field"] == "as_of"
        assert demo.get("/issues", params={"as_of": day}).status_code == 404


def test_a_client_follows_the_timegate_and_timemap(demo: TestClient) -> None:
    today = demo.get(f"/issues/{SHIFT_WORKERS}")
    # Today's version is not a memento; the as-of version links the three addresses.
    assert "memento-datetime" not in today.headers
    gate = demo.get(f"/timegate/issues/{SHIFT_WORKERS}",
                    headers={"Accept-Datetime": BOARD_DAY}, follow_redirects=False)
    assert gate.status_code == 302
    assert gate.headers["vary"] == "accept-datetime"
    followed = demo.get(f"/timegate/issues/{SHIFT_WORKERS}",
                        headers={"Accept-Datetime": BOARD_DAY}, follow_redirects=True)
    assert followed.status_code == 200
    assert httpx.URL(str(followed.url)).params["as_of"] == "2014-11-06"
    assert followed.headers["memento-datetime"] == "Thu, 06 Nov 2014 23:59:59 GMT"
    links = _links(followed.headers["link"])
    assert httpx.URL(links["original"]).path == f"/issues/{SHIFT_WORKERS}"
    timemap = demo.get(httpx.URL(links["timemap"]).path)
    assert timemap.status_code == 200
    assert timemap.headers["content-type"].startswith("application/link-format")
    mementos = re.findall(r'<([^>]*)>; rel="[^"]*memento"; datetime="([^"]+)"', timemap.text)
    days = [httpx.URL(url).params["as_of"] for url, _ in mementos]
    assert "2014-11-06" in days and days == sorted(days)
    # Every memento of the map is there, and says its own day.
    for url, moment in mementos[:3]:
        assert demo.get(httpx.URL(url).path, params=httpx.URL(url).params
                        ).headers["memento-datetime"] == moment
    gate_of_map = demo.get(httpx.URL(_links(timemap.text)["timegate"]).path,
                           headers={"Accept-Datetime": "Sat, 01 Jan 2000 00:00:00 GMT"},
                           follow_redirects=True)
    assert httpx.URL(str(gate_of_map.url)).params["as_of"] == days[0]
    assert demo.get("/timegate/no/such/page").status_code == 404


def test_what_changed_between_two_days(demo: TestClient) -> None:
    page = demo.get(f"/issues/{SHIFT_WORKERS}/changes",
                    params={"from": "2014-11-06", "to": "2014-11-06"})
    assert page.status_code == 200
    assert "Illustrative: publish where" in page.text
    assert "The list is published." not in page.text
    later = demo.get(f"/issues/{SHIFT_WORKERS}/changes",
                     params={"from": "2015-01-01", "to": "2015-12-31"})
    assert "The list is published." in later.text
    refused = demo.get(f"/issues/{SHIFT_WORKERS}/changes",
                       params={"from": "2015-01-01", "to": "2014-01-01"})
    assert refused.status_code == 422 and refused.json()["field"] == "to"


def test_a_past_version_is_kept_and_validated_apart_from_today(demo: TestClient) -> None:
    address = f"/issues/{SHIFT_WORKERS}"
    first = demo.get(address, params={"as_of": "2014-11-06"})
    again = demo.get(address, params={"as_of": "2014-11-06", "junk": "1"})
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert again.headers["memento-datetime"] == first.headers["memento-datetime"]
    today = demo.get(address)
    assert today.headers["etag"] != first.headers["etag"]
    assert "As recorded by the end of" not in today.text
    current = demo.get(address, params={"as_of": "2014-11-06"},
                       headers={"If-None-Match": first.headers["etag"]})
    assert current.status_code == 304
    other = demo.get(address, params={"as_of": "2014-09-18"})
    assert other.headers["etag"] != first.headers["etag"]
    assert "Illustrative: publish where" not in other.text  # promised in November


def test_a_past_page_of_history_keeps_its_next_link(demo: TestClient) -> None:
    answer = demo.get(f"/api/v1/issues/{SHIFT_WORKERS}/history",
                      params={"limit": 2, "as_of": "2014-11-06"})
    assert answer.status_code == 200 and len(answer.json()) == 2
    links = _links(answer.headers["link"])
    assert {"next", "original", "timegate", "timemap"} <= set(links)
    assert "as_of" not in links["original"]


def test_the_links_of_a_past_page_stay_on_its_day(demo: TestClient) -> None:
    page = demo.get("/", params={"as_of": "2014-11-06"}).text
    assert 'href="/issues?as_of=2014-11-06"' in page
    assert re.search(r'href="/issues/\d+\?as_of=2014-11-06[#"]', page)
    assert 'data-today href="/"' in page  # today's version
    assert 'href="/static/' in page and "/static/tracker.css?as_of" not in page
    assert "/submit?as_of" not in page


def test_what_changed_between_two_days_for_programs(demo: TestClient) -> None:
    found = demo.get(f"/api/v1/issues/{SHIFT_WORKERS}/changes",
                     params={"from": "2014-11-06", "to": "2014-11-06"})
    assert found.status_code == 200
    types = [e["type"] for e in found.json()]
    assert "commitment_made" in types or "commitment" in " ".join(types)
    assert found.json() and all(e["at"].startswith("2014-11-06") for e in found.json())
    assert demo.get("/api/v1/issues/999/changes",
                    params={"from": "2014-11-06", "to": "2014-11-06"}).status_code == 404
    bad = demo.get(f"/api/v1/issues/{SHIFT_WORKERS}/changes", params={"from": "x", "to": "y"})
    assert bad.status_code == 422 and bad.json()["field"] in ("from", "to")
    # The calendar's first and last days are days too: everything, not a server error.
    for address in (f"/api/v1/issues/{SHIFT_WORKERS}/changes",
                    f"/issues/{SHIFT_WORKERS}/changes"):
        everything = demo.get(address, params={"from": "0001-01-01", "to": "9999-12-31"})
        assert everything.status_code == 200, address
    every = demo.get(f"/api/v1/issues/{SHIFT_WORKERS}/changes",
                     params={"from": "0001-01-01", "to": "9999-12-31"}).json()
    assert len(every) > len(found.json())


def test_a_day_asked_while_another_is_being_built_is_told_to_come_back(
        demo: TestClient, demo_tracker: Tracker) -> None:
    # One past day is built at a time (each build replays the whole log): a request for a
    # day not built yet waits a little for the running build, then gets a 503 to retry.
    stores = demo_tracker.as_of_stores
    wait, stores.build_wait = stores.build_wait, 0.05
    stores._one_build.acquire()  # another day's build, running
    try:
        data = demo.get("/api/v1/issues", params={"as_of": "2016-06-02"})
        page = demo.get("/issues", params={"as_of": "2016-06-02"})
    finally:
        stores._one_build.release()
        stores.build_wait = wait
    assert data.status_code == 503 and data.json()["field"] == "as_of"
    assert data.headers["retry-after"] == "5"
    assert page.status_code == 503 and "being prepared" in page.text
    assert "no-store" in page.headers["cache-control"]
    again = demo.get("/api/v1/issues", params={"as_of": "2016-06-02"})
    assert again.status_code == 200
