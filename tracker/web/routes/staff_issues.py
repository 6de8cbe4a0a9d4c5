"""Staff forms on an issue: one page per command declared in tracker.commands, each made
from the command's own request model, so a form and its JSON twin take and check the same.

Every form carries the issue's version when it was shown; if someone else has changed the
issue since, the form comes back with what was typed and says so, and nothing is written.
A success redirects to the issue's staff page, which links to the new public entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from tracker.application import TrackerApplication
from tracker.commands import CHOICES, COMMANDS
from tracker.commands.command import Choice, Command, Refused
from tracker.config import Settings
from tracker.domain import errors
from tracker.evidence_files import FileRefused
from tracker.projections import issues as issue_status
from tracker.projections import reference
from tracker.web import forms
from tracker.web.deps import (
    AppDep,
    CommitmentNumber,
    FilesDep,
    IssueNumber,
    ReadModelsDep,
    Reads,
    SettingsDep,
    ShowWrittenDep,
)
from tracker.web.errors import status_for
from tracker.web.routes import files
from tracker.web.routes.staff import StaffDep, may, page, posted, see
from tracker.web.staff_prefill import prefill_commitment_form
from tracker.web.staff_session import StaffSession

router = APIRouter(prefix="/admin/issues/{number}", tags=["staff pages"],
                   include_in_schema=False)

# The forms, by the last part of their address: on the issue, and on one of its commitments.
_ALL: tuple[Command | Choice, ...] = (*COMMANDS, *CHOICES)
ON_ISSUE: dict[str, Command | Choice] = {
    a.form_key: a for a in _ALL
    if a.form_key and a.path.startswith("/issues/{number}") and "{commitment}" not in a.path}
ON_COMMITMENT: dict[str, Command] = {
    c.form_key: c for c in COMMANDS if c.form_key and "{commitment}" in c.path}

# The moderation queue sends moderators back to it after hiding or restoring; the queue of
# challenges, the secretariat after answering one.
RETURNS = {"/admin/moderation", "/admin/challenges"}


def _issue(reads: Reads, number: int) -> issue_status.IssueView | None:
    with reads.engine.connect() as conn:
        return issue_status.get_issue(conn, number, reads.clock(), reads.settings.silent_days,
                                      reads.settings.clocks)


def _missing(request: Request, staff: StaffSession, number: int) -> Response:
    return page(request, "not_found.html", 404, staff=staff,
                message=f"There is no issue {number}.")


@router.get("", response_class=HTMLResponse)
def issue_actions(number: IssueNumber, request: Request, reads: ReadModelsDep,
                  staff: StaffDep, done: int = 0) -> Response:
    issue = _issue(reads, number)
    if issue is None:
        return _missing(request, staff, number)
    actions = [a for a in ON_ISSUE.values() if may(staff, a.roles)]
    commitment_actions = [c for c in ON_COMMITMENT.values() if may(staff, c.roles)]
    with reads.engine.connect() as conn:
        withheld = issue_status.withheld_words(conn, number)
    return page(request, "staff/issue.html", staff=staff, heading=f"Issue {number}",
                issue=issue, actions=actions, commitment_actions=commitment_actions,
                done=done if 0 < done <= issue.version else 0, withheld=withheld)


def fields_of(reads: Reads, address: Command | Choice) -> list[forms.FormField]:
    """The form's fields, with the options of those chosen from reference data."""
    pick = address.pick if isinstance(address, Command) else {}
    if not pick:
        return forms.describe(address.request)
    lists = {"topics": reference.list_topics, "owners": reference.list_owners,
             "assemblies": reference.list_assemblies}
    with reads.engine.connect() as conn:
        today = reads.clock()
        choices = {name: {v.slug: v.name for v in lists[kind](conn, today)}
                   for name, kind in pick.items()}
    return forms.describe(address.request, choices=choices)


@router.get("/{key}", response_class=HTMLResponse)
def command_form(number: IssueNumber, key: str, request: Request, reads: ReadModelsDep,
                 staff: StaffDep) -> Response:
    address = ON_ISSUE.get(key)
    issue = _issue(reads, number)
    if address is None or issue is None:
        return _missing(request, staff, number)
    fields = fields_of(reads, address)
    for f in fields:  # links such as the moderation queue's may fill in a choice
        if f.kind == "select" and request.query_params.get(f.name) in f.options:
            f.value = request.query_params[f.name]
    return_to = request.query_params.get("return_to") or (
        "/admin/moderation" if key == "moderation" else "")
    return _form_page(request, staff, issue, address.title, f"/admin/issues/{number}/{key}",
                      fields, "", issue.version, return_to if return_to in RETURNS else "")


@router.post("/{key}", response_class=HTMLResponse)
async def run_command(number: IssueNumber, key: str, request: Request, app: AppDep,
                      reads: ReadModelsDep, show_written: ShowWrittenDep,
                      staff: StaffDep) -> Response:
    address = ON_ISSUE.get(key)
    form = await posted(request, staff)
    issue = _issue(reads, number)
    if address is None or issue is None:
        return _missing(request, staff, number)
    writer = _Writer(reads.engine, reads.clock, reads.settings, app, show_written)
    return _submit(request, writer, staff, issue, address, f"/admin/issues/{number}/{key}",
                   address.title, form, number=number)


@router.get("/commitments/{commitment}/{key}", response_class=HTMLResponse)
def commitment_form(number: IssueNumber, commitment: CommitmentNumber, key: str,
                    request: Request, reads: ReadModelsDep, staff: StaffDep) -> Response:
    command = ON_COMMITMENT.get(key)
    issue = _issue(reads, number)
    if command is None or issue is None or not any(
            c.commitment == commitment for c in issue.commitments):
        return _missing(request, staff, number)
    fields = fields_of(reads, command)
    prefill_commitment_form(reads, fields, key, next(
        c for c in issue.commitments if c.commitment == commitment), request.query_params)
    return _form_page(request, staff, issue, f"{command.title} (commitment {commitment})",
                      f"/admin/issues/{number}/commitments/{commitment}/{key}",
                      fields, "", issue.version, upload=key in files.ATTACHING)


@router.post("/commitments/{commitment}/{key}", response_class=HTMLResponse)
async def update_commitment(number: IssueNumber, commitment: CommitmentNumber, key: str,
                            request: Request, app: AppDep, reads: ReadModelsDep,
                            show_written: ShowWrittenDep, stored: FilesDep,
                            settings: SettingsDep, staff: StaffDep) -> Response:
    command = ON_COMMITMENT.get(key)
    form = await posted(request, staff)
    issue = _issue(reads, number)
    if command is None or issue is None:
        return _missing(request, staff, number)
    title, action = (f"{command.title} (commitment {commitment})",
                     f"/admin/issues/{number}/commitments/{commitment}/{key}")
    sent: forms.Posted = form
    if key in files.ATTACHING:  # a file attached is the evidence, by its address
        try:
            url = await files.attached(stored, settings.base_url, form.get("file"))
        except FileRefused as refused:
            fields = fields_of(reads, command)
            forms.read(command.request, fields, form)
            return _form_page(request, staff, issue, title, action, fields,
                              f"The file was not taken: {refused.message}",
                              _sent_version(form), status=refused.status, upload=True)
        if url:
            sent = {**{k: v for k, v in form.items() if isinstance(v, str)},
                    "evidence_url": url}
    writer = _Writer(reads.engine, reads.clock, reads.settings, app, show_written)
    return _submit(request, writer, staff, issue, command, action, title, sent,
                   number=number, commitment=commitment)


class Writes(Reads, Protocol):
    """What a form's command takes: the read models (for the form), the application, and
    read-your-writes (a ``_Writer``; the container has them too)."""

    @property
    def app(self) -> TrackerApplication: ...

    def show_written(self, position: int) -> bool: ...


@dataclass(frozen=True)
class _Writer:
    engine: Engine
    clock: Callable[[], date]
    settings: Settings
    app: TrackerApplication
    show_written: Callable[[int], bool]


def _sent_version(form: forms.Posted) -> int | None:
    sent = str(form.get("version", ""))
    return int(sent) if sent.isdigit() else None


def _submit(request: Request, writer: Writes, staff: StaffSession,
            issue: issue_status.IssueView, address: Command | Choice, action: str, title: str,
            form: forms.Posted, **numbers: int) -> Response:
    """Validate, run the command, and answer: the form again, or a redirect on success."""
    fields = fields_of(writer, address)
    version = _sent_version(form)
    return_to = str(form.get("return_to", ""))
    return_to = return_to if return_to in RETURNS else ""
    upload = action.rsplit("/", 1)[-1] in files.ATTACHING and "/commitments/" in action

    def again(problem: str, status: int, shown: int | None = None) -> Response:
        return _form_page(request, staff, issue, title, action, fields, problem,
                          shown if shown is not None else version, return_to, status,
                          upload=upload)

    sent = forms.validate(address.request, fields, form)
    if sent is None:
        return again("", 422)
    try:
        outcome = address.run(writer.app, staff.account.actor, sent, version, **numbers)
    except errors.StaleVersion as stale:
        return again(f"Someone else changed this issue while you had the form open (it is "
                     f"now at version {stale.current_version}). Check its page; sending "
                     "this form again will record it on top of their change.", 409,
                     stale.current_version)
    except errors.DomainError as error:
        return again(forms.place_error(fields, error.field, error.message), status_for(error))
    except Refused as refused:
        return again(forms.place_error(fields, refused.field, refused.message), 422)
    writer.show_written(outcome.position)
    if return_to:
        return see(f"{return_to}?issue={issue.number}&done={outcome.version}")
    return see(f"/admin/issues/{issue.number}?done={outcome.version}")


def _form_page(request: Request, staff: StaffSession, issue: issue_status.IssueView,
               title: str, action: str, fields: list[forms.FormField], problem: str,
               version: int | None, return_to: str = "", status: int = 200,
               upload: bool = False) -> Response:
    return page(request, "staff/form.html", status, staff=staff, heading=title, form=fields,
                problem=problem, action=action, version=version, return_to=return_to,
                upload=upload,
                caption=f"Issue {issue.number}: {issue.title}",
                back=f"/admin/issues/{issue.number}")
