"""The public commands: raise an issue, support one, answer "was it delivered?". No login;
limited per client.

Declared with the others (tracker.commands); their routes are written out here, as each
takes something the web alone has: the honeypot and private contact details, the client's
pseudonymous supporter id.

Staff may call them with a token too (to log an issue raised on paper, say): the command
then runs under their account, is authorised for their role like any other, and is not
rate limited.

The honeypot: ``website`` is a field the form hides from people and bots fill in. A filled
one is refused with an honest 422 naming it, not a fake success. A person whose browser
filled it in by itself is told what to do, and no one is ever told an issue was raised
when it was not; a bot learns only what reading the form would tell it anyway. The refusal
still counts against the client's rate limit.

Both are refused when a browser says another site's page sent them, and unless the body is
JSON (``{}`` for support): see tracker.web.edge.same_site_json.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Depends, Request, Response

from tracker.commands import ANSWER_DELIVERY, SUBMIT_ISSUE, SUPPORT_ISSUE
from tracker.commands.requests import AnswerDelivery, SubmitIssue, SupportIssue
from tracker.web.citizens import answerer_id, client_key, supporter_id
from tracker.web.deps import (
    AppDep,
    CommitmentNumber,
    ContactsDep,
    IssueNumber,
    RateLimitsDep,
    SecretDep,
)
from tracker.web.edge import same_site_json
from tracker.web.replies import Written, refusals
from tracker.web.writing import CallerDep, ReplyDep, actor_of, idempotency_key, refuse

router = APIRouter(prefix="/api/v1", tags=["citizens"],
                   dependencies=[Depends(idempotency_key)])


def rate_limited(kind: str) -> Callable[..., Awaitable[None]]:
    # Async: the limits are in this process's memory, so the check runs on the event loop
    # instead of costing each public write a hop to a worker thread.
    async def check(request: Request, caller: CallerDep, limits: RateLimitsDep) -> None:
        if caller is None:
            limits.check(kind, client_key(request))
    return check


@router.post(SUBMIT_ISSUE.path, status_code=201, response_model=Written,
             summary=SUBMIT_ISSUE.title, description=SUBMIT_ISSUE.description,
             dependencies=[Depends(same_site_json),
                           Depends(rate_limited(SUBMIT_ISSUE.rate_limit))],
             responses=refusals(400, 401, 403, 409, 413, 415, 422, 429))
def submit_issue(command: SubmitIssue, app: AppDep, contacts: ContactsDep, reply: ReplyDep,
                 caller: CallerDep) -> Response:
    # The honeypot and the contact details are the web's: the command takes neither.
    if command.website:
        refuse("website", "This field must be left empty")
    if command.occurred_on is not None and caller is None:
        refuse("occurred_on", "An issue raised here is raised today; leave occurred_on out")
    outcome = app.submit_issue(command.title, command.description, actor_of(caller),
                               command.occurred_on)
    if command.contact_email:
        contacts.add(outcome.number, command.contact_name, str(command.contact_email))
    return reply(outcome, 201)


@router.post(SUPPORT_ISSUE.path, response_model=Written, summary=SUPPORT_ISSUE.title,
             description=SUPPORT_ISSUE.description,
             dependencies=[Depends(same_site_json),
                           Depends(rate_limited(SUPPORT_ISSUE.rate_limit))],
             responses=refusals(400, 401, 403, 404, 409, 413, 415, 422, 429))
def support_issue(number: IssueNumber, _command: SupportIssue, request: Request, app: AppDep,
                  secret: SecretDep, reply: ReplyDep, caller: CallerDep) -> Response:
    # The supporter is the client, told apart by a pseudonymous id the web makes.
    who = client_key(request) if caller is None else caller.actor.account_id
    supporter = supporter_id(secret, who, number)
    return reply(app.support_issue(number, supporter, actor_of(caller)))


@router.post(ANSWER_DELIVERY.path, response_model=Written, summary=ANSWER_DELIVERY.title,
             description=ANSWER_DELIVERY.description,
             dependencies=[Depends(same_site_json),
                           Depends(rate_limited(ANSWER_DELIVERY.rate_limit))],
             responses=refusals(400, 401, 403, 404, 409, 413, 415, 422, 429))
def answer_delivery(number: IssueNumber, commitment: CommitmentNumber,
                    command: AnswerDelivery, request: Request, app: AppDep,
                    secret: SecretDep, reply: ReplyDep, caller: CallerDep) -> Response:
    # Like a supporter, the one who answers is the client, by a pseudonymous id.
    who = client_key(request) if caller is None else caller.actor.account_id
    answerer = answerer_id(secret, who, number, commitment)
    return reply(app.answer_delivery(
        number, commitment, command.answer, command.reason, answerer, actor_of(caller)))
