"""Following by e-mail: ask (a confirmation mail is all that is sent), confirm by the link,
leave in one click (RFC 8058), and see an address's follows from a signed link.

Confirming and leaving are POSTs behind a page with one button: mail scanners open every
link in a mail, and a GET that changed something would let them subscribe or unsubscribe
people who never clicked.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, EmailStr, Field, ValidationError
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from tracker.commands.fields import SaidLine
from tracker.config import Settings
from tracker.following.links import Links
from tracker.following.mails import Mail
from tracker.following.sender import what_is_followed
from tracker.following.store import (
    CONFIRM_DAYS,
    KINDS,
    MODES,
    Follows,
    Subscription,
    Wish,
    path_of,
)
from tracker.projections import reference
from tracker.projections.lookups import issue_exists, owner_exists, topic_exists
from tracker.web.citizens import client_key
from tracker.web.deps import (
    FollowsDep,
    LinksDep,
    PositionDep,
    RateLimitsDep,
    ReadEngineDep,
)
from tracker.web.mounting import container_of
from tracker.web.rendering import render
from tracker.web.routes import follow_questions
from tracker.web.staff_session import check_origin

router = APIRouter(prefix="/follow", tags=["pages"], include_in_schema=False)
# "Was it delivered?" answered from a mailed question: /follow/question.
router.include_router(follow_questions.router)

Token = Annotated[str, Query(max_length=500)]


class FollowRequest(BaseModel):
    email: EmailStr
    kind: str = Field(pattern="^(issue|topic|owner)$")
    target: Annotated[str, Field(min_length=1, max_length=80), SaidLine]
    mode: str = Field(default="instant", pattern="^(instant|daily)$")


def _page(request: Request, status: int, heading: str, message: str, **extra: object
          ) -> Response:
    response = render(request, "follow.html", status, section="", heading=heading,
                      message=message, **extra)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@dataclass(frozen=True)
class Asking:
    """What asking to follow needs: the store, the signer, the mail, what exists."""

    follows: Follows
    links: Links
    mail: Mail
    engine: Engine  # the read models', to check and name what is followed
    settings: Settings


async def get_asking(request: Request) -> Asking:
    container = container_of(request)
    return Asking(container.follows, container.links, container.mail, container.engine,
                  container.settings)


AskingDep = Annotated[Asking, Depends(get_asking)]


def _exists(engine: Engine, kind: str, target: str) -> bool:
    with engine.connect() as conn:
        if kind == "issue":
            return target.isdigit() and len(target) < 10 and issue_exists(conn, int(target))
        return (topic_exists if kind == "topic" else owner_exists)(conn, target)


@router.post("", response_class=HTMLResponse)
def ask_to_follow(request: Request, asking: AskingDep, limits: RateLimitsDep,
                  email: Annotated[str, Form()] = "",
                  kind: Annotated[str, Form()] = "", target: Annotated[str, Form()] = "",
                  mode: Annotated[str, Form()] = "instant") -> Response:
    check_origin(request)
    if not asking.settings.mail_enabled:
        return _page(request, 404, "Following by e-mail is not offered here",
                     "This site sends no mail. Feeds and calendars work without it.")
    limits.check("follow", client_key(request))
    try:
        wish = FollowRequest(email=email, kind=kind, target=target, mode=mode)
    except ValidationError as error:
        field = str(error.errors()[0]["loc"][0])
        message = ("Enter an e-mail address like name@example.org" if field == "email"
                   else "That is not something that can be followed.")
        return _page(request, 422, "Check your e-mail address", message,
                     back=_back(kind, target))
    if not _exists(asking.engine, wish.kind, wish.target):
        return _page(request, 404, "Nothing to follow there",
                     "There is no such issue, topic or owner.")
    return send_confirmation(request, asking, str(wish.email), wish.kind, wish.target,
                             wish.mode)


def send_confirmation(request: Request, asking: Asking, email: str, kind: str,
                      target: str, mode: str) -> Response:
    """Record the wish and send the one confirmation mail (limited per address)."""
    outcome, wish, what = mail_confirmation(asking, email, kind, target, mode)
    limit = asking.settings.follow_confirmations_per_day
    if outcome == "limited":
        # Said the same way whoever asks: it tells nobody whether the address follows
        # anything, only that it has had enough mail from us today.
        return _page(request, 429, "Please wait until tomorrow",
                     f"That address has been sent {limit} confirmation mails in the last "
                     "day, which is as many as we send. Nothing more was sent.",
                     back=_back(kind, target))
    if outcome == "failed":
        return _page(request, 503, "The mail could not be sent just now",
                     "We could not send the confirmation mail. Nothing will start until "
                     "you confirm, so please try again in a few minutes.",
                     back=_back(kind, target))
    assert wish is not None
    return _page(request, 200, "Check your e-mail",
                 f"We have sent a mail to {wish.email}. Open the link in it to start "
                 f"following {what}; nothing is sent or changed until you do.",
                 back=wish.path)


def mail_confirmation(asking: Asking, email: str, kind: str, target: str,
                      mode: str) -> tuple[str, Wish | None, str]:
    """("sent" | "limited" | "failed", the request, what it follows)."""
    follows = asking.follows
    limit = asking.settings.follow_confirmations_per_day
    if follows.confirmations_since(email, datetime.now(UTC) - timedelta(days=1)) >= limit:
        return "limited", None, ""
    wish = follows.request(email, kind, target, mode)
    with asking.engine.connect() as conn:
        what = what_is_followed(wish, reference.names(conn))
    message = asking.mail.compose(
        wish.email, f"Confirm: follow {what}", "confirm", None,
        what=what, path=wish.path, days=CONFIRM_DAYS,
        confirm_url=asking.links.confirm(wish.key),
        mode_text="every change" if mode == "instant" else "one digest a day",
        manage_url=None)
    try:
        with asking.mail.connect() as connection:
            connection.send_message(message)
    except (smtplib.SMTPException, OSError):
        return "failed", wish, what
    return "sent", wish, what


def _back(kind: str, target: str) -> str:
    if kind in KINDS and target.replace("-", "").isalnum():
        return path_of(kind, target)
    return "/"


def _subscription(links: Links, follows: Follows, purpose: str,
                  token: str) -> Subscription | None:
    key = links.read(purpose, token)
    return follows.by_link(key) if key is not None else None


def _wish(links: Links, follows: Follows, token: str) -> Wish | None:
    key = links.read("confirm", token)
    return follows.pending(key) if key is not None else None


BAD_LINK = ("This link is not valid any more",
            "It may have expired, been used already, or been cut short by your mail "
            "program. Ask to follow again from the page you want to follow.")


@router.get("/confirm", response_class=HTMLResponse)
def confirm_page(request: Request, links: LinksDep, follows: FollowsDep,
                 engine: ReadEngineDep, token: Token = "") -> Response:
    wish = _wish(links, follows, token)
    if wish is None:
        return _page(request, 400, *BAD_LINK)
    with engine.connect() as conn:
        what = what_is_followed(wish, reference.names(conn))
    return _page(request, 200, f"Follow {what} by e-mail?",
                 f"Mails will go to {wish.email}: "
                 f"{'every change' if wish.mode == 'instant' else 'one digest a day'}.",
                 button="Yes, start following", action=Links.path_of("confirm", token))


@router.post("/confirm", response_class=HTMLResponse)
def confirm(request: Request, links: LinksDep, follows: FollowsDep, engine: ReadEngineDep,
            projected: PositionDep, token: Token = "") -> Response:
    check_origin(request)
    key = links.read("confirm", token)
    position = projected()
    confirmed = follows.confirm(key, position) if key is not None else None
    if confirmed is None:
        return _page(request, 400, *BAD_LINK)
    with engine.connect() as conn:
        what = what_is_followed(confirmed, reference.names(conn))
    return _page(request, 200, f"You are following {what}",
                 "Every mail has a link to stop it, in one click.", back=confirmed.path,
                 manage=links.path("manage", confirmed.link_key))


@router.get("/unsubscribe", response_class=HTMLResponse)
def unsubscribe_page(request: Request, links: LinksDep, follows: FollowsDep,
                     engine: ReadEngineDep, token: Token = "") -> Response:
    sub = _subscription(links, follows, "unsubscribe", token)
    if sub is None:
        return _page(request, 400, *BAD_LINK)
    with engine.connect() as conn:
        what = what_is_followed(sub, reference.names(conn))
    return _page(request, 200, f"Stop following {what}?", f"Mails go to {sub.email}.",
                 button="Stop these mails", action=Links.path_of("unsubscribe", token))


@router.post("/unsubscribe", response_class=HTMLResponse)
async def unsubscribe(request: Request, links: LinksDep, follows: FollowsDep,
                      token: Token = "") -> Response:
    """One click (RFC 8058): the mail program POSTs ``List-Unsubscribe=One-Click`` here.
    No origin check: that POST comes from the mail provider, and the signed token is what
    authorises it."""
    key = links.read("unsubscribe", token)
    left = await run_in_threadpool(follows.unsubscribe, key) if key is not None else None
    if left is None:
        return _page(request, 400, *BAD_LINK)
    return _page(request, 200, "You will get no more of these mails",
                 "You can follow again at any time from the page.", back=left.path)


@router.get("/manage", response_class=HTMLResponse)
def manage(request: Request, links: LinksDep, follows: FollowsDep, engine: ReadEngineDep,
           token: Token = "") -> Response:
    sub = _subscription(links, follows, "manage", token)
    if sub is None:
        return _page(request, 400, *BAD_LINK)
    subs = follows.of(sub.email)
    with engine.connect() as conn:
        display = reference.names(conn)
    listed = [{"what": what_is_followed(s, display), "path": s.path,
               "mode": "every change" if s.mode == "instant" else "one digest a day",
               "leave": links.path("unsubscribe", s.link_key)}
              for s in subs]
    return _page(request, 200, "What you follow by e-mail",
                 f"Mails go to {sub.email}." if listed
                 else f"{sub.email} follows nothing now.", follows=listed)


__all__ = ["MODES", "AskingDep", "router", "send_confirmation"]
