"""A commitment: a promise the Board made inside an issue, and its status keys."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum


class CommitmentStatus(StrEnum):
    """Stable machine keys; labels may change on the glossary page, keys never do."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    DELAYED = "delayed"
    # The Board says it is done, but nothing public shows it: never counted as delivered.
    NO_PUBLIC_EVIDENCE = "no_public_evidence"
    DELIVERED = "delivered"
    DROPPED = "dropped"

    @property
    def is_settled(self) -> bool:
        return self in (CommitmentStatus.DELIVERED, CommitmentStatus.DROPPED)


# Statuses a progress update may set; delivery and dropping have commands of their own
# because they need evidence or a reason.
PROGRESS_STATUSES = (
    CommitmentStatus.ON_TRACK,
    CommitmentStatus.AT_RISK,
    CommitmentStatus.DELAYED,
    CommitmentStatus.NO_PUBLIC_EVIDENCE,
)


@dataclass(frozen=True)
class Commitment:
    """One promise: what, who is accountable, by when, and how success is measured."""

    number: int
    text: str
    owner: str
    due: date
    measure: str
    made_on: date
    status: CommitmentStatus = CommitmentStatus.ON_TRACK
    last_update_on: date | None = None
    evidence: str = ""
    # The row's own reference in the Board's action log it was imported from ("" if none).
    reference: str = ""

    @property
    def is_settled(self) -> bool:
        return CommitmentStatus(self.status).is_settled

    def with_changes(self, **changes: object) -> Commitment:
        return replace(self, **changes)  # type: ignore[arg-type]
