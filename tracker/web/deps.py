"""Request dependencies: the tracker, a read-model connection, and the calling actor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy import Connection

from tracker.accounts import Account
from tracker.bootstrap import Tracker


def get_tracker(request: Request) -> Tracker:
    tracker: Tracker = request.app.state.tracker
    return tracker


TrackerDep = Annotated[Tracker, Depends(get_tracker)]


def get_read_connection(tracker: TrackerDep) -> Iterator[Connection]:
    with tracker.engine.connect() as conn:
        yield conn


ReadConn = Annotated[Connection, Depends(get_read_connection)]


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
