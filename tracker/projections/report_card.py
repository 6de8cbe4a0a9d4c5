"""An assembly's report card, like published reviews of citizens' assembly follow-up: how
many of the issues it discussed got each grade of Board response, how many responses came on
time, and how many promises were kept. Worked out when read, from the issue status read
model, against today and the response clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

from sqlalchemy import Connection, func, select

from tracker.domain.response import Grade
from tracker.domain.status import Clocks
from tracker.projections.issues import commitments, issues, overdue_clause, overdue_responses
from tracker.projections.reference import assemblies


@dataclass(frozen=True)
class ReportCard:
    assembly: str
    title: str
    held_on: date
    response_due: date  # the assembly's own clock: its date and the response days
    discussed: int
    grades: dict[Grade, int]  # every grade key, in order, with its count (zeros included)
    owed: int  # open, and no response yet (or a revised one asked for)
    owed_overdue: int
    on_time: int  # responses recorded by the assembly's response due date
    late: int
    median_days_to_respond: float | None
    commitments: int
    delivered: int
    dropped: int
    overdue: int

    @property
    def promised(self) -> int:
        """Responses that promised anything: accepted, or accepted in part."""
        return self.grades[Grade.ACCEPTED] + self.grades[Grade.ACCEPTED_IN_PART]

    def rows(self) -> list[tuple[str, str, int]]:
        """(key, label, count) lines, the same on the page and in the CSV."""
        lines = [("discussed", "Issues discussed", self.discussed)]
        lines += [(str(g), f"Graded {g.label.lower()}", self.grades[g]) for g in Grade]
        lines += [("owed", "No Board response yet", self.owed),
                  ("owed_overdue", "No Board response yet, overdue", self.owed_overdue),
                  ("on_time", "Responses on time", self.on_time),
                  ("late", "Responses late", self.late),
                  ("commitments", "Commitments made", self.commitments),
                  ("delivered", "Commitments delivered (promises kept)", self.delivered),
                  ("dropped", "Commitments dropped", self.dropped),
                  ("overdue", "Commitments overdue", self.overdue)]
        return lines


def report_card(conn: Connection, slug: str, today: date, clocks: Clocks) -> ReportCard | None:
    """The report card of one assembly (None if there is no such assembly); hidden and merged
    issues are left out, as everywhere else."""
    assembly = conn.execute(select(assemblies).where(assemblies.c.slug == slug)).first()
    if assembly is None:
        return None
    due = assembly.response_due or assembly.held_on + timedelta(days=clocks.response_days)
    shown = (issues.c.assembly == slug) & issues.c.discussed_on.is_not(None) & \
        issues.c.hidden_reason.is_(None) & issues.c.merged_into.is_(None)
    rows = conn.execute(select(issues.c.grade, issues.c.responded_on,
                               issues.c.outcome).where(shown)).all()
    grades = {g: 0 for g in Grade}
    owed = on_time = late = 0
    days: list[int] = []
    for grade, responded_on, outcome in rows:
        if grade is None:
            owed += outcome is None  # a closed issue is owed nothing more
            continue
        grades[Grade(grade)] += 1
        if responded_on is not None:
            days.append((responded_on - assembly.held_on).days)
            on_time, late = (on_time + 1, late) if responded_on <= due else (on_time, late + 1)
    joined = commitments.join(issues, issues.c.number == commitments.c.issue_number)
    made, delivered, dropped, overdue = conn.execute(select(
        func.count(), func.count().filter(commitments.c.status == "delivered"),
        func.count().filter(commitments.c.status == "dropped"),
        func.count().filter(overdue_clause(today))).select_from(joined).where(shown)).one()
    return ReportCard(
        assembly=slug, title=assembly.title, held_on=assembly.held_on, response_due=due,
        discussed=len(rows), grades=grades, owed=owed,
        owed_overdue=sum(1 for r in overdue_responses(conn, today, clocks)
                         if r.assembly == slug and r.owed_by == "the Board"),
        on_time=on_time, late=late,
        median_days_to_respond=float(median(days)) if days else None, commitments=made,
        delivered=delivered, dropped=dropped, overdue=overdue)
