"""The scoreboard on the home page: the whole tracker in a few figures, as of one day.

Worked out from the issue status read model when asked, so overdue is always right; the
medians are computed in Python because SQLite has no median and the rows are few.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import median

from sqlalchemy import Connection, and_, func, select

from tracker.projections.issues import commitments, issues, overdue_clause


@dataclass(frozen=True)
class Scoreboard:
    raised: int
    discussed: int
    committed: int
    commitments: int
    delivered: int
    overdue: int
    delivered_on_time_share: float | None  # 0..1; None when nothing is delivered yet
    median_days_discussion_to_response: float | None
    median_days_commitment_to_delivery: float | None


def scoreboard(conn: Connection, today: date) -> Scoreboard:
    visible = issues.c.hidden_reason.is_(None)
    raised, discussed = conn.execute(select(
        func.count(), func.count(issues.c.discussed_on)).where(visible)).one()
    joined = commitments.join(issues, issues.c.number == commitments.c.issue_number)
    committed, total, delivered, on_time, overdue = conn.execute(select(
        func.count(func.distinct(commitments.c.issue_number)),
        func.count(),
        func.count().filter(commitments.c.status == "delivered"),
        func.count().filter(and_(commitments.c.status == "delivered",
                                 commitments.c.delivered_on <= commitments.c.due)),
        func.count().filter(overdue_clause(today)),
    ).select_from(joined).where(visible)).one()
    responses = [(r - d).days for d, r in conn.execute(
        select(issues.c.discussed_on, issues.c.responded_on).where(
            visible, issues.c.discussed_on.is_not(None), issues.c.responded_on.is_not(None)))]
    deliveries = [(d - m).days for m, d in conn.execute(
        select(commitments.c.made_on, commitments.c.delivered_on).select_from(joined).where(
            visible, commitments.c.delivered_on.is_not(None)))]
    return Scoreboard(
        raised=raised, discussed=discussed, committed=committed, commitments=total,
        delivered=delivered, overdue=overdue,
        delivered_on_time_share=on_time / delivered if delivered else None,
        median_days_discussion_to_response=median(responses) if responses else None,
        median_days_commitment_to_delivery=median(deliveries) if deliveries else None)
