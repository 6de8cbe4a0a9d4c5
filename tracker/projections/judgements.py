"""Judgements read model: citizens' answers, challenges, assessments and reconvened panels.

Who, other than the Board, judged each commitment: counts of citizens' answers, the
challenges and the secretariat's answers beside them, the assessor's grades (the latest
supersedes; every one stays in the history), and each reconvened panel's scores of Board
responses. While an issue is hidden, the words of its challenges and assessments are kept
in ``withheld`` and placeholders shown instead (see withheld.py), until a restore.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import (
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
    false,
    func,
    select,
    update,
)

from tracker.domain.answer import Judged
from tracker.domain.issue import Issue
from tracker.domain.reference import Assembly
from tracker.projections.base import Projection, handles, metadata
from tracker.projections.withheld import WITHHELD_TEXT

judged_issues = Table(
    "judged_issues", metadata,
    Column("issue_id", String(32), primary_key=True),
    Column("number", Integer, nullable=False, unique=True),
    Column("hidden", Boolean, nullable=False, default=False, server_default=false()),
)

citizen_counts = Table(
    "citizen_answer_counts", metadata,
    Column("issue_number", Integer, primary_key=True, autoincrement=False),
    Column("commitment", Integer, primary_key=True, autoincrement=False),
    Column("yes", Integer, nullable=False, default=0),
    Column("partly", Integer, nullable=False, default=0),
    Column("no", Integer, nullable=False, default=0),
)

challenges = Table(
    "challenges", metadata,
    Column("issue_number", Integer, primary_key=True, autoincrement=False),
    Column("challenge", Integer, primary_key=True, autoincrement=False),
    Column("commitment", Integer, nullable=False),
    Column("answer", String(10), nullable=False),  # the citizen's: partly or no
    Column("reason", Text, nullable=False),
    Column("raised_on", Date, nullable=False),
    Column("raised_at", DateTime(timezone=True), nullable=False),
    Column("response", Text),  # the secretariat's public answer; null while waiting
    Column("responded_on", Date),
    Column("withheld", Text),  # JSON of the words while the issue is hidden
)

assessments = Table(
    "assessments", metadata,
    Column("issue_number", Integer, primary_key=True, autoincrement=False),
    Column("assessment", Integer, primary_key=True, autoincrement=False),
    Column("commitment", Integer, nullable=False),
    Column("completion", String(20), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("reason", Text, nullable=False),
    Column("sources", Text, nullable=False),  # JSON list
    Column("assessed_on", Date, nullable=False),
    Column("withheld", Text),
)

panel_sessions = Table(
    "panel_sessions", metadata,
    Column("assembly", String(80), primary_key=True),
    Column("session", Integer, primary_key=True, autoincrement=False),
    Column("held_on", Date, nullable=False),
    Column("statement", Text, nullable=False),
)

panel_scores = Table(
    "panel_scores", metadata,
    Column("assembly", String(80), primary_key=True),
    Column("session", Integer, primary_key=True, autoincrement=False),
    Column("issue_number", Integer, primary_key=True, autoincrement=False, index=True),
    Column("score", Integer, nullable=False),
)

ANSWERS = ("yes", "partly", "no")
_ADD_ANSWER = {a: update(citizen_counts).where(
    citizen_counts.c.issue_number == bindparam("n"),
    citizen_counts.c.commitment == bindparam("c")).values(
    {a: citizen_counts.c[a] + bindparam("k")}) for a in ANSWERS}


class JudgementsProjection(Projection):
    name = "judgements"
    tables = (judged_issues, citizen_counts, challenges, assessments, panel_sessions,
              panel_scores)

    def __init__(self) -> None:
        self._numbers: dict[Any, int] = {}

    # Rows of issues submitted in a batch are held to its end (other handlers write their
    # issue's first, ``_number``); answers, the frequent event, are added up per commitment
    # and answer into one held UPDATE each.

    @handles(Issue.Submitted)
    def _submitted(self, conn: Connection, e: Issue.Submitted, position: int) -> None:
        self._numbers[e.originator_id] = e.number
        self.bulk.insert(judged_issues, e.originator_id, {
            "issue_id": e.originator_id.hex, "number": e.number, "hidden": False})

    @handles(Issue.CommitmentMade)
    def _made(self, conn: Connection, e: Issue.CommitmentMade, position: int) -> None:
        conn.execute(citizen_counts.insert().values(
            issue_number=self._number(conn, e), commitment=e.commitment, yes=0, partly=0,
            no=0))

    @handles(Issue.CitizenAnswered)
    def _answered(self, conn: Connection, e: Issue.CitizenAnswered, position: int) -> None:
        number = self._number(conn, e)
        statement, key = _ADD_ANSWER[e.answer], (number, e.commitment)
        added = self.bulk.held(statement, key) or self.bulk.update(
            statement, key, {"n": number, "c": e.commitment, "k": 0})
        added["k"] += 1
        if e.challenge:
            row = {"issue_number": number, "challenge": e.challenge,
                   "commitment": e.commitment, "answer": e.answer, "reason": e.reason,
                   "raised_on": e.occurred_on, "raised_at": e.timestamp, "response": None,
                   "responded_on": None, "withheld": None}
            conn.execute(challenges.insert().values(**_hidden_row(conn, number, row)))

    @handles(Issue.ChallengeAnswered)
    def _challenge_answered(self, conn: Connection, e: Issue.ChallengeAnswered,
                            position: int) -> None:
        conn.execute(update(challenges).where(
            challenges.c.issue_number == self._number(conn, e),
            challenges.c.challenge == e.challenge).values(
            response=e.answer, responded_on=e.occurred_on))

    @handles(Issue.CommitmentAssessed)
    def _assessed(self, conn: Connection, e: Issue.CommitmentAssessed, position: int) -> None:
        number = self._number(conn, e)
        row = {"issue_number": number, "assessment": e.assessment,
               "commitment": e.commitment, "completion": e.completion, "outcome": e.outcome,
               "reason": e.reason, "sources": json.dumps(list(e.sources)),
               "assessed_on": e.occurred_on, "withheld": None}
        conn.execute(assessments.insert().values(**_hidden_row(conn, number, row)))

    @handles(Issue.Hidden)
    def _hidden(self, conn: Connection, e: Issue.Hidden, position: int) -> None:
        number = self._number(conn, e)
        conn.execute(update(judged_issues).where(judged_issues.c.number == number)
                     .values(hidden=True))
        for row in conn.execute(select(challenges).where(
                challenges.c.issue_number == number, challenges.c.withheld.is_(None))
                ).mappings().all():
            conn.execute(update(challenges).where(
                challenges.c.issue_number == number,
                challenges.c.challenge == row["challenge"]).values(
                withheld=json.dumps([row["reason"], row["response"]]), reason=WITHHELD_TEXT,
                response=None if row["response"] is None else WITHHELD_TEXT))
        for row in conn.execute(select(assessments).where(
                assessments.c.issue_number == number, assessments.c.withheld.is_(None))
                ).mappings().all():
            conn.execute(update(assessments).where(
                assessments.c.issue_number == number,
                assessments.c.assessment == row["assessment"]).values(
                withheld=json.dumps([row["reason"], row["sources"]]), reason=WITHHELD_TEXT,
                sources="[]"))

    @handles(Issue.Restored)
    def _restored(self, conn: Connection, e: Issue.Restored, position: int) -> None:
        number = self._number(conn, e)
        conn.execute(update(judged_issues).where(judged_issues.c.number == number)
                     .values(hidden=False))
        for row in conn.execute(select(challenges).where(
                challenges.c.issue_number == number, challenges.c.withheld.is_not(None))
                ).mappings().all():
            reason, response = json.loads(row["withheld"])
            conn.execute(update(challenges).where(
                challenges.c.issue_number == number,
                challenges.c.challenge == row["challenge"]).values(
                reason=reason, response=response, withheld=None))
        for row in conn.execute(select(assessments).where(
                assessments.c.issue_number == number, assessments.c.withheld.is_not(None))
                ).mappings().all():
            reason, sources = json.loads(row["withheld"])
            conn.execute(update(assessments).where(
                assessments.c.issue_number == number,
                assessments.c.assessment == row["assessment"]).values(
                reason=reason, sources=sources, withheld=None))

    @handles(Assembly.Reconvened)
    def _reconvened(self, conn: Connection, e: Assembly.Reconvened, position: int) -> None:
        conn.execute(panel_sessions.insert().values(
            assembly=e.slug, session=e.session, held_on=e.held_on, statement=e.statement))
        conn.execute(panel_scores.insert(), [
            {"assembly": e.slug, "session": e.session, "issue_number": number,
             "score": score} for number, score in zip(e.issues, e.scores, strict=True)])

    def _number(self, conn: Connection, e: Any) -> int:
        """The issue's number, once its held row is written: call before any statement
        that reads or changes its stored rows."""
        self.bulk.settle(conn, e.originator_id)
        number = self._numbers.get(e.originator_id)
        if number is None:
            number = int(conn.execute(select(judged_issues.c.number).where(
                judged_issues.c.issue_id == e.originator_id.hex)).scalar_one())
            self._numbers[e.originator_id] = number
        return number


def _hidden_row(conn: Connection, number: int, row: dict[str, Any]) -> dict[str, Any]:
    """The row as it is stored while its issue is hidden: words kept aside."""
    hidden = conn.execute(select(judged_issues.c.hidden).where(
        judged_issues.c.number == number)).scalar()
    if not hidden:
        return row
    if "sources" in row:
        return {**row, "withheld": json.dumps([row["reason"], row["sources"]]),
                "reason": WITHHELD_TEXT, "sources": "[]"}
    return {**row, "withheld": json.dumps([row["reason"], row["response"]]),
            "reason": WITHHELD_TEXT}


# -- queries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentView:
    assessment: int
    commitment: int
    completion: str
    outcome: str
    reason: str
    sources: tuple[str, ...]
    assessed_on: date


@dataclass(frozen=True)
class ChallengeView:
    issue_number: int
    challenge: int
    commitment: int
    answer: str
    reason: str
    raised_on: date
    response: str | None
    responded_on: date | None


@dataclass(frozen=True)
class PanelScoreView:
    assembly: str
    session: int
    held_on: date
    issue_number: int
    score: int
    topic: str | None = None


@dataclass(frozen=True)
class PanelSessionView:
    assembly: str
    session: int
    held_on: date
    statement: str
    scores: tuple[PanelScoreView, ...]
    # (topic slug or None, average score, how many scored) for each topic
    by_topic: tuple[tuple[str | None, float, int], ...]


def citizens_by_commitment(conn: Connection, number: int) -> dict[int, dict[str, int]]:
    """Each commitment's count of citizens' answers: ``{"yes", "partly", "no"}``."""
    return {row.commitment: {"yes": row.yes, "partly": row.partly, "no": row.no}
            for row in conn.execute(select(citizen_counts).where(
                citizen_counts.c.issue_number == number))}


def latest_assessments(conn: Connection, number: int) -> dict[int, AssessmentView]:
    """Each commitment's latest assessment (a later one supersedes an earlier one)."""
    found: dict[int, AssessmentView] = {}
    for view in _assessments(conn, assessments.c.issue_number == number):
        found[view.commitment] = view  # in order, so the latest stays
    return found


def judgements_of(conn: Connection, numbers: Iterable[int]
                  ) -> dict[tuple[int, int], tuple[dict[str, int], AssessmentView | None]]:
    """For the exports: each commitment of these issues, its citizens' counts and latest
    assessment, by (issue, commitment)."""
    wanted = sorted(set(numbers))
    found: dict[tuple[int, int], tuple[dict[str, int], AssessmentView | None]] = {}
    if not wanted:
        return found
    for row in conn.execute(select(citizen_counts).where(
            citizen_counts.c.issue_number.in_(wanted))):
        found[(row.issue_number, row.commitment)] = (
            {"yes": row.yes, "partly": row.partly, "no": row.no}, None)
    for row in conn.execute(select(assessments).where(assessments.c.issue_number.in_(wanted))
                            .order_by(assessments.c.assessment)):
        key = (row.issue_number, row.commitment)
        counts = found.get(key, ({"yes": 0, "partly": 0, "no": 0}, None))[0]
        found[key] = (counts, _assessments_from([row])[0])
    return found


def _assessments(conn: Connection, where: Any) -> list[AssessmentView]:
    return _assessments_from(conn.execute(select(assessments).where(where).order_by(
        assessments.c.issue_number, assessments.c.assessment)))


def _assessments_from(rows: Iterable[Any]) -> list[AssessmentView]:
    return [AssessmentView(r.assessment, r.commitment, r.completion, r.outcome, r.reason,
                           tuple(json.loads(r.sources)), r.assessed_on) for r in rows]


def _challenge_views(rows: Iterable[Any]) -> list[ChallengeView]:
    return [ChallengeView(r.issue_number, r.challenge, r.commitment, r.answer, r.reason,
                          r.raised_on, r.response, r.responded_on) for r in rows]


def issue_challenges(conn: Connection, number: int) -> list[ChallengeView]:
    """An issue's challenges, in order, with the secretariat's answers."""
    return _challenge_views(conn.execute(select(challenges).where(
        challenges.c.issue_number == number).order_by(challenges.c.challenge)))


def challenge_queue(conn: Connection, waiting: bool = True,
                    limit: int = 500) -> list[ChallengeView]:
    """Challenges across issues, oldest first: those waiting for an answer, or all."""
    query = select(challenges).order_by(challenges.c.raised_at, challenges.c.issue_number,
                                        challenges.c.challenge).limit(limit)
    if waiting:
        query = query.where(challenges.c.response.is_(None))
    return _challenge_views(conn.execute(query))


def count_waiting(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(challenges).where(
        challenges.c.response.is_(None))).scalar_one())


def panel_scores_for_issue(conn: Connection, number: int) -> list[PanelScoreView]:
    """Every reconvened panel's score of this issue's Board response, oldest first."""
    rows = conn.execute(select(panel_scores, panel_sessions.c.held_on).join(
        panel_sessions, and_(panel_sessions.c.assembly == panel_scores.c.assembly,
                             panel_sessions.c.session == panel_scores.c.session)).where(
        panel_scores.c.issue_number == number).order_by(panel_sessions.c.held_on))
    return [PanelScoreView(r.assembly, r.session, r.held_on, r.issue_number, r.score)
            for r in rows]


def panel_sessions_of(conn: Connection, assembly: str) -> list[PanelSessionView]:
    """An assembly's reconvened panels: statement, scores, and the average per topic."""
    from tracker.projections.issues import issues  # the topic each issue is grouped under

    sessions = []
    for s in conn.execute(select(panel_sessions).where(panel_sessions.c.assembly == assembly)
                          .order_by(panel_sessions.c.session)):
        rows = conn.execute(select(panel_scores, issues.c.topic).outerjoin(
            issues, issues.c.number == panel_scores.c.issue_number).where(
            panel_scores.c.assembly == assembly, panel_scores.c.session == s.session)
            .order_by(panel_scores.c.issue_number))
        scores = tuple(PanelScoreView(assembly, s.session, s.held_on, r.issue_number,
                                      r.score, r.topic) for r in rows)
        topics: dict[str | None, list[int]] = {}
        for score in scores:
            topics.setdefault(score.topic, []).append(score.score)
        by_topic = tuple((topic, round(sum(v) / len(v), 1), len(v))
                         for topic, v in sorted(topics.items(), key=lambda t: t[0] or ""))
        sessions.append(PanelSessionView(assembly, s.session, s.held_on, s.statement, scores,
                                         by_topic))
    return sessions


# -- beside the Board's own word ------------------------------------------------------------

DOUBTING = frozenset({"no_evidence", "not_started", "limited"})


def disagreement(commitment: int, status: str, citizens: dict[str, int],
                 assessment: AssessmentView | None) -> str:
    """One sentence when those judging a commitment the Board says is delivered disagree
    with it; "" when nobody does (or the Board claims nothing)."""
    if status != "delivered":
        return ""
    answered = sum(citizens.values())
    doubted = citizens["no"] + citizens["partly"]
    assessor_doubts = assessment is not None and assessment.completion in DOUBTING
    citizens_doubt = answered > 0 and doubted > citizens["yes"]
    if not (assessor_doubts or citizens_doubt):
        return ""
    parts = [f"The Board says commitment {commitment} was delivered"]
    if assessment is not None:
        parts.append(f"the assessor found {_found(assessment.completion)}")
    if answered:
        most = max(("no", "partly", "yes"), key=lambda a: citizens[a])
        parts.append(f"{citizens[most]} of {answered} "
                     f"{'citizen' if answered == 1 else 'citizens'} who answered say {most}")
    return "; ".join(parts)


def _found(completion: str) -> str:
    from tracker.domain.glossary import grade_label

    return grade_label(completion).lower()


def judged(conn: Connection, view: Any) -> Any:
    """An issue's view with what others than the Board say beside each commitment: the
    citizens' counts, the latest assessment, any disagreement; and the issue's challenges
    and panel scores."""
    counts = citizens_by_commitment(conn, view.number)
    latest = latest_assessments(conn, view.number)
    commitments = []
    for c in view.commitments:
        citizens = counts.get(c.commitment, {"yes": 0, "partly": 0, "no": 0})
        assessment = latest.get(c.commitment)
        commitments.append(replace(
            c, citizens=citizens, assessment=assessment,
            disagreement=disagreement(c.commitment, c.status, citizens, assessment)))
    return replace(view, commitments=tuple(commitments),
                   challenges=tuple(issue_challenges(conn, view.number)),
                   panel_scores=tuple(panel_scores_for_issue(conn, view.number)))


# -- the report card: the Board's word against the others' ---------------------------------

CONFIRMING = frozenset({"substantial", "complete"})


@dataclass(frozen=True)
class ReportCard:
    claimed: int  # commitments the Board says are delivered
    assessed: int  # of those, assessed by the assessor
    confirmed: int  # of those, graded substantial or complete in the latest assessment
    answered: int  # of those, with at least one citizen's answer
    citizens_agree: int  # of those, where more citizens said yes than no or partly


def report_card(conn: Connection, owner: str | None = None) -> ReportCard:
    """Board-claimed deliveries against assessor-confirmed ones and citizens' answers, for
    every owner or for one."""
    from tracker.projections.issues import commitments  # the Board's own word

    query = select(commitments.c.issue_number, commitments.c.commitment,
                   citizen_counts.c.yes, citizen_counts.c.partly, citizen_counts.c.no
                   ).outerjoin(citizen_counts, and_(
                       citizen_counts.c.issue_number == commitments.c.issue_number,
                       citizen_counts.c.commitment == commitments.c.commitment)).where(
        commitments.c.status == "delivered")
    if owner is not None:
        query = query.where(commitments.c.owner == owner)
    claimed = conn.execute(query).all()
    latest: dict[tuple[int, int], str] = {}
    keys = {(r.issue_number, r.commitment) for r in claimed}
    if keys:
        numbers = {n for n, _ in keys}
        for row in conn.execute(select(assessments.c.issue_number, assessments.c.commitment,
                                       assessments.c.completion).where(
                assessments.c.issue_number.in_(numbers)).order_by(assessments.c.assessment)):
            latest[(row.issue_number, row.commitment)] = row.completion
    answered = [r for r in claimed if (r.yes or 0) + (r.partly or 0) + (r.no or 0)]
    return ReportCard(
        claimed=len(claimed), assessed=sum(1 for k in keys if k in latest),
        confirmed=sum(1 for k in keys if latest.get(k) in CONFIRMING),
        answered=len(answered),
        citizens_agree=sum(1 for r in answered if r.yes > r.partly + r.no))


def judged_by_assembly(conn: Connection) -> dict[str, Judged]:
    """For each assembly: of the promises the Board says it delivered (visible issues), how
    many citizens confirmed or disputed (more yes than partly and no, or not) and the
    assessor graded and confirmed (latest grade); and its last reconvened panel's average."""
    from tracker.projections.issues import commitments, issues  # the Board's own word

    rows = conn.execute(select(
        issues.c.assembly, commitments.c.issue_number, commitments.c.commitment,
        citizen_counts.c.yes, citizen_counts.c.partly, citizen_counts.c.no,
    ).select_from(commitments.join(issues, issues.c.number == commitments.c.issue_number)
                  .outerjoin(citizen_counts, and_(
                      citizen_counts.c.issue_number == commitments.c.issue_number,
                      citizen_counts.c.commitment == commitments.c.commitment))).where(
        commitments.c.status == "delivered", issues.c.hidden_reason.is_(None),
        issues.c.assembly.is_not(None))).all()
    latest: dict[tuple[int, int], str] = {}
    if rows:
        delivered = select(commitments.c.issue_number).where(
            commitments.c.status == "delivered").scalar_subquery()
        for row in conn.execute(select(
                assessments.c.issue_number, assessments.c.commitment, assessments.c.completion)
                .where(assessments.c.issue_number.in_(delivered))
                .order_by(assessments.c.assessment)):
            latest[(row.issue_number, row.commitment)] = row.completion
    counts: dict[str, dict[str, Any]] = {}
    for r in rows:
        c = counts.setdefault(r.assembly, dict.fromkeys(
            ("delivered", "citizens_confirmed", "citizens_disputed", "assessed",
             "assessor_confirmed"), 0))
        c["delivered"] += 1
        yes, partly, no = r.yes or 0, r.partly or 0, r.no or 0
        if yes + partly + no:
            c["citizens_confirmed" if yes > partly + no else "citizens_disputed"] += 1
        grade = latest.get((r.issue_number, r.commitment))
        if grade is not None:
            c["assessed"] += 1
            c["assessor_confirmed"] += grade in CONFIRMING
    panels: dict[str, dict[str, Any]] = {}
    last = select(panel_sessions.c.assembly, func.max(panel_sessions.c.session).label(
        "session")).group_by(panel_sessions.c.assembly).subquery()
    for r in conn.execute(select(
            panel_sessions.c.assembly, panel_sessions.c.held_on,
            func.count(panel_scores.c.score), func.avg(panel_scores.c.score))
            .select_from(panel_sessions.join(last, and_(
                last.c.assembly == panel_sessions.c.assembly,
                last.c.session == panel_sessions.c.session)).join(panel_scores, and_(
                    panel_scores.c.assembly == panel_sessions.c.assembly,
                    panel_scores.c.session == panel_sessions.c.session)))
            .group_by(panel_sessions.c.assembly, panel_sessions.c.held_on)):
        panels[r[0]] = {"panel_held_on": r[1], "panel_scored": r[2],
                        "panel_average": float(r[3])}
    return {slug: Judged(**counts.get(slug, {}), **panels.get(slug, {}))
            for slug in counts.keys() | panels.keys()}
