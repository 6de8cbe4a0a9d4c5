"""Request dependencies: the tracker, a read-model connection, and the calling actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Path, Request

from tracker.accounts import Account
from tracker.bootstrap import Tracker


# Async on purpose: a plain ``def`` dependency costs a hop to the thread pool per request,
# and under load such hops cost more than the queries. Read connections are not a
# dependency for the same reason: routes open them inside their own worker thread (see
# tracker.web.http_cache.HttpCache.answer), never on the event loop, where waiting for a pooled
# connection would stall every request.
async def get_tracker(request: Request) -> Tracker:
    tracker: Tracker = request.app.state.tracker
    return tracker


TrackerDep = Annotated[Tracker, Depends(get_tracker)]

# Numbers in addresses stay within what every database's integer holds: a larger one is
# a 422 (a 404 page for pages), never a database error.
MAX_NUMBER = 2_147_483_647
MAX_POSITION = 2**62  # event log positions are 64-bit
IssueNumber = Annotated[int, Path(ge=0, le=MAX_NUMBER, description="The issue's public number",
                                  examples=[3])]
CommitmentNumber = Annotated[int, Path(ge=0, le=MAX_NUMBER, examples=[1],
                                       description="The commitment's number within the issue")]
ChallengeNumber = Annotated[int, Path(ge=0, le=MAX_NUMBER, examples=[1],
                                      description="The challenge's number within the issue")]


def get_account(tracker: TrackerDep,
                authorization: Annotated[str | None, Header()] = None) -> Account:
    """The staff account behind ``Authorization: Bearer <token>``, or 401."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(401, detail="A bearer token is required",
                            headers={"WWW-Authenticate": "Bearer"})
    account = tracker.accounts.authenticate(token.strip())
    if account is None:
        raise HTTPException(401, detail="The token is unknown or revoked",
                            headers={"WWW-Authenticate": "Bearer"})
    return account


AccountDep = Annotated[Account, Depends(get_account)]
