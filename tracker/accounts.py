"""Accounts of the secretariat, moderators and admins: API tokens, passwords, sessions.

Not events: accounts are operational data, not part of the public record, and a token must
be revocable for good. Tokens and session ids are random (256 bits), shown once, and stored
only as a SHA-256 digest: for a secret of that strength a slow hash adds nothing. Passwords
are chosen by people, so they get a slow, salted hash (argon2id). Every change to an account,
and every login and logout, is entered in the account log (tracker.account_log) in the same
transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    delete,
    func,
    select,
    update,
)

from tracker import account_log
from tracker.account_log import Changer, by_account, operator
from tracker.credentials import MAX_PASSWORD, check_name, check_new_password, shown
from tracker.domain.errors import InvalidValue
from tracker.domain.values import Actor, Role
from tracker.private import private_metadata as private_metadata

STAFF_ROLES = (Role.SECRETARIAT, Role.MODERATOR, Role.ADMIN, Role.ASSESSOR)
# Roles an account may have: the staff's, and an owner's (tied to one owner's slug).
ACCOUNT_ROLES = (*STAFF_ROLES, Role.OWNER)
# A working day, then log in again; a session is also ended by logout and by revoke.
SESSION_HOURS = 8

_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs as long as a wrong
# password and the answer's timing does not tell which names exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

accounts = Table(
    "accounts",
    private_metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("password_hash", String(200)),
    # The owner role's owner (a slug): the only commitments the account may update.
    Column("owner", String(100)),
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

sessions = Table(
    "staff_sessions",
    private_metadata,
    Column("digest", String(64), primary_key=True),
    Column("account_id", Integer, nullable=False, index=True),
    # The form token of this session (CSRF): random, sent in every form, checked on POST.
    Column("form_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: Role
    owner: str | None = None

    @property
    def actor(self) -> Actor:
        # The public record names the account by number only, never by a person's name.
        return Actor(account_id=f"account-{self.id}", role=self.role, owner=self.owner)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """Create accounts, issue tokens, and find the account behind a token."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, name: str, role: str, by: Changer | None = None,
            owner: str | None = None) -> tuple[Account, str]:
        """Create an account and its first token; the token is returned once, never stored.
        An owner account names its owner's slug (the caller checks that the owner exists)."""
        check_name(name)
        try:
            chosen = Role(role)
        except ValueError:
            chosen = None
        if chosen not in ACCOUNT_ROLES:
            raise InvalidValue("role must be secretariat, moderator, admin, assessor or owner",
                               field="role")
        if chosen == Role.OWNER and not owner:
            raise InvalidValue("An owner account names its owner's slug (--owner)",
                               field="owner")
        if chosen != Role.OWNER and owner:
            raise InvalidValue("Only an owner account is tied to an owner", field="owner")
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            # "Sam" beside "sam" would be one person to a reader and two to the tracker.
            same = conn.execute(select(accounts.c.name).where(
                func.lower(accounts.c.name) == name.lower())).scalar()
            if same is not None:
                raise InvalidValue(f"An account named {shown(same)} already exists",
                                   field="name")
            inserted = conn.execute(accounts.insert().values(
                name=name, role=str(chosen), created_at=now, owner=owner)).inserted_primary_key
            assert inserted is not None
            account_id = int(inserted[0])
            token = secrets.token_urlsafe(32)
            conn.execute(tokens.insert().values(account_id=account_id, digest=_digest(token),
                                                created_at=now))
            account_log.record(conn, now, account_id, name, account_log.ADDED,
                               by or operator(), f"role {chosen}"
                               + (f" of owner {owner}" if owner else "")
                               + "; its first token issued")
        return Account(account_id, name, Role(chosen), owner), token

    def list(self) -> list[AccountListing]:
        """Every account with its number of live tokens and when one was last used."""
        with self.engine.connect() as conn:
            return _listing(conn)

    def log(self, name: str | None = None, limit: int = 100,
            before: int | None = None) -> Sequence[account_log.Change]:
        """The account log, newest first: every account's, or one's."""
        with self.engine.connect() as conn:
            account_id = None if name is None else self._id(conn, name)
            return account_log.changes(conn, account_id=account_id, before=before,
                                       limit=limit)

    def new_token(self, name: str, by: Changer | None = None) -> str:
        """Issue another token for an account; shown once, stored as a digest."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            account_id = self._id(conn, name)
            token = secrets.token_urlsafe(32)
            conn.execute(tokens.insert().values(account_id=account_id, digest=_digest(token),
                                                created_at=now))
            account_log.record(conn, now, account_id, name, account_log.TOKEN,
                               by or operator())
        return token

    def revoke(self, name: str, by: Changer | None = None) -> int:
        """Revoke every live token of an account and end its sessions; its password stops
        working too, until a new one is set. Returns how many tokens were revoked."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            account_id = self._id(conn, name)
            result = conn.execute(update(tokens).where(
                tokens.c.account_id == account_id, tokens.c.revoked_at.is_(None))
                .values(revoked_at=now))
            count = int(result.rowcount or 0)
            ended = conn.execute(delete(sessions).where(sessions.c.account_id == account_id))
            conn.execute(update(accounts).where(accounts.c.id == account_id)
                         .values(password_hash=None))
            account_log.record(conn, now, account_id, name, account_log.REVOKED,
                               by or operator(),
                               f"{count} tokens revoked, {int(ended.rowcount or 0)} sessions "
                               "ended, password cleared")
        return count

    def set_password(self, name: str, password: str, by: Changer | None = None) -> None:
        """Set (or replace) an account's password for the staff pages; ends its sessions."""
        check_new_password(password, name)
        digest = _hasher.hash(password)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            account_id = self._id(conn, name)
            conn.execute(update(accounts).where(accounts.c.id == account_id)
                         .values(password_hash=digest))
            ended = conn.execute(delete(sessions).where(sessions.c.account_id == account_id))
            account_log.record(conn, now, account_id, name, account_log.PASSWORD,
                               by or operator(), f"{int(ended.rowcount or 0)} sessions ended")

    def check_password(self, name: str, password: str) -> Account | None:
        """The account when the name and password match, else None (same cost either way)."""
        if len(password) > MAX_PASSWORD:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(accounts.c.id, accounts.c.name, accounts.c.role,
                                      accounts.c.password_hash, accounts.c.owner)
                               .where(accounts.c.name == name)).first()
        stored = row.password_hash if row is not None and row.password_hash else _DUMMY_HASH
        try:
            _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or not row.password_hash:
            return None
        if _hasher.check_needs_rehash(stored):
            with self.engine.begin() as conn:
                conn.execute(update(accounts).where(accounts.c.id == row.id)
                             .values(password_hash=_hasher.hash(password)))
        return Account(row.id, row.name, Role(row.role), row.owner)

    def open_session(self, account: Account) -> tuple[str, str]:
        """A new session for a logged-in account: (session id for the cookie, form token)."""
        session_id = secrets.token_urlsafe(32)
        form_token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            # Expired sessions of anyone are cleared here, so the table cannot grow forever.
            conn.execute(delete(sessions).where(sessions.c.expires_at < now))
            conn.execute(sessions.insert().values(
                digest=_digest(session_id), account_id=account.id, form_token=form_token,
                created_at=now, expires_at=now + timedelta(hours=SESSION_HOURS)))
            account_log.record(conn, now, account.id, account.name, account_log.LOGGED_IN,
                               by_account(account.id, account.name))
        return session_id, form_token

    def session(self, session_id: str) -> tuple[Account, str] | None:
        """The account and form token of a live session, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(accounts.c.id, accounts.c.name, accounts.c.role, sessions.c.form_token,
                       sessions.c.expires_at, accounts.c.owner)
                .join(accounts, accounts.c.id == sessions.c.account_id)
                .where(sessions.c.digest == _digest(session_id))).first()
        if row is None or _aware(row.expires_at) <= datetime.now(UTC):
            return None
        return Account(row.id, row.name, Role(row.role), row.owner), row.form_token

    def close_session(self, session_id: str) -> None:
        with self.engine.begin() as conn:
            row = conn.execute(
                select(accounts.c.id, accounts.c.name)
                .join(sessions, accounts.c.id == sessions.c.account_id)
                .where(sessions.c.digest == _digest(session_id))).first()
            conn.execute(delete(sessions).where(sessions.c.digest == _digest(session_id)))
            if row is not None:
                account_log.record(conn, datetime.now(UTC), row.id, row.name,
                                   account_log.LOGGED_OUT, by_account(row.id, row.name))

    @staticmethod
    def _id(conn: Any, name: str) -> int:
        found = conn.execute(select(accounts.c.id).where(accounts.c.name == name)).scalar()
        if found is None:
            raise InvalidValue(f"There is no account named {shown(name)}", field="name")
        return int(found)

    def owner_of(self, token: str) -> int | None:
        """The id of the account behind a live token, without recording a use."""
        with self.engine.connect() as conn:
            found = conn.execute(select(tokens.c.account_id).where(
                tokens.c.digest == _digest(token), tokens.c.revoked_at.is_(None))).scalar()
        return None if found is None else int(found)

    def authenticate(self, token: str) -> Account | None:
        """The account behind a live token, recording when it was last used."""
        digest = _digest(token)
        with self.engine.begin() as conn:
            row = conn.execute(
                select(tokens.c.id, accounts.c.id, accounts.c.name, accounts.c.role,
                       accounts.c.owner)
                .join(accounts, accounts.c.id == tokens.c.account_id)
                .where(tokens.c.digest == digest, tokens.c.revoked_at.is_(None))).first()
            if row is None:
                return None
            conn.execute(update(tokens).where(tokens.c.id == row[0])
                         .values(last_used_at=datetime.now(UTC)))
        return Account(row[1], row[2], Role(row[3]), row[4])


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for what was stored as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class AccountListing:
    id: int
    name: str
    role: str
    live_tokens: int
    last_used_at: datetime | None
    has_password: bool
    owner: str | None = None


def _listing(conn: Any) -> list[AccountListing]:
    rows = conn.execute(select(
        accounts.c.id, accounts.c.name, accounts.c.role,
        func.count(tokens.c.id).filter(tokens.c.revoked_at.is_(None)),
        func.max(tokens.c.last_used_at),
        accounts.c.password_hash.is_not(None), accounts.c.owner,
    ).select_from(accounts.outerjoin(tokens, tokens.c.account_id == accounts.c.id))
        .group_by(accounts.c.id).order_by(accounts.c.name)).all()
    return [AccountListing(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6]) for r in rows]
