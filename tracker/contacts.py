"""Contact details citizens may leave for replies, and owners' addresses for reminders:
personal data, kept out of the event log.

Events, pages, feeds and exports never see these rows. ``erase`` removes a person's rows for
good; the issues they raised keep their public history, which never named them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Engine, Integer, String, Table, delete, func, select

from tracker.accounts import private_metadata
from tracker.addresses import normalise
from tracker.domain.values import optional_text

contacts = Table(
    "contacts", private_metadata,
    Column("id", Integer, primary_key=True),
    Column("issue_number", Integer, nullable=False, index=True),
    Column("name", String(120), nullable=False, default=""),
    Column("email", String(320), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# An owner's private address for reminders of due and overdue commitments
# (tracker.following.reminders); one per owner.
owner_contacts = Table(
    "owner_contacts", private_metadata,
    Column("owner", String(80), primary_key=True),
    Column("email", String(320), nullable=False, index=True),
    Column("added_at", DateTime(timezone=True), nullable=False),
)


class Contacts:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, issue_number: int, name: str | None, email: str) -> None:
        name = optional_text(name, "contact_name", 120)  # the text rules every text obeys
        with self.engine.begin() as conn:
            conn.execute(contacts.insert().values(
                issue_number=issue_number, name=name or "", email=normalise(email),
                created_at=datetime.now(UTC)))

    def count_for(self, email: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(contacts).where(
                contacts.c.email == normalise(email))).scalar_one())

    def erase(self, email: str) -> int:
        """Delete every row with this address (an owner's too); returns how many there were."""
        address = normalise(email)
        with self.engine.begin() as conn:
            result = conn.execute(delete(contacts).where(contacts.c.email == address))
            owners = conn.execute(delete(owner_contacts).where(
                owner_contacts.c.email == address))
        return int(result.rowcount or 0) + int(owners.rowcount or 0)

    def keep_owner(self, owner: str, email: str) -> None:
        """Keep (or replace) an owner's address for reminders. Raises InvalidAddress."""
        address = normalise(email)
        with self.engine.begin() as conn:
            conn.execute(delete(owner_contacts).where(owner_contacts.c.owner == owner))
            conn.execute(owner_contacts.insert().values(owner=owner, email=address,
                                                        added_at=datetime.now(UTC)))

    def owner_addresses(self) -> dict[str, str]:
        """Every owner's address for reminders, by the owner's slug."""
        with self.engine.connect() as conn:
            return {owner: email for owner, email in conn.execute(
                select(owner_contacts.c.owner, owner_contacts.c.email))}
