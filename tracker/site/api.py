"""The JSON reads of /api/v1 (issues, history, timeline, commitments, topics, owners,
assemblies, report cards) and the report card's CSV. The models are those /openapi.json
documents (tracker.site.schemas: pydantic only)."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from typing import Literal
from urllib.parse import urlencode

from sqlalchemy import Connection

from tracker.projections import issues as issue_status
from tracker.projections import reference, timeline
from tracker.projections.listings import IssueFilter, list_commitments, list_issues
from tracker.projections.report_card import report_card
from tracker.site.answer import Answer, SiteContext, json_answer, json_body, problem
from tracker.site.schemas import (
    CommitmentListOut,
    IssueListOut,
    IssueOut,
    IssueSummaryOut,
    TimelineOut,
)
from tracker.site.views import entry_out, reference_out


@dataclass(frozen=True)
class IssuesQuery:
    where: IssueFilter
    offset: int = 0
    limit: int = 50


def issues(conn: Connection, ctx: SiteContext, p: IssuesQuery) -> Answer:
    found, total = list_issues(conn, p.where, ctx.clock(), p.offset, p.limit)
    return json_answer(IssueListOut(total=total, offset=p.offset, limit=p.limit,
                                    issues=[IssueSummaryOut(**asdict(i)) for i in found]))


def issue(conn: Connection, ctx: SiteContext, number: int) -> Answer:
    view = issue_status.get_issue(conn, number, ctx.clock(), ctx.settings.silent_days,
                                  ctx.settings.clocks)
    if view is None:
        return problem(404, f"There is no issue {number}")
    return json_answer(IssueOut.model_validate(asdict(view)))


@dataclass(frozen=True)
class HistoryQuery:
    number: int
    after: int = 0
    limit: int = 100


def history(conn: Connection, _ctx: SiteContext, p: HistoryQuery) -> Answer:
    found = timeline.history(conn, p.number, p.after, p.limit + 1)
    if not found and not timeline.has_history(conn, p.number):
        return problem(404, f"There is no issue {p.number}")
    page = found[:p.limit]
    body = json_body([entry_out(e) for e in page])
    headers: tuple[tuple[str, str], ...] = ()
    if len(found) > p.limit:
        following = urlencode({"after": page[-1].entry, "limit": p.limit})
        headers = (("link", f'</api/v1/issues/{p.number}/history?{following}>; rel="next"'),)
    return Answer(200, "application/json", body, headers)


def entries_answer(found: list[timeline.TimelineEntry]) -> Answer:
    """Entries as the history gives them."""
    return json_answer([entry_out(e) for e in found])


@dataclass(frozen=True)
class TimelineQuery:
    where: timeline.TimelineFilter
    before: int | None = None
    limit: int = 50


def what_changed(conn: Connection, _ctx: SiteContext, p: TimelineQuery) -> Answer:
    found = timeline.what_changed(conn, p.where, p.before, p.limit)
    return json_answer(TimelineOut(
        entries=[entry_out(e) for e in found],
        next_before=found[-1].position if len(found) == p.limit else None))


@dataclass(frozen=True)
class CommitmentsQuery:
    status: str | None = None
    owner: str | None = None
    topic: str | None = None
    assembly: str | None = None
    offset: int = 0
    limit: int = 100


def commitments(conn: Connection, ctx: SiteContext, p: CommitmentsQuery) -> Answer:
    found, total = list_commitments(conn, ctx.clock(), status=p.status, owner=p.owner,
                                    topic=p.topic, offset=p.offset, limit=p.limit,
                                    assembly=p.assembly)
    return json_answer(CommitmentListOut(total=total, commitments=found))


def references(conn: Connection, ctx: SiteContext,
               kind: Literal["topics", "owners", "assemblies"]) -> Answer:
    listing = {"topics": reference.list_topics, "owners": reference.list_owners,
               "assemblies": reference.list_assemblies}[kind]
    return json_answer([reference_out(v)
                        for v in listing(conn, ctx.clock())])


def report_card_json(conn: Connection, ctx: SiteContext, slug: str) -> Answer:
    card = report_card(conn, slug, ctx.clock(), ctx.settings.clocks)
    if card is None:
        return problem(404, f"There is no assembly '{slug}'")
    return json_answer({**asdict(card), "grades": {str(k): v for k, v in card.grades.items()},
                        "promised": card.promised})


def report_card_csv(conn: Connection, ctx: SiteContext, slug: str) -> Answer:
    """The report card as CSV: one line per figure, with its stable key."""
    card = report_card(conn, slug, ctx.clock(), ctx.settings.clocks)
    if card is None:
        return problem(404, f"There is no assembly '{slug}'")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["assembly", "key", "figure", "count"])
    for key, label, count in card.rows():
        writer.writerow([slug, key, label, count])
    return Answer(200, "text/csv; charset=utf-8", buffer.getvalue().encode("utf-8"), (
        ("content-disposition", f'inline; filename="{slug}-report-card.csv"'),))
