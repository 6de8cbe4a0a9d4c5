"""The citizen's forms: raise an issue, and support one ("me too"). No login.

The same commands, limits and honeypot as the JSON API (routes/api_write_citizens.py).
Forms are checked to come from this site (tracker.web.staff_session.check_origin).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from tracker.commands.requests import SubmitIssue
from tracker.domain import errors
from tracker.web import forms
from tracker.web.citizens import client_key, supporter_id
from tracker.web.deps import (
    MAX_NUMBER,
    AppDep,
    ContactsDep,
    IssueNumber,
    RateLimitsDep,
    SecretDep,
    ShowWrittenDep,
)
from tracker.web.errors import status_for
from tracker.web.rendering import render
from tracker.web.routes.follow import AskingDep, mail_confirmation
from tracker.web.staff_session import check_origin
from tracker.web.writing import CITIZEN

router = APIRouter(tags=["pages"], include_in_schema=False)

FIELDS = ("title", "description", "contact_name", "contact_email")
HINTS = {
    "title": "One sentence: what should change?",
    "description": "What happens now, who it affects, and what would make it better. "
                   "You can use Markdown: *emphasis*, lists and links.",
    "contact_name": "Kept private, for replies. Never published.",
    "contact_email": "Kept private, so the secretariat can reply. Never published.",
}


def _fields() -> list[forms.FormField]:
    fields = forms.describe(SubmitIssue, only=FIELDS)
    for f in fields:
        f.hint = HINTS[f.name]
        f.label = f.label.replace(" (optional)", "")
    fields[0].label, fields[1].label = "Your issue", "More detail"
    return fields


def _page(request: Request, fields: list[forms.FormField], problem: str = "",
          status: int = 200) -> Response:
    response = render(request, "submit.html", status, section="submit", form=fields,
                      problem=problem)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/submit", response_class=HTMLResponse)
def submit_page(request: Request) -> Response:
    return _page(request, _fields())


@router.post("/submit", response_class=HTMLResponse)
async def submit(request: Request, app: AppDep, contacts: ContactsDep,
                 show_written: ShowWrittenDep, limits: RateLimitsDep,
                 asking: AskingDep) -> Response:
    check_origin(request)
    limits.check("submit", client_key(request))
    form = await request.form()
    fields = _fields()
    if str(form.get("website", "")):
        # The honeypot (see api_write_citizens): an honest refusal, nothing written.
        return _page(request, fields, "Leave the field labelled “Leave this empty” empty, "
                                      "then send the form again.", 422)
    command = forms.validate(SubmitIssue, fields, form)
    if command is None:
        return _page(request, fields, "", 422)
    assert isinstance(command, SubmitIssue)
    try:
        outcome = app.submit_issue(command.title, command.description, CITIZEN)
    except errors.DomainError as error:
        return _page(request, fields, forms.place_error(fields, error.field, error.message),
                     status_for(error))
    following = ""
    if command.contact_email:
        contacts.add(outcome.number, command.contact_name, str(command.contact_email))
    show_written(outcome.position)
    if command.contact_email and form.get("follow") == "yes" and \
            asking.settings.mail_enabled:
        following, _, _ = mail_confirmation(asking, str(command.contact_email), "issue",
                                            str(outcome.number), "instant")
    suffix = f"&follow={following}" if following else ""
    return RedirectResponse(f"/submit/thanks?issue={outcome.number}{suffix}",
                            status_code=303)


@router.get("/submit/thanks", response_class=HTMLResponse)
def submitted(request: Request, issue: Annotated[int, Query(ge=0, le=MAX_NUMBER)] = 0,
              follow: str = "") -> Response:
    return render(request, "submitted.html", section="submit", number=issue,
                  follow=follow if follow in ("sent", "limited", "failed") else "")


@router.post("/issues/{number}/support", response_class=HTMLResponse)
async def support(number: IssueNumber, request: Request, app: AppDep, secret: SecretDep,
                  limits: RateLimitsDep, show_written: ShowWrittenDep) -> Response:
    check_origin(request)
    limits.check("support", client_key(request))
    supporter = supporter_id(secret, client_key(request), number)
    try:
        outcome = app.support_issue(number, supporter, CITIZEN)
    except errors.AlreadySupported:
        return render(request, "supported.html", 200, number=number, again=True)
    except errors.DomainError as error:
        return render(request, "problem.html", status_for(error),
                      heading="Your support was not recorded", message=error.message,
                      back=f"/issues/{number}", back_text=f"Go back to issue {number}")
    show_written(outcome.position)
    return render(request, "supported.html", 200, number=number, again=False)
