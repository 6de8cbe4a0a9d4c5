"""Topics, owners and assemblies: their rows, and their figures worked out when read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Column, Connection, Date, String, Table, func, select

from tracker.domain.reference import Assembly, Owner, Topic
from tracker.projections.base import Projection, handles, metadata
from tracker.projections.issues import commitments, issues, overdue_clause

topics = Table(
    "topics", metadata,
    Column("slug", String(80), primary_key=True),
    Column("name", String(300), nullable=False),
)

owners = Table(
    "owners", metadata,
    Column("slug", String(80), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("role", String(300), nullable=False),
    # board, team or external (a body issues are referred to); see tracker.domain.reference
    Column("kind", String(20), nullable=False, default="board"),
)

assemblies = Table(
    "assemblies", metadata,
    Column("slug", String(80), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("held_on", Date, nullable=False),
    Column("response_due", Date),  # when not the default (TRACKER_RESPONSE_DAYS after)
    Column("place", String(300), nullable=False),
)


class ReferenceProjection(Projection):
    name = "reference"
    tables = (topics, owners, assemblies)

    @handles(Topic.Created)
    def _topic(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(topics.insert().values(slug=e.slug, name=e.name))

    @handles(Owner.Created)
    def _owner(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(owners.insert().values(slug=e.slug, name=e.name, role=e.role,
                                            kind=e.owner_kind))

    @handles(Assembly.Created)
    def _assembly(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(assemblies.insert().values(slug=e.slug, title=e.title,
                                                held_on=e.held_on, place=e.place,
                                                response_due=e.response_due))


@dataclass(frozen=True)
class Figures:
    """How a topic, owner or assembly is doing, as of one day."""

    issues: int
    commitments: int
    delivered: int
    overdue: int


@dataclass(frozen=True)
class ReferenceView:
    kind: str
    slug: str
    name: str
    detail: str
    held_on: date | None
    figures: Figures


def names(conn: Connection) -> dict[str, str]:
    """Every slug's display name (topics, owners and assemblies share no slugs by kind)."""
    result: dict[str, str] = {}
    for table, column in ((topics, topics.c.name), (owners, owners.c.name),
                          (assemblies, assemblies.c.title)):
        result.update({slug: name for slug, name in conn.execute(
            select(table.c.slug, column))})
    return result


@dataclass(frozen=True)
class Choice:
    """A topic, owner or assembly as a filter offers it: no figures to count."""

    slug: str
    name: str


@dataclass(frozen=True)
class Choices:
    topics: list[Choice]
    owners: list[Choice]
    assemblies: list[Choice]


def choices(conn: Connection) -> Choices:
    """Every topic, owner and assembly to filter by, in the order their lists give them:
    three queries, where the lists with their figures take two per item."""
    return Choices(
        topics=[Choice(r.slug, r.name) for r in conn.execute(
            select(topics.c.slug, topics.c.name).order_by(topics.c.name))],
        owners=[Choice(r.slug, r.name) for r in conn.execute(
            select(owners.c.slug, owners.c.name).order_by(owners.c.name))],
        assemblies=[Choice(r.slug, r.title) for r in conn.execute(
            select(assemblies.c.slug, assemblies.c.title)
            .order_by(assemblies.c.held_on.desc()))],
    )


def _figures(conn: Connection, today: date, issue_filter: Any,
             commitment_filter: Any) -> Figures:
    issue_count = conn.execute(select(func.count()).select_from(issues).where(
        issue_filter, issues.c.hidden_reason.is_(None))).scalar_one()
    joined = commitments.join(issues, issues.c.number == commitments.c.issue_number)
    rows = conn.execute(select(
        func.count(),
        func.count().filter(commitments.c.status == "delivered"),
        func.count().filter(overdue_clause(today)),
    ).select_from(joined).where(commitment_filter)).one()
    return Figures(issues=issue_count, commitments=rows[0], delivered=rows[1], overdue=rows[2])


def _only(query: Any, table: Table, slug: str | None) -> Any:
    return query if slug is None else query.where(table.c.slug == slug)


def list_topics(conn: Connection, today: date, slug: str | None = None) -> list[ReferenceView]:
    return [ReferenceView("topic", r.slug, r.name, "", None, _figures(
        conn, today, issues.c.topic == r.slug, issues.c.topic == r.slug))
        for r in conn.execute(_only(select(topics), topics, slug).order_by(topics.c.name))]


def list_owners(conn: Connection, today: date, slug: str | None = None) -> list[ReferenceView]:
    return [ReferenceView("owner", r.slug, r.name, _owner_detail(r.role, r.kind), None, _figures(
        conn, today, issues.c.number.in_(select(commitments.c.issue_number).where(
            commitments.c.owner == r.slug)) | (issues.c.lead == r.slug),
        commitments.c.owner == r.slug))
        for r in conn.execute(_only(select(owners), owners, slug).order_by(owners.c.name))]


def _owner_detail(role: str, kind: str) -> str:
    if kind != "external":
        return role
    return f"External body: {role}" if role else "External body"


def list_assemblies(conn: Connection, today: date,
                    slug: str | None = None) -> list[ReferenceView]:
    return [ReferenceView("assembly", r.slug, r.title, r.place, r.held_on, _figures(
        conn, today, issues.c.assembly == r.slug, issues.c.assembly == r.slug))
        for r in conn.execute(_only(select(assemblies), assemblies, slug)
                              .order_by(assemblies.c.held_on.desc()))]


def get_reference(conn: Connection, kind: str, slug: str,
                  today: date) -> ReferenceView | None:
    """One topic, owner or assembly with its figures (only its own figures are counted)."""
    listing = {"topic": list_topics, "owner": list_owners, "assembly": list_assemblies}[kind]
    return next(iter(listing(conn, today, slug)), None)
