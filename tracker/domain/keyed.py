"""The marker that a write sent with an Idempotency-Key was carried out.

Saved in the same transaction as the write's own events, with an id chosen when the key was
first seen: the event store refuses a second aggregate with that id, so the key's write
happens at most once however often it is retried, and a retry that finds the marker can
answer what the write did. It holds what the answer needs, and nothing about the caller.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate


class KeyedWrite(Aggregate):
    """What a keyed write did: the issue (or the topic, owner or assembly) and its version."""

    class CarriedOut(Aggregate.Created):
        kind: str  # "issues", "topics", "owners" or "assemblies"
        number: int  # the number; 0 for the others
        slug: str  # the topic's, owner's or assembly's slug; "" for an issue
        at_version: int  # the (or slug's) version after the write
        commitment: int  # the commitment the write made; 0 when it made none

    @classmethod
    def carry_out(cls, marker: UUID, kind: str, number: int, slug: str, at_version: int,
                  commitment: int) -> KeyedWrite:
        return cls._create(cls.CarriedOut, id=marker, kind=kind, number=number, slug=slug,
                           at_version=at_version, commitment=commitment)

    def __init__(self, kind: str, number: int, slug: str, at_version: int,
                 commitment: int) -> None:
        self.kind = kind
        self.number = number
        self.slug = slug
        self.at_version = at_version
        self.commitment = commitment

    @property
    def created(self) -> bool:
        """Whether the write created what it names (answered 201): an issue's first
        version, a commitment, or a topic, owner or assembly."""
        return self.kind != "issues" or self.at_version == 1 or self.commitment > 0
