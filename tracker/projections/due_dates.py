"""Open commitments by due date, for the calendars (tracker.site.calendars)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, RowMapping, select

from tracker.projections.issues import OPEN_STATUSES, commitments, issues


def open_commitments_due(conn: Connection, number: int | None = None,
                         owner: str | None = None) -> Sequence[RowMapping]:
    """Every open commitment of a visible issue (of one issue, of one owner), by due date;
    each row has the commitment's columns and the issue's ``title``."""
    query: Any = select(commitments, issues.c.title).join(
        issues, issues.c.number == commitments.c.issue_number).where(
        commitments.c.status.in_(OPEN_STATUSES), issues.c.hidden_reason.is_(None))
    if number is not None:
        query = query.where(commitments.c.issue_number == number)
    if owner is not None:
        query = query.where(commitments.c.owner == owner)
    return conn.execute(query.order_by(commitments.c.due, commitments.c.issue_number,
                                       commitments.c.commitment)).mappings().all()
