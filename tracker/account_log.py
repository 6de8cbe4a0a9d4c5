"""The account log: who added, changed, revoked, logged in to or out of which account, when.

A private table beside the accounts, written in the same transaction as the change it
records, so a change is never without its entry nor an entry without its change. It names
what was done, never a password or token (not even a digest of one). Admins read it with
``tracker users log`` and on the staff page /admin/accounts.

Who: a staff page's change is made by the account logged in; a command-line change by "the
operator", named by the operating-system account the command ran as (and, under sudo, the
user who ran sudo, as sudo reports it). Whoever can run the command line can also write to
the database directly, so this attributes changes; it does not prove them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, Integer, String, Table, select

from tracker.credentials import printable, shown
from tracker.private import private_metadata

account_changes = Table(
    "account_changes", private_metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("account_id", Integer, nullable=False, index=True),
    Column("account_name", String(100), nullable=False),
    Column("action", String(30), nullable=False),
    Column("detail", String(200), nullable=False),
    Column("by_kind", String(10), nullable=False),
    Column("by_name", String(200), nullable=False),
    Column("by_account", Integer),
)

ADDED, TOKEN, REVOKED, PASSWORD = "added", "token issued", "revoked", "password set"
LOGGED_IN, LOGGED_OUT = "logged in", "logged out"


@dataclass(frozen=True)
class Changer:
    """Who made a change: the operator at the command line, or a staff account."""

    kind: str  # "operator" or "account"
    name: str
    account_id: int | None = None

    def described(self) -> str:
        if self.kind == "account":
            return f"{shown(self.name)} (account {self.account_id})"
        return f"the operator ({printable(self.name)})"


def operator() -> Changer:
    """The person at the command line, as the operating system knows them."""
    uid = os.getuid()
    try:
        import pwd

        name = pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        name = f"uid {uid}"
    sudo_user = os.environ.get("SUDO_USER")
    if sudo_user and sudo_user != name:
        name = f"{name}, by sudo from {sudo_user}"
    return Changer("operator", f"OS user {name}"[:200])


def by_account(account_id: int, name: str) -> Changer:
    return Changer("account", name, account_id)


@dataclass(frozen=True)
class Change:
    id: int
    at: datetime
    account_id: int
    account_name: str
    action: str
    detail: str
    by: Changer


def record(conn: Any, at: datetime, account_id: int, account_name: str, action: str,
           by: Changer, detail: str = "") -> None:
    """Add an entry, on the connection (and in the transaction) of the change itself."""
    conn.execute(account_changes.insert().values(
        at=at, account_id=account_id, account_name=account_name, action=action,
        detail=detail[:200], by_kind=by.kind, by_name=by.name[:200], by_account=by.account_id))


def changes(conn: Any, *, account_id: int | None = None, before: int | None = None,
            limit: int = 100) -> list[Change]:
    """Entries, newest first: of one account or all, older than entry ``before``."""
    query = select(account_changes).order_by(account_changes.c.id.desc()).limit(limit)
    if account_id is not None:
        query = query.where(account_changes.c.account_id == account_id)
    if before is not None:
        query = query.where(account_changes.c.id < before)
    return [Change(r.id, r.at, r.account_id, r.account_name, r.action, r.detail,
                   Changer(r.by_kind, r.by_name, r.by_account))
            for r in conn.execute(query)]
