"""The static site when things go wrong: the database away mid-run, an event projected while
a run works out what changed, links planted in the publish directory."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy.exc
from sqlalchemy import event

from tests.e2e.test_faults import own_database, set_reachable
from tests.helpers import CITIZEN
from tracker.bootstrap import Tracker, bootstrap
from tracker.config import load_settings
from tracker.publish import STATE_FILE, Publisher

__all__ = ["own_database"]  # the fixture
ISSUES = 12


def raise_issues(tracker: Tracker) -> None:
    for n in range(1, ISSUES + 1):
        tracker.app.submit_issue(f"Issue {n}", "", CITIZEN)
    tracker.refresh()


def support_each(tracker: Tracker, supporter: str) -> None:
    for n in range(1, ISSUES + 1):
        tracker.app.support_issue(n, supporter, CITIZEN)
    tracker.refresh()


def page(site: Path, number: int) -> str:
    return (site / f"issues/{number}/index.html").read_text()


def state(site: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((site / STATE_FILE).read_text())
    return data


@contextmanager
def publisher_for(tracker: Tracker, site: Path) -> Iterator[Publisher]:
    publisher = Publisher(tracker, site)
    try:
        yield publisher
    finally:
        publisher.close()


@contextmanager
def away_after(publisher: Publisher, pages: int, go: Callable[[], None],
               back: Callable[[], None]) -> Iterator[None]:
    """The database goes away (``go``) once a run has built ``pages`` pages, and is back
    (``back``) when the block ends."""
    real_render = publisher.renderer.render_address
    built = 0

    def render_address(address: str) -> Any:
        nonlocal built
        built += 1
        if built == pages + 1:
            go()
        return real_render(address)

    publisher.renderer.render_address = render_address  # type: ignore[method-assign]
    try:
        yield
    finally:
        del publisher.renderer.render_address
        back()


def refuse_queries(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
    raise sqlalchemy.exc.OperationalError(statement, {}, Exception("the database is away"))


def queries_refused_after(publisher: Publisher, tracker: Tracker,
                          pages: int) -> AbstractContextManager[None]:
    """Every read-model query fails, as on a lost connection, after ``pages`` pages."""
    def go() -> None:
        event.listen(tracker.engine, "before_cursor_execute", refuse_queries)

    def back() -> None:
        if event.contains(tracker.engine, "before_cursor_execute", refuse_queries):
            event.remove(tracker.engine, "before_cursor_execute", refuse_queries)

    return away_after(publisher, pages, go, back)


class TestDatabaseAwayMidRun:
    def test_pages_it_could_not_build_are_published_once_it_is_back(
            self, any_tracker: Tracker, tmp_path: Path) -> None:
        site = tmp_path / "site"
        raise_issues(any_tracker)
        with publisher_for(any_tracker, site) as publisher:
            before = publisher.publish_all().position
            support_each(any_tracker, "first")
            with queries_refused_after(publisher, any_tracker, 2):
                publisher.publish_changes()
            assert sum("1 supporter" in page(site, n) for n in range(1, ISSUES + 1)) < ISSUES

            recovered = publisher.publish_changes()
            assert [n for n in range(1, ISSUES + 1) if "1 supporter" not in page(site, n)] == []
            assert recovered.failed == 0
            assert state(site)["published"] == recovered.position > before

    def test_the_published_figure_stays_where_the_files_are_complete(
            self, tracker: Tracker, tmp_path: Path) -> None:
        site = tmp_path / "site"
        raise_issues(tracker)
        with publisher_for(tracker, site) as publisher:
            before = publisher.publish_all().position
            support_each(tracker, "first")
            with queries_refused_after(publisher, tracker, 2):
                report = publisher.publish_changes()
            assert report.failed > 0 and report.published == before < report.position
            recorded = state(site)
            assert recorded["published"] == before
            assert recorded["position"] == report.position
            assert "/issues/12" in recorded["pending"]
            # Away again while the next run builds its pages: the figure stays where it was.
            support_each(tracker, "second")
            with queries_refused_after(publisher, tracker, 0):
                again = publisher.publish_changes()
            assert again.failed > 0 and again.published == before
            back = publisher.publish_changes()
            assert back.failed == 0 and back.published == back.position

    @pytest.mark.postgres
    def test_on_postgresql_a_real_outage_leaves_nothing_recorded_as_published_unwritten(
            self, own_database: str, tmp_path: Path) -> None:
        name = own_database.rsplit("/", 1)[1]
        tracker = bootstrap(load_settings(database_url=own_database,
                                          data_dir=tmp_path / "data"))
        site = tmp_path / "site"
        try:
            raise_issues(tracker)
            with publisher_for(tracker, site) as publisher:
                publisher.publish_all()
                support_each(tracker, "first")
                with away_after(publisher, 2, lambda: set_reachable(name, False),
                                lambda: set_reachable(name, True)):
                    during = publisher.publish_changes()
                assert during.failed > 0
                publisher.publish_changes()
                assert [n for n in range(1, ISSUES + 1)
                        if "1 supporter" not in page(site, n)] == []
        finally:
            set_reachable(name, True)
            tracker.close()


@pytest.mark.parametrize("first_write", ["support", "submission"])
def test_an_event_projected_while_a_run_works_out_its_changes_is_published_by_the_next(
        any_tracker: Tracker, tmp_path: Path, first_write: str) -> None:
    """Forced on both ways a run works out its changes: a run of supports alone
    (``_counted``) and any other (``_affected``)."""
    site = tmp_path / "site"
    raise_issues(any_tracker)
    with publisher_for(any_tracker, site) as publisher:
        publisher.publish_all()
        if first_write == "support":
            any_tracker.app.support_issue(1, "first", CITIZEN)
        else:
            any_tracker.app.submit_issue("One more", "", CITIZEN)
        any_tracker.refresh()
        name = "_counted" if first_write == "support" else "_affected"
        works_out = getattr(publisher, name)
        called = []

        def and_meanwhile(*args: Any) -> list[str]:
            found: list[str] = works_out(*args)
            called.append(args)
            # Another process writes, and the worker projects it, just now.
            any_tracker.refresh(any_tracker.app.support_issue(2, "late", CITIZEN).position)
            return found

        setattr(publisher, name, and_meanwhile)
        publisher.publish_changes()
        assert called  # the race was forced on this path
        assert "1 supporter" not in page(site, 2)  # the late write is not in this run
        setattr(publisher, name, works_out)
        publisher.publish_changes()
        assert "1 supporter" in page(site, 2)
        assert state(site)["published"] == any_tracker.projector.position()


class TestLinksInThePublishDirectory:
    @pytest.fixture
    def outside(self, tmp_path: Path) -> Path:
        folder = tmp_path / "outside"
        folder.mkdir()
        (folder / "victim.txt").write_text("not the tracker's")
        return folder

    def test_a_link_planted_after_the_start_is_refused_not_followed(
            self, tracker: Tracker, tmp_path: Path, outside: Path) -> None:
        from tracker.site_files import UnsafeDirectory

        site = tmp_path / "site"
        raise_issues(tracker)
        with publisher_for(tracker, site) as publisher:
            publisher.publish_all()
            support_each(tracker, "first")
            # Not supports alone: the run rewrites the feeds too.
            tracker.app.submit_issue("One more", "", CITIZEN)
            tracker.refresh()
            for planted, run in (("issues/1", publisher.publish_changes),
                                 ("timeline.rss", publisher.publish_changes),
                                 ("static/tracker.css", publisher.publish_all)):
                target = site / planted
                if target.is_dir():
                    shutil.rmtree(target)
                    target.symlink_to(outside, target_is_directory=True)
                else:
                    target.unlink()
                    target.symlink_to(outside / "victim.txt")
                with pytest.raises(UnsafeDirectory, match=f"{planted} is a symbolic link"):
                    run()
                target.unlink()
        assert (outside / "victim.txt").read_text() == "not the tracker's"
        assert sorted(os.listdir(outside)) == ["victim.txt"]

    @pytest.mark.parametrize("planted", ["index.html", "issues", "static/tracker.css",
                                         STATE_FILE])
    def test_a_directory_with_a_link_where_the_site_writes_is_refused_at_start(
            self, tracker: Tracker, tmp_path: Path, outside: Path, planted: str) -> None:
        from tracker.site_files import UnsafeDirectory

        site = tmp_path / "site"
        raise_issues(tracker)
        with publisher_for(tracker, site) as publisher:
            publisher.publish_all()
        target = site / planted
        if target.is_dir():
            shutil.rmtree(target)
            target.symlink_to(outside, target_is_directory=True)
        else:
            target.unlink()
            target.symlink_to(outside / "victim.txt")
        with pytest.raises(UnsafeDirectory, match=f"{planted} is a symbolic link"):
            Publisher(tracker, site)

    def test_a_fifo_where_a_page_goes_is_refused_not_waited_on(
            self, tracker: Tracker, tmp_path: Path) -> None:
        from tracker.site_files import UnsafeDirectory

        site = tmp_path / "site"
        raise_issues(tracker)
        with publisher_for(tracker, site) as publisher:
            publisher.publish_all()
            (site / "timeline.atom").unlink()
            os.mkfifo(site / "timeline.atom")
            tracker.app.submit_issue("One more", "", CITIZEN)  # a change in the timeline
            tracker.refresh()
            with pytest.raises(UnsafeDirectory, match="not a plain file"):
                publisher.publish_changes()

    def test_the_directory_itself_may_be_a_link(self, tracker: Tracker, tmp_path: Path) -> None:
        (tmp_path / "real").mkdir()
        (tmp_path / "site").symlink_to(tmp_path / "real", target_is_directory=True)
        raise_issues(tracker)
        with publisher_for(tracker, tmp_path / "site") as publisher:
            assert publisher.publish_all().written > 20
        assert (tmp_path / "real/issues/1/index.html").is_file()
