"""What every write endpoint shares: who is asking, If-Match, and the answer.

The order of checks is the safety argument of the write API: the body size (413, in
middleware), the token (401) and the rate limit (429) are dependencies, so they run before
the body is validated (422); If-Match is parsed (400) before the command runs; the command
itself authorises the role (403) and checks the rules (404, 409, 412, 422) before it saves.
Every refusal therefore happens before anything reaches the event store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, NoReturn

from fastapi import Depends, Header, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from tracker.accounts import Account
from tracker.application import Outcome, Recorded
from tracker.domain.values import Actor, Role
from tracker.web.deps import AccountsDep, SettingsDep, ShowWrittenDep, get_account
from tracker.web.replies import Written

# Everyone without a token. Citizens are not accounts, so they share one opaque actor id;
# supporters are told apart by their pseudonymous supporter id instead.
CITIZEN = Actor("public", Role.CITIZEN)


IfMatch = Annotated[str | None, Header(
    alias="If-Match",
    description='The issue version you last read, e.g. "7". If the issue has moved on, the '
                'write is refused with 412 and nothing is written. "*" means any version. '
                'Anything else that is not a version is refused with 400.')]


IDEMPOTENCY_KEY_HELP = (
    "Makes a retry safe: any unique string (a UUID, say) of 1 to 255 printable ASCII "
    "characters, chosen by the client for this request. A repeat with the same key from "
    "the same caller (the token's account, or the same client without a token) within 24 "
    "hours (TRACKER_IDEMPOTENCY_HOURS) is not run again: it gets the first success's "
    "status and body, with `Idempotent-Replayed: true`. The same key with a different "
    "request is refused with 422 naming the header; a repeat while the first is still "
    "running gets 409 and Retry-After. Refusals are not kept: a repeat of one runs again.")


async def idempotency_key(key: Annotated[str | None, Header(
        alias="Idempotency-Key", max_length=255, pattern=r"^[\x20-\x7e]+$",
        description=IDEMPOTENCY_KEY_HELP)] = None) -> None:
    """Documents the header on every write: tracker.web.idempotency acts on it before the
    route runs."""


async def get_caller(accounts: AccountsDep,
                     authorization: Annotated[str | None, Header()] = None
                     ) -> Account | None:
    """The staff account behind a bearer token; None for a citizen who sends none.

    A token that is sent must be valid (401 otherwise): silently treating a mistyped token
    as a citizen would hide the mistake and record the command under the wrong role.
    """
    # Async, so that a citizen's request (no token: nothing to look up) costs no hop to a
    # worker thread; only a token's lookup, which asks the database, goes to one.
    if authorization is None:
        return None
    return await run_in_threadpool(get_account, accounts, authorization)


CallerDep = Annotated[Account | None, Depends(get_caller)]


def actor_of(caller: Account | None) -> Actor:
    return CITIZEN if caller is None else caller.actor


def expected_version(if_match: str | None) -> int | None:
    """The version an If-Match header names; None when absent or "*".

    A malformed header is a 400, not a 412: the client has a bug to fix, and retrying with
    a fresh read would not help it. Weak tags (W/"7") are accepted, as versions are exact.
    """
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/")
    if len(value) < 3 or not (value[0] == value[-1] == '"') or not value[1:-1].isdigit():
        raise HTTPException(400, detail={
            "field": "If-Match", "detail": 'If-Match must be one version in quotes, e.g. "7"'})
    return int(value[1:-1])


def refuse(field: str, detail: str) -> NoReturn:
    """A 422 in the same shape as pydantic's, for checks that span several fields."""
    raise RequestValidationError([{"loc": ("body", field), "msg": detail,
                                   "type": "value_error"}])


@dataclass(frozen=True)
class Reply:
    """The answer to a write, once the next read will show it."""

    show_written: Callable[[int], bool]
    base_url: str

    def __call__(self, outcome: Outcome | Recorded, status: int = 200,
                 kind: str = "") -> JSONResponse:
        """Project the new events now, so the next read shows them, and say what was
        written."""
        self.show_written(outcome.position)
        return answer(self.base_url, outcome, status, kind)


async def get_reply(show_written: ShowWrittenDep, settings: SettingsDep) -> Reply:
    return Reply(show_written, settings.base_url)


ReplyDep = Annotated[Reply, Depends(get_reply)]


def answer(base: str, outcome: Outcome | Recorded, status: int, kind: str = "") -> JSONResponse:
    """The answer to a write: what it did, where to read it, and the version as ETag."""
    if isinstance(outcome, Recorded):
        body = Written(slug=outcome.slug, version=outcome.version, position=outcome.position,
                       url=f"{base}/{kind}/{outcome.slug}")
        return JSONResponse(body.model_dump(exclude_none=True), status_code=status)
    url = f"{base}/issues/{outcome.number}"
    body = Written(number=outcome.number, version=outcome.version, position=outcome.position,
                   url=url, commitment=outcome.commitment)
    headers = {"ETag": f'"{outcome.version}"'}
    if status == 201 and outcome.commitment is None:
        headers["Location"] = url
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status,
                        headers=headers)
