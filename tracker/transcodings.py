"""How domain values beyond JSON's own types are stored in events and snapshots."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from tracker.domain.commitment import Commitment, CommitmentStatus


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class SetAsSortedList(Transcoding):
    type = set
    name = "set"

    def encode(self, obj: set[Any]) -> list[Any]:
        return sorted(obj)

    def decode(self, data: list[Any]) -> set[Any]:
        return set(data)


class CommitmentAsDict(Transcoding):
    type = Commitment
    name = "commitment"

    def encode(self, obj: Commitment) -> dict[str, Any]:
        return {
            "number": obj.number, "text": obj.text, "owner": obj.owner, "due": obj.due,
            "measure": obj.measure, "made_on": obj.made_on, "status": str(obj.status),
            "last_update_on": obj.last_update_on, "evidence": obj.evidence,
            **({"reference": obj.reference} if obj.reference else {}),
        }

    def decode(self, data: dict[str, Any]) -> Commitment:
        return Commitment(**{**data, "status": CommitmentStatus(data["status"])})


def register(transcoder: JSONTranscoder) -> None:
    for transcoding in (DateAsISO(), SetAsSortedList(), CommitmentAsDict()):
        transcoder.register(transcoding)
