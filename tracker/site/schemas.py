"""Response models of the JSON read API (documented in /openapi.json)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from tracker.projections.listings import CommitmentSummary


class CitizensOut(BaseModel):
    """How many people answered "was it delivered?" each way (each counted once)."""

    yes: int = 0
    partly: int = 0
    no: int = 0


class AssessmentOut(BaseModel):
    """The independent assessor's latest grades of the commitment."""

    assessment: int = Field(description="Its number within the issue; a later one supersedes")
    completion: str = Field(description="no_evidence, not_started, limited, substantial or "
                                        "complete")
    outcome: str = Field(description="worsened, no_change, marginal, major or outstanding")
    reason: str
    sources: list[str]
    assessed_on: date


class ChallengeOut(BaseModel):
    """A citizen's no or partly, with a reason, and the secretariat's public answer."""

    challenge: int = Field(description="Its number within the issue")
    commitment: int
    answer: str = Field(description="The citizen's: partly or no")
    reason: str
    raised_on: date
    response: str | None = Field(description="The secretariat's answer; null while waiting")
    responded_on: date | None


class PanelScoreOut(BaseModel):
    """A reconvened panel's score of the Board's response, 0 to 10."""

    assembly: str
    session: int
    held_on: date
    score: int


class CommitmentOut(BaseModel):
    commitment: int = Field(description="Its number within the issue")
    text: str
    owner: str = Field(description="The accountable owner's slug")
    due: date
    measure: str
    status: str = Field(description="on_track, at_risk, delayed, no_public_evidence, "
                                    "delivered or dropped")
    overdue: bool = Field(description="Due date passed, neither delivered nor dropped")
    evidence: str = ""
    citizens: CitizensOut = Field(default_factory=CitizensOut)
    assessment: AssessmentOut | None = None
    disagreement: str = Field("", description="When those judging a delivery disagree "
                                              "with the Board, in one sentence")


class ResponseOut(BaseModel):
    grade: str | None = Field(description="accepted, accepted_in_part, accepted_in_principle, "
                                          "noted, rejected or referred; null while owed")
    summary: str
    reason: str = Field(description="A rejection's reason")
    lead: str | None = Field(description="The lead owner's slug")
    referred_to: str = Field(description="The body a referral goes to")
    responded_on: date | None
    promised: bool = Field(description="Only accepted and accepted_in_part promise anything: "
                                       "commitments may follow")
    due: date | None = Field(description="While a response is owed: the day it is due")
    overdue: bool
    referral_due: date | None = Field(description="While a referred body owes its answer")
    referral_overdue: bool
    referral_answered_on: date | None
    owed_by_support_since: date | None = Field(
        description="The day its supporters reached the response threshold")


class IssueOut(BaseModel):
    number: int
    title: str
    description: str
    stage: str
    verdict: str = Field(description="One sentence: did anything come of it?")
    topic: str | None
    assembly: str | None
    supporters: int
    version: int
    commitments: list[CommitmentOut]
    response: ResponseOut | None = Field(
        description="The Board's response, or when it is due; null before one is owed")
    challenges: list[ChallengeOut] = []
    panel_scores: list[PanelScoreOut] = []


class IssueSummaryOut(BaseModel):
    number: int
    title: str
    stage: str
    topic: str | None
    supporters: int
    commitments: int
    delivered: int
    overdue: int


class IssueListOut(BaseModel):
    total: int
    offset: int
    limit: int
    issues: list[IssueSummaryOut]


class EntryOut(BaseModel):
    position: int = Field(description="Position in the public event log")
    issue: int
    entry: int = Field(description="The entry's number within its issue (corrections "
                                   "name it)")
    type: str
    at: datetime = Field(description="When it was recorded (UTC)")
    occurred_on: date = Field(description="When it happened")
    actor_role: str
    sentence: str
    corrects: int | None = None
    fields: dict[str, Any]
    withheld: bool = Field(False, description="True while the issue is hidden: the words "
                                              "of the entry are withheld (its text fields "
                                              "are null)")


class TimelineOut(BaseModel):
    entries: list[EntryOut]
    next_before: int | None = Field(description="Pass as ?before= for the next page")


class CommitmentListOut(BaseModel):
    total: int
    commitments: list[CommitmentSummary]


class FiguresOut(BaseModel):
    issues: int
    commitments: int
    delivered: int
    overdue: int


class ReferenceOut(BaseModel):
    slug: str
    name: str
    detail: str = Field(description="An owner's role or an assembly's place")
    held_on: date | None = None
    figures: FiguresOut
