"""Feeds and calendars as subscribers get them: parsed by real clients."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from jsonschema import Draft202012Validator

from tests.helpers import CITIZEN, SECRETARIAT
from tracker.bootstrap import Tracker
from tracker.web.app import create_app

SCHEMA = json.loads((Path(__file__).parent.parent / "fixtures" /
                     "jsonfeed-1.1.schema.json").read_text())
FEEDS = ["/timeline", "/issues/2/feed", "/topics/mental-health/feed",
         "/owners/medical-director/feed", "/commitments/overdue"]


def fetch(client: TestClient, address: str) -> feedparser.FeedParserDict:
    response = client.get(address)
    assert response.status_code == 200, address
    result = feedparser.parse(response.content)
    assert not result.bozo, (address, result.get("bozo_exception"))
    return result


def all_pages(client: TestClient, address: str) -> list[feedparser.FeedParserDict]:
    pages = []
    while address:
        pages.append(fetch(client, address))
        following = [link.href for link in pages[-1].feed.links if link.rel == "next"]
        address = following[0].removeprefix("http://localhost:8000") if following else ""
    return pages


@pytest.mark.parametrize("feed", FEEDS)
@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_every_feed_parses_with_unique_ids_newest_first(demo: TestClient, feed: str,
                                                        fmt: str) -> None:
    pages = all_pages(demo, f"{feed}.{fmt}")
    entries = [e for p in pages for e in p.entries]
    ids = [e.id for e in entries]
    assert entries and len(ids) == len(set(ids))
    assert all(i.startswith("tag:localhost,2014:") for i in ids)
    dates = [e.published_parsed for e in entries]
    assert dates == sorted(dates, reverse=True)
    assert all(len(p.entries) <= 50 for p in pages)
    self_link = [link.href for link in pages[0].feed.links if link.rel == "self"]
    assert self_link == [f"http://localhost:8000{feed}.{fmt}"]


def test_the_timeline_pages_in_fifties(demo: TestClient) -> None:
    pages = all_pages(demo, "/timeline.atom")
    assert len(pages) >= 2 and len(pages[0].entries) == 50


@pytest.mark.parametrize("feed", FEEDS)
def test_the_same_facts_in_rss_atom_and_json_feed(demo: TestClient, feed: str) -> None:
    rss, atom = fetch(demo, f"{feed}.rss"), fetch(demo, f"{feed}.atom")
    document = demo.get(f"{feed}.json").json()
    Draft202012Validator(SCHEMA).validate(document)
    for parsed_feed in (rss, atom):
        assert [e.id for e in parsed_feed.entries] == [i["id"] for i in document["items"]]
        assert [e.title for e in parsed_feed.entries] == [i["title"] for i in document["items"]]
        assert [e.link for e in parsed_feed.entries] == [i["url"] for i in document["items"]]


def test_entries_carry_the_full_text_and_the_evidence_link(demo: TestClient) -> None:
    atom = fetch(demo, "/issues/1/feed.atom")
    delivered = [e for e in atom.entries if "commitment delivered" in e.title]
    assert delivered
    assert "https://example.org/demo/extended-access-list" in delivered[-1].content[0].value
    promise = next(e for e in atom.entries if "new commitment" in e.title)
    assert "Who is accountable: Chief Executive" in promise.content[0].value
    assert promise.tags[0].term == "Access to Services"


def test_feeds_answer_conditional_requests(demo: TestClient) -> None:
    first = demo.get("/timeline.rss")
    assert first.headers["content-type"].startswith("application/rss+xml")
    assert "max-age=300" in first.headers["cache-control"]
    again = demo.get("/timeline.rss", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    since = demo.get("/timeline.rss", headers={"If-Modified-Since":
                                                first.headers["last-modified"]})
    assert since.status_code == 304


@pytest.mark.parametrize("address", ["/issues/999/feed.rss", "/topics/none/feed.atom",
                                     "/owners/nobody/feed.json", "/timeline.xml"])
def test_unknown_feeds_are_404(demo: TestClient, address: str) -> None:
    assert demo.get(address).status_code == 404


def test_every_page_advertises_its_feeds(demo: TestClient) -> None:
    page = demo.get("/issues/2").text
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'href="/issues/2/feed.atom"' in page
    assert "Follow this issue" in page
    assert 'href="/timeline.rss"' in demo.get("/about/statuses").text


@pytest.fixture
def live(tracker: Tracker, clock) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    clock.today = date(2015, 6, 1)
    app = tracker.app
    app.create_owner("ceo", "Chief Executive", "Board", SECRETARIAT)
    app.create_assembly("london", "Assembly", date(2015, 1, 1), "London", SECRETARIAT)
    n = app.submit_issue("Waiting times", "", CITIZEN, date(2015, 1, 1)).number
    app.schedule_issue(n, "london", None, SECRETARIAT, date(2015, 1, 1))
    app.record_discussion(n, "london", "Talk", [], [], SECRETARIAT, date(2015, 1, 1))
    app.record_response(n, "commit", "Yes", "ceo", None, SECRETARIAT, date(2015, 1, 2))
    app.make_commitment(n, "Publish hours", "ceo", date(2015, 6, 30), "Published",
                        SECRETARIAT, date(2015, 1, 2))
    tracker.refresh()
    with TestClient(create_app(tracker, poll=False)) as client:
        yield client


def test_crossing_the_due_date_makes_exactly_one_overdue_entry(live: TestClient,
                                                              clock) -> None:  # type: ignore[no-untyped-def]
    def overdue_ids(address: str) -> list[str]:
        return [e.id for e in fetch(live, address).entries if "overdue" in e.id]

    assert overdue_ids("/issues/1/feed.atom") == []
    for day in (date(2015, 7, 1), date(2015, 7, 2), date(2015, 9, 1)):
        clock.today = day
        for address in ("/issues/1/feed.atom", "/owners/ceo/feed.atom",
                        "/commitments/overdue.atom"):
            assert overdue_ids(address) == [
                "tag:localhost,2014:issues/1/commitments/1/overdue/2015-06-30"]
        assert overdue_ids("/timeline.atom") == [
            "tag:localhost,2014:issues/1/commitments/1/overdue/2015-06-30"]
    entry = fetch(live, "/commitments/overdue.atom").entries[0]
    assert entry.published.startswith("2015-07-01T00:00:00")


def test_entry_ids_are_unchanged_by_a_rebuild(live: TestClient, tracker: Tracker) -> None:
    before = [e.id for e in fetch(live, "/timeline.atom").entries]
    tracker.projector.rebuild()
    cache = live.app.state.http_cache.answers  # type: ignore[attr-defined]
    cache.__init__(cache.max_bytes)  # type: ignore[misc]
    assert [e.id for e in fetch(live, "/timeline.atom").entries] == before


def test_calendars_have_one_all_day_event_per_open_commitment(demo: TestClient) -> None:
    response = demo.get("/calendar.ics")
    assert response.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids))
    assert len([u for u in uids if "-commitment-" in u]) == 4  # the open demo commitments
    assert len([u for u in uids if "-response-" in u]) == 3  # and the answers owed
    assert all(isinstance(e.decoded("DTSTART"), date) for e in events)
    owner = Calendar.from_ical(demo.get("/owners/medical-director/calendar.ics").content)
    assert [str(e["UID"]) for e in owner.walk("VEVENT")] == ["issue-2-commitment-2@localhost"]
    assert demo.get("/issues/999/calendar.ics").status_code == 404


class TestEntriesReadOnTheirOwn:
    @pytest.mark.parametrize("feed", FEEDS)
    def test_every_entry_title_names_its_issue(self, demo: TestClient, feed: str) -> None:
        for page in all_pages(demo, f"{feed}.atom"):
            for entry in page.entries:
                number = entry.link.split("/issues/")[1].split("#")[0]
                assert entry.title.startswith(f"Issue {number}, "), entry.title

    def test_commitment_entries_name_the_promise(self, demo: TestClient) -> None:
        titles = [e.title for e in fetch(demo, "/issues/13/feed.atom").entries]
        assert ("Issue 13, Carers should get a health check of their own: commitment dropped "
                "(run a national carers\u2019 health campaign)" in titles
                or "Issue 13, Carers should get a health check of their own: commitment "
                   "dropped (run a national carers' health campaign)" in titles)
        assert not any("Commitment 2" in t for t in titles)

    def test_the_timeline_feed_holds_overdue_notices(self, demo: TestClient) -> None:
        titles = [e.title for p in all_pages(demo, "/timeline.atom") for e in p.entries]
        overdue = [t for t in titles if ": commitment overdue, due " in t]
        assert len(overdue) == 3
        assert ("Issue 3, Young people fall through the gap between child and adult services: "
                "commitment overdue, due 30 June 2015 (publish a transition standard for "
                "mental health services)") in overdue

    def test_an_issue_feed_is_called_by_the_issue_title(self, demo: TestClient) -> None:
        feed = fetch(demo, "/issues/13/feed.rss").feed
        assert feed.title.startswith("Issue 13: Carers should get a health check of their own")

    @pytest.mark.parametrize("feed", FEEDS)
    def test_channel_descriptions_are_sentences(self, demo: TestClient, feed: str) -> None:
        description = fetch(demo, f"{feed}.rss").feed.description
        assert description[0].isupper() and description.endswith(".")
        assert len(description.split()) >= 8
