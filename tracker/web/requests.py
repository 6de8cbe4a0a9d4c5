"""Request models of the JSON write API: each field's limits are checked before any command."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80,
                            examples=["mental-health"])]
Short = Annotated[str, Field(min_length=1, max_length=300)]
Text = Annotated[str, Field(min_length=1, max_length=10_000)]
OccurredOn = Annotated[date | None, Field(
    description="When it happened (YYYY-MM-DD), if not today", examples=["2014-09-18"])]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SubmitIssue(Command):
    title: Annotated[str, Field(min_length=1, max_length=200,
                                examples=["Shift workers cannot get a GP appointment"])]
    description: Annotated[str, Field(max_length=10_000)] = ""
    contact_name: Annotated[str | None, Field(
        max_length=120, description="Kept private, for replies; never published")] = None
    contact_email: Annotated[EmailStr | None, Field(
        description="Kept private, for replies; never published")] = None
    # A field people never see and bots fill in: a filled one is refused.
    website: Annotated[str, Field(max_length=200, description="Leave empty")] = ""


class CreateTopic(Command):
    slug: Slug
    name: Short


class CreateOwner(Command):
    slug: Slug
    name: Short
    role: Annotated[str, Field(max_length=300)] = ""


class CreateAssembly(Command):
    slug: Slug
    title: Short
    date: date
    place: Annotated[str, Field(max_length=300)] = ""


class AssignTopic(Command):
    topic: Slug
    occurred_on: OccurredOn = None


class Schedule(Command):
    assembly: Slug
    presenter: Annotated[str | None, Field(max_length=120)] = None
    occurred_on: OccurredOn = None


class Presentation(Command):
    presenter: Annotated[str | None, Field(max_length=120)] = None
    occurred_on: OccurredOn = None


class Discussion(Command):
    assembly: Slug
    summary: Text
    key_questions: Annotated[list[Short], Field(max_length=50)] = []
    proposals: Annotated[list[Short], Field(max_length=50)] = []
    occurred_on: OccurredOn = None


class Response(Command):
    decision: Literal["commit", "decline", "refer"]
    summary: Text
    lead: Slug | None = None
    referred_to: Annotated[str | None, Field(max_length=200)] = None
    occurred_on: OccurredOn = None


class NewCommitment(Command):
    text: Annotated[str, Field(min_length=1, max_length=2_000)]
    owner: Slug
    due: date
    measure: Annotated[str, Field(min_length=1, max_length=1_000)]
    occurred_on: OccurredOn = None


class CommitmentUpdate(Command):
    """One update: a progress status, or delivery (needs evidence_url), or dropping (needs
    reason), or a new due date (new_due with reason)."""

    status: Literal["on_track", "at_risk", "delayed", "no_public_evidence", "delivered",
                    "dropped"] | None = None
    note: Annotated[str, Field(max_length=5_000)] = ""
    evidence_url: Annotated[str | None, Field(max_length=2_000)] = None
    new_due: date | None = None
    reason: Annotated[str | None, Field(max_length=5_000)] = None
    occurred_on: OccurredOn = None


class ReferralAnswer(Command):
    answer: Text
    occurred_on: OccurredOn = None


class Close(Command):
    outcome: Text
    occurred_on: OccurredOn = None


class Reopen(Command):
    reason: Short
    occurred_on: OccurredOn = None


class Merge(Command):
    into: Annotated[int, Field(ge=1)]
    reason: Short


class Moderation(Command):
    action: Literal["hide", "restore"]
    reason: Short


class Correction(Command):
    entry: Annotated[int, Field(ge=1)]
    reason: Annotated[str, Field(min_length=1, max_length=2_000)]
    correction: Text


class Written(BaseModel):
    """What a write did."""

    number: int | None = None
    version: int
    position: int = Field(description="The event log position reached; reads show it at once")
    url: str | None = None
    commitment: int | None = None
