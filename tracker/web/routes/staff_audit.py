"""The admins' audit page: which account recorded each public entry, and when.

The public record names roles only; this page puts each entry beside the account that made
it (from the events' actor ids, tracker/projections/audit.py), filterable by account. Admins
only (others get 403), never cached.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from tracker.credentials import shown
from tracker.domain.values import Role
from tracker.projections.audit import AuditRow, audit_rows
from tracker.web.deps import MAX_NUMBER, AccountsDep, ReadEngineDep
from tracker.web.routes.staff import StaffDep, page

router = APIRouter(prefix="/admin", tags=["staff pages"], include_in_schema=False)

PAGE = 100


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(request: Request, accounts: AccountsDep, engine: ReadEngineDep,
                     staff: StaffDep,
                     account: Annotated[int | None, Query(ge=1, le=MAX_NUMBER)] = None,
                     before: Annotated[int | None, Query(ge=1, le=2**62)] = None
                     ) -> Response:
    if staff.account.role != Role.ADMIN:
        return page(request, "problem.html", 403, heading="For admins only",
                    message="Only an admin account may see who recorded each entry.",
                    back="/admin", back_text="Go to the staff home")
    listed = await run_in_threadpool(accounts.list)
    names = {f"account-{a.id}": f"{shown(a.name)} (account {a.id})" for a in listed}

    def read() -> list[AuditRow]:
        with engine.connect() as conn:
            return audit_rows(conn, f"account-{account}" if account else None, before,
                              PAGE + 1)

    rows = await run_in_threadpool(read)
    older = rows[PAGE - 1].position if len(rows) > PAGE else None
    return page(request, "staff/audit.html", staff=staff, heading="Who recorded what",
                rows=rows[:PAGE], names=names, accounts=listed, account=account,
                older=older)
