"""The answer per assembly: what came of the issues citizens raised there, as of one day.

Worked out when read from the issue status read model (like the scoreboard), so overdue is
right on any day. Every visible issue scheduled for an assembly falls in exactly one outcome
(``OUTCOMES``) and every promise (commitment) in exactly one promise state, so the counts
always add up to the issues raised and the promises made. The words are in
``tracker.domain.answer``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, case, func, literal, select

from tracker.domain.answer import OUTCOMES, AssemblyAnswer, Judged, OnTime, Promises
from tracker.projections.issues import OPEN_STATUSES, commitments, issues, overdue_clause
from tracker.projections.judgements import judged_by_assembly
from tracker.projections.reference import assemblies, topics

# What each response grade means for the answer (part one's decisions are read as grades):
# only a promise (a commitment) counts as one; a grade that leads to commitments but has none
# yet is "agreed"; accepted in principle, like noted, promised nothing.
GRADE_OUTCOMES = {
    "accepted": "agreed", "accepted_in_part": "agreed",
    "accepted_in_principle": "noted", "noted": "noted",
    "rejected": "declined", "referred": "referred",
}

_PROMISED = select(commitments.c.issue_number).distinct().scalar_subquery()


def outcome_expression() -> Any:
    """The outcome key of an issue row, in SQL: one place, for the counts and the lists."""
    return case(
        (issues.c.merged_into.is_not(None), literal("merged")),
        (issues.c.number.in_(_PROMISED), literal("promised")),
        *((issues.c.grade == key, literal(value))
          for key, value in GRADE_OUTCOMES.items() if value != "agreed"),
        (issues.c.outcome.is_not(None), literal("closed")),
        (issues.c.grade.is_not(None), literal("agreed")),
        (issues.c.discussed_on.is_not(None), literal("unanswered")),
        else_=literal("not_discussed"))


def outcome_filter(outcome: str) -> Any:
    """A WHERE clause for issues with this outcome (unknown keys match nothing)."""
    return outcome_expression() == outcome if outcome in OUTCOMES else literal(False)


def _visible() -> Any:
    return issues.c.hidden_reason.is_(None)


def assembly_answers(conn: Connection, today: date) -> list[AssemblyAnswer]:
    """One answer per assembly, newest first."""
    rows = conn.execute(select(assemblies).order_by(assemblies.c.held_on.desc(),
                                                    assemblies.c.slug)).mappings().all()
    if not rows:
        return []
    outcome = outcome_expression().label("outcome")
    counted: dict[str, dict[str, int]] = {r["slug"]: {} for r in rows}
    for slug, key, n in conn.execute(
            select(issues.c.assembly, outcome, func.count())
            .where(_visible(), issues.c.assembly.is_not(None))
            .group_by(issues.c.assembly, outcome)):
        if slug in counted:
            counted[slug][key] = n
    promises = _promises(conn, today, issues.c.assembly)
    named: dict[str, list[tuple[str, str]]] = {}
    for slug, topic, name in conn.execute(
            select(issues.c.assembly, topics.c.slug, topics.c.name).distinct()
            .select_from(issues.join(topics, topics.c.slug == issues.c.topic))
            .where(_visible(), issues.c.assembly.is_not(None)).order_by(topics.c.name)):
        named.setdefault(slug, []).append((topic, name))
    judged = judged_by_assembly(conn)
    return [AssemblyAnswer(
        slug=r["slug"], title=r["title"], place=r["place"], held_on=r["held_on"],
        outcomes={k: counted[r["slug"]].get(k, 0) for k in OUTCOMES},
        promises=promises.get(r["slug"], Promises()),
        on_time=_on_time(conn, today, issues.c.assembly == r["slug"]),
        topics=tuple(named.get(r["slug"], ())),
        judged=judged.get(r["slug"], Judged()))
        for r in rows]


def on_time_everywhere(conn: Connection, today: date) -> OnTime:
    """The on-time figure over every visible commitment."""
    return _on_time(conn, today, literal(True))


def _promises(conn: Connection, today: date, group: Any) -> dict[str, Promises]:
    overdue = overdue_clause(today)
    joined = commitments.join(issues, issues.c.number == commitments.c.issue_number)
    found: dict[str, Promises] = {}
    for key, kept, dropped, late, still_open, oldest in conn.execute(select(
            group,
            func.count().filter(commitments.c.status == "delivered"),
            func.count().filter(commitments.c.status == "dropped"),
            func.count().filter(overdue),
            func.count().filter(and_(commitments.c.status.in_(OPEN_STATUSES),
                                     commitments.c.due >= today)),
            func.min(case((overdue, commitments.c.due))),
    ).select_from(joined).where(_visible(), group.is_not(None)).group_by(group)):
        found[key] = Promises(kept=kept, dropped=dropped, overdue=late, open=still_open,
                              oldest_overdue_due=oldest)
    return found


def _on_time(conn: Connection, today: date, where: Any) -> OnTime:
    """Of the commitments whose due date has passed, how many were delivered by it."""
    joined = commitments.join(issues, issues.c.number == commitments.c.issue_number)
    due, on_time = conn.execute(select(
        func.count(),
        func.count().filter(and_(commitments.c.status == "delivered",
                                 commitments.c.delivered_on <= commitments.c.due)),
    ).select_from(joined).where(_visible(), where, commitments.c.due < today)).one()
    return OnTime(due=due, on_time=on_time)
