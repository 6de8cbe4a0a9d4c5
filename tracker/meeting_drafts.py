"""Meeting drafts: what the secretariat has typed on a meeting page and not yet published.

A private table beside the accounts, one row per assembly: never published, never rebuilt
from events (nothing in it is on the record until it is published as commands). It survives
a restart, so a draft saved before lunch is there after it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, Engine, Integer, String, Table, Text, select

from tracker.private import private_metadata

meeting_drafts = Table(
    "meeting_drafts", private_metadata,
    Column("assembly", String(80), primary_key=True),
    Column("content", Text, nullable=False),  # JSON: see Draft
    Column("saved_at", DateTime(timezone=True), nullable=False),
    Column("saved_by", Integer, nullable=False),  # the account that saved it last
)


@dataclass
class Draft:
    """What was typed, by field name; how many commitment rows each issue shows; and what
    the last publication recorded (shown once, as the confirmation)."""

    values: dict[str, str] = field(default_factory=dict)
    slots: dict[int, int] = field(default_factory=dict)
    published: list[str] = field(default_factory=list)
    saved_at: datetime | None = None

    def dumps(self) -> str:
        return json.dumps({"values": self.values,
                           "slots": {str(k): v for k, v in self.slots.items()},
                           "published": self.published}, sort_keys=True)

    @classmethod
    def loads(cls, text: str, saved_at: datetime | None = None) -> Draft:
        data: dict[str, Any] = json.loads(text)
        return cls(values={str(k): str(v) for k, v in data.get("values", {}).items()},
                   slots={int(k): int(v) for k, v in data.get("slots", {}).items()},
                   published=[str(p) for p in data.get("published", [])], saved_at=saved_at)


class MeetingDrafts:
    """Load and save the draft of one assembly's meeting page."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load(self, assembly: str) -> Draft:
        with self.engine.connect() as conn:
            row = conn.execute(select(meeting_drafts).where(
                meeting_drafts.c.assembly == assembly)).first()
        return Draft() if row is None else Draft.loads(row.content, row.saved_at)

    def save(self, assembly: str, draft: Draft, account_id: int, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(meeting_drafts.delete().where(meeting_drafts.c.assembly == assembly))
            conn.execute(meeting_drafts.insert().values(
                assembly=assembly, content=draft.dumps(), saved_at=now, saved_by=account_id))
