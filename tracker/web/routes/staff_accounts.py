"""The admins' page of accounts and the account log: who may write, and who changed that.

Admins only (others get 403), never cached. Names are shown escaped when they fall outside
the account-name alphabet (tracker.credentials.shown), so an old account named with a
look-alike letter or an invisible character cannot pass for another here. The account
number is the one the public record names ("account-3"), so staff actions seen in the event
log can be put to an account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from tracker.account_log import Change
from tracker.accounts import AccountListing
from tracker.credentials import shown
from tracker.domain.values import Role
from tracker.web.deps import MAX_NUMBER, AccountsDep
from tracker.web.routes.staff import StaffDep, page

router = APIRouter(prefix="/admin", tags=["staff pages"], include_in_schema=False)

PAGE = 100


@dataclass(frozen=True)
class AccountRow:
    number: int
    name: str
    role: str
    live_tokens: int
    last_used: str
    password: str


@dataclass(frozen=True)
class ChangeRow:
    at: str
    at_iso: str
    account: str
    action: str
    detail: str
    by: str


@router.get("/accounts", response_class=HTMLResponse)
async def accounts_page(request: Request, accounts: AccountsDep, staff: StaffDep,
                        before: Annotated[int | None, Query(ge=1, le=MAX_NUMBER)] = None
                        ) -> Response:
    if staff.account.role != Role.ADMIN:
        return page(request, "problem.html", 403, heading="For admins only",
                    message="Only an admin account may see the accounts and their log.",
                    back="/admin", back_text="Go to the staff home")
    listed = await run_in_threadpool(accounts.list)
    changes = await run_in_threadpool(accounts.log, None, PAGE + 1, before)
    older = changes[PAGE].id + 1 if len(changes) > PAGE else None
    return page(request, "staff/accounts.html", staff=staff, heading="Accounts and their log",
                accounts=[_account_row(a) for a in listed],
                changes=[_change_row(c) for c in changes[:PAGE]], older=older,
                newest=before is None)


def _account_row(a: AccountListing) -> AccountRow:
    return AccountRow(a.id, shown(a.name), shown(a.role), a.live_tokens,
                      _when(a.last_used_at) if a.last_used_at else "never",
                      "set" if a.has_password else "none")


def _change_row(c: Change) -> ChangeRow:
    at = _utc(c.at)
    return ChangeRow(_when(at), at.isoformat(timespec="seconds"),
                     f"{shown(c.account_name)} (account {c.account_id})", c.action, c.detail,
                     c.by.described())


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _when(moment: datetime) -> str:
    at = _utc(moment)
    return f"{at.day} {at:%B %Y, %H:%M} UTC"
