"""The Board's response, graded: stable keys, which grades promise anything, and part one's
decision words.

A grade says how far the Board took up what the assembly asked. Only ``accepted`` and
``accepted_in_part`` promise anything: they alone lead to commitments. Every other grade is
recorded, shown and counted, but never as a promise.
"""

from __future__ import annotations

from enum import StrEnum

from tracker.domain import errors


class Grade(StrEnum):
    ACCEPTED = "accepted"
    ACCEPTED_IN_PART = "accepted_in_part"
    ACCEPTED_IN_PRINCIPLE = "accepted_in_principle"
    NOTED = "noted"  # parked: acknowledged, nothing promised
    REJECTED = "rejected"  # a reason is required
    REFERRED = "referred"  # to another body, which then owes its own answer

    @property
    def allows_commitments(self) -> bool:
        return self in PROMISING

    @property
    def label(self) -> str:
        return LABELS[self]


PROMISING = frozenset({Grade.ACCEPTED, Grade.ACCEPTED_IN_PART})
# A response given with commitments but no grade reads as the plainer of the two grades that
# allow them (the meeting page says so, and any other grade can be chosen).
WITH_COMMITMENTS = Grade.ACCEPTED

LABELS = {
    Grade.ACCEPTED: "Accepted",
    Grade.ACCEPTED_IN_PART: "Accepted in part",
    Grade.ACCEPTED_IN_PRINCIPLE: "Accepted in principle",
    Grade.NOTED: "Noted",
    Grade.REJECTED: "Rejected",
    Grade.REFERRED: "Referred",
}

# Part one's decisions, as the grade each reads as (old events, and the API's ``decision``).
FROM_DECISION = {"commit": Grade.ACCEPTED, "decline": Grade.REJECTED,
                 "refer": Grade.REFERRED}


def a_grade(value: object, field: str = "grade") -> Grade:
    """A grade from its key, or from one of part one's decision words."""
    if isinstance(value, str):
        if value in FROM_DECISION:
            return FROM_DECISION[value]
        try:
            return Grade(value)
        except ValueError:
            pass
    keys = ", ".join(g.value for g in Grade)
    raise errors.InvalidValue(f"{field} must be one of {keys}", field=field)


def allows_commitments(grade: str | None) -> bool:
    """Whether a response of this grade (None: no response) lets commitments be made."""
    return grade is not None and Grade(grade).allows_commitments
