"""The staff pages' front door: log in and out, the moderation queue and the forms for
reference data. Forms on an issue are in staff_issues.py; the staff home (the worklist) in
staff_worklist.py.

Staff pages are never cached (Cache-Control: no-store) and never indexed; they read the
read models directly, as they must show what was just written.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from tracker.application import Recorded
from tracker.commands import COMMANDS
from tracker.commands.command import Command
from tracker.commands.fields import SaidLine
from tracker.domain.errors import DomainError
from tracker.domain.values import Role
from tracker.projections.listings import moderation_queue
from tracker.web import forms
from tracker.web.citizens import client_key
from tracker.web.deps import (
    MAX_NUMBER,
    AccountsDep,
    AppDep,
    RateLimitsDep,
    ReadEngineDep,
    SettingsDep,
    ShowWrittenDep,
)
from tracker.web.errors import status_for
from tracker.web.rendering import render
from tracker.web.staff_session import (
    StaffSession,
    check_form_token,
    check_origin,
    clear_cookie,
    current,
    set_cookie,
)

router = APIRouter(prefix="/admin", tags=["staff pages"], include_in_schema=False)

NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


class LoginNeeded(Exception):
    """Raised by staff pages without a session: answered by a redirect to the login page."""


def staff_session(request: Request, accounts: AccountsDep) -> StaffSession:
    session = current(request, accounts)
    if session is None:
        raise LoginNeeded()
    return session


StaffDep = Annotated[StaffSession, Depends(staff_session)]


def page(request: Request, template: str, status: int = 200, **context: object
         ) -> HTMLResponse:
    response = render(request, template, status, section="staff", **context)
    response.headers.update(NO_STORE)
    return response


def see(url: str) -> RedirectResponse:
    """After a successful post: show the result at its own address (post/redirect/get)."""
    return RedirectResponse(url, status_code=303, headers=NO_STORE)


async def posted(request: Request, session: StaffSession | None) -> FormData:
    """The posted form, once it is known to come from this site (and this session)."""
    check_origin(request)
    form = await request.form()
    if session is not None:
        check_form_token(session, form.get("form_token"))
    return form


class Login(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=100), SaidLine]
    # Any character may be in a password: it is only ever hashed, never stored, shown or
    # looked up.
    password: Annotated[str, Field(min_length=1, max_length=1_024)]


def _login_fields() -> list[forms.FormField]:
    fields = forms.describe(Login)
    fields[0].label, fields[1].label, fields[1].kind = "Account name", "Password", "password"
    return fields


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, accounts: AccountsDep, out: bool = False) -> Response:
    if current(request, accounts) is not None:
        return see("/admin")
    return page(request, "staff/login.html", form=_login_fields(), problem="",
                notice="You have logged out." if out else "")


@router.post("/login", response_class=HTMLResponse)
async def log_in(request: Request, accounts: AccountsDep, limits: RateLimitsDep,
                 settings: SettingsDep) -> Response:
    form = await posted(request, None)
    limits.check("login", client_key(request))
    fields = _login_fields()
    login = forms.validate(Login, fields, form)
    fields[1].value = ""  # a password is never sent back in a page
    if login is None:
        return page(request, "staff/login.html", 422, form=fields, problem="")
    assert isinstance(login, Login)
    # argon2 takes tens of milliseconds on purpose; keep it off the event loop.
    account = await run_in_threadpool(accounts.check_password, login.name, login.password)
    if account is None:
        return page(request, "staff/login.html", 401, form=fields,
                    problem="The account name or password is not right.")
    session_id, _ = await run_in_threadpool(accounts.open_session, account)
    response = see("/admin")
    set_cookie(settings.base_url, response, session_id)
    return response


@router.post("/logout")
async def log_out(request: Request, accounts: AccountsDep) -> Response:
    session = current(request, accounts)
    if session is not None:
        await posted(request, session)
        accounts.close_session(session.session_id)
    response = see("/admin/login?out=true")
    clear_cookie(response)
    return response


@router.get("/issues")
def go_to_issue(staff: StaffDep, number: int = 0) -> Response:
    return see(f"/admin/issues/{number}" if number > 0 else "/admin")


@router.get("/moderation", response_class=HTMLResponse)
def moderation(request: Request, engine: ReadEngineDep, staff: StaffDep,
               issue: Annotated[int, Query(ge=0, le=MAX_NUMBER)] = 0,
               done: Annotated[int, Query(ge=0, le=MAX_NUMBER)] = 0) -> Response:
    with engine.connect() as conn:
        queue = moderation_queue(conn)
    return page(request, "staff/moderation.html", staff=staff, heading="Moderation queue",
                queue=queue, done_issue=issue if done else 0, done=done)


# The forms for reference data, by the last part of their address (topics, owners...).
REFERENCE: dict[str, Command] = {
    c.form_key: c for c in COMMANDS if c.form_key and "{number}" not in c.path}


@router.get("/reference", response_class=HTMLResponse)
def reference_home(request: Request, staff: StaffDep, done: str = "") -> Response:
    # Only a path of this site is linked back to, never an address from the query.
    kind, _, slug = done.partition("/")
    link = f"/{kind}/{slug}" if kind in REFERENCE and slug.replace("-", "").isalnum() else ""
    return page(request, "staff/reference.html", staff=staff,
                heading="Topics, owners and assemblies", done=link)


@router.get("/reference/{kind}", response_class=HTMLResponse)
def reference_form(kind: str, request: Request, staff: StaffDep) -> Response:
    if kind not in REFERENCE:
        return page(request, "not_found.html", 404, message="There is no such form.")
    return _reference_page(request, staff, kind, forms.describe(REFERENCE[kind].request), "")


@router.post("/reference/{kind}", response_class=HTMLResponse)
async def create_reference(kind: str, request: Request, app: AppDep,
                           show_written: ShowWrittenDep, staff: StaffDep) -> Response:
    if kind not in REFERENCE:
        return page(request, "not_found.html", 404, message="There is no such form.")
    form = await posted(request, staff)
    command = REFERENCE[kind]
    fields = forms.describe(command.request)
    sent = forms.validate(command.request, fields, form)
    if sent is None:
        return _reference_page(request, staff, kind, fields, "", 422)
    try:
        recorded = command.run(app, staff.account.actor, sent)
    except DomainError as error:
        problem = forms.place_error(fields, error.field, error.message)
        return _reference_page(request, staff, kind, fields, problem, status_for(error))
    assert isinstance(recorded, Recorded)
    show_written(recorded.position)
    return see(f"/admin/reference?done={kind}/{recorded.slug}")


def _reference_page(request: Request, staff: StaffSession, kind: str,
                    fields: list[forms.FormField], problem: str, status: int = 200) -> Response:
    title = REFERENCE[kind].title
    return page(request, "staff/form.html", status, staff=staff, heading=title, form=fields,
                problem=problem, action=f"/admin/reference/{kind}", version=None,
                back="/admin/reference", button=title)


def may(staff: StaffSession, roles: frozenset[Role]) -> bool:
    """Whether the staff member's role is one of those that may run a command."""
    return Role(staff.account.role) in roles
