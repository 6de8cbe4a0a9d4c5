"""Request dependencies: one narrow, typed part of the container each, and the caller.

The app holds the container (tracker.bootstrap.Tracker) as its one state attribute
(tracker.web.mounting); a route names the parts it uses (``AppDep``, ``AccountsDep``,
``ReadEngineDep``...) and never the container itself (tests/e2e/test_wiring.py checks
every route module).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Protocol

from fastapi import Depends, Header, HTTPException, Path, Request
from sqlalchemy import Engine

from tracker.accounts import Account, Accounts
from tracker.application import TrackerApplication
from tracker.config import Settings
from tracker.contacts import Contacts
from tracker.evidence_files import EvidenceFiles
from tracker.following.links import Links
from tracker.following.mails import Mail
from tracker.following.store import Follows
from tracker.health import Health
from tracker.meeting_drafts import MeetingDrafts
from tracker.web.citizens import RateLimits
from tracker.web.mounting import container_of


# Async on purpose: a plain ``def`` dependency costs a hop to the thread pool per request,
# and under load such hops cost more than the queries. Read connections are not a
# dependency for the same reason: routes open them inside their own worker thread (see
# tracker.web.http_cache.HttpCache.answer), never on the event loop, where waiting for a pooled
# connection would stall every request.
async def get_settings(request: Request) -> Settings:
    return container_of(request).settings


async def get_clock(request: Request) -> Callable[[], date]:
    return container_of(request).clock


async def get_application(request: Request) -> TrackerApplication:
    return container_of(request).app


async def get_read_engine(request: Request) -> Engine:
    return container_of(request).engine


class Reads(Protocol):
    """What reading the read models takes (a ``ReadModels``; the container has it too)."""

    @property
    def engine(self) -> Engine: ...

    @property
    def clock(self) -> Callable[[], date]: ...

    @property
    def settings(self) -> Settings: ...


@dataclass(frozen=True)
class ReadModels:
    """What a staff page reads with: the read models' engine (connect in the route's own
    thread), the clock, and the settings that shape the views (silent days, clocks)."""

    engine: Engine
    clock: Callable[[], date]
    settings: Settings


async def get_read_models(request: Request) -> ReadModels:
    container = container_of(request)
    return ReadModels(container.engine, container.clock, container.settings)


async def get_files(request: Request) -> EvidenceFiles:
    return container_of(request).files


async def get_show_written(request: Request) -> Callable[[int], bool]:
    return container_of(request).show_written


async def get_catch_up(request: Request) -> Callable[[], None]:
    return container_of(request).refresh


async def get_position(request: Request) -> Callable[[], int]:
    return container_of(request).projector.position


async def get_accounts(request: Request) -> Accounts:
    return container_of(request).accounts


async def get_contacts(request: Request) -> Contacts:
    return container_of(request).contacts


async def get_follows(request: Request) -> Follows:
    return container_of(request).follows


async def get_drafts(request: Request) -> MeetingDrafts:
    return container_of(request).meeting_drafts


async def get_links(request: Request) -> Links:
    return container_of(request).links


async def get_mail(request: Request) -> Mail:
    return container_of(request).mail


async def get_rate_limits(request: Request) -> RateLimits:
    return container_of(request).rate_limits


async def get_secret(request: Request) -> bytes:
    return container_of(request).secret


async def get_health(request: Request) -> Health:
    return container_of(request).health


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Callable[[], date], Depends(get_clock)]
AppDep = Annotated[TrackerApplication, Depends(get_application)]  # the commands
ReadEngineDep = Annotated[Engine, Depends(get_read_engine)]  # connect in the route's thread
ReadModelsDep = Annotated[ReadModels, Depends(get_read_models)]
FilesDep = Annotated[EvidenceFiles, Depends(get_files)]
# After a write: project up to its position, so the next read shows it.
ShowWrittenDep = Annotated[Callable[[int], bool], Depends(get_show_written)]
# Project everything written so far before answering (after a bulk import).
CatchUpDep = Annotated[Callable[[], None], Depends(get_catch_up)]
PositionDep = Annotated[Callable[[], int], Depends(get_position)]  # how far reads have got
AccountsDep = Annotated[Accounts, Depends(get_accounts)]
ContactsDep = Annotated[Contacts, Depends(get_contacts)]
FollowsDep = Annotated[Follows, Depends(get_follows)]
DraftsDep = Annotated[MeetingDrafts, Depends(get_drafts)]
LinksDep = Annotated[Links, Depends(get_links)]
MailDep = Annotated[Mail, Depends(get_mail)]
RateLimitsDep = Annotated[RateLimits, Depends(get_rate_limits)]
SecretDep = Annotated[bytes, Depends(get_secret)]
HealthDep = Annotated[Health, Depends(get_health)]

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


def get_account(accounts: AccountsDep,
                authorization: Annotated[str | None, Header()] = None) -> Account:
    """The staff account behind ``Authorization: Bearer <token>``, or 401."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(401, detail="A bearer token is required",
                            headers={"WWW-Authenticate": "Bearer"})
    account = accounts.authenticate(token.strip())
    if account is None:
        raise HTTPException(401, detail="The token is unknown or revoked",
                            headers={"WWW-Authenticate": "Bearer"})
    return account


AccountDep = Annotated[Account, Depends(get_account)]
