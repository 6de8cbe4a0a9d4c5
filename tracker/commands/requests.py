"""What each command takes: one pydantic model per command, checked before it runs.

The field types (tracker/commands/fields.py) carry the domain's limits and text rules, so a
refusal names the field before the command runs; the domain checks again, as the last word.
Field names are the application method's parameter names, except where a command declares
otherwise (``Command.arguments``); the JSON API and the staff forms use these names.
Unknown fields are refused rather than ignored.
"""

from __future__ import annotations

from datetime import date
from datetime import date as Day  # for fields beside one named "date"
from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field, field_validator

from tracker.commands.fields import (
    MAX_NUMBER,
    Line,
    Lines,
    Name,
    OccurredOn,
    SaidLine,
    SaidLines,
    Short,
    Slug,
    Text,
)
from tracker.commands.fields import request as command
from tracker.domain.values import MAX_SHORT, MAX_TEXT, MAX_TITLE, MAX_URL


class SubmitIssue(BaseModel):
    model_config = command(title="Shift workers cannot get a GP appointment",
                           description="Appointments are only offered 9 to 5.")

    title: Annotated[str, Field(min_length=1, max_length=MAX_TITLE), SaidLine]
    description: Annotated[str, Field(max_length=MAX_TEXT), Lines] = ""
    contact_name: Annotated[str | None, Field(
        max_length=120, description="Kept private, for replies; never published"), Line] = None
    contact_email: Annotated[EmailStr | None, Field(
        description="Kept private, for replies; never published")] = None
    # Staff logging an issue raised on paper may date it; a citizen raises it today.
    occurred_on: Annotated[OccurredOn, Field(description="Staff only: when it was raised")] = None
    # Hidden from people in the form; bots fill in every field. See api_write_citizens.
    # The schema says what a client must do (leave it empty); the route refuses anything
    # else with a message a person understands, rather than pydantic's.
    website: Annotated[str, Field(max_length=200, description="Leave empty",
                                  json_schema_extra={"maxLength": 0}), Line] = ""


class SupportIssue(BaseModel):
    """Nothing to say: the body is ``{}``, sent as JSON (tracker.web.edge.same_site_json)."""

    model_config = command()


class CreateTopic(BaseModel):
    model_config = command(slug="mental-health", name="Mental Health")

    slug: Slug
    name: Short


class CreateOwner(BaseModel):
    model_config = command(slug="chief-executive", name="Chief Executive",
                           role="Board member")

    slug: Slug
    name: Short
    role: Annotated[str, Field(max_length=MAX_SHORT), Line] = ""
    # board: a Board member or role; team; external: a body issues are referred to.
    kind: Literal["board", "team", "external"] = "board"


class CreateAssembly(BaseModel):
    model_config = command(slug="london-2014", title="Test Assembly, London",
                           date="2014-09-18", place="London")

    slug: Slug
    title: Short
    date: date
    place: Annotated[str, Field(max_length=MAX_SHORT), Line] = ""
    # When the Board's responses are due, if not TRACKER_RESPONSE_DAYS after the date.
    response_due: Day | None = None


class AssignTopic(BaseModel):
    model_config = command(topic="mental-health")

    topic: Slug
    occurred_on: OccurredOn = None


class Schedule(BaseModel):
    model_config = command(assembly="london-2014", presenter="A carer from Leeds")

    assembly: Slug
    presenter: Name = None
    occurred_on: OccurredOn = None


class Presentation(BaseModel):
    model_config = command(presenter="A carer from Leeds", occurred_on="2014-09-18")

    presenter: Name = None
    occurred_on: OccurredOn = None


class Discussion(BaseModel):
    model_config = command(assembly="london-2014", summary="Waiting times dominated.",
                           key_questions=["Who decides the opening hours?"],
                           proposals=["Evening clinics twice a week"],
                           occurred_on="2014-09-18")

    assembly: Slug
    summary: Text
    key_questions: Annotated[list[Short], Field(max_length=50)] = []
    proposals: Annotated[list[Short], Field(max_length=50)] = []
    occurred_on: OccurredOn = None


class BoardResponse(BaseModel):
    """The response's grade: accepted or accepted_in_part (these alone lead to commitments,
    and name a lead owner), accepted_in_principle, noted, rejected (with its reason) or
    referred (naming the body it goes to in referred_to). Part one's `decision` (commit,
    decline with the summary as its reason, refer) is still taken instead of a grade."""

    model_config = command(grade="accepted", summary="We will pilot evening clinics.",
                           lead="chief-executive", occurred_on="2014-11-06")

    grade: Literal["accepted", "accepted_in_part", "accepted_in_principle", "noted",
                   "rejected", "referred"] | None = None
    summary: Text
    lead: Slug | None = None
    referred_to: Annotated[str | None, Field(max_length=200), Line] = None
    reason: Annotated[str | None, Field(max_length=2_000), SaidLines] = None
    decision: Annotated[Literal["commit", "decline", "refer"] | None, Field(
        description="Part one's word for the grade: send grade instead",
        json_schema_extra={"deprecated": True})] = None
    occurred_on: OccurredOn = None


class NewCommitment(BaseModel):
    model_config = command(text="Pilot evening GP clinics in two boroughs",
                           owner="chief-executive", due="2015-06-30",
                           measure="Clinics open and used")

    text: Annotated[str, Field(min_length=1, max_length=2_000), SaidLines]
    owner: Slug
    due: date
    measure: Annotated[str, Field(min_length=1, max_length=1_000), SaidLines]
    occurred_on: OccurredOn = None


class CommitmentUpdate(BaseModel):
    """One update of a commitment, chosen by what is sent:

    - `status` on_track, at_risk, delayed or no_public_evidence, with a `note` (and an
      optional `evidence_url`): progress;
    - `status` delivered, with `evidence_url` (a link or a document reference) and an
      optional `note`: delivery;
    - `status` dropped, with a `reason`: dropping it;
    - `new_due`, with a `reason` and no status: moving the due date.

    A field that does not belong to the update chosen is refused, never ignored.
    """

    model_config = command(status="delivered", note="Both clinics opened in May",
                           evidence_url="https://example.org/papers/2015-06-board.pdf")

    status: Literal["on_track", "at_risk", "delayed", "no_public_evidence", "delivered",
                    "dropped"] | None = None
    note: Annotated[str | None, Field(max_length=5_000), Lines] = None
    evidence_url: Annotated[str | None, Field(max_length=MAX_URL), Line] = None
    new_due: date | None = None
    reason: Annotated[str | None, Field(max_length=5_000), Lines] = None
    occurred_on: OccurredOn = None


# The four commands the update address chooses among (tracker.commands.choose_update);
# each is also a staff form of its own. Their limits are the update's, so one built from
# an update already checked cannot fail.

class RecordProgress(BaseModel):
    model_config = command(status="on_track", note="The first clinic opens in May")

    status: Literal["on_track", "at_risk", "delayed", "no_public_evidence"]
    note: Annotated[str, Field(min_length=1, max_length=5_000), SaidLines]
    evidence_url: Annotated[str | None, Field(max_length=MAX_URL), Line] = None
    occurred_on: OccurredOn = None


class DeliverCommitment(BaseModel):
    model_config = command(evidence_url="https://example.org/papers/2015-06-board.pdf")

    evidence_url: Annotated[str, Field(min_length=1, max_length=MAX_URL), SaidLine]
    note: Annotated[str, Field(max_length=5_000), Lines] = "Delivered"
    occurred_on: OccurredOn = None

    @field_validator("note")
    @classmethod
    def _something_said(cls, note: str) -> str:
        return note or "Delivered"


class DropCommitment(BaseModel):
    model_config = command(reason="The funding was withdrawn")

    reason: Annotated[str, Field(min_length=1, max_length=5_000), SaidLines]
    occurred_on: OccurredOn = None


class MoveDueDate(BaseModel):
    model_config = command(new_due="2015-09-30", reason="The supplier is late")

    new_due: date
    reason: Annotated[str, Field(min_length=1, max_length=5_000), SaidLines]
    occurred_on: OccurredOn = None


class ReferralAnswer(BaseModel):
    model_config = command(answer="Healthwatch England will review access in its next report.")

    answer: Text
    occurred_on: OccurredOn = None


class Close(BaseModel):
    model_config = command(outcome="Evening clinics now run in two boroughs.")

    outcome: Text
    occurred_on: OccurredOn = None


class Reopen(BaseModel):
    model_config = command(reason="The clinics closed again in 2016.")

    reason: Short
    occurred_on: OccurredOn = None


class Merge(BaseModel):
    model_config = command(into=3, reason="The same request as issue 3")

    into: Annotated[int, Field(ge=1, le=MAX_NUMBER, description="The issue this one duplicates")]
    reason: Short


class Moderation(BaseModel):
    model_config = command(action="hide", reason="Names a member of staff")

    action: Literal["hide", "restore"]
    reason: Annotated[str, Field(min_length=1, max_length=MAX_SHORT,
                                 description="Shown in public"), SaidLine]


class HideIssue(BaseModel):
    model_config = command(reason="Names a member of staff")

    reason: Annotated[str, Field(min_length=1, max_length=MAX_SHORT,
                                 description="Shown in public"), SaidLine]


class RestoreIssue(HideIssue):
    model_config = command(reason="The name has been removed")


class Correction(BaseModel):
    model_config = command(entry=4, reason="The wrong date was given",
                           correction="The discussion took place on 18 September 2014.")

    entry: Annotated[int, Field(ge=1, le=MAX_NUMBER,
                                description="The entry's number in the issue history")]
    reason: Annotated[str, Field(min_length=1, max_length=2_000), SaidLines]
    correction: Text


class RevisedResponseRequest(BaseModel):
    """The Board's response does not answer what was asked: it owes a new one."""

    model_config = command(reason="The response does not say what happens to evening clinics.")

    reason: Annotated[str, Field(min_length=1, max_length=2_000), SaidLines]


# -- someone other than the Board judges delivery -------------------------------------------

class AnswerDelivery(BaseModel):
    """"Was it delivered?" A `no` or `partly` with a reason is a challenge the secretariat
    answers in public."""

    model_config = command(answer="no", reason="The clinic in my borough never opened.")

    answer: Literal["yes", "partly", "no"]
    reason: Annotated[str | None, Field(max_length=2_000, description="Shown in public"),
                      Lines] = None


class AnswerChallenge(BaseModel):
    model_config = command(answer="The second clinic opens in March; see the Board paper.")

    answer: Text
    occurred_on: OccurredOn = None


class AssessCommitment(BaseModel):
    """An independent assessment: how complete, what changed, why, and on what sources."""

    model_config = command(completion="limited", outcome="marginal",
                           reason="One of two clinics opened; use is low.",
                           sources=["https://example.org/healthwatch/2015-report.pdf"])

    completion: Literal["no_evidence", "not_started", "limited", "substantial", "complete"]
    outcome: Literal["worsened", "no_change", "marginal", "major", "outstanding"]
    reason: Text
    sources: Annotated[list[Annotated[str, Field(min_length=1, max_length=MAX_URL),
                                      SaidLine]], Field(max_length=20)] = []
    occurred_on: OccurredOn = None


class PanelScore(BaseModel):
    issue: Annotated[int, Field(ge=1, le=MAX_NUMBER)]
    score: Annotated[int, Field(ge=0, le=10, description="0 to 10")]


class ReconveneAssembly(BaseModel):
    """The assembly's panel met again: its score of each Board response and its statement."""

    model_config = command(date="2015-03-12", statement="Access improved; mental health did not.",
                           scores=[{"issue": 1, "score": 6}])

    date: date
    statement: Text
    scores: Annotated[list[PanelScore], Field(min_length=1, max_length=500)]
class AmendCommitment(BaseModel):
    """One term of a commitment changed: `text`, `owner` (a slug), `due` (YYYY-MM-DD) or
    `measure`, with the new `value` and a public `reason`."""

    model_config = command(field="owner", value="director-of-finance",
                           reason="The Board gave this to the Director of Finance")

    field: Literal["text", "owner", "due", "measure"]
    value: Annotated[str, Field(min_length=1, max_length=2_000, description=(
        "The new value. An owner by its short name (e.g. chief-executive); a due date as "
        "YYYY-MM-DD")), SaidLines]
    reason: Annotated[str, Field(min_length=1, max_length=2_000), SaidLines]
    occurred_on: OccurredOn = None
