"""Who is logged in to the staff pages, and whether a posted form may be trusted.

The session cookie holds a random id; the server keeps only its digest (tracker.accounts),
so logging out or revoking an account ends the session for good. The cookie is HttpOnly,
SameSite=Strict, limited to /admin, and Secure whenever the site is served over https.

Forged forms (CSRF) are refused twice over: every staff form carries the session's form
token, compared in constant time; and every form post, staff or public, must come from this
site by the browser's own account of it (Sec-Fetch-Site, else Origin). Public pages are
cached and shared, so they cannot carry a per-visitor token; for them that header check
is the protection, and it is enough: browsers send one of the two on every form post, and a
page on another site cannot forge either.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from fastapi import HTTPException, Request, Response

from tracker.accounts import SESSION_HOURS, Account, Accounts
from tracker.web.mounting import container_of

COOKIE = "tracker_staff"
COOKIE_PATH = "/admin"
# The day given for a Board meeting, kept for the browser's session so that the next
# assembly's meeting page offers it; logging in or out forgets it.
MEETING_COOKIE = "tracker_meeting_day"


@dataclass(frozen=True)
class StaffSession:
    session_id: str
    account: Account
    form_token: str


def current(request: Request, accounts: Accounts) -> StaffSession | None:
    session_id = request.cookies.get(COOKIE)
    if not session_id or len(session_id) > 100:
        return None
    found = accounts.session(session_id)
    if found is None:
        return None
    account, form_token = found
    return StaffSession(session_id, account, form_token)


def set_cookie(base_url: str, response: Response, session_id: str) -> None:
    secure = base_url.startswith("https://")
    response.set_cookie(COOKIE, session_id, max_age=SESSION_HOURS * 3600, path=COOKIE_PATH,
                        httponly=True, samesite="strict", secure=secure)
    response.delete_cookie(MEETING_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")


def clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")
    response.delete_cookie(MEETING_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")


def remember_meeting_day(base_url: str, response: Response, day: date) -> None:
    """Keep the Board meeting's day until the browser closes (no expiry) or the staff
    session's logout."""
    response.set_cookie(MEETING_COOKIE, day.isoformat(), path=COOKIE_PATH, httponly=True,
                        samesite="strict", secure=base_url.startswith("https://"))


def remembered_meeting_day(request: Request) -> date | None:
    kept = request.cookies.get(MEETING_COOKIE, "")
    try:
        return date.fromisoformat(kept) if len(kept) == 10 else None
    except ValueError:
        return None


class ForgedForm(HTTPException):
    def __init__(self, detail: str) -> None:
        super().__init__(403, detail=detail)


def check_origin(request: Request) -> None:
    """Refuse a form posted from another site (see the module's docstring)."""
    if from_another_site(request):
        raise ForgedForm("This form was sent from another site, so it was refused.")


def from_another_site(request: Request) -> bool:
    """Whether a browser says it sent this from another site's page (Sec-Fetch-Site, else
    Origin). A request with neither is no browser's (scripts, tests): nothing for CSRF to
    abuse."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:
        return False
    ours = {_origin(container_of(request).settings.base_url), _origin(str(request.base_url))}
    return _origin(origin) not in ours


def check_form_token(session: StaffSession, sent: object) -> None:
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(),
                                                            session.form_token.encode()):
        raise ForgedForm("This form has expired or did not come from this site. "
                         "Go back, reload the page and send it again.")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()
