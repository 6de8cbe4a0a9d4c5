"""Feed documents from plain entries: valid, ordered, stable, and hostile text escaped."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from xml.etree import ElementTree

import feedparser
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds import FeedEntry, FeedPage, tag_uri, to_atom, to_json_feed, to_rss
from feeds.ids import entry_id

BASE = "https://tracker.example.org"
START = datetime(2026, 1, 1, 9, tzinfo=UTC)


def entry(n: int, title: str = "Commitment 1 was delivered", text: str = "Done",
          evidence: str = "https://example.org/paper") -> FeedEntry:
    return FeedEntry(id=entry_id(BASE, 1, n), title=title, paragraphs=(text, "Issue 1: X"),
                     link=f"{BASE}/issues/1#entry-{n}", recorded_at=START + timedelta(hours=n),
                     occurred_on=date(2014, 9, 18), evidence=evidence,
                     categories=("Mental Health",), author="Board secretariat")


def page(entries: list[FeedEntry], next_url: str | None = None) -> FeedPage:
    return FeedPage(id=tag_uri(BASE, "/issues/1/feed"), title="Issue 1", subtitle="Changes",
                    self_url=f"{BASE}/issues/1/feed.atom", html_url=f"{BASE}/issues/1",
                    entries=tuple(entries), empty_updated=datetime(2014, 9, 18, tzinfo=UTC),
                    next_url=next_url, first_url=f"{BASE}/issues/1/feed.atom")


NEWEST_FIRST = [entry(n) for n in (3, 2, 1)]


def parsed(document: bytes) -> feedparser.FeedParserDict:
    result = feedparser.parse(document)
    assert not result.bozo, result.get("bozo_exception")
    return result


class TestXmlFeeds:
    def test_rss_and_atom_parse_with_entries_newest_first(self) -> None:
        for render in (to_rss, to_atom):
            feed = parsed(render(page(NEWEST_FIRST)))
            assert [e.id for e in feed.entries] == [e.id for e in NEWEST_FIRST]
            dates = [e.published_parsed for e in feed.entries]
            assert dates == sorted(dates, reverse=True)

    def test_atom_dates_carry_a_time_zone_and_updated_is_the_newest_entry(self) -> None:
        document = to_atom(page(NEWEST_FIRST)).decode()
        assert "<updated>2026-01-01T12:00:00+00:00</updated>" in document

    def test_an_empty_feed_is_dated_by_the_caller_not_now(self) -> None:
        document = to_atom(page([])).decode()
        assert "<updated>2014-09-18T00:00:00+00:00</updated>" in document

    def test_self_first_and_next_links(self) -> None:
        for render in (to_rss, to_atom):
            feed = parsed(render(page(NEWEST_FIRST, next_url=f"{BASE}/x?before=1")))
            rels = {link.rel: link.href for link in feed.feed.links}
            assert rels["self"] == f"{BASE}/issues/1/feed.atom"
            assert rels["next"] == f"{BASE}/x?before=1"

    def test_rss_guids_are_tag_uris_not_permalinks(self) -> None:
        document = to_rss(page(NEWEST_FIRST)).decode()
        assert '<guid isPermaLink="false">tag:tracker.example.org,2014:issues/1/entries/3' \
            in document

    def test_the_same_input_renders_byte_for_byte_the_same(self) -> None:
        for render in (to_rss, to_atom, to_json_feed):
            assert render(page(NEWEST_FIRST)) == render(page(NEWEST_FIRST))


class TestJsonFeed:
    def test_has_the_same_facts_as_atom(self) -> None:
        document = json.loads(to_json_feed(page(NEWEST_FIRST, next_url=f"{BASE}/n")))
        atom = parsed(to_atom(page(NEWEST_FIRST)))
        assert document["version"] == "https://jsonfeed.org/version/1.1"
        assert [i["id"] for i in document["items"]] == [e.id for e in atom.entries]
        assert [i["title"] for i in document["items"]] == [e.title for e in atom.entries]
        assert [i["url"] for i in document["items"]] == [e.link for e in atom.entries]
        assert document["items"][0]["date_published"] == "2026-01-01T12:00:00+00:00"
        assert document["next_url"] == f"{BASE}/n"


HOSTILE = ['<script>alert("x")</script>', "]]> & <b>bold</b>", "quote \" ' ` end",
           "control \x00\x07\x1b chars", "javascript:alert(1)"]


class TestHostileText:
    def test_is_escaped_in_every_format(self) -> None:
        for text in HOSTILE:
            item = entry(1, title=text, text=text, evidence=text)
            for render in (to_rss, to_atom):
                document = render(page([item]))
                root = ElementTree.fromstring(document)  # well-formed XML
                assert not any(el.tag.endswith("script") for el in root.iter())
                parsed(document)
            data = json.loads(to_json_feed(page([item])))
            assert "<script" not in data["items"][0]["content_html"]
            assert '<a href="javascript' not in data["items"][0]["content_html"]

    @settings(max_examples=60, deadline=None)
    @given(st.text(min_size=1, max_size=80))
    def test_any_text_keeps_every_format_well_formed(self, text: str) -> None:
        item = entry(1, title=text, text=text)
        for render in (to_rss, to_atom):
            ElementTree.fromstring(render(page([item])))
        json.loads(to_json_feed(page([item])))


def test_tag_uris_use_only_the_host_and_a_fixed_date() -> None:
    assert tag_uri("https://Tracker.Example.org:8443/sub", "/issues/3/") == \
        "tag:tracker.example.org,2014:issues/3"
