"""Many writers at once: unique dense numbers, no lost event, one winner per version."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.helpers import CITIZEN, MODERATOR, SECRETARIAT
from tracker.application import TrackerApplication
from tracker.bootstrap import Tracker, event_store_env
from tracker.domain import errors
from tracker.domain.issue import Issue

THREADS = 8


def _all_at_once(count: int, task: Callable[[int], Any]) -> list[Any]:
    """Run ``task(i)`` for every i on THREADS threads released together."""
    barrier = threading.Barrier(THREADS)

    def run(worker: int) -> list[Any]:
        barrier.wait()
        return [task(i) for i in range(worker, count, THREADS)]

    with ThreadPoolExecutor(THREADS) as pool:
        return [r for chunk in pool.map(run, range(THREADS)) for r in chunk]


def test_concurrent_submissions_get_unique_dense_numbers(any_tracker: Tracker) -> None:
    numbers = _all_at_once(120, lambda i: any_tracker.app.submit_issue(
        f"Issue {i}", "", CITIZEN).number)
    assert sorted(numbers) == list(range(1, 121))


def test_two_applications_on_one_store_never_share_a_number(any_tracker: Tracker) -> None:
    # A second application object is what a second web process would hold.
    other = TrackerApplication(env=event_store_env(any_tracker.settings))
    try:
        apps = [any_tracker.app, other]
        numbers = _all_at_once(80, lambda i: apps[i % 2].submit_issue(
            f"Issue {i}", "", CITIZEN).number)
    finally:
        other.close()
    assert sorted(numbers) == list(range(1, 81))


def test_concurrent_writers_on_one_issue_lose_no_event(any_tracker: Tracker) -> None:
    app = any_tracker.app
    n = app.submit_issue("Busy", "", CITIZEN).number
    _all_at_once(120, lambda i: app.support_issue(n, f"s-{i}", CITIZEN))
    issue = app.load_issue(n)
    assert issue.supporter_count == 120
    assert issue.version == 122  # submitted, 120 supports, a response owed at 100 supporters


def test_one_supporter_from_many_processes_at_once_counts_once(any_tracker: Tracker) -> None:
    other = TrackerApplication(env=event_store_env(any_tracker.settings))
    apps = [any_tracker.app, other]
    n = any_tracker.app.submit_issue("Busy", "", CITIZEN).number

    def attempt(i: int) -> str:
        try:
            apps[i % 2].support_issue(n, "the-same-supporter", CITIZEN)
            return "counted"
        except errors.AlreadySupported:
            return "refused"

    try:
        results = _all_at_once(40, attempt)
    finally:
        other.close()
    assert sorted(results) == ["counted"] + ["refused"] * 39
    assert any_tracker.app.load_issue(n).supporter_count == 1


def test_with_an_expected_version_exactly_one_writer_wins(any_tracker: Tracker) -> None:
    app = any_tracker.app
    n = app.submit_issue("Contested", "", CITIZEN).number

    def hide(i: int) -> str:
        try:
            app.hide_issue(n, f"Reason {i}", MODERATOR, expected_version=1)
        except errors.StaleVersion:
            return "stale"
        except errors.RuleViolation:
            return "already hidden"  # read after the winner saved: the rule refuses it
        return "won"

    results = _all_at_once(THREADS, hide)
    assert results.count("won") == 1
    assert app.load_issue(n).version == 2


@pytest.mark.parametrize("commands", [40])
def test_mixed_commands_on_one_issue_keep_every_event(any_tracker: Tracker,
                                                      commands: int) -> None:
    app = any_tracker.app
    app.create_topic("access", "Access", SECRETARIAT)
    n = app.submit_issue("Busy", "", CITIZEN).number

    def work(i: int) -> int:
        if i % 2:
            return app.support_issue(n, f"s-{i}", CITIZEN).version
        return app.correct_entry(n, 1, f"Reason {i}", f"Text {i}", SECRETARIAT).version

    versions = _all_at_once(commands, work)
    assert sorted(versions) == list(range(2, commands + 2))


def test_an_issue_kept_in_memory_catches_up_with_another_process(any_tracker: Tracker) -> None:
    app = any_tracker.app
    other = TrackerApplication(env=event_store_env(any_tracker.settings))
    try:
        n = app.submit_issue("Cached", "", CITIZEN).number  # now in app's cache
        app.support_issue(n, "s-0", CITIZEN)
        other.support_issue(n, "s-1", CITIZEN)
        other.hide_issue(n, "Abuse", MODERATOR)
        with pytest.raises(errors.IssueHidden):
            app.support_issue(n, "s-2", CITIZEN)
        other.restore_issue(n, "Fine", MODERATOR)
        app.support_issue(n, "s-2", CITIZEN)
        with pytest.raises(errors.AlreadySupported):
            app.support_issue(n, "s-1", CITIZEN)  # supported through the other process
        issue = app.load_issue(n)
        assert (issue.version, issue.supporter_count) == (6, 3)
        assert other.load_issue(n).version == 6
    finally:
        other.close()


def test_a_refused_command_leaves_the_issue_in_memory_as_stored(any_tracker: Tracker) -> None:
    app = any_tracker.app
    n = app.submit_issue("Cached", "", CITIZEN).number
    with pytest.raises(errors.StaleVersion):
        app.hide_issue(n, "Abuse", MODERATOR, expected_version=7)
    with pytest.raises(errors.AlreadySupported):
        app.support_issue(n, "s-1", CITIZEN)
        app.support_issue(n, "s-1", CITIZEN)
    issue = app.load_issue(n)
    assert (issue.version, issue.supporter_count, issue.is_hidden) == (2, 1, False)


def test_if_match_is_judged_against_the_store_not_a_copy_in_memory(any_tracker: Tracker
                                                                    ) -> None:
    app = any_tracker.app
    other = TrackerApplication(env=event_store_env(any_tracker.settings))
    try:
        n = app.submit_issue("Cached", "", CITIZEN).number  # app holds version 1
        other.support_issue(n, "s-1", CITIZEN)  # the store is at version 2
        with pytest.raises(errors.StaleVersion) as stale:
            app.hide_issue(n, "Abuse", MODERATOR, expected_version=1)
        assert stale.value.current_version == 2
        # The client that has seen version 2 is current, though app's copy was not.
        assert app.hide_issue(n, "Abuse", MODERATOR, expected_version=2).version == 3
    finally:
        other.close()


def test_an_issue_in_memory_is_never_changed_in_place(any_tracker: Tracker) -> None:
    # Another thread may be copying it at that moment: a copy taken mid-change could show a
    # version whose event is not applied yet, and a command judged on it would be wrong.
    app = any_tracker.app
    other = TrackerApplication(env=event_store_env(any_tracker.settings))
    try:
        n = app.submit_issue("Cached", "", CITIZEN).number
        for i in range(55):  # past a snapshot, as a busy issue is
            app.support_issue(n, f"s-{i}", CITIZEN)
        stored = app._issues._items[Issue.id_for(n)]
        other.hide_issue(n, "Abuse", MODERATOR)
        assert app.load_issue(n).is_hidden
        with pytest.raises(errors.IssueHidden):
            app.support_issue(n, "late", CITIZEN)
        assert (stored.version, stored.is_hidden) == (56, False)  # the old copy, untouched
    finally:
        other.close()


def test_the_version_a_write_reports_is_its_own(any_tracker: Tracker,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    app = any_tracker.app
    other = TrackerApplication(env=event_store_env(any_tracker.settings))
    keep = app._issues.put
    meanwhile: list[int] = []

    def and_meanwhile(issue: Issue) -> None:
        keep(issue)  # the write's issue is kept in memory, and right then, once,
        if not meanwhile:
            meanwhile.append(1)
            other.hide_issue(n, "Abuse", MODERATOR)  # another process writes,
            app.load_issue(n)  # and another thread of this one reads the issue
    try:
        n = app.submit_issue("Cached", "", CITIZEN).number
        monkeypatch.setattr(app._issues, "put", and_meanwhile)
        assert app.support_issue(n, "s-1", CITIZEN).version == 2  # not the hide's 3
    finally:
        other.close()


def test_a_copy_far_behind_is_replaced_from_a_snapshot_not_replayed(
        any_tracker: Tracker, monkeypatch: pytest.MonkeyPatch) -> None:
    app = any_tracker.app
    other = TrackerApplication(env=event_store_env(any_tracker.settings))
    try:
        n = app.submit_issue("Busy elsewhere", "", CITIZEN).number  # app holds version 1
        for i in range(120):
            other.support_issue(n, f"s-{i}", CITIZEN)
        loads: list[object] = []
        real_get = app.repository.get

        def spy(*args: object, **kwargs: object) -> object:
            loads.append(args[0])
            return real_get(*args, **kwargs)  # type: ignore[arg-type]
        monkeypatch.setattr(app.repository, "get", spy)
        issue = app.load_issue(n)
        # submitted, 120 supports and the response owed at the threshold of 100 supporters
        assert (issue.version, issue.supporter_count) == (122, 120)
        assert loads == [Issue.id_for(n)]  # from the snapshot at 100, not 120 events replayed
        other.support_issue(n, "s-120", CITIZEN)
        assert app.load_issue(n).version == 123  # a step behind: the one event is applied
        assert loads == [Issue.id_for(n)]
    finally:
        other.close()
