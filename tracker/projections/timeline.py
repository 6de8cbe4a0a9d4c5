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
from tracker.projections.base import Projection, handles, metadata
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


_SELECT_CONTEXT = select(context).where(context.c.issue_id == bindparam("key"))
# What withholding replaces in an entry, and puts back.
_WORDS = ("sentence", "issue_title", "fields")
_REWRITE_ENTRY = entries.update().where(entries.c.position == bindparam("p")).values(
    **{k: bindparam(f"x_{k}") for k in (*_WORDS, "withheld")})
# Events that change what the timeline knows of their issue, each with a handler of its own;
# every other public event only adds its entry.
_CHANGING_CONTEXT = (Issue.Submitted, Issue.Hidden, Issue.Restored, Issue.TopicAssigned,
                     Issue.Scheduled, Issue.BoardResponded, Issue.CommitmentMade,
                     Issue.CommitmentAmended)
_ENTRY_ONLY = tuple(kind for kind in TYPE_KEYS if kind not in _CHANGING_CONTEXT)


class TimelineProjection(Projection):
    """An entry for every public event, held and written once per batch (on PostgreSQL with
    COPY: there is an entry for every event, so this is most of a rebuild's writing)."""

    name = "timeline"
    tables = (entries, context, withheld_entries)

    def __init__(self) -> None:
        self._names: dict[str, str] | None = None  # slug -> display name, loaded once
        # Within one batch only (another process may project the next one): each issue's
        # context, read once. Contexts of issues submitted in the batch are held new rows,
        # inserted at its end with their final values.
        self._contexts: dict[str, dict[str, Any]] = {}

    def end_batch(self) -> None:
        self._contexts = {}

    @handles(Topic.Created, Owner.Created, Assembly.Created)
    def _named(self, conn: Connection, e: Any, position: int) -> None:
        self._names = None  # a new name: read them again when next needed

    @handles(*_ENTRY_ONLY)
    def _entry(self, conn: Connection, e: Any, position: int) -> None:
        self._add(conn, e, position, self._context(conn, e))

    @handles(Issue.Submitted)
    def _submitted(self, conn: Connection, e: Issue.Submitted, position: int) -> None:
        key = e.originator_id.hex
        ctx = self._contexts[key] = self.bulk.insert(context, key, {
            "issue_id": key, "number": e.number, "title": e.title, "owners": "{}",
            "topic": None, "assembly": None, "lead": None, "hidden": False})
        self._add(conn, e, position, ctx)

    @handles(Issue.Hidden)
    def _hidden(self, conn: Connection, e: Issue.Hidden, position: int) -> None:
        ctx = self._context(conn, e)
        if not ctx["hidden"]:
            self._withhold(conn, ctx["number"])
            self._change(conn, ctx, hidden=True)
        self._add(conn, e, position, ctx)

    @handles(Issue.Restored)
    def _restored(self, conn: Connection, e: Issue.Restored, position: int) -> None:
        ctx = self._context(conn, e)
        if ctx["hidden"]:
            self._give_back(conn, ctx["number"])
            self._change(conn, ctx, hidden=False)
        self._add(conn, e, position, ctx)

    @handles(Issue.TopicAssigned)
    def _topic(self, conn: Connection, e: Issue.TopicAssigned, position: int) -> None:
        ctx = self._context(conn, e)
        self._change(conn, ctx, topic=e.topic)
        self._add(conn, e, position, ctx)

    @handles(Issue.Scheduled)
    def _scheduled(self, conn: Connection, e: Issue.Scheduled, position: int) -> None:
        ctx = self._context(conn, e)
        self._change(conn, ctx, assembly=e.assembly)
        self._add(conn, e, position, ctx)

    @handles(Issue.BoardResponded)
    def _responded(self, conn: Connection, e: Issue.BoardResponded, position: int) -> None:
        ctx = self._context(conn, e)
        if e.lead:
            self._change(conn, ctx, lead=e.lead)
        self._add(conn, e, position, ctx, owner=e.lead or None)

    @handles(Issue.CommitmentMade)
    def _commitment_made(self, conn: Connection, e: Issue.CommitmentMade,
                         position: int) -> None:
        ctx = self._context(conn, e)
        self._set_owner(conn, ctx, e.commitment, e.owner)
        self._add(conn, e, position, ctx)

    @handles(Issue.CommitmentAmended)
    def _amended(self, conn: Connection, e: Issue.CommitmentAmended, position: int) -> None:
        ctx = self._context(conn, e)
        if e.field == "owner":
            self._set_owner(conn, ctx, e.commitment, e.after)
        self._add(conn, e, position, ctx)

    # -- helpers -------------------------------------------------------------------------

    def _context(self, conn: Connection, e: Any) -> dict[str, Any]:
        key = e.originator_id.hex
        ctx = self._contexts.get(key)
        if ctx is None:
            ctx = self._contexts[key] = dict(
                conn.execute(_SELECT_CONTEXT, {"key": key}).mappings().one())
        return ctx

    def _change(self, conn: Connection, ctx: dict[str, Any], **changes: Any) -> None:
        key = ctx["issue_id"]
        if self.bulk.held(context, key) is None:  # stored: a rare event, written at once
            conn.execute(context.update().where(context.c.issue_id == key).values(**changes))
        ctx.update(changes)

    def _set_owner(self, conn: Connection, ctx: dict[str, Any], commitment: int,
                   owner: str) -> None:
        owners = json.loads(ctx["owners"])
        owners[str(commitment)] = owner
        self._change(conn, ctx, owners=json.dumps(owners, sort_keys=True))

    def _add(self, conn: Connection, e: Any, position: int, ctx: dict[str, Any],
             owner: str | None = None) -> None:
        """Hold the event's entry, as it shows now (withheld while its issue is hidden)."""
        if self._names is None:
            self._names = names(conn)
        commitment = getattr(e, "commitment", None)
        if commitment:
            owner = json.loads(ctx["owners"]).get(str(commitment)) or owner
        row = dict(
            position=position, issue_number=ctx["number"], entry=e.originator_version,
            type=TYPE_KEYS[type(e)], actor_role=e.actor_role,
            occurred_on=e.occurred_on, recorded_at=e.timestamp,
            sentence=sentence(e, self._names), issue_title=ctx["title"],
            topic=ctx["topic"], owner=owner, assembly=getattr(e, "assembly", None) or
            ctx["assembly"], commitment=commitment,
            corrects=e.entry if isinstance(e, Issue.Corrected) else None,
            fields=json.dumps(public_fields(e), sort_keys=True), withheld=False)
        self.bulk.insert(entries, position, self._withheld_row(row) if ctx["hidden"] else row)

    # -- hidden means withdrawn (see withheld.py) -----------------------------------------

    def _withheld_row(self, row: dict[str, Any]) -> dict[str, Any]:
        """A held entry as it shows while its issue is hidden; its words held aside."""
        self.bulk.insert(withheld_entries, row["position"],
                         {k: row[k] for k in ("position", *_WORDS)})
        fields = withhold_fields(row["type"], json.loads(row["fields"]))
        return {**row, "issue_title": WITHHELD_TITLE, "withheld": True,
                "sentence": withheld_sentence(row["type"], fields, self._names or {}),
                "fields": json.dumps(fields, sort_keys=True)}

    def _withhold(self, conn: Connection, number: int) -> None:
        """Every entry of the issue so far, held or stored, written withheld."""
        held = self.bulk.rows(entries)
        for position, row in held.items():
            if row["issue_number"] == number and not row["withheld"]:
                held[position] = self._withheld_row(row)
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
        """Every entry of the issue so far, held or stored, with its words again."""
        held = self.bulk.rows(entries)
        for position, row in held.items():
            if row["issue_number"] == number and row["withheld"]:
                words = self.bulk.discard(withheld_entries, position) or {}
                held[position] = {**row, **words, "withheld": False}
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
