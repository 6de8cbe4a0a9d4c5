"""Staff forms on an issue: one page per command, the same commands as the JSON API.

Every form carries the issue's version when it was shown; if someone else has changed the
issue since, the form comes back with what was typed and says so, and nothing is written.
A success redirects to the issue's staff page, which links to the new public entry.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from tracker.application import Outcome
from tracker.domain import errors
from tracker.projections import issues as issue_status
from tracker.projections import reference
from tracker.web import forms, issue_commands
from tracker.web import requests as r
from tracker.web.deps import CommitmentNumber, IssueNumber, TrackerDep
from tracker.web.errors import status_for
from tracker.web.routes.api_write_commitments import apply_update
from tracker.web.routes.staff import StaffDep, may, page, posted, see
from tracker.web.staff_session import StaffSession

router = APIRouter(prefix="/admin/issues/{number}", tags=["staff pages"],
                   include_in_schema=False)

# The moderation queue sends moderators back to it after hiding or restoring.
RETURNS = {"/admin/moderation"}


def _issue(tracker: Any, number: int) -> issue_status.IssueView | None:
    with tracker.engine.connect() as conn:
        return issue_status.get_issue(conn, number, tracker.clock(),
                                      tracker.settings.silent_days)


def _missing(request: Request, staff: StaffSession, number: int) -> Response:
    return page(request, "not_found.html", 404, staff=staff,
                message=f"There is no issue {number}.")


@router.get("", response_class=HTMLResponse)
def issue_actions(number: IssueNumber, request: Request, tracker: TrackerDep, staff: StaffDep,
                  done: int = 0) -> Response:
    issue = _issue(tracker, number)
    if issue is None:
        return _missing(request, staff, number)
    actions = [c for c in issue_commands.COMMANDS if may(staff, c.permission)]
    commitment_actions = issue_commands.COMMITMENT_FORMS if may(staff, "record_progress") \
        else ()
    with tracker.engine.connect() as conn:
        withheld = issue_status.withheld_words(conn, number)
    return page(request, "staff/issue.html", staff=staff, heading=f"Issue {number}",
                issue=issue, actions=actions, commitment_actions=commitment_actions,
                done=done if 0 < done <= issue.version else 0, withheld=withheld)


def _choices(tracker: Any, command: issue_commands.IssueCommand) -> dict[str, dict[str, str]]:
    """Options for fields chosen from reference data, read when the form is shown."""
    if not command.pick:
        return {}
    with tracker.engine.connect() as conn:
        today = tracker.clock()
        lists = {"topics": reference.list_topics, "owners": reference.list_owners,
                 "assemblies": reference.list_assemblies}
        return {name: {v.slug: v.name for v in lists[kind](conn, today)}
                for name, kind in command.pick}


def _command_fields(tracker: Any, command: issue_commands.IssueCommand) -> list[forms.FormField]:
    return forms.describe(command.model, choices=_choices(tracker, command))


def _commitment_fields(kind: issue_commands.CommitmentForm) -> list[forms.FormField]:
    choices = {"status": {s: forms.CHOICES["status"][s] for s in kind.statuses}} \
        if kind.statuses else None
    fields = forms.describe(r.CommitmentUpdate, only=kind.fields, choices=choices)
    for f in fields:
        f.required = f.name in kind.required
    return fields


@router.get("/{key}", response_class=HTMLResponse)
def command_form(number: IssueNumber, key: str, request: Request, tracker: TrackerDep,
                 staff: StaffDep) -> Response:
    command = issue_commands.BY_KEY.get(key)
    issue = _issue(tracker, number)
    if command is None or issue is None:
        return _missing(request, staff, number)
    fields = _command_fields(tracker, command)
    for f in fields:  # links such as the moderation queue's may fill in a choice
        if f.kind == "select" and request.query_params.get(f.name) in f.options:
            f.value = request.query_params[f.name]
    return_to = request.query_params.get("return_to") or (
        "/admin/moderation" if key == "moderation" else "")
    return _form_page(request, staff, issue, command.title, f"/admin/issues/{number}/{key}",
                      fields, "", issue.version, return_to if return_to in RETURNS else "")


@router.post("/{key}", response_class=HTMLResponse)
async def run_command(number: IssueNumber, key: str, request: Request, tracker: TrackerDep,
                      staff: StaffDep) -> Response:
    command = issue_commands.BY_KEY.get(key)
    form = await posted(request, staff)
    issue = _issue(tracker, number)
    if command is None or issue is None:
        return _missing(request, staff, number)
    fields = _command_fields(tracker, command)

    def run(model: BaseModel, version: int | None) -> Outcome:
        return command.run(tracker.app, number, model, staff.account.actor, version)

    return _submit(request, tracker, staff, issue, command.model, command.title,
                   f"/admin/issues/{number}/{key}", fields, form, run)


@router.get("/commitments/{commitment}/{kind}", response_class=HTMLResponse)
def commitment_form(number: IssueNumber, commitment: CommitmentNumber, kind: str, request: Request,
                    tracker: TrackerDep, staff: StaffDep) -> Response:
    chosen = issue_commands.COMMITMENT_FORM.get(kind)
    issue = _issue(tracker, number)
    if chosen is None or issue is None or not any(
            c.commitment == commitment for c in issue.commitments):
        return _missing(request, staff, number)
    return _form_page(request, staff, issue, f"{chosen.title} (commitment {commitment})",
                      f"/admin/issues/{number}/commitments/{commitment}/{kind}",
                      _commitment_fields(chosen), "", issue.version)


@router.post("/commitments/{commitment}/{kind}", response_class=HTMLResponse)
async def update_commitment(number: IssueNumber, commitment: CommitmentNumber, kind: str,
                            request: Request, tracker: TrackerDep,
                            staff: StaffDep) -> Response:
    chosen = issue_commands.COMMITMENT_FORM.get(kind)
    form = await posted(request, staff)
    issue = _issue(tracker, number)
    if chosen is None or issue is None:
        return _missing(request, staff, number)
    fields = _commitment_fields(chosen)
    def run(model: BaseModel, version: int | None) -> Outcome:
        assert isinstance(model, r.CommitmentUpdate)
        return apply_update(tracker.app, number, commitment, model, staff.account.actor,
                            version)

    # Fields a kind needs are refused by apply_update when missing; say so before it runs.
    missing = [f for f in fields if f.required and not str(form.get(f.name, "")).strip()]
    for f in missing:
        f.error = f"Enter {f.label.split(' (')[0].lower()}"
        f.value = str(form.get(f.name, ""))
    if missing:
        for f in fields:
            f.value = str(form.get(f.name, ""))
        return _form_page(request, staff, issue, f"{chosen.title} (commitment {commitment})",
                          f"/admin/issues/{number}/commitments/{commitment}/{kind}", fields,
                          "", _sent_version(form) or issue.version, status=422)
    return _submit(request, tracker, staff, issue, r.CommitmentUpdate,
                   f"{chosen.title} (commitment {commitment})",
                   f"/admin/issues/{number}/commitments/{commitment}/{kind}", fields, form,
                   run, dict(chosen.fixed))


def _sent_version(form: Any) -> int | None:
    sent = str(form.get("version", ""))
    return int(sent) if sent.isdigit() else None


def _submit(request: Request, tracker: Any, staff: StaffSession,
            issue: issue_status.IssueView, model: type[BaseModel], title: str, action: str,
            fields: list[forms.FormField], form: Any, run: Any,
            fixed: dict[str, str] | None = None) -> Response:
    """Validate, run the command, and answer: the form again, or a redirect on success."""
    version = _sent_version(form)
    return_to = str(form.get("return_to", ""))
    return_to = return_to if return_to in RETURNS else ""

    def again(problem: str, status: int, shown: int | None = None) -> Response:
        return _form_page(request, staff, issue, title, action, fields, problem,
                          shown if shown is not None else version, return_to, status)

    command = forms.validate(model, fields, form, fixed)
    if command is None:
        return again("", 422)
    try:
        outcome = run(command, version)
    except errors.StaleVersion as stale:
        return again(f"Someone else changed this issue while you had the form open (it is "
                     f"now at version {stale.current_version}). Check its page; sending "
                     "this form again will record it on top of their change.", 409,
                     stale.current_version)
    except errors.DomainError as error:
        return again(forms.place_error(fields, error.field, error.message), status_for(error))
    except RequestValidationError as invalid:
        problem = ""
        for e in invalid.errors():
            problem = problem or forms.place_error(fields, str(e["loc"][-1]), e["msg"])
        return again(problem, 422)
    tracker.show_written(outcome.position)
    if return_to:
        return see(f"{return_to}?issue={issue.number}&done={outcome.version}")
    return see(f"/admin/issues/{issue.number}?done={outcome.version}")


def _form_page(request: Request, staff: StaffSession, issue: issue_status.IssueView,
               title: str, action: str, fields: list[forms.FormField], problem: str,
               version: int | None, return_to: str = "", status: int = 200) -> Response:
    return page(request, "staff/form.html", status, staff=staff, heading=title, form=fields,
                problem=problem, action=action, version=version, return_to=return_to,
                caption=f"Issue {issue.number}: {issue.title}",
                back=f"/admin/issues/{issue.number}")
