"""The "what changed" timeline: one row per public event, with its sentence and context.

Rows carry the topic, owner and assembly the event related to at the time, so the timeline
(and the feeds built on it) can be filtered by them without joins. Support is stored too
(the open-data export and an issue's full history include it) but is left out of "what
changed": hundreds of "someone added their support" lines would bury the commitments.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    DateTime,
    Integer,
    Select,
    String,
    Table,
    Text,
    bindparam,
    select,
)

from tracker.domain.issue import Issue
from tracker.domain.reference import Assembly, Owner, Topic
from tracker.projections.base import Projection, metadata
from tracker.projections.reference import names
from tracker.projections.sentences import TYPE_KEYS, public_fields, sentence

entries = Table(
    "timeline_entries", metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("issue_number", Integer, nullable=False, index=True),
    Column("entry", Integer, nullable=False),
    Column("type", String(40), nullable=False, index=True),
    Column("actor_role", String(20), nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, index=True),
    Column("sentence", Text, nullable=False),
    Column("issue_title", String(200), nullable=False),
    Column("topic", String(80), index=True),
    Column("owner", String(80), index=True),
    Column("assembly", String(80), index=True),
    Column("commitment", Integer),
    Column("corrects", Integer),
    Column("fields", Text, nullable=False),
)


# What the timeline needs to know about each issue as events arrive.
context = Table(
    "timeline_context", metadata,
    Column("issue_id", String(32), primary_key=True),
    Column("number", Integer, nullable=False),
    Column("title", String(200), nullable=False),
    Column("topic", String(80)),
    Column("assembly", String(80)),
    Column("lead", String(80)),
    Column("owners", Text, nullable=False, default="{}"),  # commitment number -> owner slug
)

NOT_WHAT_CHANGED = ("supported",)


_INSERT_ENTRY = entries.insert()
_ENTRY_COLUMNS = tuple(c.name for c in entries.c)
_COPY_ENTRIES = "COPY {table} (" + ", ".join(_ENTRY_COLUMNS) + ") FROM STDIN"
_INSERT_CONTEXT = context.insert()
_SELECT_CONTEXT = select(context).where(context.c.issue_id == bindparam("key"))


def _copy_entries(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: a batch's entries in one COPY, in the batch's transaction. There is an
    entry for every event, so this is most of a rebuild's writing, and COPY moves rows
    without a statement per row (rebuild went from about 14,000 to 17,000-21,000 events/s)."""
    # Raw SQL: name the schema a rebuild's shadow maps the tables to, as SQLAlchemy would.
    schema = (conn.get_execution_options().get("schema_translate_map") or {}).get(None)
    table = f'"{schema}".timeline_entries' if schema else "timeline_entries"
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(_COPY_ENTRIES.format(table=table)) as copy:
        for row in rows:
            copy.write_row([row[name] for name in _ENTRY_COLUMNS])


class TimelineProjection(Projection):
    name = "timeline"
    tables = (entries, context)

    def __init__(self) -> None:
        self._names: dict[str, str] | None = None  # slug -> display name, loaded once
        # Within one batch only (another process may project the next one): each issue's
        # context read once, and the entries inserted together at the end.
        self._contexts: dict[str, dict[str, Any]] = {}
        # Contexts of issues submitted in this batch: inserted at its end with their final
        # values, so their later events in the batch neither read nor update them.
        self._new_contexts: dict[str, dict[str, Any]] = {}
        self._pending: list[dict[str, Any]] = []

    def finish_batch(self, conn: Connection) -> None:
        if self._new_contexts:
            conn.execute(_INSERT_CONTEXT, list(self._new_contexts.values()))
        if self._pending:
            if conn.dialect.name == "postgresql":
                _copy_entries(conn, self._pending)
            else:
                conn.execute(_INSERT_ENTRY, self._pending)
        self.abandon_batch()

    def abandon_batch(self) -> None:
        self._contexts = {}
        self._new_contexts = {}
        self._pending = []

    def process(self, conn: Connection, event: Any, position: int) -> None:
        if type(event) not in TYPE_KEYS:
            if isinstance(event, Topic.Created | Owner.Created | Assembly.Created):
                self._names = None  # a new name: read them again when next needed
            return
        if self._names is None:
            self._names = names(conn)
        key = event.originator_id.hex
        if isinstance(event, Issue.Submitted):
            self._contexts[key] = self._new_contexts[key] = {
                "issue_id": key, "number": event.number, "title": event.title,
                "owners": "{}", "topic": None, "assembly": None, "lead": None}
        ctx = self._contexts.get(key)
        if ctx is None:
            ctx = self._contexts[key] = dict(
                conn.execute(_SELECT_CONTEXT, {"key": key}).mappings().one())
        owners = json.loads(ctx["owners"])
        changes = self._context_changes(event, ctx, owners)
        if changes:
            if key not in self._new_contexts:
                conn.execute(context.update().where(context.c.issue_id == key)
                             .values(**changes))
            ctx.update(changes)
        commitment = getattr(event, "commitment", None)
        owner = (owners.get(str(commitment)) if commitment else None) or (
            event.lead or None if isinstance(event, Issue.BoardResponded) else None)
        # Values as parameters, not in the statement: one INSERT for the whole batch.
        self._pending.append(dict(
            position=position, issue_number=ctx["number"], entry=event.originator_version,
            type=TYPE_KEYS[type(event)], actor_role=event.actor_role,
            occurred_on=event.occurred_on, recorded_at=event.timestamp,
            sentence=sentence(event, self._names), issue_title=ctx["title"],
            topic=ctx["topic"], owner=owner, assembly=getattr(event, "assembly", None) or
            ctx["assembly"], commitment=commitment,
            corrects=event.entry if isinstance(event, Issue.Corrected) else None,
            fields=json.dumps(public_fields(event), sort_keys=True)))

    @staticmethod
    def _context_changes(event: Any, ctx: dict[str, Any],
                         owners: dict[str, str]) -> dict[str, Any]:
        if isinstance(event, Issue.TopicAssigned):
            return {"topic": event.topic}
        if isinstance(event, Issue.Scheduled):
            return {"assembly": event.assembly}
        if isinstance(event, Issue.BoardResponded) and event.lead:
            return {"lead": event.lead}
        if isinstance(event, Issue.CommitmentMade):
            owners[str(event.commitment)] = event.owner
            return {"owners": json.dumps(owners, sort_keys=True)}
        return {}


@dataclass(frozen=True)
class TimelineEntry:
    position: int
    issue_number: int
    issue_title: str
    entry: int
    type: str
    actor_role: str
    occurred_on: date
    recorded_at: datetime
    sentence: str
    topic: str | None
    owner: str | None
    assembly: str | None
    commitment: int | None
    corrects: int | None
    fields: dict[str, Any]


def to_entry(row: Any) -> TimelineEntry:
    recorded = row["recorded_at"]
    return TimelineEntry(
        position=row["position"], issue_number=row["issue_number"],
        issue_title=row["issue_title"], entry=row["entry"], type=row["type"],
        actor_role=row["actor_role"], occurred_on=row["occurred_on"],
        recorded_at=recorded if recorded.tzinfo else recorded.replace(tzinfo=UTC),
        sentence=row["sentence"], topic=row["topic"], owner=row["owner"],
        assembly=row["assembly"], commitment=row["commitment"], corrects=row["corrects"],
        fields=json.loads(row["fields"]))


@dataclass(frozen=True)
class TimelineFilter:
    issue: int | None = None
    topic: str | None = None
    owner: str | None = None
    assembly: str | None = None


def what_changed_query(where: TimelineFilter) -> Select[Any]:
    """The "what changed" rows for a filter, unordered (pages and feeds order them)."""
    query = select(entries).where(entries.c.type.not_in(NOT_WHAT_CHANGED))
    if where.issue is not None:
        query = query.where(entries.c.issue_number == where.issue)
    if where.topic:
        query = query.where(entries.c.topic == where.topic)
    if where.owner:
        query = query.where(entries.c.owner == where.owner)
    if where.assembly:
        query = query.where(entries.c.assembly == where.assembly)
    return query


def what_changed(conn: Connection, where: TimelineFilter = TimelineFilter(),
                 before: int | None = None, limit: int = 50) -> list[TimelineEntry]:
    """Newest first; page with ``before`` = the last position of the previous page."""
    query = what_changed_query(where)
    if before is not None:
        query = query.where(entries.c.position < before)
    rows = conn.execute(query.order_by(entries.c.position.desc()).limit(limit)).mappings()
    return [to_entry(r) for r in rows]


def history(conn: Connection, number: int) -> list[TimelineEntry]:
    """An issue's whole public story, oldest first (support included)."""
    rows = conn.execute(select(entries).where(entries.c.issue_number == number)
                        .order_by(entries.c.position)).mappings()
    return [to_entry(r) for r in rows]


def all_entries(conn: Connection, after: int = 0, limit: int = 1000) -> list[TimelineEntry]:
    """Every entry in log order, a page at a time (for the open-data export)."""
    rows = conn.execute(select(entries).where(entries.c.position > after)
                        .order_by(entries.c.position).limit(limit)).mappings()
    return [to_entry(r) for r in rows]


def newest_recorded_at(conn: Connection) -> datetime | None:
    from sqlalchemy import func

    value: datetime | None = conn.execute(
        select(func.max(entries.c.recorded_at))).scalar_one_or_none()
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
