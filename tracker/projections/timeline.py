"""The "what changed" timeline: one row per public event, with its sentence and context.

Rows carry the topic, owner and assembly the event related to at the time, so the timeline
(and the feeds built on it) can be filtered by them without joins. Support is stored too
(the open-data export includes it) but is left out of "what changed" and of an issue's
history: hundreds of "someone added their support" lines would bury the commitments, and the
issue's supporter count says what they say.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Index,
    Integer,
    Select,
    String,
    Table,
    Text,
    bindparam,
    false,
    literal_column,
    select,
)

from tracker.domain.issue import Issue
from tracker.domain.reference import Assembly, Owner, Topic
from tracker.projections.base import Projection, metadata
from tracker.projections.reference import names
from tracker.projections.sentences import TYPE_KEYS, public_fields, sentence
from tracker.projections.withheld import WITHHELD_TITLE, withheld_sentence, withhold_fields

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
    # True while the issue is hidden: sentence, title and text fields are placeholders.
    Column("withheld", Boolean, nullable=False, default=False, server_default=false()),
)

# The words of entries of hidden issues, out of the public rows until a restore (see
# withheld.py): never read by a public query.
withheld_entries = Table(
    "timeline_withheld", metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("sentence", Text, nullable=False),
    Column("issue_title", String(200), nullable=False),
    Column("fields", Text, nullable=False),
)
# Each citizen's "was it delivered?" answer is counted on its commitment and kept in the
# issue's history; what changed shows the challenges' answers, not every answer.
NOT_WHAT_CHANGED = ("supported", "citizen_answered")
# An issue's story without its supports, in order: a page of it costs the same whether the
# issue has ten supporters or a hundred thousand. The value is written into the statement,
# not bound, so that both databases' planners can see the partial index applies.
_STORY = entries.c.type != literal_column("'supported'")
Index("ix_timeline_entries_story", entries.c.issue_number, entries.c.entry,
      sqlite_where=_STORY, postgresql_where=_STORY)


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
    Column("hidden", Boolean, nullable=False, default=False, server_default=false()),
)


_INSERT_ENTRY = entries.insert()
_ENTRY_COLUMNS = tuple(c.name for c in entries.c)
_COPY_ENTRIES = "COPY {table} (" + ", ".join(_ENTRY_COLUMNS) + ") FROM STDIN"
_INSERT_CONTEXT = context.insert()
_SELECT_CONTEXT = select(context).where(context.c.issue_id == bindparam("key"))
# What withholding replaces in an entry, and puts back.
_WORDS = ("sentence", "issue_title", "fields")
_REWRITE_ENTRY = entries.update().where(entries.c.position == bindparam("p")).values(
    **{k: bindparam(f"x_{k}") for k in (*_WORDS, "withheld")})


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
    tables = (entries, context, withheld_entries)

    def __init__(self) -> None:
        self._names: dict[str, str] | None = None  # slug -> display name, loaded once
        # Within one batch only (another process may project the next one): each issue's
        # context read once, and the entries inserted together at the end.
        self._contexts: dict[str, dict[str, Any]] = {}
        # Contexts of issues submitted in this batch: inserted at its end with their final
        # values, so their later events in the batch neither read nor update them.
        self._new_contexts: dict[str, dict[str, Any]] = {}
        self._pending: list[dict[str, Any]] = []
        # The words of pending entries written withheld, by position: stored with them.
        self._held: dict[int, dict[str, Any]] = {}

    def finish_batch(self, conn: Connection) -> None:
        if self._new_contexts:
            conn.execute(_INSERT_CONTEXT, list(self._new_contexts.values()))
        if self._pending:
            if conn.dialect.name == "postgresql":
                _copy_entries(conn, self._pending)
            else:
                conn.execute(_INSERT_ENTRY, self._pending)
        if self._held:
            conn.execute(withheld_entries.insert(), list(self._held.values()))
        self.abandon_batch()

    def abandon_batch(self) -> None:
        self._contexts = {}
        self._new_contexts = {}
        self._pending = []
        self._held = {}

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
                "owners": "{}", "topic": None, "assembly": None, "lead": None,
                "hidden": False}
        ctx = self._contexts.get(key)
        if ctx is None:
            ctx = self._contexts[key] = dict(
                conn.execute(_SELECT_CONTEXT, {"key": key}).mappings().one())
        owners = json.loads(ctx["owners"])
        if isinstance(event, Issue.Hidden) and not ctx["hidden"]:
            self._withhold(conn, ctx["number"])
        elif isinstance(event, Issue.Restored) and ctx["hidden"]:
            self._give_back(conn, ctx["number"])
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
        row = dict(
            position=position, issue_number=ctx["number"], entry=event.originator_version,
            type=TYPE_KEYS[type(event)], actor_role=event.actor_role,
            occurred_on=event.occurred_on, recorded_at=event.timestamp,
            sentence=sentence(event, self._names), issue_title=ctx["title"],
            topic=ctx["topic"], owner=owner, assembly=getattr(event, "assembly", None) or
            ctx["assembly"], commitment=commitment,
            corrects=event.entry if isinstance(event, Issue.Corrected) else None,
            fields=json.dumps(public_fields(event), sort_keys=True), withheld=False)
        self._pending.append(self._withheld_row(row) if ctx["hidden"] else row)

    # -- hidden means withdrawn (see withheld.py) -----------------------------------------

    def _withheld_row(self, row: dict[str, Any]) -> dict[str, Any]:
        """A pending entry as it shows while its issue is hidden; its words kept aside."""
        self._held[row["position"]] = {k: row[k] for k in ("position", *_WORDS)}
        fields = withhold_fields(row["type"], json.loads(row["fields"]))
        return {**row, "issue_title": WITHHELD_TITLE, "withheld": True,
                "sentence": withheld_sentence(row["type"], fields, self._names or {}),
                "fields": json.dumps(fields, sort_keys=True)}

    def _withhold(self, conn: Connection, number: int) -> None:
        """Every entry of the issue so far, pending or stored, written withheld."""
        self._pending = [self._withheld_row(r) if r["issue_number"] == number and
                         not r["withheld"] else r for r in self._pending]
        stored = conn.execute(select(entries.c.position, entries.c.type,
                                     *(entries.c[k] for k in _WORDS)).where(
            entries.c.issue_number == number, entries.c.withheld == false())).mappings().all()
        if not stored:
            return
        conn.execute(withheld_entries.insert(), [
            {k: r[k] for k in ("position", *_WORDS)} for r in stored])
        changed = []
        for r in stored:
            fields = withhold_fields(r["type"], json.loads(r["fields"]))
            changed.append({"p": r["position"], "x_fields": json.dumps(fields, sort_keys=True),
                            "x_sentence": withheld_sentence(r["type"], fields,
                                                            self._names or {}),
                            "x_issue_title": WITHHELD_TITLE, "x_withheld": True})
        conn.execute(_REWRITE_ENTRY, changed)

    def _give_back(self, conn: Connection, number: int) -> None:
        """Every entry of the issue so far, pending or stored, with its words again."""
        pending = []
        for r in self._pending:
            if r["issue_number"] == number and r["withheld"]:
                r = {**r, **self._held.pop(r["position"]), "withheld": False}
            pending.append(r)
        self._pending = pending
        stored = conn.execute(select(withheld_entries).join(
            entries, entries.c.position == withheld_entries.c.position).where(
            entries.c.issue_number == number)).mappings().all()
        if not stored:
            return
        conn.execute(_REWRITE_ENTRY, [
            {"p": r["position"], "x_withheld": False, **{f"x_{k}": r[k] for k in _WORDS}}
            for r in stored])
        conn.execute(withheld_entries.delete().where(withheld_entries.c.position.in_(
            [r["position"] for r in stored])))

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
        if isinstance(event, Issue.CommitmentAmended) and event.field == "owner":
            owners[str(event.commitment)] = event.after
            return {"owners": json.dumps(owners, sort_keys=True)}
        if isinstance(event, Issue.Hidden | Issue.Restored):
            return {"hidden": isinstance(event, Issue.Hidden)}
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
    withheld: bool = False


def to_entry(row: Any) -> TimelineEntry:
    recorded = row["recorded_at"]
    return TimelineEntry(
        position=row["position"], issue_number=row["issue_number"],
        issue_title=row["issue_title"], entry=row["entry"], type=row["type"],
        actor_role=row["actor_role"], occurred_on=row["occurred_on"],
        recorded_at=recorded if recorded.tzinfo else recorded.replace(tzinfo=UTC),
        sentence=row["sentence"], topic=row["topic"], owner=row["owner"],
        assembly=row["assembly"], commitment=row["commitment"], corrects=row["corrects"],
        fields=json.loads(row["fields"]), withheld=bool(row["withheld"]))


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


def history(conn: Connection, number: int, after: int = 0,
            limit: int | None = None) -> list[TimelineEntry]:
    """An issue's public story, oldest first, from the entry after ``after``.

    Supports are left out: an issue can have any number of them, and its ``supporters``
    count says all they say. The entries keep their own numbers (gaps where supports were).
    """
    query = (select(entries).where(entries.c.issue_number == number,
                                   entries.c.entry > after, _STORY)
             .order_by(entries.c.entry))
    if limit is not None:
        query = query.limit(limit)
    return [to_entry(r) for r in conn.execute(query).mappings()]


def has_history(conn: Connection, number: int) -> bool:
    """Whether the issue has any entry at all (it exists and has been projected)."""
    return conn.execute(select(entries.c.position).where(entries.c.issue_number == number)
                        .limit(1)).first() is not None


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
