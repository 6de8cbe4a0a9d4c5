"""Reference data through the JSON API: topics, owners and assemblies (staff only)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from tracker.web import requests as r
from tracker.web.deps import AccountDep, TrackerDep
from tracker.web.replies import Written, refusals
from tracker.web.writing import idempotency_key, written

router = APIRouter(prefix="/api/v1", tags=["reference data"],
                   dependencies=[Depends(idempotency_key)])
REFUSALS = refusals(400, 401, 403, 409, 413, 422)


@router.post("/topics", status_code=201, response_model=Written, summary="Create a topic",
             responses=REFUSALS)
def create_topic(command: r.CreateTopic, account: AccountDep, tracker: TrackerDep) -> Response:
    """A topic groups issues (Access to Services, Mental Health...). 409 if the slug exists."""
    recorded = tracker.app.create_topic(command.slug, command.name, account.actor)
    return written(tracker, recorded, 201, "topics")


@router.post("/owners", status_code=201, response_model=Written, summary="Create an owner",
             responses=REFUSALS)
def create_owner(command: r.CreateOwner, account: AccountDep, tracker: TrackerDep) -> Response:
    """An owner is accountable for commitments: a Board member or a team."""
    recorded = tracker.app.create_owner(command.slug, command.name, command.role,
                                        account.actor)
    return written(tracker, recorded, 201, "owners")


@router.post("/assemblies", status_code=201, response_model=Written,
             summary="Create an assembly", responses=REFUSALS)
def create_assembly(command: r.CreateAssembly, account: AccountDep,
                    tracker: TrackerDep) -> Response:
    """An assembly is a meeting where issues are presented and discussed with the Board."""
    recorded = tracker.app.create_assembly(command.slug, command.title, command.date,
                                           command.place, account.actor)
    return written(tracker, recorded, 201, "assemblies")
