"""Accounts of the secretariat, moderators and admins, and their API tokens.

Not events: accounts are operational data, not part of the public record, and a token must
be revocable for good. Tokens are random (256 bits), shown once, and stored only as a
SHA-256 digest: for a secret of that strength a slow hash adds nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    func,
    select,
    update,
)

from tracker.domain.errors import InvalidValue
from tracker.domain.values import Actor, Role, required_text

STAFF_ROLES = (Role.SECRETARIAT, Role.MODERATOR, Role.ADMIN)

private_metadata = MetaData()

accounts = Table(
    "accounts",
    private_metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

tokens = Table(
    "api_tokens",
    private_metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, nullable=False, index=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: Role

    @property
    def actor(self) -> Actor:
        # The public record names the account by number only, never by a person's name.
        return Actor(account_id=f"account-{self.id}", role=self.role)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """Create accounts, issue tokens, and find the account behind a token."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_tables(self) -> None:
        private_metadata.create_all(self.engine)

    def add(self, name: str, role: str) -> tuple[Account, str]:
        """Create an account and its first token; the token is returned once, never stored."""
        name = required_text(name, "name", 100)
        try:
            chosen = Role(role)
        except ValueError:
            chosen = None
        if chosen not in STAFF_ROLES:
            raise InvalidValue("role must be secretariat, moderator or admin", field="role")
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            if conn.execute(select(accounts.c.id).where(accounts.c.name == name)).first():
                raise InvalidValue(f"An account named '{name}' already exists", field="name")
            inserted = conn.execute(accounts.insert().values(
                name=name, role=str(chosen), created_at=now)).inserted_primary_key
            assert inserted is not None
            account_id = int(inserted[0])
            token = secrets.token_urlsafe(32)
            conn.execute(tokens.insert().values(account_id=account_id, digest=_digest(token),
                                                created_at=now))
        return Account(account_id, name, Role(chosen)), token

    def list(self) -> list[AccountListing]:
        """Every account with its number of live tokens and when one was last used."""
        with self.engine.connect() as conn:
            return _listing(conn)

    def new_token(self, name: str) -> str:
        """Issue another token for an account; shown once, stored as a digest."""
        with self.engine.begin() as conn:
            account_id = self._id(conn, name)
            token = secrets.token_urlsafe(32)
            conn.execute(tokens.insert().values(account_id=account_id, digest=_digest(token),
                                                created_at=datetime.now(UTC)))
        return token

    def revoke(self, name: str) -> int:
        """Revoke every live token of an account; returns how many."""
        with self.engine.begin() as conn:
            account_id = self._id(conn, name)
            result = conn.execute(update(tokens).where(
                tokens.c.account_id == account_id, tokens.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC)))
        return int(result.rowcount or 0)

    @staticmethod
    def _id(conn: Any, name: str) -> int:
        found = conn.execute(select(accounts.c.id).where(accounts.c.name == name)).scalar()
        if found is None:
            raise InvalidValue(f"There is no account named '{name}'", field="name")
        return int(found)

    def authenticate(self, token: str) -> Account | None:
        """The account behind a live token, recording when it was last used."""
        digest = _digest(token)
        with self.engine.begin() as conn:
            row = conn.execute(
                select(tokens.c.id, accounts.c.id, accounts.c.name, accounts.c.role)
                .join(accounts, accounts.c.id == tokens.c.account_id)
                .where(tokens.c.digest == digest, tokens.c.revoked_at.is_(None))).first()
            if row is None:
                return None
            conn.execute(update(tokens).where(tokens.c.id == row[0])
                         .values(last_used_at=datetime.now(UTC)))
        return Account(row[1], row[2], Role(row[3]))


@dataclass(frozen=True)
class AccountListing:
    name: str
    role: str
    live_tokens: int
    last_used_at: datetime | None


def _listing(conn: Any) -> list[AccountListing]:
    rows = conn.execute(select(
        accounts.c.name, accounts.c.role,
        func.count(tokens.c.id).filter(tokens.c.revoked_at.is_(None)),
        func.max(tokens.c.last_used_at),
    ).select_from(accounts.outerjoin(tokens, tokens.c.account_id == accounts.c.id))
        .group_by(accounts.c.id).order_by(accounts.c.name)).all()
    return [AccountListing(r[0], r[1], r[2], r[3]) for r in rows]
