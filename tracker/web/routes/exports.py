"""Open data: the public event stream and CSV tables, streamed page by page."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from tracker.bootstrap import Tracker
from tracker.projections import issues as issue_status
from tracker.projections import judgements
from tracker.projections.issues import OPEN_STATUSES, commitments, issues
from tracker.projections.timeline import all_entries
from tracker.web.conditional import not_modified, stamp, validators
from tracker.web.deps import TrackerDep
from tracker.web.replies import body_in

router = APIRouter(prefix="/export", tags=["open data"])

PAGE = 1000
# A spreadsheet treats a cell starting with these as a formula: neutralise it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


ISSUES_HEADER = ["number", "title", "stage", "verdict", "topic", "assembly", "supporters",
                 "submitted_on", "commitments"]
COMMITMENTS_HEADER = ["issue", "commitment", "text", "owner", "due", "status", "overdue",
                      "measure", "evidence", "citizens_yes", "citizens_partly", "citizens_no",
                      "assessor_completion", "assessor_outcome"]


def open_data_files(tracker: Tracker) -> dict[str, Iterator[str]]:
    """The open-data files by name, as `/export/...` serves them and `tracker export`
    writes them."""
    return {"events.jsonl": _events(tracker),
            "issues.csv": _csv_lines(ISSUES_HEADER, _issue_rows(tracker)),
            "commitments.csv": _csv_lines(COMMITMENTS_HEADER, _commitment_rows(tracker))}


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_lines(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _events(tracker: Tracker) -> Iterator[str]:
    after = 0
    while True:
        with tracker.engine.connect() as conn:
            page = all_entries(conn, after, PAGE)
        for e in page:
            yield json.dumps({
                "position": e.position, "issue": e.issue_number, "entry": e.entry,
                "type": e.type, "at": e.recorded_at.isoformat(),
                "occurred_on": e.occurred_on.isoformat(), "actor_role": e.actor_role,
                "sentence": e.sentence, "fields": e.fields, "withheld": e.withheld},
                ensure_ascii=False) + "\n"
        if len(page) < PAGE:
            return
        after = page[-1].position


def _issue_rows(tracker: Tracker) -> Iterator[list[Any]]:
    today, silent = tracker.clock(), tracker.settings.silent_days
    last = 0
    while True:
        with tracker.engine.connect() as conn:
            numbers = list(conn.execute(select(issues.c.number).where(
                issues.c.number > last, issues.c.hidden_reason.is_(None))
                .order_by(issues.c.number).limit(PAGE)).scalars())
            views = [issue_status.get_issue(conn, n, today, silent, tracker.settings.clocks)
                     for n in numbers]
        for v in views:
            if v is not None:
                yield [v.number, v.title, v.stage, v.verdict, v.topic or "", v.assembly or "",
                       v.supporters, v.submitted_on.isoformat(), len(v.commitments)]
        if len(numbers) < PAGE:
            return
        last = numbers[-1]


def _commitment_rows(tracker: Tracker) -> Iterator[list[Any]]:
    today = tracker.clock()
    offset = 0
    while True:
        with tracker.engine.connect() as conn:
            rows = list(conn.execute(
                select(commitments).join(issues, issues.c.number == commitments.c.issue_number)
                .where(issues.c.hidden_reason.is_(None))
                .order_by(commitments.c.issue_number, commitments.c.commitment)
                .offset(offset).limit(PAGE)).mappings())
            judged = judgements.judgements_of(conn, (r["issue_number"] for r in rows))
        for r in rows:
            overdue = r["status"] in OPEN_STATUSES and r["due"] < today
            said, assessed = judged.get((r["issue_number"], r["commitment"]),
                                        ({"yes": 0, "partly": 0, "no": 0}, None))
            yield [r["issue_number"], r["commitment"], r["text"], r["owner"],
                   r["due"].isoformat(), r["status"], "yes" if overdue else "no",
                   r["measure"], r["evidence"], said["yes"], said["partly"], said["no"],
                   assessed.completion if assessed else "",
                   assessed.outcome if assessed else ""]
        if len(rows) < PAGE:
            return
        offset += PAGE


def _streamed(request: Request, tracker: Tracker, variant: str, media_type: str,
              body: Iterator[str], filename: str) -> Response:
    with tracker.engine.connect() as conn:
        current = validators(tracker, conn, variant, request.app.state.page_cache)
    # An export always exists, so If-None-Match: * matches it too.
    if (cached := not_modified(request, current, exists=True)) is not None:
        return cached
    response = StreamingResponse(body, media_type=media_type, headers={
        "Content-Disposition": f'inline; filename="{filename}"'})
    return stamp(response, current, max_age=300)


@router.get("/events.jsonl", response_class=Response,
            responses=body_in("application/x-ndjson", description="JSON lines"))
def export_events(request: Request, tracker: TrackerDep) -> Response:
    """Every public entry, oldest first, one JSON object per line (supporters anonymous)."""
    return _streamed(request, tracker, "events", "application/x-ndjson; charset=utf-8",
                     _events(tracker), "events.jsonl")


@router.get("/issues.csv", response_class=Response,
            responses=body_in("text/csv", description="CSV with a header row"))
def export_issues(request: Request, tracker: TrackerDep) -> Response:
    """Every visible issue with its stage and verdict."""
    return _streamed(request, tracker, "issues-csv", "text/csv; charset=utf-8",
                     _csv_lines(ISSUES_HEADER, _issue_rows(tracker)), "issues.csv")


@router.get("/commitments.csv", response_class=Response,
            responses=body_in("text/csv", description="CSV with a header row"))
def export_commitments(request: Request, tracker: TrackerDep) -> Response:
    """Every commitment of a visible issue, with its status and whether it is overdue."""
    return _streamed(request, tracker, "commitments-csv", "text/csv; charset=utf-8",
                     _csv_lines(COMMITMENTS_HEADER, _commitment_rows(tracker)),
                     "commitments.csv")
