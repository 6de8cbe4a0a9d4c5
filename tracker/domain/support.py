"""One supporter's "me too" on one issue, as an aggregate of its own.

Why a separate aggregate: if the issue kept the set of everyone who ever supported it, every
load of a popular issue (and every snapshot of it) would carry thousands of ids, and a command
on an issue with 10,000 events would cost several times one on a fresh issue. Instead the
marker's id is derived from the issue and the supporter, and the event store refuses a second
aggregate with the same id: saving the marker with the issue's ``Supported`` event, in one
transaction, is what makes each supporter count once, across processes, at O(1) cost.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate


class Support(Aggregate):
    """The marker that a supporter supports an issue; it holds nothing else."""

    class Given(Aggregate.Created):
        issue_number: int

    @staticmethod
    def id_for(issue_number: int, supporter: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"/issues/{issue_number}/supporters/{supporter}")

    @classmethod
    def give(cls, issue_number: int, supporter: str) -> Support:
        return cls._create(cls.Given, id=cls.id_for(issue_number, supporter),
                           issue_number=issue_number)

    def __init__(self, issue_number: int) -> None:
        self.issue_number = issue_number
