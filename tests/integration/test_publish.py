"""The static site: every public address as a file, re-written only where things change."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser
import pytest

from tests.helpers import CITIZEN, SECRETARIAT
from tracker.bootstrap import Tracker
from tracker.demo import load_demo
from tracker.publish import Publisher, file_for, relative_links


def test_addresses_become_files_with_an_index_per_folder() -> None:
    assert file_for("/") == "index.html"
    assert file_for("/issues/2") == "issues/2/index.html"
    assert file_for("/issues/2/feed.rss") == "issues/2/feed.rss"
    assert file_for("/calendar.ics") == "calendar.ics"


def test_links_are_rewritten_relative_to_the_file() -> None:
    html = ('<a href="/issues/3#entry-4">x</a><a href="/">home</a>'
            '<link href="/static/tracker.css"><a href="/issues?q=x">list</a>')
    rewritten = relative_links(html, "issues/2/index.html")
    assert 'href="../3/#entry-4"' in rewritten
    assert 'href="../../"' in rewritten
    assert 'href="../../static/tracker.css"' in rewritten
    assert 'href="../"' in rewritten


def test_publishes_every_public_address(tracker: Tracker, tmp_path: Path) -> None:
    load_demo(tracker)
    site = tmp_path / "site"
    publisher = Publisher(tracker, site)
    try:
        report = publisher.publish_all()
    finally:
        publisher.close()
    assert report.written > 100
    for name in ("index.html", "issues/index.html", "issues/2/index.html",
                 "issues/2/feed.atom", "topics/mental-health/feed.rss",
                 "owners/medical-director/calendar.ics", "commitments/overdue.json",
                 "about/statuses/index.html", "timeline.rss", "static/tracker.css"):
        assert (site / name).is_file(), name
    feed = feedparser.parse((site / "issues/2/feed.atom").read_bytes())
    assert not feed.bozo and feed.entries
    page = (site / "issues/2/index.html").read_text()
    assert 'href="/' not in page  # every link works from any folder
    assert not list(site.rglob(".tmp-*"))


def test_a_change_rewrites_only_the_files_it_affects(tracker: Tracker, tmp_path: Path) -> None:
    load_demo(tracker)
    site = tmp_path / "site"
    publisher = Publisher(tracker, site)
    try:
        publisher.publish_all()
        untouched = site / "issues/5/index.html"
        before = os.stat(untouched).st_mtime_ns
        outcome = tracker.app.support_issue(12, "one-more", CITIZEN)
        tracker.refresh(outcome.position)
        report = publisher.publish_changes()
        assert 0 < report.written < 30
        assert "16 supporters" in (site / "issues/12/index.html").read_text()
        assert os.stat(untouched).st_mtime_ns == before
        again = publisher.publish_changes()
        assert again.written == 0
    finally:
        publisher.close()


def test_a_new_commitment_reaches_the_owner_and_topic_files(tracker: Tracker,
                                                             tmp_path: Path) -> None:
    load_demo(tracker)
    site = tmp_path / "site"
    publisher = Publisher(tracker, site)
    try:
        publisher.publish_all()
        tracker.app.record_progress(2, 2, "at_risk", "Only three lines open", None,
                                    SECRETARIAT)
        tracker.refresh()
        publisher.publish_changes()
    finally:
        publisher.close()
    feed = feedparser.parse((site / "owners/medical-director/feed.atom").read_bytes())
    assert feed.entries[0].title.startswith("Issue 2, Crisis mental health care is hard to "
                                            "reach at night: commitment at risk")
    assert "Only three lines open" in (site / "topics/mental-health/index.html").read_text()


def test_supports_rewrite_only_the_pages_that_count_them(any_tracker: Tracker,
                                                         tmp_path: Path) -> None:
    """A run of supports alone renders each issue's page, the list and the reference pages
    that list the issues, no feed or calendar; a full run afterwards finds nothing left."""
    load_demo(any_tracker)
    site = tmp_path / "site"
    publisher = Publisher(any_tracker, site)
    rendered: list[str] = []
    render = publisher._render

    def recorded(address: str) -> Any:
        rendered.append(address)
        return render(address)

    try:
        publisher.publish_all()
        publisher._render = recorded  # type: ignore[method-assign]
        for supporter in ("one", "two"):
            any_tracker.app.support_issue(2, supporter, CITIZEN)
            any_tracker.app.support_issue(12, supporter, CITIZEN)
        any_tracker.refresh()
        report = publisher.publish_changes()
        assert report.failed == 0
        assert set(rendered) == {"/issues", "/issues/2", "/issues/12", "/topics/mental-health",
                                 "/owners/medical-director", "/assemblies/london-2014"}
        assert "17 supporters" in (site / "issues/12/index.html").read_text()
        assert publisher.publish_all().written == 0
    finally:
        publisher.close()


def test_a_support_with_another_change_in_the_run_takes_the_whole_path(
        tracker: Tracker, tmp_path: Path) -> None:
    load_demo(tracker)
    site = tmp_path / "site"
    publisher = Publisher(tracker, site)
    try:
        publisher.publish_all()
        tracker.app.support_issue(2, "one-more", CITIZEN)
        tracker.app.record_progress(2, 2, "at_risk", "Only three lines open", None,
                                    SECRETARIAT)
        tracker.refresh()
        publisher.publish_changes()
        feed = feedparser.parse((site / "owners/medical-director/feed.atom").read_bytes())
        assert "commitment at risk" in feed.entries[0].title
        assert publisher.publish_all().written == 0
    finally:
        publisher.close()


@pytest.mark.postgres
def test_supports_with_a_rolled_back_save_between_them_still_take_the_short_path(
        make_tracker: Callable[..., Tracker], tmp_path: Path) -> None:
    """Two processes support one issue; the one working on a stale copy has its save
    refused whole and runs again, leaving a number of the log unused: still only supports."""
    first = make_tracker("postgres")
    second = make_tracker("postgres", schema=first.settings.database_schema)
    number = first.app.submit_issue("Keep the library open", "", CITIZEN).number
    first.refresh()
    publisher = Publisher(first, tmp_path / "site")
    rendered: list[str] = []
    render = publisher._render

    def recorded(address: str) -> Any:
        rendered.append(address)
        return render(address)

    try:
        publisher.publish_all()
        publisher._render = recorded  # type: ignore[method-assign]
        first.app.support_issue(number, "one", CITIZEN)
        second.app.support_issue(number, "two", CITIZEN)
        first.app.support_issue(number, "three", CITIZEN)  # its copy is stale: saved again
        first.refresh()
        ids = [n.id for n in first.app.recorder.select_notifications(start=1, limit=1000)]
        assert ids[-1] - ids[0] + 1 > len(ids)  # a number left unused
        publisher.publish_changes()
        assert set(rendered) == {"/issues", f"/issues/{number}"}
        assert "3 supporters" in (tmp_path / "site" / f"issues/{number}/index.html").read_text()
        assert publisher.publish_all().written == 0
    finally:
        publisher.close()
