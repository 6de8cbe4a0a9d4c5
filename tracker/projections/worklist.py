"""What the secretariat owes, read from the issue status read model: responses owed, open
commitments due soon, overdue or silent, referrals unanswered. An owner's worklist has only
that owner's commitments, due soon, overdue or silent. Queries only: no tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, true

from tracker.projections.issues import OPEN_STATUSES, commitments, issues, overdue_clause
from tracker.projections.reference import assemblies, owners
from tracker.projections.timeline import entries

DUE_SOON_DAYS = 30

# The worklist's lists, by the key its filter and CSV use, with their titles.
KINDS = {
    "responses": "Board responses owed",
    "due": f"Commitments due in the next {DUE_SOON_DAYS} days",
    "overdue": "Commitments overdue",
    "silent": "Commitments with no recent update",
    "referrals": "Referrals with no answer",
}
# The lists an owner's account may act on: its own commitments (an owner may record
# progress, move a due date and record delivery; see STAFF_OR_OWNER in tracker.commands).
OWNER_KINDS = {kind: KINDS[kind] for kind in ("due", "overdue", "silent")}


@dataclass(frozen=True)
class WorkItem:
    """One thing owed: on an issue, or on one of its commitments (``commitment`` > 0)."""

    kind: str
    issue: int
    title: str
    commitment: int
    what: str  # the commitment's text, the assembly's title, or the body referred to
    owner: str  # the commitment's owner or the response's lead, by name; "" if none
    since: date | None  # discussed, referred, or last updated
    due: date | None
    by_owner: bool = False  # on an owner's worklist: only the forms an owner may use

    @property
    def actions(self) -> list[tuple[str, str]]:
        """The staff forms that settle it, most likely first: (title, address)."""
        base = f"/admin/issues/{self.issue}"
        if self.kind == "responses":
            return [("Record the Board's response", f"{base}/response")]
        if self.kind == "referrals":
            return [("Record the referral's answer", f"{base}/referral-answer")]
        on = f"{base}/commitments/{self.commitment}"
        forms = [("Record progress", f"{on}/progress"), ("Record delivery", f"{on}/delivery"),
                 ("Move the due date", f"{on}/due-date")]
        if not self.by_owner:
            forms.append(("Amend", f"{on}/amendments"))
        return forms[1:2] + forms[:1] + forms[2:] if self.kind == "overdue" else forms

    @property
    def form(self) -> str:
        """The form most likely to settle it."""
        return self.actions[0][1]


def _visible() -> Any:
    return issues.c.hidden_reason.is_(None)


def _commitment_items(conn: Connection, kind: str, where: Any,
                      owner: str | None = None) -> list[WorkItem]:
    last = func.coalesce(commitments.c.last_update_on, commitments.c.made_on)
    rows = conn.execute(
        select(commitments, issues.c.title, last.label("last"),
               func.coalesce(owners.c.name, commitments.c.owner).label("owner_name"))
        .select_from(commitments.join(issues, issues.c.number == commitments.c.issue_number)
                     .outerjoin(owners, owners.c.slug == commitments.c.owner))
        .where(_visible(), where,
               true() if owner is None else commitments.c.owner == owner)
        .order_by(commitments.c.due, commitments.c.issue_number, commitments.c.commitment))
    return [WorkItem(kind, r.issue_number, r.title, r.commitment, r.text, r.owner_name,
                     r.last, r.due, by_owner=owner is not None) for r in rows]


def _commitment_lists(conn: Connection, today: date, silent_days: int,
                       owner: str | None) -> dict[str, list[WorkItem]]:
    """The commitments due soon, overdue and silent: all of them, or one owner's."""
    is_open = commitments.c.status.in_(OPEN_STATUSES)
    last = func.coalesce(commitments.c.last_update_on, commitments.c.made_on)
    return {
        "due": _commitment_items(conn, "due", and_(
            is_open, commitments.c.due >= today,
            commitments.c.due <= today + timedelta(days=DUE_SOON_DAYS)), owner),
        "overdue": _commitment_items(conn, "overdue", overdue_clause(today), owner),
        "silent": _commitment_items(conn, "silent", and_(
            is_open, last <= today - timedelta(days=silent_days)), owner),
    }


def owner_worklist(conn: Connection, today: date, silent_days: int,
                   owner: str) -> dict[str, list[WorkItem]]:
    """One owner's worklist: its commitments due soon, overdue and silent, in the order of
    ``OWNER_KINDS``; each item offers only the forms an owner may use."""
    return _commitment_lists(conn, today, silent_days, owner)


def owner_name(conn: Connection, owner: str) -> str:
    """The owner's display name, or its slug if the owner is not (or no longer) known."""
    name = conn.execute(select(owners.c.name).where(owners.c.slug == owner)).scalar()
    return name or owner


def worklist(conn: Connection, today: date, silent_days: int) -> dict[str, list[WorkItem]]:
    """Every list, in the order of ``KINDS``."""
    owed = conn.execute(
        select(issues.c.number, issues.c.title, issues.c.discussed_on,
               issues.c.revision_requested_on,
               func.coalesce(assemblies.c.title, issues.c.assembly, "").label("meeting"))
        .select_from(issues.outerjoin(assemblies, assemblies.c.slug == issues.c.assembly))
        .where(_visible(), issues.c.stage == "discussed")
        .order_by(issues.c.discussed_on, issues.c.number))
    referred = conn.execute(
        select(issues.c.number, issues.c.title, issues.c.referred_to, issues.c.responded_on)
        .where(_visible(), issues.c.grade == "referred",
               issues.c.referral_answered.is_(False), issues.c.outcome.is_(None))
        .order_by(issues.c.responded_on, issues.c.number))
    return {
        "responses": [WorkItem("responses", r.number, r.title, 0, r.meeting, "",
                               r.revision_requested_on or r.discussed_on, None) for r in owed],
        **_commitment_lists(conn, today, silent_days, None),
        "referrals": [WorkItem("referrals", r.number, r.title, 0, r.referred_to, "",
                               r.responded_on, None) for r in referred],
    }


@dataclass(frozen=True)
class MeetingIssue:
    number: int
    title: str
    version: int
    stage: str


def awaiting_response(conn: Connection, assembly: str,
                      also: tuple[int, ...] = ()) -> list[MeetingIssue]:
    """The assembly's issues that are owed a Board response, and those in ``also`` (a
    draft's), by number."""
    rows = conn.execute(
        select(issues.c.number, issues.c.title, issues.c.version, issues.c.stage)
        .where(_visible(), or_(and_(issues.c.assembly == assembly,
                                    issues.c.stage == "discussed"),
                               issues.c.number.in_(also)))
        .order_by(issues.c.number))
    return [MeetingIssue(r.number, r.title, r.version, r.stage) for r in rows]


def responded(conn: Connection, assembly: str) -> list[MeetingIssue]:
    """The assembly's issues that have a Board response (a reconvened panel scores them),
    by number."""
    rows = conn.execute(
        select(issues.c.number, issues.c.title, issues.c.version, issues.c.stage)
        .where(_visible(), issues.c.assembly == assembly, issues.c.grade.is_not(None))
        .order_by(issues.c.number))
    return [MeetingIssue(r.number, r.title, r.version, r.stage) for r in rows]


def responses_owed_by_assembly(conn: Connection) -> dict[str, int]:
    """How many issues each assembly's meeting still owes a response."""
    rows = conn.execute(
        select(issues.c.assembly, func.count()).where(
            _visible(), issues.c.stage == "discussed", issues.c.assembly.is_not(None))
        .group_by(issues.c.assembly))
    return {r[0]: r[1] for r in rows}


@dataclass(frozen=True)
class LatestResponse:
    """The Board response recorded last: its issue, the day it is dated by, its lead."""

    issue: int
    occurred_on: date
    lead: str | None


def latest_responses(conn: Connection) -> tuple[LatestResponse | None, LatestResponse | None]:
    """The Board response recorded last, and the last one recorded with a lead owner (the
    meeting page offers that meeting's day and that lead)."""
    found: list[LatestResponse | None] = []
    for where in (entries.c.type == "board_responded",
                  and_(entries.c.type == "board_responded", entries.c.owner.is_not(None))):
        row = conn.execute(select(entries.c.issue_number, entries.c.occurred_on,
                                  entries.c.owner).where(where)
                           .order_by(entries.c.position.desc()).limit(1)).first()
        found.append(None if row is None else LatestResponse(row.issue_number,
                                                             row.occurred_on, row.owner))
    return found[0], found[1]
