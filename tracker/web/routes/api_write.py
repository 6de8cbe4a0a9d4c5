"""The staff's JSON write routes, one per address declared in tracker.commands.

Each route names who is asking and hands the validated request to its command, which the
application authorises (tracker/permissions.py) and checks. Its request model, summary,
description, answer and refusals come from the declaration, so /openapi.json documents
every command the same way. Every answer carries the issue's new version (also as ETag)
and the log position reached, and the next read shows it. The two public commands have
routes of their own (api_write_citizens.py): they are rate limited and take no token.
"""

from __future__ import annotations

import inspect

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from tracker.accounts import Account
from tracker.application import TrackerApplication
from tracker.commands import addresses
from tracker.commands.command import Choice, Command, Refused
from tracker.web.deps import AccountDep, AppDep, ChallengeNumber, CommitmentNumber, IssueNumber
from tracker.web.edge import SlugInPath
from tracker.web.replies import Written, refusals
from tracker.web.writing import (
    IfMatch,
    Reply,
    ReplyDep,
    expected_version,
    idempotency_key,
    refuse,
)

router = APIRouter(prefix="/api/v1", dependencies=[Depends(idempotency_key)])

# The numbers an address may hold, as the route's path parameters.
NUMBERS = {"number": IssueNumber, "commitment": CommitmentNumber,
           "challenge": ChallengeNumber, "slug": SlugInPath}


def _parameter(name: str, annotation: object, default: object = inspect.Parameter.empty
               ) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
                             default=default)


def add_route(address: Command | Choice) -> None:
    """Register the address's route: its handler's signature says what FastAPI reads."""
    on_issue = "{number}" in address.path
    created = isinstance(address, Command) and address.created
    status = 201 if created else 200
    kind = address.path.strip("/").split("/")[0]  # where a topic, owner or assembly is shown

    def write(command: BaseModel, account: Account, app: TrackerApplication, reply: Reply,
              if_match: str | None = None, **numbers: int) -> Response:
        try:
            outcome = address.run(app, account.actor, command, expected_version(if_match),
                                  **numbers)
        except Refused as refused:
            refuse(refused.field, refused.message)
        return reply(outcome, status, kind)

    parameters = [_parameter(name, NUMBERS[name]) for name in NUMBERS
                  if f"{{{name}}}" in address.path]
    parameters += [_parameter("command", address.request), _parameter("account", AccountDep),
                   _parameter("app", AppDep), _parameter("reply", ReplyDep)]
    if on_issue:
        parameters.append(_parameter("if_match", IfMatch, None))
    write.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        parameters, return_annotation=Response)
    codes = (400, 401, 403, 404, 409, 412, 413, 422) if on_issue else \
        (400, 401, 403, 404, 409, 413, 422) if "{" in address.path else \
        (400, 401, 403, 409, 413, 422)  # an address naming something may name nothing
    router.add_api_route(
        address.path, write, methods=["POST"], name=address.name, status_code=status,
        response_model=Written, summary=address.title, description=address.description,
        responses=refusals(*codes), tags=[_tag(address.path)])


def _tag(path: str) -> str:
    if "{number}" not in path:
        return "reference data"
    return "commitments" if "/commitments" in path else "the story of an issue"


for _address in addresses():
    if not (isinstance(_address, Command) and _address.rate_limit):
        add_route(_address)
