"""Lists over the issue status read model: issues with filters and search, commitments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, case, func, or_, select

from tracker.projections.answers import outcome_filter
from tracker.projections.issues import (
    OPEN_STATUSES,
    commitments,
    issues,
    overdue_clause,
    withheld_texts,
)
from tracker.projections.reference import owners


@dataclass(frozen=True)
class IssueFilter:
    stage: str | None = None
    topic: str | None = None
    owner: str | None = None
    assembly: str | None = None
    overdue: bool = False
    search: str | None = None
    outcome: str | None = None  # an answer outcome key (tracker.domain.answer.OUTCOMES)
    # Hidden issues keep their place in the list (numbered, saying so), their words withheld.
    with_hidden: bool = False


@dataclass(frozen=True)
class IssueSummary:
    number: int
    title: str
    stage: str
    topic: str | None
    supporters: int
    commitments: int
    delivered: int
    overdue: int


def list_issues(conn: Connection, where: IssueFilter, today: date, offset: int = 0,
                limit: int = 50) -> tuple[list[IssueSummary], int]:
    """A page of issues (newest first) and how many match in all."""
    counts = (select(
        commitments.c.issue_number.label("number"),
        func.count().label("total"),
        func.count().filter(commitments.c.status == "delivered").label("delivered"),
        func.count().filter(overdue_clause(today)).label("overdue"),
    ).group_by(commitments.c.issue_number).subquery())
    query = select(issues, counts.c.total, counts.c.delivered, counts.c.overdue) \
        .select_from(issues.outerjoin(counts, counts.c.number == issues.c.number))
    if where.stage:
        query = query.where(issues.c.stage == where.stage)
    elif not where.search and not where.with_hidden:
        # Hidden issues keep their page and reason, but lists leave them out unless asked.
        query = query.where(issues.c.stage != "hidden")
    if where.topic:
        query = query.where(issues.c.topic == where.topic)
    if where.assembly:
        query = query.where(issues.c.assembly == where.assembly)
    if where.owner:
        query = query.where(or_(issues.c.lead == where.owner, issues.c.number.in_(
            select(commitments.c.issue_number).where(commitments.c.owner == where.owner))))
    if where.overdue:
        query = query.where(counts.c.overdue > 0)
    if where.outcome:
        query = query.where(outcome_filter(where.outcome), issues.c.hidden_reason.is_(None))
    if where.search:
        # A plain substring match on title and description, the same on SQLite and
        # PostgreSQL; LIKE's wildcards in the query are taken literally.
        needle = "%" + where.search.lower().replace("\\", "\\\\").replace("%", "\\%") \
            .replace("_", "\\_") + "%"
        # A hidden issue has no words to find (withheld.py): its placeholder never matches.
        query = query.where(issues.c.hidden_reason.is_(None), or_(
            func.lower(issues.c.title).like(needle, escape="\\"),
            func.lower(issues.c.description).like(needle, escape="\\")))
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(query.order_by(issues.c.number.desc()).offset(offset).limit(limit))
    return [IssueSummary(number=r.number, title=r.title, stage=r.stage, topic=r.topic,
                         supporters=r.supporters, commitments=r.total or 0,
                         delivered=r.delivered or 0, overdue=r.overdue or 0)
            for r in rows], total


@dataclass(frozen=True)
class CommitmentSummary:
    """One row of the commitments list, as pages show it and the JSON API answers it."""

    issue: int
    issue_title: str
    commitment: int
    text: str
    owner: str
    owner_name: str
    due: date
    status: str
    overdue: bool
    days_overdue: int
    evidence: str


def list_commitments(conn: Connection, today: date, status: str | None = None,
                     owner: str | None = None, topic: str | None = None,
                     overdue_only: bool = False, offset: int = 0,
                     limit: int = 100, assembly: str | None = None,
                     ) -> tuple[list[CommitmentSummary], int]:
    """Every commitment, overdue first (most overdue at the top), then by due date."""
    is_overdue = overdue_clause(today)
    query = select(commitments, issues.c.title, issues.c.topic,
                   func.coalesce(owners.c.name, commitments.c.owner).label("owner_name"),
                   case((is_overdue, 1), else_=0).label("is_overdue")) \
        .select_from(commitments.join(issues, issues.c.number == commitments.c.issue_number)
                     .outerjoin(owners, owners.c.slug == commitments.c.owner)) \
        .where(issues.c.hidden_reason.is_(None))
    if status == "overdue" or overdue_only:
        query = query.where(is_overdue)
    elif status == "open":  # neither settled nor overdue: not due yet
        query = query.where(commitments.c.status.in_(OPEN_STATUSES),
                            commitments.c.due >= today)
    elif status:
        query = query.where(commitments.c.status == status)
    if owner:
        query = query.where(commitments.c.owner == owner)
    if topic:
        query = query.where(issues.c.topic == topic)
    if assembly:
        query = query.where(issues.c.assembly == assembly)
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(query.order_by(case((is_overdue, 0), else_=1), commitments.c.due,
                                       commitments.c.issue_number, commitments.c.commitment)
                        .offset(offset).limit(limit))
    return [CommitmentSummary(
        issue=r.issue_number, issue_title=r.title, commitment=r.commitment, text=r.text,
        owner=r.owner, owner_name=r.owner_name, due=r.due, status=r.status,
        overdue=bool(r.is_overdue), days_overdue=(today - r.due).days if r.is_overdue else 0,
        evidence=r.evidence) for r in rows], total


@dataclass(frozen=True)
class QueuedIssue:
    number: int
    title: str
    stage: str
    submitted_on: date


def moderation_queue(conn: Connection, limit: int = 100) -> list[QueuedIssue]:
    """New submissions and hidden issues, newest first: what a moderator looks at. A hidden
    issue shows its own title here, kept aside from every public row."""
    rows = conn.execute(select(issues.c.number,
                               func.coalesce(withheld_texts.c.title, issues.c.title)
                               .label("title"), issues.c.stage, issues.c.submitted_on)
                        .select_from(issues.outerjoin(
                            withheld_texts, withheld_texts.c.number == issues.c.number))
                        .where(issues.c.stage.in_(("submitted", "hidden")))
                        .order_by(issues.c.number.desc()).limit(limit))
    return [QueuedIssue(r.number, r.title, r.stage, r.submitted_on) for r in rows]
