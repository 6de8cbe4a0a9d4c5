"""Who recorded each entry: the account behind every public entry, for admins only.

The public record names an entry's role, never its account; this read model keeps the
account id each event carries (``actor_id``) beside the entry's position, so the staff
audit page can say which account did what and when. No public page, feed, export or static
file reads it. Supports are left out: their actor is a citizen's pseudonymous id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, Integer, String, Table, select

from tracker.domain.issue import Issue
from tracker.projections.base import Projection, handles, metadata
from tracker.projections.sentences import TYPE_KEYS
from tracker.projections.timeline import entries

entry_actors = Table(
    "entry_actors", metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("issue_id", String(32), nullable=False, index=True),
    Column("issue_number", Integer, nullable=False),
    Column("actor_id", String(100), nullable=False, index=True),
)

RECORDED = tuple(kind for kind in TYPE_KEYS if kind is not Issue.Supported)


class AuditProjection(Projection):
    name = "audit"
    tables = (entry_actors,)

    def __init__(self) -> None:
        self._numbers: dict[Any, int] = {}  # aggregate id -> issue number, as seen

    @handles(*RECORDED)
    def _recorded(self, conn: Connection, e: Any, position: int) -> None:
        if isinstance(e, Issue.Submitted):
            self._numbers[e.originator_id] = e.number
        number = self._numbers.get(e.originator_id)
        if number is None:
            number = int(conn.execute(select(entry_actors.c.issue_number).where(
                entry_actors.c.issue_id == e.originator_id.hex).limit(1)).scalar_one())
            self._numbers[e.originator_id] = number
        self.bulk.insert(entry_actors, position, {
            "position": position, "issue_id": e.originator_id.hex, "issue_number": number,
            "actor_id": str(e.actor_id)[:100]})


@dataclass(frozen=True)
class AuditRow:
    position: int
    issue: int
    entry: int
    type: str
    actor_id: str
    actor_role: str
    occurred_on: date
    recorded_at: datetime
    sentence: str


def audit_rows(conn: Connection, actor_id: str | None = None, before: int | None = None,
               limit: int = 100) -> list[AuditRow]:
    """Entries newest first, with the account that recorded each; ``actor_id`` keeps one
    account's, ``before`` pages on."""
    query = select(entries.c.position, entries.c.issue_number, entries.c.entry,
                   entries.c.type, entry_actors.c.actor_id, entries.c.actor_role,
                   entries.c.occurred_on, entries.c.recorded_at, entries.c.sentence) \
        .select_from(entries.join(entry_actors, entry_actors.c.position == entries.c.position))
    if actor_id:
        query = query.where(entry_actors.c.actor_id == actor_id)
    if before:
        query = query.where(entries.c.position < before)
    rows = conn.execute(query.order_by(entries.c.position.desc()).limit(limit))
    return [AuditRow(*r) for r in rows]
