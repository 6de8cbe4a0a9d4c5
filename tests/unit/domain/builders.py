"""Given: issues at each stage of their story, built by running the real commands."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.helpers import CITIZEN, MODERATOR, SECRETARIAT
from tracker.domain.issue import Issue

SUBMITTED_ON = date(2014, 7, 1)
ASSEMBLY_DAY = date(2014, 9, 18)
BOARD_DAY = date(2014, 11, 6)


def submitted(number: int = 1) -> Issue:
    issue = Issue.submit(number, "Waiting times", "Too long", CITIZEN, SUBMITTED_ON)
    issue.collect_events()
    return issue


def scheduled() -> Issue:
    issue = submitted()
    issue.assign_topic("access", SECRETARIAT, date(2014, 8, 1))
    issue.schedule("london-2014", "A citizen", SECRETARIAT, date(2014, 9, 1))
    issue.collect_events()
    return issue


def discussed() -> Issue:
    issue = scheduled()
    issue.record_discussion("london-2014", "Talked it through", ["Why?"], ["Do more"],
                            SECRETARIAT, ASSEMBLY_DAY)
    issue.collect_events()
    return issue


def committed(commitments: int = 1) -> Issue:
    issue = discussed()
    issue.respond("commit", "We will act", "chief-executive", None, SECRETARIAT, BOARD_DAY)
    for n in range(commitments):
        issue.make_commitment(f"Promise {n + 1}", "chief-executive", date(2015, 6, 30),
                              "Published", SECRETARIAT, BOARD_DAY)
    issue.collect_events()
    return issue


def hidden() -> Issue:
    issue = submitted()
    issue.hide("Abusive", MODERATOR, date(2014, 7, 2))
    issue.collect_events()
    return issue


def merged() -> Issue:
    issue = submitted(2)
    issue.merge_into(1, "Duplicate", MODERATOR, date(2014, 7, 2))
    issue.collect_events()
    return issue


def closed() -> Issue:
    issue = discussed()
    issue.respond("decline", "Cannot fund it", None, None, SECRETARIAT, BOARD_DAY)
    issue.close("Nothing changed", SECRETARIAT, date(2014, 12, 1))
    issue.collect_events()
    return issue


def then_events(issue: Issue) -> list[Any]:
    """The events the command under test recorded."""
    return list(issue.collect_events())


def replayed(issue: Issue, events: list[Any]) -> Issue:
    aggregate = None
    for event in events:
        aggregate = event.mutate(aggregate)
    assert aggregate is not None
    return aggregate
