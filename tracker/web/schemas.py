"""Response (and later request) models of the JSON API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class CommitmentOut(BaseModel):
    commitment: int
    text: str
    owner: str
    due: date
    measure: str
    status: str
    overdue: bool


class IssueOut(BaseModel):
    number: int
    title: str
    description: str
    stage: str
    verdict: str
    topic: str | None
    assembly: str | None
    supporters: int
    version: int
    commitments: list[CommitmentOut]
