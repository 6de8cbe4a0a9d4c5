"""The staff home: the worklist of what the secretariat owes, with counts, a filter by kind,
links straight to the form that settles each item, and the same rows as CSV. An owner's
account gets its own worklist: its owner's commitments only, and only the forms it may use."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from tracker.domain.values import Role
from tracker.projections.worklist import (
    KINDS,
    OWNER_KINDS,
    WorkItem,
    owner_name,
    owner_worklist,
    worklist,
)
from tracker.web.deps import ReadModels, ReadModelsDep, SettingsDep
from tracker.web.routes.staff import NO_STORE, StaffDep, page
from tracker.web.staff_session import StaffSession

router = APIRouter(prefix="/admin", tags=["staff pages"], include_in_schema=False)

Kind = Literal["all", "responses", "due", "overdue", "silent", "referrals"]
CSV_COLUMNS = ("kind", "issue", "title", "commitment", "what", "owner", "since", "due",
               "form")


def _owner_of(staff: StaffSession) -> str | None:
    """The owner whose worklist the account sees, or None for the whole Board's (an owner
    account is always tied to an owner; were it not, its worklist would be empty)."""
    account = staff.account
    return (account.owner or "") if account.role == Role.OWNER else None


def _items(reads: ReadModels, owner: str | None) -> dict[str, list[WorkItem]]:
    with reads.engine.connect() as conn:
        if owner is None:
            return worklist(conn, reads.clock(), reads.settings.silent_days)
        return owner_worklist(conn, reads.clock(), reads.settings.silent_days, owner)


@router.get("", response_class=HTMLResponse)
def staff_home(request: Request, reads: ReadModelsDep, staff: StaffDep,
               show: Annotated[Kind, Query()] = "all") -> Response:
    """What needs doing, by kind; ``show`` keeps one kind. An owner's account sees its
    owner's commitments only, under that owner's name."""
    owner = _owner_of(staff)
    found = _items(reads, owner)
    if show not in ("all", *found):
        return page(request, "not_found.html", 404, staff=staff,
                    message="There is no such list on your worklist.")
    counts = {kind: len(rows) for kind, rows in found.items()}
    shown = {k: v for k, v in found.items() if show in ("all", k)}
    heading = "What needs doing"
    if owner is not None:
        with reads.engine.connect() as conn:
            heading = f"Commitments of {owner_name(conn, owner)}"
    return page(request, "staff/home.html", staff=staff, heading=heading,
                kinds=KINDS if owner is None else OWNER_KINDS, counts=counts, shown=shown,
                show=show, meetings=staff.account.role in ("secretariat", "admin"))


@router.get("/worklist.csv")
def worklist_csv(reads: ReadModelsDep, settings: SettingsDep, staff: StaffDep,
                 show: Annotated[Kind, Query()] = "all") -> Response:
    """The worklist's rows, one per line, for a spreadsheet: an owner's, its own."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    found = _items(reads, _owner_of(staff))
    if show not in ("all", *found):
        return Response("There is no such list on your worklist.\n", 404,
                        media_type="text/plain; charset=utf-8", headers=NO_STORE)
    base = str(settings.base_url).rstrip("/")
    for kind, rows in found.items():
        if show not in ("all", kind):
            continue
        for r in rows:
            writer.writerow([kind, r.issue, _cell(r.title), r.commitment or "", _cell(r.what),
                             _cell(r.owner), r.since or "", r.due or "", base + r.form])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        **NO_STORE, "Content-Disposition": 'attachment; filename="worklist.csv"'})


def _cell(text: str) -> str:
    """A spreadsheet must not take a cell for a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
