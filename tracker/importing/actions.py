"""Import a Board's existing action log: each row a commitment, matched by its own reference.

Columns (the header row names them; ``--map "due=Target date,owner=Lead"`` renames any):
``reference`` (the row's own reference: kept on the commitment, so a second import finds it
and changes nothing), ``issue`` (the tracker's issue number), ``text`` (the action),
``owner`` (an owner's slug or name), ``due`` (31/03/2015, 31 March 2015 or 2015-03-31), and
optionally ``measure``, ``status`` (a status key, or words such as "complete", "amber"),
``note`` (the latest update), ``evidence`` (needed for a delivered row) and ``made`` (when
the action was agreed; today when absent).

Every row is checked by the domain's own rules on a private copy of its issue before
anything is saved; when any row is refused nothing is written at all, and when none is the
new events of every issue are saved in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from eventsourcing.persistence import IntegrityError
from sqlalchemy import select

from tracker.application import TrackerApplication, authorise
from tracker.domain import errors
from tracker.domain.commitment import CommitmentStatus
from tracker.domain.issue import Issue
from tracker.domain.values import Actor, Role
from tracker.importing.sheets import Cell, NotASpreadsheet, read_rows

# field: (the header looked for when no mapping names another, required)
COLUMNS: dict[str, tuple[str, bool]] = {
    "reference": ("Reference", True),
    "issue": ("Issue", True),
    "text": ("Action", True),
    "owner": ("Owner", True),
    "due": ("Due", True),
    "measure": ("Measure", False),
    "status": ("Status", False),
    "note": ("Update", False),
    "evidence": ("Evidence", False),
    # When the action was agreed (the commitment's date): an old log's rows were agreed
    # long ago, and a commitment cannot be due before it was made. Today when absent.
    "made": ("Agreed", False),
}
# What a row's measure says when the log has none: the domain asks for one.
NO_MEASURE = "As reported in the Board's action log"
# Who an import from the command line records entries as.
IMPORTER = Actor("action-log-import", Role.SECRETARIAT)
COMMANDS = ("make_commitment", "record_progress", "deliver_commitment", "drop_commitment",
            "move_due_date")

# The words action logs use for a status, to the status keys (after lower case, and "_"
# and "-" read as spaces).
STATUS_WORDS: dict[str, CommitmentStatus | None] = {
    **{str(s).replace("_", " "): s for s in CommitmentStatus},
    "": None, "open": None, "not started": CommitmentStatus.ON_TRACK,
    "in progress": CommitmentStatus.ON_TRACK, "ongoing": CommitmentStatus.ON_TRACK,
    "green": CommitmentStatus.ON_TRACK, "amber": CommitmentStatus.AT_RISK,
    "red": CommitmentStatus.DELAYED, "late": CommitmentStatus.DELAYED,
    "overdue": CommitmentStatus.DELAYED, "complete": CommitmentStatus.DELIVERED,
    "completed": CommitmentStatus.DELIVERED, "done": CommitmentStatus.DELIVERED,
    "closed": CommitmentStatus.DELIVERED, "withdrawn": CommitmentStatus.DROPPED,
    "cancelled": CommitmentStatus.DROPPED, "superseded": CommitmentStatus.DROPPED,
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y", "%d-%m-%Y", "%d.%m.%Y")
_ISSUE = re.compile(r"(?:issue\s*)?#?\s*(\d{1,9})", re.I)


class ImportRefused(errors.InvalidValue):
    """The file as a whole cannot be imported (not a spreadsheet, a column missing)."""


@dataclass(frozen=True)
class RowReport:
    """What one row would do (or did): create, update, unchanged, or refused and why."""

    row: int
    reference: str
    action: str
    detail: str
    column: str | None = None  # the header of the column a refusal is about

    def line(self) -> str:
        where = f"row {self.row}" + (f", column '{self.column}'" if self.column else "")
        ref = f" ({self.reference})" if self.reference else ""
        return f"{where}{ref}: {self.action}: {self.detail}"


@dataclass
class Summary:
    source: str
    dry_run: bool
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("create", "update", "unchanged", "refused"), 0))
    written: bool = False

    def line(self) -> str:
        c = self.counts
        rows = sum(c.values())
        if c["refused"]:
            verdict = f"{c['refused']} refused, so nothing was imported"
        elif self.dry_run:
            verdict = "nothing written (dry run)"
        else:
            verdict = "imported"
        return (f"{self.source}: {rows} rows: {c['create']} to create, {c['update']} to "
                f"update, {c['unchanged']} unchanged; {verdict}")


def parse_mapping(text: str | None) -> dict[str, str]:
    """``"due=Target date,owner=Lead"`` to {field: header}; InvalidValue naming ``map``."""
    mapping = {name: header for name, (header, _) in COLUMNS.items()}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        name, sep, header = part.partition("=")
        name = name.strip().lower()
        if not sep or name not in COLUMNS or not header.strip():
            raise errors.InvalidValue(
                f"--map takes field=Header pairs, fields among {', '.join(COLUMNS)}; "
                f"'{part}' is not one", field="map")
        mapping[name] = header.strip()
    return mapping


def parse_date(value: Cell) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = " ".join(str(value or "").split())
    text = re.sub(r"^(\d{1,2})(st|nd|rd|th)\b", r"\1", text, flags=re.I)
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a date (31/03/2015, 31 March 2015 or 2015-03-31)")


def parse_status(value: Cell) -> CommitmentStatus | None:
    words = re.sub(r"[_\-\s]+", " ", str(value or "")).strip().lower()
    if words not in STATUS_WORDS:
        known = ", ".join(str(s) for s in CommitmentStatus)
        raise ValueError(f"'{value}' is not a status: use a key ({known}) or words such as "
                         "complete, in progress, amber")
    return STATUS_WORDS[words]


class _Refused(Exception):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()) if not isinstance(value, str) else value.strip()


class ActionLogImport:
    """One import of one file: ``run`` checks every row, then saves all or nothing."""

    def __init__(self, app: TrackerApplication, owners: dict[str, str], path: Path,
                 mapping: dict[str, str] | None = None, actor: Actor = IMPORTER,
                 source: str | None = None) -> None:
        self.app = app
        self.path = path
        self.source = source or path.name
        self.mapping = mapping or parse_mapping(None)
        self.actor = actor
        # By slug, and by name in any case: the log names the Chief Executive, not a slug.
        self.owners = {**{name.casefold(): slug for slug, name in owners.items()},
                       **{slug.casefold(): slug for slug in owners}}
        self._issues: dict[int, Issue] = {}
        self._seen: dict[tuple[int, str], int] = {}
        self._missing: set[int] = set()

    def run(self, dry_run: bool = False, on_row: Callable[[RowReport], None] | None = None,
            tick: Callable[[], None] | None = None) -> Summary:
        """Check every row (each reported to ``on_row``); unless a row is refused or this is
        a dry run, save them all in one transaction. Raises ImportRefused for a file that
        cannot be read as an action log at all."""
        for command in COMMANDS:
            authorise(self.actor, command)
        summary = Summary(self.source, dry_run)
        for report in self._reports():
            summary.counts[report.action] += 1
            if on_row is not None:
                on_row(report)
            if tick is not None:
                tick()
        if summary.counts["refused"] or dry_run:
            return summary
        changed = [issue for issue in self._issues.values() if issue.pending_events]
        if changed:
            try:
                self.app.save(*changed)
            except IntegrityError:
                raise errors.RuleViolation(
                    "An issue changed while the file was read; nothing was imported: run the "
                    "import again") from None
        summary.written = bool(changed)
        return summary

    def _reports(self) -> Iterator[RowReport]:
        try:
            rows = read_rows(self.path)
            first = next(rows, None)
            if first is None:
                raise ImportRefused(f"{self.source} is empty: row 1 should name the columns",
                                    field="file")
            where = self._columns(first[1])
            for number, cells in rows:
                if all(_text(c) == "" for c in cells):
                    continue
                yield self._row(number, {name: cells[i] if i < len(cells) else None
                                         for name, i in where.items()})
        except NotASpreadsheet as error:
            raise ImportRefused(str(error), field="file") from None
        except OSError as error:
            raise ImportRefused(f"{self.source} cannot be read: {error.strerror}",
                                field="file") from None

    def _columns(self, header: list[Cell]) -> dict[str, int]:
        found = {_text(cell).casefold(): i for i, cell in reversed(list(enumerate(header)))}
        where: dict[str, int] = {}
        for name, (_, required) in COLUMNS.items():
            wanted = self.mapping[name]
            if wanted.casefold() in found:
                where[name] = found[wanted.casefold()]
            elif required:
                raise ImportRefused(
                    f"{self.source}, row 1: column '{wanted}' ({name}) is missing; the header "
                    f"has {', '.join(repr(_text(c)) for c in header if _text(c)) or 'nothing'}"
                    f" (rename with --map \"{name}=Your header\")", field=name)
        return where

    def _row(self, number: int, cells: dict[str, Cell]) -> RowReport:
        reference = _text(cells["reference"])
        try:
            action, detail = self._apply(number, reference, cells)
        except _Refused as refused:
            return RowReport(number, reference, "refused", str(refused),
                             self.mapping.get(refused.field_name, refused.field_name))
        return RowReport(number, reference, action, detail)

    def _apply(self, row: int, reference: str, cells: dict[str, Cell]) -> tuple[str, str]:
        if not reference:
            raise _Refused("reference", "every row needs its own reference")
        issue = self._issue(cells["issue"])
        earlier = self._seen.setdefault((issue.number, reference), row)
        if earlier != row:
            raise _Refused("reference", f"reference {reference} is also on row {earlier}")
        owner = self.owners.get(_text(cells["owner"]).casefold())
        if owner is None:
            raise _Refused("owner", f"'{_text(cells['owner'])}' is no owner's slug or name")
        today = self.app.clock()
        due = self._date(cells, "due")
        agreed = self._date(cells, "made") if _text(cells.get("made")) else today
        if agreed > today:
            raise _Refused("made", f"{agreed} is in the future")
        try:
            status = parse_status(cells.get("status"))
        except ValueError as error:
            raise _Refused("status", str(error)) from None
        said = f"From the action log {self.source}, row {row}"
        note = _text(cells.get("note"))
        evidence = _text(cells.get("evidence")) or None
        try:
            existing = issue.commitment_by_reference(reference)
            if existing is None:
                made = issue.make_commitment(
                    _text(cells["text"]), owner, due, _text(cells.get("measure")) or NO_MEASURE,
                    self.actor, agreed)
                issue.import_action(made, reference, self.source, row, self.actor, today)
                wanted = status or (CommitmentStatus.ON_TRACK if note else None)
                if wanted is not None and (wanted != CommitmentStatus.ON_TRACK or note):
                    self._status(issue, made, wanted, f"{said}: {note or 'status ' + wanted}",
                                 evidence, today)
                return "create", f"commitment {made} on issue {issue.number}, due {due}"
            changes = []
            if due != existing.due and not existing.is_settled:
                issue.move_due_date(existing.number, due, f"{said}: a new target date",
                                    self.actor, today)
                changes.append(f"due {due}")
            if status is not None and status != existing.status:
                self._status(issue, existing.number, status,
                             f"{said}: {note or 'status ' + str(status)}", evidence, today)
                changes.append(f"status {status}")
        except errors.DomainError as error:
            raise _Refused(_column_of(error.field), error.message) from None
        if not changes:
            return "unchanged", f"commitment {existing.number} on issue {issue.number}"
        return "update", (f"commitment {existing.number} on issue {issue.number}: "
                          + ", ".join(changes))

    def _status(self, issue: Issue, commitment: int, status: CommitmentStatus, note: str,
                evidence: str | None, today: date) -> None:
        if status == CommitmentStatus.DELIVERED:
            if not evidence:
                raise _Refused("evidence", "a delivered row needs evidence (a link or a "
                                           "document reference)")
            issue.deliver_commitment(commitment, note, evidence, self.actor, today)
        elif status == CommitmentStatus.DROPPED:
            issue.drop_commitment(commitment, note, self.actor, today)
        else:
            issue.record_progress(commitment, str(status), note, evidence, self.actor, today)

    @staticmethod
    def _date(cells: dict[str, Cell], name: str) -> date:
        try:
            return parse_date(cells.get(name))
        except ValueError as error:
            raise _Refused(name, str(error)) from None

    def _issue(self, cell: Cell) -> Issue:
        match = _ISSUE.fullmatch(_text(cell))
        if match is None:
            raise _Refused("issue", f"'{_text(cell)}' is not an issue number")
        number = int(match.group(1))
        if number in self._missing:
            raise _Refused("issue", f"there is no issue {number}")
        if number not in self._issues:
            try:
                self._issues[number] = self.app.load_issue(number)
            except errors.IssueNotFound:
                self._missing.add(number)
                raise _Refused("issue", f"there is no issue {number}") from None
        return self._issues[number]


def _column_of(domain_field: str | None) -> str:
    """The import's field a domain refusal is about."""
    return {"new_due": "due", "reason": "note", "evidence": "evidence", "text": "text",
            "owner": "owner", "due": "due", "measure": "measure", "status": "status",
            "note": "note", "reference": "reference",
            "occurred_on": "made"}.get(domain_field or "", "issue")


def owner_names(engine: object) -> dict[str, str]:
    """Every owner's slug and name, from the read model."""
    from sqlalchemy import Engine

    from tracker.projections.reference import owners

    assert isinstance(engine, Engine)
    with engine.connect() as conn:
        return {slug: name for slug, name in conn.execute(select(owners.c.slug, owners.c.name))}
