"""Open data: the public event stream and CSV tables, produced page by page (served at
/export/... and written by ``tracker export``)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from tracker.projections import issues as issue_status
from tracker.projections import judgements
from tracker.projections.issues import OPEN_STATUSES
from tracker.projections.open_data import visible_commitments, visible_issue_numbers
from tracker.projections.timeline import all_entries
from tracker.site.addresses import Site

PAGE = 1000
# A spreadsheet treats a cell starting with these as a formula: neutralise it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


ISSUES_HEADER = ["number", "title", "stage", "verdict", "topic", "assembly", "supporters",
                 "submitted_on", "commitments"]
COMMITMENTS_HEADER = ["issue", "commitment", "text", "owner", "due", "status", "overdue",
                      "measure", "evidence", "citizens_yes", "citizens_partly", "citizens_no",
                      "assessor_completion", "assessor_outcome"]


def open_data_files(site: Site) -> dict[str, Iterator[str]]:
    """The open-data files by name, as `/export/...` serves them and `tracker export`
    writes them."""
    return {"events.jsonl": events(site), "issues.csv": issues_csv(site),
            "commitments.csv": commitments_csv(site)}


def issues_csv(site: Site) -> Iterator[str]:
    return _csv_lines(ISSUES_HEADER, _issue_rows(site))


def commitments_csv(site: Site) -> Iterator[str]:
    return _csv_lines(COMMITMENTS_HEADER, _commitment_rows(site))


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


def events(site: Site) -> Iterator[str]:
    after = 0
    while True:
        with site.engine.connect() as conn:
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


def _issue_rows(site: Site) -> Iterator[list[Any]]:
    settings = site.context.settings
    today = site.context.clock()
    last = 0
    while True:
        with site.engine.connect() as conn:
            numbers = visible_issue_numbers(conn, last, PAGE)
            views = [issue_status.get_issue(conn, n, today, settings.silent_days,
                                            settings.clocks) for n in numbers]
        for v in views:
            if v is not None:
                yield [v.number, v.title, v.stage, v.verdict, v.topic or "", v.assembly or "",
                       v.supporters, v.submitted_on.isoformat(), len(v.commitments)]
        if len(numbers) < PAGE:
            return
        last = numbers[-1]


def _commitment_rows(site: Site) -> Iterator[list[Any]]:
    today = site.context.clock()
    offset = 0
    while True:
        with site.engine.connect() as conn:
            rows = visible_commitments(conn, offset, PAGE)
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
