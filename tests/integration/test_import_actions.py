"""Importing a Board's action log: good, bad and repeated files, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import tracemalloc
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.helpers import SECRETARIAT
from tracker.bootstrap import Tracker
from tracker.importing.actions import (
    ActionLogImport,
    ImportRefused,
    RowReport,
    Summary,
    owner_names,
    parse_mapping,
)
from tracker.projections.timeline import history

HEADER = ["Ref", "Issue", "Action", "Lead", "Agreed", "Target date", "Status", "Update",
          "Evidence"]
MAPPING = "reference=Ref,owner=Lead,due=Target date,made=Agreed"
GOOD = [
    ["B/1", "1", "Free parking for carers", "Chief Finance Officer", "05/11/2015",
     "31/03/2016", "Amber", "Two sites of five", ""],
    ["B/2", "1", "Publish the parking policy", "cfo", "5 November 2015", "2016-06-30",
     "Complete", "Published", "Board paper 16/02"],
    ["B/3", "Issue 1", "Review the charges", "chief finance officer", "", "30 June 2016", "",
     "", ""],
]


def _ready(tracker: Tracker) -> int:
    app = tracker.app
    app.create_owner("cfo", "Chief Finance Officer", "Board", SECRETARIAT)
    app.create_assembly("leeds", "Leeds Assembly", date(2015, 3, 1), "Leeds", SECRETARIAT)
    n = app.submit_issue("Parking at the hospital", "", SECRETARIAT, date(2015, 3, 1)).number
    app.schedule_issue(n, "leeds", "A carer", SECRETARIAT, date(2015, 3, 1))
    app.record_discussion(n, "leeds", "Talked it through", [], [], SECRETARIAT,
                          date(2015, 3, 1))
    app.record_response(n, "accepted", "We will", "cfo", None, SECRETARIAT, date(2015, 4, 1))
    tracker.refresh()
    return n


def _csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([header, *rows])
    return path


def _run(tracker: Tracker, path: Path, dry_run: bool = False,
         mapping: str = MAPPING) -> tuple[Summary, list[RowReport]]:
    reports: list[RowReport] = []
    job = ActionLogImport(tracker.app, owner_names(tracker.engine), path,
                          parse_mapping(mapping))
    return job.run(dry_run=dry_run, on_row=reports.append), reports


def _position(tracker: Tracker) -> int:
    return tracker.app.recorder.max_notification_id() or 0


class TestImportingAnActionLog:
    def test_creates_each_row_then_a_second_import_changes_nothing(
            self, any_tracker: Tracker, tmp_path: Path) -> None:
        n = _ready(any_tracker)
        path = _csv(tmp_path / "board-log.csv", GOOD)
        summary, _ = _run(any_tracker, path)
        assert summary.counts == {"create": 3, "update": 0, "unchanged": 0, "refused": 0}
        issue = any_tracker.app.load_issue(n)
        assert [(c.reference, c.owner, c.due, str(c.status)) for c in issue.commitments] == [
            ("B/1", "cfo", date(2016, 3, 31), "at_risk"),
            ("B/2", "cfo", date(2016, 6, 30), "delivered"),
            ("B/3", "cfo", date(2016, 6, 30), "on_track")]
        assert issue.commitments[0].made_on == date(2015, 11, 5)
        before = _position(any_tracker)
        again, _ = _run(any_tracker, path)
        assert again.counts["unchanged"] == 3 and not again.written
        assert _position(any_tracker) == before
        any_tracker.refresh()
        with any_tracker.engine.connect() as conn:
            said = [e.sentence for e in history(conn, n)]
        assert ("Commitment 2 was imported from the action log board-log.csv, row 3 "
                "(reference B/2)") in said
        assert "Commitment 2 was delivered: From the action log board-log.csv, row 3: " \
               "Published" in said

    def test_a_changed_row_updates_its_commitment_only(self, tracker: Tracker,
                                                       tmp_path: Path) -> None:
        n = _ready(tracker)
        _run(tracker, _csv(tmp_path / "log.csv", GOOD))
        changed = [[*GOOD[0][:5], "30/09/2016", "Red", "Contract late", ""], *GOOD[1:]]
        summary, reports = _run(tracker, _csv(tmp_path / "log.csv", changed))
        assert summary.counts == {"create": 0, "update": 1, "unchanged": 2, "refused": 0}
        assert reports[0].detail == "commitment 1 on issue 1: due 2016-09-30, status delayed"
        first = tracker.app.load_issue(n).commitment(1)
        assert (first.due, str(first.status)) == (date(2016, 9, 30), "delayed")

    def test_a_dry_run_reports_each_row_and_writes_nothing(self, tracker: Tracker,
                                                           tmp_path: Path) -> None:
        _ready(tracker)
        before = _position(tracker)
        summary, reports = _run(tracker, _csv(tmp_path / "log.csv", GOOD), dry_run=True)
        assert reports[0].line() == \
            "row 2 (B/1): create: commitment 1 on issue 1, due 2016-03-31"
        assert summary.counts["create"] == 3
        assert _position(tracker) == before

    def test_reads_an_excel_workbook(self, tracker: Tracker, tmp_path: Path) -> None:
        n = _ready(tracker)
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(HEADER)
        sheet.append(["X/1", 1, "Free parking", "cfo", date(2015, 11, 5), date(2016, 3, 31),
                      "on track", "", ""])
        book.save(tmp_path / "log.xlsx")
        summary, _ = _run(tracker, tmp_path / "log.xlsx")
        assert summary.counts["create"] == 1
        assert tracker.app.load_issue(n).commitment(1).due == date(2016, 3, 31)


class TestRefusedActionLogs:
    @pytest.mark.parametrize(("row", "column", "says"), [
        (["B/9", "1", "Act", "cfo", "", "31st of Never", "", "", ""], "Target date",
         "is not a date"),
        (["B/9", "1", "Act", "Nobody at all", "", "31/03/2016", "", "", ""], "Lead",
         "no owner"),
        (["B/9", "99", "Act", "cfo", "", "31/03/2016", "", "", ""], "Issue", "no issue 99"),
        (["B/9", "1", "Act", "cfo", "", "31/03/2016", "Complete", "Done", ""], "Evidence",
         "needs evidence"),
        (["B/9", "1", "Act", "cfo", "", "31/03/2016", "Sideways", "", ""], "Status",
         "is not a status"),
        (["B/1", "1", "Again", "cfo", "", "31/03/2016", "", "", ""], "Ref", "also on row 2"),
    ])
    def test_a_bad_row_is_named_and_nothing_is_stored(
            self, any_tracker: Tracker, tmp_path: Path, row: list[str], column: str,
            says: str) -> None:
        _ready(any_tracker)
        before = _position(any_tracker)
        summary, reports = _run(any_tracker, _csv(tmp_path / "log.csv", [*GOOD, row]))
        refused = [r for r in reports if r.action == "refused"]
        assert len(refused) == 1 and refused[0].row == 5 and refused[0].column == column
        assert says in refused[0].detail
        assert summary.counts["refused"] == 1 and not summary.written
        assert _position(any_tracker) == before

    def test_a_missing_column_is_named(self, tracker: Tracker, tmp_path: Path) -> None:
        _ready(tracker)
        path = _csv(tmp_path / "log.csv", [r[:5] + r[6:] for r in GOOD],
                    [h for h in HEADER if h != "Target date"])
        with pytest.raises(ImportRefused, match="row 1: column 'Target date' \\(due\\)"):
            _run(tracker, path)

    @pytest.mark.parametrize("name", ["log.xlsx", "log.csv", "log.pdf"])
    def test_a_file_that_is_not_a_spreadsheet_is_refused(self, tracker: Tracker,
                                                         tmp_path: Path, name: str) -> None:
        _ready(tracker)
        before = _position(tracker)
        path = tmp_path / name
        path.write_bytes(b"%PDF-1.4\x00\xff\xfe binary \x00" * 50)
        with pytest.raises(ImportRefused, match="not a"):
            _run(tracker, path)
        assert _position(tracker) == before

    def test_a_file_of_100_000_rows_streams_and_stores_nothing_when_refused(
            self, tracker: Tracker, tmp_path: Path) -> None:
        _ready(tracker)
        path = tmp_path / "big.csv"
        with path.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(HEADER)
            filler = "An action with a long enough description to weigh something " * 3
            for i in range(100_000):
                writer.writerow([f"R{i}", "77", filler, "cfo", "", "31/03/2016", "", "", ""])
        assert path.stat().st_size > 20_000_000
        before = _position(tracker)
        tracemalloc.start()
        try:
            job = ActionLogImport(tracker.app, owner_names(tracker.engine), path,
                                  parse_mapping(MAPPING))
            summary = job.run()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert summary.counts["refused"] == 100_000
        assert peak < 5_000_000, peak  # a row at a time, not the file
        assert _position(tracker) == before
