"""What an issue page and the issue list show beside an issue's own row: the issues merged
into it, and each listed issue's verdict."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from tracker.domain.status import verdict
from tracker.projections.issues import _facts, commitments, issues


def merged_into_this(conn: Connection, number: int) -> list[tuple[int, str]]:
    """Issues merged into this one as duplicates (number, title), oldest first."""
    return [(n, t) for n, t in conn.execute(
        select(issues.c.number, issues.c.title).where(issues.c.merged_into == number)
        .order_by(issues.c.number))]


def verdicts(conn: Connection, numbers: list[int], today: date,
             silent_days: int) -> dict[int, str]:
    """The verdicts of a page of issues, in two queries."""
    if not numbers:
        return {}
    rows = conn.execute(select(issues).where(issues.c.number.in_(numbers))).mappings().all()
    by_issue: dict[int, list[Any]] = defaultdict(list)
    for c in conn.execute(select(commitments).where(commitments.c.issue_number.in_(numbers))
                          .order_by(commitments.c.commitment)).mappings():
        by_issue[c["issue_number"]].append(c)
    return {r["number"]: verdict(_facts(r, by_issue[r["number"]]), today, silent_days)
            for r in rows}
