"""The rows of the open-data tables, a page at a time (tracker.site.exports)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, RowMapping, select

from tracker.projections.issues import commitments, issues


def visible_issue_numbers(conn: Connection, after: int, limit: int) -> list[int]:
    """The numbers of issues not hidden, above ``after``, in order."""
    return list(conn.execute(select(issues.c.number).where(
        issues.c.number > after, issues.c.hidden_reason.is_(None))
        .order_by(issues.c.number).limit(limit)).scalars())


def visible_commitments(conn: Connection, offset: int, limit: int) -> Sequence[RowMapping]:
    """The commitments of issues not hidden, by issue and number."""
    return conn.execute(
        select(commitments).join(issues, issues.c.number == commitments.c.issue_number)
        .where(issues.c.hidden_reason.is_(None))
        .order_by(commitments.c.issue_number, commitments.c.commitment)
        .offset(offset).limit(limit)).mappings().all()
