"""Issue status read model: one row per issue, one per commitment, and their queries.

Stage is stored (it depends only on events); the verdict and "overdue" are worked out when
read, against the caller's date, so they are right whether or not any job has run.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    and_,
    bindparam,
    case,
    select,
    update,
)

from tracker.domain.commitment import CommitmentStatus
from tracker.domain.issue import Issue
from tracker.domain.response import Grade, allows_commitments
from tracker.domain.status import (
    Clocks,
    CommitmentFacts,
    IssueFacts,
    derive_stage,
    referral_due,
    response_due,
    verdict,
)
from tracker.projections.base import Projection, handles, metadata
from tracker.projections.judgements import judged
from tracker.projections.withheld import WITHHELD_TEXT, WITHHELD_TITLE

issues = Table(
    "issue_status",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("issue_id", String(32), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("stage", String(40), nullable=False, index=True),
    Column("topic", String(80), index=True),
    Column("assembly", String(80), index=True),
    Column("presenter", String(120), nullable=False, default=""),
    Column("presented", Boolean, nullable=False, default=False),
    Column("hidden_reason", Text),
    Column("merged_into", Integer),
    Column("grade", String(30)),
    Column("response_summary", Text, nullable=False, default=""),
    Column("response_reason", Text, nullable=False, default=""),
    Column("lead", String(80), index=True),
    Column("referred_to", String(200), nullable=False, default=""),
    Column("referral_answered", Boolean, nullable=False, default=False),
    Column("referral_answered_on", Date),
    Column("response_owed_on", Date),  # the day its support reached the response threshold
    Column("outcome", Text),
    Column("supporters", Integer, nullable=False, default=0),
    Column("submitted_on", Date, nullable=False),
    Column("discussed_on", Date),
    Column("responded_on", Date),
    Column("revision_requested_on", Date),
    Column("closed_on", Date),
    Column("last_occurred_on", Date, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
)

commitments = Table(
    "commitment_status",
    metadata,
    Column("issue_number", Integer, primary_key=True, autoincrement=False),
    Column("commitment", Integer, primary_key=True, autoincrement=False),
    Column("text", Text, nullable=False),
    Column("owner", String(80), nullable=False, index=True),
    Column("due", Date, nullable=False, index=True),
    Column("measure", Text, nullable=False),
    Column("status", String(30), nullable=False, index=True),
    Column("made_on", Date, nullable=False),
    Column("last_update_on", Date),
    Column("evidence", Text, nullable=False, default=""),
    Column("delivered_on", Date),
)

# The words of hidden issues, out of the public rows until a restore (see withheld.py): never
# read by a public query.
withheld_texts = Table(
    "issue_status_withheld",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("presenter", String(120), nullable=False),
    Column("response_summary", Text, nullable=False),
    Column("outcome", Text),
    Column("commitments", Text, nullable=False),  # JSON: number -> [text, measure, evidence]
    Column("response_reason", Text, nullable=False, default=""),
)


# Open: neither delivered nor dropped. Overdue: open and past its due date. Defined once here
# for every query that counts or lists overdue commitments.
OPEN_STATUSES = tuple(s.value for s in CommitmentStatus if not s.is_settled)


def overdue_clause(today: date) -> Any:
    return and_(commitments.c.status.in_(OPEN_STATUSES), commitments.c.due < today)


class IssueStatusProjection(Projection):
    name = "issue_status"
    tables = (issues, commitments, withheld_texts)

    def __init__(self) -> None:
        # Later events name the aggregate id, not the number: remember the mapping.
        self._numbers: dict[Any, int] = {}

    # Supports, by far the most frequent event, never cost a statement each: one submitted
    # in the same batch is counted into the held new row, and those of an issue already
    # stored are added up into one held UPDATE per issue. Every other handler first writes
    # what is held for its issue (``_number``), as it reads or changes the stored row.

    @handles(Issue.Submitted)
    def _submitted(self, conn: Connection, e: Issue.Submitted, position: int) -> None:
        self._numbers[e.originator_id] = e.number
        self.bulk.insert(issues, e.originator_id, _new_row(e, position))

    @handles(Issue.Supported)
    def _supported(self, conn: Connection, e: Issue.Supported, position: int) -> None:
        key = e.originator_id
        new = self.bulk.held(issues, key)
        if new is not None:
            new.update(supporters=new["supporters"] + 1, version=e.originator_version,
                       position=position, updated_at=e.timestamp,
                       last_occurred_on=max(new["last_occurred_on"], e.occurred_on))
            return
        added = self.bulk.held(_ADD_SUPPORTS, key)
        if added is None:
            added = self.bulk.update(_ADD_SUPPORTS, key, {
                "n": self._stored_number(conn, e), "k": 0, "d": e.occurred_on})
        added.update(k=added["k"] + 1, v=e.originator_version, p=position, t=e.timestamp,
                     d=max(added["d"], e.occurred_on))

    @handles(Issue.Hidden)
    def _hidden(self, conn: Connection, e: Issue.Hidden, position: int) -> None:
        _withhold(conn, self._number(conn, e))
        self._change(conn, e, position, hidden_reason=e.reason)

    @handles(Issue.Restored)
    def _restored(self, conn: Connection, e: Issue.Restored, position: int) -> None:
        _give_back(conn, self._number(conn, e))
        self._change(conn, e, position, hidden_reason=None)

    @handles(Issue.Merged)
    def _merged(self, conn: Connection, e: Issue.Merged, position: int) -> None:
        self._change(conn, e, position, merged_into=e.into)

    @handles(Issue.TopicAssigned)
    def _topic(self, conn: Connection, e: Issue.TopicAssigned, position: int) -> None:
        self._change(conn, e, position, topic=e.topic)

    @handles(Issue.Scheduled)
    def _scheduled(self, conn: Connection, e: Issue.Scheduled, position: int) -> None:
        self._change(conn, e, position, assembly=e.assembly, presenter=e.presenter,
                     presented=False)

    @handles(Issue.Presented)
    def _presented(self, conn: Connection, e: Issue.Presented, position: int) -> None:
        values: dict[str, Any] = {"presented": True}
        if e.presenter:
            values["presenter"] = e.presenter
        self._touch(conn, e, position, **values)

    @handles(Issue.Discussed)
    def _discussed(self, conn: Connection, e: Issue.Discussed, position: int) -> None:
        self._change(conn, e, position, discussed_on=e.occurred_on)

    @handles(Issue.BoardResponded)
    def _responded(self, conn: Connection, e: Issue.BoardResponded, position: int) -> None:
        self._change(conn, e, position, grade=e.grade, response_summary=e.summary,
                     response_reason=e.reason, lead=e.lead or None,
                     referred_to=e.referred_to, referral_answered=False,
                     referral_answered_on=None, responded_on=e.occurred_on,
                     revision_requested_on=None)

    @handles(Issue.RevisedResponseRequested)
    def _revision_requested(self, conn: Connection, e: Issue.RevisedResponseRequested,
                            position: int) -> None:
        self._change(conn, e, position, grade=None, revision_requested_on=e.occurred_on)

    @handles(Issue.CommitmentMade)
    def _commitment_made(self, conn: Connection, e: Issue.CommitmentMade, position: int) -> None:
        conn.execute(commitments.insert().values(
            issue_number=self._number(conn, e), commitment=e.commitment, text=e.text,
            owner=e.owner, due=e.due, measure=e.measure, status="on_track",
            made_on=e.occurred_on, evidence=""))
        self._change(conn, e, position)

    @handles(Issue.ProgressRecorded)
    def _progress(self, conn: Connection, e: Issue.ProgressRecorded, position: int) -> None:
        self._commitment(conn, e, status=e.status, last_update_on=e.occurred_on)
        self._change(conn, e, position)

    @handles(Issue.DueDateMoved)
    def _moved(self, conn: Connection, e: Issue.DueDateMoved, position: int) -> None:
        self._commitment(conn, e, due=e.new_due, last_update_on=e.occurred_on)
        self._touch(conn, e, position)

    @handles(Issue.CommitmentDelivered)
    def _delivered(self, conn: Connection, e: Issue.CommitmentDelivered, position: int) -> None:
        self._commitment(conn, e, status="delivered", last_update_on=e.occurred_on,
                         evidence=e.evidence, delivered_on=e.occurred_on)
        self._change(conn, e, position)

    @handles(Issue.CommitmentDropped)
    def _dropped(self, conn: Connection, e: Issue.CommitmentDropped, position: int) -> None:
        self._commitment(conn, e, status="dropped", last_update_on=e.occurred_on)
        self._change(conn, e, position)

    @handles(Issue.ReferralAnswered)
    def _answered(self, conn: Connection, e: Issue.ReferralAnswered, position: int) -> None:
        self._touch(conn, e, position, referral_answered=True,
                    referral_answered_on=e.occurred_on)

    @handles(Issue.ResponseOwed)
    def _owed(self, conn: Connection, e: Issue.ResponseOwed, position: int) -> None:
        self._touch(conn, e, position, response_owed_on=e.occurred_on)

    @handles(Issue.Closed)
    def _closed(self, conn: Connection, e: Issue.Closed, position: int) -> None:
        self._change(conn, e, position, outcome=e.outcome, closed_on=e.occurred_on)

    @handles(Issue.Reopened)
    def _reopened(self, conn: Connection, e: Issue.Reopened, position: int) -> None:
        self._change(conn, e, position, outcome=None, closed_on=None, merged_into=None)

    @handles(Issue.Corrected, Issue.ActionImported)
    def _corrected(self, conn: Connection, e: Issue.Corrected, position: int) -> None:
        self._touch(conn, e, position)

    @handles(Issue.CommitmentAmended)
    def _amended(self, conn: Connection, e: Issue.CommitmentAmended, position: int) -> None:
        value: Any = date.fromisoformat(e.after) if e.field == "due" else e.after
        self._commitment(conn, e, **{e.field: value})
        self._touch(conn, e, position)

    @handles(Issue.CitizenAnswered, Issue.ChallengeAnswered, Issue.CommitmentAssessed,
             Issue.ResponseScored)
    def _judged(self, conn: Connection, e: Any, position: int) -> None:
        # Judgements have a read model of their own (judgements.py); the issue's version
        # and position still move, so If-Match and the ETag see them.
        self._touch(conn, e, position)

    # -- helpers -------------------------------------------------------------------------

    def _number(self, conn: Connection, e: Any) -> int:
        """The issue's number, once its held rows are written: call before any statement
        that reads or changes its stored rows."""
        self.bulk.settle(conn, e.originator_id)
        return self._stored_number(conn, e)

    def _stored_number(self, conn: Connection, e: Any) -> int:
        number = self._numbers.get(e.originator_id)
        if number is None:
            number = int(conn.execute(select(issues.c.number).where(
                issues.c.issue_id == e.originator_id.hex)).scalar_one())
            self._numbers[e.originator_id] = number
        return number

    def _touch(self, conn: Connection, e: Any, position: int, **values: Any) -> None:
        conn.execute(_touch_statement(tuple(sorted(values))), {
            "n": self._number(conn, e), "v": e.originator_version, "p": position,
            "t": e.timestamp, "d": e.occurred_on, **{f"x_{k}": v for k, v in values.items()}})

    def _change(self, conn: Connection, e: Any, position: int, **values: Any) -> None:
        """Update the row and its stage, derived from the facts stored with these changes
        made: one read and one write."""
        facts = replace(load_facts(conn, self._number(conn, e)),
                        **{k: v for k, v in values.items() if k in _FACTS})
        self._touch(conn, e, position, stage=str(derive_stage(facts)), **values)

    def _commitment(self, conn: Connection, e: Any, **values: Any) -> None:
        conn.execute(update(commitments).where(
            commitments.c.issue_number == self._number(conn, e),
            commitments.c.commitment == e.commitment).values(**values))


# The columns a change may set that the stage is derived from (the commitments are read).
_FACTS = frozenset(f.name for f in fields(IssueFacts)) - {"commitments"}
_TEXT_COLUMNS = ("title", "description", "presenter", "response_summary", "response_reason",
                 "outcome")


def _withhold(conn: Connection, number: int) -> None:
    """Move a hidden issue's words out of its public rows, leaving placeholders. The domain
    refuses every command that writes these columns while the issue is hidden (only a
    reopen can clear the outcome), so the placeholders stay until the restore."""
    if conn.execute(select(withheld_texts.c.number)
                    .where(withheld_texts.c.number == number)).first() is not None:
        return  # already withheld: never overwrite the words with placeholders
    row = conn.execute(select(*(issues.c[k] for k in _TEXT_COLUMNS))
                       .where(issues.c.number == number)).mappings().one()
    texts = {str(c.commitment): [c.text, c.measure, c.evidence] for c in conn.execute(
        select(commitments.c.commitment, commitments.c.text, commitments.c.measure,
               commitments.c.evidence).where(commitments.c.issue_number == number))}
    conn.execute(withheld_texts.insert().values(
        number=number, **row, commitments=json.dumps(texts, sort_keys=True)))
    conn.execute(update(issues).where(issues.c.number == number).values(
        title=WITHHELD_TITLE, description="", presenter="",
        response_summary=WITHHELD_TEXT if row["response_summary"] else "",
        response_reason=WITHHELD_TEXT if row["response_reason"] else "",
        outcome=None if row["outcome"] is None else WITHHELD_TEXT))
    conn.execute(update(commitments).where(commitments.c.issue_number == number).values(
        text=WITHHELD_TEXT, measure=WITHHELD_TEXT, evidence=""))


def _give_back(conn: Connection, number: int) -> None:
    """Put a restored issue's words back in its public rows."""
    kept = conn.execute(select(withheld_texts)
                        .where(withheld_texts.c.number == number)).mappings().first()
    if kept is None:
        return
    closed = conn.execute(select(issues.c.outcome).where(issues.c.number == number)
                          ).scalar_one() is not None
    conn.execute(update(issues).where(issues.c.number == number).values(
        title=kept["title"], description=kept["description"], presenter=kept["presenter"],
        response_summary=kept["response_summary"], response_reason=kept["response_reason"],
        outcome=kept["outcome"] if closed else None))  # reopened while hidden: stays open
    for commitment, (text, measure, evidence) in json.loads(kept["commitments"]).items():
        conn.execute(update(commitments).where(
            commitments.c.issue_number == number,
            commitments.c.commitment == int(commitment)).values(
            text=text, measure=measure, evidence=evidence))
    conn.execute(withheld_texts.delete().where(withheld_texts.c.number == number))


def withheld_words(conn: Connection, number: int) -> tuple[str, str] | None:
    """A hidden issue's title and description, for moderators only (never a public page)."""
    row = conn.execute(select(withheld_texts.c.title, withheld_texts.c.description)
                       .where(withheld_texts.c.number == number)).first()
    return (row.title, row.description) if row is not None else None


def _new_row(e: Issue.Submitted, position: int) -> dict[str, Any]:
    return dict(
        number=e.number, issue_id=e.originator_id.hex, title=e.title,
        description=e.description, stage="submitted", topic=None, assembly=None,
        presenter="", presented=False, hidden_reason=None, merged_into=None, grade=None,
        response_summary="", response_reason="", lead=None, referred_to="", referral_answered=False,
        referral_answered_on=None, response_owed_on=None,
        outcome=None, supporters=0, submitted_on=e.occurred_on, discussed_on=None,
        responded_on=None, revision_requested_on=None, closed_on=None,
        last_occurred_on=e.occurred_on, submitted_at=e.timestamp, updated_at=e.timestamp,
        version=e.originator_version, position=position)


_LATEST_DAY: Any = bindparam("d")
_ADD_SUPPORTS = update(issues).where(issues.c.number == bindparam("n")).values(
    supporters=issues.c.supporters + bindparam("k"), version=bindparam("v"),
    position=bindparam("p"), updated_at=bindparam("t"),
    last_occurred_on=case((issues.c.last_occurred_on < _LATEST_DAY, _LATEST_DAY),
                          else_=issues.c.last_occurred_on))


@functools.lru_cache(maxsize=64)
def _touch_statement(plain: tuple[str, ...]) -> Any:
    """UPDATE issues ... with every value a parameter: compiled once per shape, which is
    most of the cost of projecting an event otherwise."""
    day: Any = bindparam("d")
    return update(issues).where(issues.c.number == bindparam("n")).values(
        version=bindparam("v"), position=bindparam("p"), updated_at=bindparam("t"),
        last_occurred_on=case((issues.c.last_occurred_on < day, day),
                              else_=issues.c.last_occurred_on),
        **{k: bindparam(f"x_{k}") for k in plain})


# -- queries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentView:
    commitment: int
    text: str
    owner: str
    due: date
    measure: str
    status: str
    overdue: bool
    made_on: date
    last_update_on: date | None
    evidence: str
    # What others than the Board say (tracker/projections/judgements.py).
    citizens: dict[str, int] | None = None
    assessment: Any = None
    disagreement: str = ""


@dataclass(frozen=True)
class ResponseView:
    """The Board's response as the API shows it: owed (grade None, with when it is due) or
    given (its grade, and whether that promised anything)."""

    grade: str | None
    summary: str
    reason: str
    lead: str | None
    referred_to: str
    responded_on: date | None
    promised: bool  # accepted or accepted in part: commitments may follow
    due: date | None  # while a response is owed
    overdue: bool
    referral_due: date | None  # while a referred body owes its answer
    referral_overdue: bool
    referral_answered_on: date | None
    owed_by_support_since: date | None  # the day its support reached the threshold

    @property
    def label(self) -> str:
        return Grade(self.grade).label if self.grade else "Owed"


@dataclass(frozen=True)
class IssueView:
    number: int
    title: str
    description: str
    stage: str
    verdict: str
    topic: str | None
    assembly: str | None
    supporters: int
    version: int
    submitted_on: date
    updated_at: datetime
    commitments: tuple[CommitmentView, ...]
    response: ResponseView | None = None  # None before a response is owed
    challenges: tuple[Any, ...] = ()  # judgements.ChallengeView
    panel_scores: tuple[Any, ...] = ()  # judgements.PanelScoreView


def load_facts(conn: Connection, number: int) -> IssueFacts:
    row = conn.execute(select(issues).where(issues.c.number == number)).mappings().one()
    rows = conn.execute(select(commitments).where(commitments.c.issue_number == number)
                        .order_by(commitments.c.commitment)).mappings().all()
    return _facts(row, rows)


def _facts(row: Any, rows: Any) -> IssueFacts:
    return IssueFacts(
        hidden_reason=row["hidden_reason"], merged_into=row["merged_into"],
        outcome=row["outcome"], topic=row["topic"], assembly=row["assembly"],
        discussed_on=row["discussed_on"], grade=row["grade"],
        response_summary=row["response_summary"], response_reason=row["response_reason"],
        responded_on=row["responded_on"], response_owed_on=row["response_owed_on"],
        referral_answered_on=row["referral_answered_on"],
        revision_requested_on=row["revision_requested_on"],
        referred_to=row["referred_to"], referral_answered=row["referral_answered"],
        commitments=tuple(CommitmentFacts(c["status"], c["due"], c["made_on"],
                                          c["last_update_on"]) for c in rows))


def get_issue(conn: Connection, number: int, today: date, silent_days: int,
              clocks: Clocks | None = None) -> IssueView | None:
    """One issue's status, with its verdict and clocks worked out for ``today``."""
    row = conn.execute(select(issues).where(issues.c.number == number)).mappings().first()
    if row is None:
        return None
    rows = conn.execute(select(commitments).where(commitments.c.issue_number == number)
                        .order_by(commitments.c.commitment)).mappings().all()
    facts = _with_assembly_day(conn, _facts(row, rows))
    clocks = clocks or Clocks()
    views = tuple(
        CommitmentView(
            commitment=c["commitment"], text=c["text"], owner=c["owner"], due=c["due"],
            measure=c["measure"], status=c["status"],
            overdue=not CommitmentStatus(c["status"]).is_settled and c["due"] < today,
            made_on=c["made_on"], last_update_on=c["last_update_on"], evidence=c["evidence"])
        for c in rows)
    view: IssueView = judged(conn, IssueView(
        number=row["number"], title=row["title"], description=row["description"],
        stage=row["stage"], verdict=verdict(facts, today, silent_days, clocks),
        topic=row["topic"], assembly=row["assembly"], supporters=row["supporters"],
        version=row["version"], submitted_on=row["submitted_on"],
        updated_at=_aware(row["updated_at"]), commitments=views,
        response=_response(row, facts, today, clocks)))
    return view


@dataclass(frozen=True)
class OwedResponse:
    """A Board response (or a referred body's answer) whose due date has passed."""

    number: int
    title: str
    topic: str | None
    assembly: str | None
    lead: str | None  # who led the previous response, when a revised one is owed
    owed_by: str  # "the Board", or the body the issue was referred to
    due: date


def overdue_responses(conn: Connection, today: date, clocks: Clocks,
                      issue: int | None = None) -> list[OwedResponse]:
    """Visible, open issues whose Board response, or whose referral's answer, is overdue:
    worked out against ``today`` like overdue commitments, so every reader agrees."""
    return [r for r in owed_responses(conn, clocks, issue) if r.due < today]


def owed_responses(conn: Connection, clocks: Clocks,
                   issue: int | None = None) -> list[OwedResponse]:
    """Visible, open issues owed a Board response or a referral's answer, with its due
    date (passed or not)."""
    from tracker.projections.reference import assemblies  # the reference read model

    # The assembly's day and due date come in the same query (one, however many are owed).
    query = select(issues, assemblies.c.held_on.label("assembly_held_on"),
                   assemblies.c.response_due.label("assembly_response_due")).select_from(
        issues.outerjoin(assemblies, assemblies.c.slug == issues.c.assembly)).where(
        issues.c.hidden_reason.is_(None), issues.c.merged_into.is_(None),
        issues.c.outcome.is_(None),
        ((issues.c.grade.is_(None) & (issues.c.discussed_on.is_not(None)
                                      | issues.c.response_owed_on.is_not(None)))
         | ((issues.c.grade == "referred") & issues.c.referral_answered.is_(False))))
    if issue is not None:
        query = query.where(issues.c.number == issue)
    found = []
    for row in conn.execute(query.order_by(issues.c.number)).mappings():
        facts = _facts(row, ())
        if facts.discussed_on is not None and row["assembly_held_on"] is not None:
            facts = replace(facts, assembly_held_on=row["assembly_held_on"],
                            assembly_response_due=row["assembly_response_due"])
        due, owed_by = response_due(facts, clocks), "the Board"
        if due is None:
            due, owed_by = referral_due(facts, clocks), facts.referred_to
        if due is not None:
            found.append(OwedResponse(row["number"], row["title"], row["topic"],
                                      row["assembly"], row["lead"], owed_by, due))
    return found


def _with_assembly_day(conn: Connection, facts: IssueFacts) -> IssueFacts:
    """The facts with the day of the assembly that discussed the issue (its clock's start)."""
    if facts.discussed_on is None or facts.assembly is None:
        return facts
    from tracker.projections.reference import assemblies  # the reference read model

    row = conn.execute(select(assemblies.c.held_on, assemblies.c.response_due)
                       .where(assemblies.c.slug == facts.assembly)).first()
    if row is None:
        return facts
    return replace(facts, assembly_held_on=row.held_on, assembly_response_due=row.response_due)


def _response(row: Any, facts: IssueFacts, today: date, clocks: Clocks) -> ResponseView | None:
    due = response_due(facts, clocks)
    answer_due = referral_due(facts, clocks)
    if facts.grade is None and due is None:
        return None
    return ResponseView(
        grade=facts.grade, summary=facts.response_summary if facts.grade else "",
        reason=facts.response_reason if facts.grade else "",
        lead=row["lead"], referred_to=facts.referred_to if facts.grade else "",
        responded_on=facts.responded_on if facts.grade else None,
        promised=allows_commitments(facts.grade), due=due,
        overdue=due is not None and due < today, referral_due=answer_due,
        referral_overdue=answer_due is not None and answer_due < today,
        referral_answered_on=facts.referral_answered_on,
        owed_by_support_since=facts.response_owed_on)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
