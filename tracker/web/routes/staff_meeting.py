"""The meeting page: after a Board meeting, every response and commitment for one assembly's
issues on one page, the meeting's date typed once.

The page is made from the same command declarations as the single forms (the Board's
response and a new commitment: tracker/commands), so it takes and checks what they take. What
is typed is kept as a private draft (tracker/meeting_drafts.py) each time the page is sent,
until it is published. Publishing checks every row first and writes nothing while any field
is wrong; then it runs the commands, issue by issue, each dated by the meeting. What the
record refuses stays in the draft with its message beside it; what was published leaves it.
No JavaScript: "Add another commitment" is a button that saves the draft and shows one more
row.

What is known is offered, never applied unseen: the meeting's day (given earlier in the
session, else that of the Board's last recorded response, else today), the lead owner of the
last recorded response and the standard term are preset in their fields, each hint saying
where it comes from; only what is sent is used. A response sent with commitments and no grade
reads as accepted, as the page says.

The same assembly's reconvened panel is recorded here too (``/admin/meetings/{assembly}/panel``):
its date, its statement and a score box for each of the assembly's issues with a Board
response, checked by the ``reconvene_assembly`` declaration's own request model.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from tracker.application import Recorded, TrackerApplication
from tracker.commands import MAKE_COMMITMENT, RECONVENE_ASSEMBLY, RECORD_RESPONSE
from tracker.commands.command import Command
from tracker.domain import errors
from tracker.domain.response import PROMISING, WITH_COMMITMENTS
from tracker.domain.wording import add_months, count, long_date
from tracker.meeting_drafts import Draft, MeetingDrafts
from tracker.projections import reference, worklist
from tracker.web import forms
from tracker.web.deps import AppDep, DraftsDep, ReadModelsDep, Reads, ShowWrittenDep
from tracker.web.errors import status_for
from tracker.web.routes.staff import StaffDep, may, page, posted, see
from tracker.web.routes.staff_issues import fields_of
from tracker.web.staff_session import (
    StaffSession,
    remember_meeting_day,
    remembered_meeting_day,
)
from tracker.web.uk_dates import parse_uk_date, uk

router = APIRouter(prefix="/admin/meetings", tags=["staff pages"], include_in_schema=False)

MEETING_DATE = "meeting_date"
OTHER = "_other"  # the box for a date that is not among a date field's suggestions
RECENT_DAYS = 14  # the meeting's date is chosen among these last days, or typed
# Chosen once for the whole page, used by every row that leaves the field empty.
EVERY_GRADE, EVERY_LEAD, EVERY_DUE = "every_grade", "every_lead", "every_due"
DUE_MONTHS = (1, 2, 3, 6, 12)
FIRST_SLOTS = 2  # commitment rows shown per issue before "Add another commitment"
MAX_SLOTS = 20
DATE_HINT = "For example 31/3/2027 or 31 March 2027"
# The names of the page's own fields: the meeting's date, and i<issue>-<field> or
# i<issue>-c<row>-<field>; anything else posted is not kept.
_OURS = re.compile(r"meeting_date(_other)?|every_(grade|lead|due)|"
                   r"i\d{1,9}-(c\d{1,2}-)?[a-z_]{1,40}")
_VALUE_LIMIT = 20_000  # characters kept per field in a draft (the commands' limits are lower)


@dataclass
class Row:
    """One commitment row of an issue: its fields, named for the page."""

    slot: int
    fields: list[forms.FormField]


@dataclass
class IssueRow:
    number: int
    title: str
    version: int
    stage: str
    response: list[forms.FormField]
    commitments: list[Row]
    problem: str = ""


def _request_fields(reads: Reads, command: Command) -> list[forms.FormField]:
    """The command's form fields, less the date: the meeting's date stands for it."""
    return [f for f in fields_of(reads, command) if f.name != "occurred_on"]


def _named(fields: list[forms.FormField], prefix: str,
           values: dict[str, str]) -> list[forms.FormField]:
    for f in fields:
        f.name = prefix + f.name
        f.value = values.get(f.name, f.value)
        if f.kind == "date":
            f.kind, f.hint = "text", DATE_HINT
    return fields


def _rows(reads: Reads, assembly: str, draft: Draft) -> list[IssueRow]:
    drafted = tuple(sorted({int(name[1:].split("-")[0]) for name in draft.values
                            if name.startswith("i") and draft.values[name].strip()}))
    with reads.engine.connect() as conn:
        found = worklist.awaiting_response(conn, assembly, drafted)
    rows = []
    for issue in found:
        prefix = f"i{issue.number}-"
        response = _named(_request_fields(reads, RECORD_RESPONSE), prefix, draft.values)
        slots = min(MAX_SLOTS, draft.slots.get(issue.number, FIRST_SLOTS))
        commitments = []
        for f in response:
            if f.name.endswith("-grade"):  # the page's grade for every response, if chosen
                f.required, f.label = False, "Grade, if not the one for every response"
        for slot in range(1, slots + 1):
            fields = _named(_request_fields(reads, MAKE_COMMITMENT), f"{prefix}c{slot}-",
                            draft.values)
            for f in fields:
                if f.name.endswith("-owner"):  # the response's lead, unless another is named
                    f.required, f.label = False, "Owner, if not the lead owner"
                if f.name.endswith("-due"):  # the page's due date, if chosen
                    f.required, f.label = False, "Due date, if not the one for every commitment"
            commitments.append(Row(slot, fields))
        rows.append(IssueRow(issue.number, issue.title, issue.version, issue.stage, response,
                             commitments))
    return rows


@dataclass(frozen=True)
class _Defaults:
    """What the page offers before anything is chosen, each said where it comes from: the
    meeting's day, the lead owner, the commitments' term."""

    day: date
    day_said: str
    lead: str
    lead_said: str
    months: int


def _defaults(reads: Reads, request: Request) -> _Defaults:
    """The day given for a Board meeting earlier in this browser session; else the day the
    Board response recorded last is dated by (the same meeting's other assemblies are likely
    recorded together); else today; a day only when among the last fortnight's. The lead
    owner of the response recorded last with one; the configured term."""
    today = reads.clock()
    with reads.engine.connect() as conn:
        last, led = worklist.latest_responses(conn)
    day, day_said = today, "today"
    kept = remembered_meeting_day(request)
    if kept is not None and 0 <= (today - kept).days < RECENT_DAYS:
        day, day_said = kept, "the day given for a Board meeting earlier in this session"
    elif last is not None and 0 <= (today - last.occurred_on).days < RECENT_DAYS:
        day, day_said = last.occurred_on, (
            f"the day of the Board's last recorded response (issue {last.issue})")
    lead, lead_said = "", ""
    if led is not None and led.lead:
        lead = led.lead
        lead_said = f"who led the Board's last recorded response (issue {led.issue})"
    return _Defaults(day, day_said, lead, lead_said, reads.settings.commitment_months)


def _meeting_date_field(draft: Draft, today: date, defaults: _Defaults) -> forms.FormField:
    """The meeting's date: one of the last days, chosen (as the draft has it, else the
    default said in the hint), or typed."""
    recent = {}
    for back in range(RECENT_DAYS):
        day = today - timedelta(days=back)
        said = ("Today, " if back == 0 else "Yesterday, " if back == 1 else "") + \
            f"{day:%A} {long_date(day)}"
        recent[day.isoformat()] = said
    chosen = draft.values.get(MEETING_DATE, defaults.day.isoformat())
    typed = draft.values.get(MEETING_DATE + OTHER, "")
    preset = "" if MEETING_DATE in draft.values else (
        f" It is set to {defaults.day:%A} {long_date(defaults.day)}, {defaults.day_said}: "
        f"change it if the Board met on another day.")
    return forms.FormField(
        name=MEETING_DATE, label="Date of the Board meeting", kind="text", required=True,
        hint=f"Every response and commitment on this page is dated by it.{preset} Choose the "
             f"day, or type another date in the box below it ({DATE_HINT.lower()}).",
        options=recent, value=chosen if chosen in recent else "",
        other=typed or (chosen if chosen not in recent else ""))


def _meeting_day(meeting: forms.FormField) -> date | None:
    """A date typed in the box wins over the day chosen in the list, which may be the
    page's default."""
    return parse_uk_date(meeting.other if meeting.other.strip() else meeting.value)


def _every_fields(reads: Reads, draft: Draft, defaults: _Defaults,
                  day: date | None) -> list[forms.FormField]:
    """What the page chooses once for every row: a grade, a lead owner, a due date; the
    lead and the due date preset (the draft's choice, "None" included, stays)."""
    response = {f.name: f for f in _request_fields(reads, RECORD_RESPONSE)}
    unless = "Used by every issue whose row leaves it empty."
    months = {n: f"{count(n, 'month')} after the meeting"
              for n in sorted({*DUE_MONTHS, defaults.months})}
    lead_options = response["lead"].options
    lead = defaults.lead if defaults.lead in lead_options else ""
    chosen_due = draft.values.get(EVERY_DUE, str(defaults.months))
    due_hint = "Used by every commitment whose row leaves it empty."
    if EVERY_DUE not in draft.values:
        due_hint += f" Set to the standard term, {count(defaults.months, 'month')}."
    if day is not None and chosen_due.isdigit():
        due_hint += (f" For a meeting on {long_date(day)}: "
                     f"{long_date(add_months(day, int(chosen_due)))}.")
    every = [
        forms.FormField(EVERY_GRADE, "Grade of every response", "select", False,
                        f"{unless} With none chosen here, a response with commitments is "
                        f"recorded as {WITH_COMMITMENTS.label}: choose its grade if it is "
                        f"another.", options=response["grade"].options),
        forms.FormField(EVERY_LEAD, "Lead owner of every response", "select", False,
                        unless + (f" Set to {lead_options[lead]}, {defaults.lead_said}."
                                  if lead and EVERY_LEAD not in draft.values else ""),
                        options=lead_options),
        forms.FormField(EVERY_DUE, "Due date of every commitment", "select", False, due_hint,
                        options={str(n): said for n, said in months.items()}),
    ]
    preset = {EVERY_GRADE: "", EVERY_LEAD: lead, EVERY_DUE: chosen_due}
    for f in every:
        f.value = draft.values.get(f.name, preset[f.name])
    return every


def _show(request: Request, reads: Reads, staff: StaffSession, assembly: str,
          title: str, draft: Draft, rows: list[IssueRow], meeting: forms.FormField,
          defaults: _Defaults, problem: str = "", notice: str = "",
          status: int = 200) -> Response:
    every = _every_fields(reads, draft, defaults, _meeting_day(meeting))
    # Each line published links to its issue's staff page, where its commitments' forms are.
    published = [(int(m.group(1)) if (m := re.match(r"Issue (\d+):", line)) else 0, line)
                 for line in draft.published]
    return page(request, "staff/meeting.html", status, staff=staff,
                heading=f"Board meeting: {title}", assembly=assembly, rows=rows,
                meeting=meeting, every=every,
                all_fields=[meeting, *every] + [f for r in rows for f in _fields(r)],
                problem=problem, notice=notice, published=published,
                saved_at=draft.saved_at)


def _assembly_title(reads: Reads, slug: str) -> str | None:
    with reads.engine.connect() as conn:
        found = reference.list_assemblies(conn, reads.clock(), slug)
    return found[0].name if found else None


def _may_respond(staff: StaffSession) -> bool:
    return may(staff, RECORD_RESPONSE.roles) and may(staff, MAKE_COMMITMENT.roles)


@router.get("", response_class=HTMLResponse)
def meetings(request: Request, reads: ReadModelsDep, staff: StaffDep) -> Response:
    """Which assembly's meeting to record: those owing responses first."""
    with reads.engine.connect() as conn:
        owed = worklist.responses_owed_by_assembly(conn)
        every = reference.list_assemblies(conn, reads.clock())
    listed = sorted(every, key=lambda a: (-owed.get(a.slug, 0), a.name))
    return page(request, "staff/meetings.html", staff=staff, heading="Record a Board meeting",
                assemblies=[(a, owed.get(a.slug, 0)) for a in listed],
                allowed=_may_respond(staff), panels=_may_reconvene(staff))


@router.get("/{assembly}", response_class=HTMLResponse)
def meeting_page(assembly: str, request: Request, reads: ReadModelsDep, drafts: DraftsDep,
                 staff: StaffDep, saved: int = 0) -> Response:
    title = _assembly_title(reads, assembly)
    if title is None or not _may_respond(staff):
        return _not_here(request, staff, title)
    draft = drafts.load(assembly)
    rows = _rows(reads, assembly, draft)
    notice = "Draft saved. It stays private until you publish it." if saved else ""
    defaults = _defaults(reads, request)
    return _show(request, reads, staff, assembly, title, draft, rows,
                 _meeting_date_field(draft, reads.clock(), defaults), defaults, notice=notice)


def _not_here(request: Request, staff: StaffSession, title: str | None) -> Response:
    if title is None:
        return page(request, "not_found.html", 404, staff=staff,
                    message="There is no such assembly.")
    return page(request, "not_found.html", 403, staff=staff,
                message="Your role cannot record the Board's responses.")


@router.post("/{assembly}", response_class=HTMLResponse)
async def save_meeting(assembly: str, request: Request, app: AppDep, reads: ReadModelsDep,
                       show_written: ShowWrittenDep, drafts: DraftsDep,
                       staff: StaffDep) -> Response:
    form = await posted(request, staff)
    title = _assembly_title(reads, assembly)
    if title is None or not _may_respond(staff):
        return _not_here(request, staff, title)
    draft = drafts.load(assembly)
    draft.values = {str(k): str(v)[:_VALUE_LIMIT] for k, v in form.multi_items()
                    if isinstance(v, str) and _OURS.fullmatch(str(k))
                    and not str(k).endswith("-version")}
    draft.published = []
    action = str(form.get("action", "save"))
    versions = {int(k[1:-len("-version")]): int(str(v)) for k, v in form.multi_items()
                if re.fullmatch(r"i\d{1,9}-version", str(k)) and str(v).isdigit()}
    if action.startswith("add-") and action[4:].isdigit():
        number = int(action[4:])
        slots = min(MAX_SLOTS, draft.slots.get(number, FIRST_SLOTS) + 1)
        draft.slots[number] = slots
        drafts.save(assembly, draft, staff.account.id, datetime.now(UTC))
        answer: Response = see(f"/admin/meetings/{assembly}#i{number}-c{slots}")
    elif action != "publish":
        drafts.save(assembly, draft, staff.account.id, datetime.now(UTC))
        answer = see(f"/admin/meetings/{assembly}?saved=1")
    else:
        meeting = _Meeting(app, reads, show_written, drafts)
        answer = _publish(request, meeting, staff, assembly, title, draft, versions)
    typed = draft.values.get(MEETING_DATE + OTHER, "")
    day = parse_uk_date(typed if typed.strip() else draft.values.get(MEETING_DATE, ""))
    if day is not None and day <= reads.clock():  # offered again on the next meeting page
        remember_meeting_day(reads.settings.base_url, answer, day)
    return answer


@dataclass(frozen=True)
class _Meeting:
    """What publishing a meeting needs: the commands, the read models, the drafts."""

    app: TrackerApplication
    reads: Reads
    show_written: Callable[[int], bool]
    drafts: MeetingDrafts


@dataclass
class _Checked:
    """A row's commands, checked: the response (if any) and the commitments, by slot."""

    row: IssueRow
    response: BaseModel | None
    commitments: list[tuple[Row, BaseModel]]


def _blank(fields: list[forms.FormField]) -> bool:
    return not any(f.value.strip() for f in fields)


def _sent(fields: list[forms.FormField], prefix: str) -> dict[str, str]:
    """What the command reads: the page's values under the request's own field names."""
    values = {f.name.removeprefix(prefix): f.value for f in fields}
    for name, value in values.items():
        matching = next(f for f in fields if f.name == prefix + name)
        if matching.hint == DATE_HINT and value.strip():
            day = parse_uk_date(value)
            values[name] = day.isoformat() if day else "not a date"
    return values


def _validate(command: Command, fields: list[forms.FormField], prefix: str,
              extra: dict[str, str]) -> BaseModel | None:
    typed = {f.name: f.value for f in fields}
    plain = [forms.FormField(f.name.removeprefix(prefix), f.label, f.kind, f.required,
                             f.hint, f.options, f.max_length) for f in fields]
    sent = forms.validate(command.request, plain, _sent(fields, prefix), fixed=extra)
    for shown, checked in zip(fields, plain, strict=True):
        shown.value = typed[shown.name]
        if checked.error:
            shown.error = (f"Enter a real date: {DATE_HINT.lower()}"
                           if shown.hint == DATE_HINT else checked.error)
    return sent


def _check(rows: list[IssueRow], meeting_day: date | None,
           every: dict[str, str]) -> list[_Checked]:
    """Every row's commands, or the fields at fault marked on the page. A row's empty
    grade, lead or due date is the page's one for every row, when chosen; with none, a
    response given with commitments reads as accepted. The page's lead serves only a grade
    that promises action."""
    checked = []
    months = int(every[EVERY_DUE]) if every.get(EVERY_DUE, "").isdigit() else 0
    due = add_months(meeting_day, months).isoformat() if meeting_day and months else ""
    for row in rows:
        prefix = f"i{row.number}-"
        dated = {"occurred_on": meeting_day.isoformat() if meeting_day else ""}
        response = None
        typed = {f.name.removeprefix(prefix): f.value.strip() for f in row.response}
        if not _blank(row.response):
            with_commitments = any(not _blank(slot.fields) for slot in row.commitments)
            grade = typed.get("grade") or every.get(EVERY_GRADE, "") or (
                WITH_COMMITMENTS.value if with_commitments else "")
            defaults: dict[str, str] = {"grade": grade} if grade and not typed.get(
                "grade") else {}
            if not typed.get("lead") and every.get(EVERY_LEAD) and grade in PROMISING:
                defaults["lead"] = every[EVERY_LEAD]
            response = _validate(RECORD_RESPONSE, row.response, prefix,
                                 {**dated, **defaults})
        lead = typed.get("lead") or every.get(EVERY_LEAD, "")
        made = []
        for slot in row.commitments:
            if _blank(slot.fields):
                continue
            owner = next(f for f in slot.fields if f.name.endswith("-owner"))
            due_field = next(f for f in slot.fields if f.name.endswith("-due"))
            extra = {**dated, **({"owner": lead} if not owner.value.strip() and lead else {}),
                     **({"due": due} if not due_field.value.strip() and due else {})}
            sent = _validate(MAKE_COMMITMENT, slot.fields, f"{prefix}c{slot.slot}-", extra)
            if sent is None and not owner.value.strip() and not lead:
                owner.error = "Choose the owner, or a lead owner for the response"
            if sent is not None:
                made.append((slot, sent))
        checked.append(_Checked(row, response, made))
    return checked


def _publish(request: Request, parts: _Meeting, staff: StaffSession, assembly: str,
             title: str, draft: Draft, versions: dict[int, int]) -> Response:
    drafts = parts.drafts
    rows = _rows(parts.reads, assembly, draft)
    defaults = _defaults(parts.reads, request)
    meeting = _meeting_date_field(draft, parts.reads.clock(), defaults)
    day = _meeting_day(meeting)
    if day is None:
        meeting.error = f"Enter the date of the Board meeting: {DATE_HINT.lower()}"
    checked = _check(rows, day, draft.values)
    if meeting.error or any(f.error for r in rows for f in _fields(r)):
        drafts.save(assembly, draft, staff.account.id, datetime.now(UTC))
        return _show(request, parts.reads, staff, assembly, title, draft, rows, meeting,
                     defaults, "Nothing was published. Correct what is marked, then publish again.",
                     status=422)
    published: list[str] = []
    last, refused = 0, False
    for item in checked:
        position, ok = _run_row(parts.app, staff, item, versions, draft, published)
        last, refused = max(last, position), refused or not ok
    if last:
        parts.show_written(last)
    draft.published = published
    drafts.save(assembly, draft, staff.account.id, datetime.now(UTC))
    if refused:
        # Shown as they were sent, with the record's messages; what was published has
        # left the draft, so it will not be sent twice.
        for f in (f for row in rows for f in _fields(row)):
            if f.name not in draft.values:
                f.value = ""
        return _show(request, parts.reads, staff, assembly, title, draft, rows, meeting,
                     defaults, "Some entries were not published: see the messages below. They are "
                     "kept in the draft; everything else is on the public record.",
                     status=409)
    return see(f"/admin/meetings/{assembly}")


def _fields(row: IssueRow) -> list[forms.FormField]:
    return [*row.response, *(f for c in row.commitments for f in c.fields)]


def _run_row(app: TrackerApplication, staff: StaffSession, item: _Checked,
             versions: dict[int, int], draft: Draft, published: list[str]
             ) -> tuple[int, bool]:
    """Run one issue's commands in order, each on the version the one before left; stops
    at the first refusal. Returns the last position written (0: none) and whether all ran."""
    row, number = item.row, item.row.number
    version: int | None = versions.get(number)
    last = 0
    steps: list[tuple[Command, BaseModel, list[forms.FormField], str, str]] = []
    if item.response is not None:
        steps.append((RECORD_RESPONSE, item.response, row.response, f"i{number}-",
                      "The Board's response"))
    steps += [(MAKE_COMMITMENT, sent, slot.fields, f"i{number}-c{slot.slot}-",
               f"Commitment row {slot.slot}") for slot, sent in item.commitments]
    for command, sent, fields, prefix, what in steps:
        try:
            outcome = command.run(app, staff.account.actor, sent, version, number=number)
        except errors.StaleVersion:
            row.problem = ("Someone else changed this issue after the page was shown: check "
                           "it, then publish again.")
            return last, False
        except errors.DomainError as error:
            message = error.message
            if error.field == "occurred_on":
                message = f"The date of the Board meeting: {message}"
            if forms.place_error(fields, f"{prefix}{error.field}", message):
                row.problem = f"{what}: {message}"
            return last, False
        version, last = outcome.version, outcome.position
        for f in fields:
            draft.values.pop(f.name, None)
        published.append(_said(number, command, sent, getattr(outcome, "commitment", None)))
    return last, True


def _said(number: int, command: Command, sent: BaseModel, commitment: int | None) -> str:
    """What was published, in a line the confirmation repeats."""
    if command is RECORD_RESPONSE:
        values = sent.model_dump()
        kind = values.get("grade") or values.get("decision") or ""
        return f"Issue {number}: the Board's response ({str(kind).replace('_', ' ')})"
    values = sent.model_dump()
    return (f"Issue {number}: commitment {commitment or ''}, \u201c{values['text']}\u201d, "
            f"owner {values['owner']}, due {values['due']:%-d %B %Y}")


# -- a reconvened panel's scores ------------------------------------------------------------

def _panel_fields(reads: Reads, assembly: str) -> list[forms.FormField]:
    """The panel's date (today unless changed), its statement, and one optional score box
    per issue of the assembly with a Board response."""
    described = {f.name: f for f in forms.describe(RECONVENE_ASSEMBLY.request,
                                                   only=("date", "statement"))}
    day, statement = described["date"], described["statement"]
    day.label, day.kind, day.hint = "Date the panel met", "text", f"{DATE_HINT}."
    day.value = uk(reads.clock())
    with reads.engine.connect() as conn:
        scored = worklist.responded(conn, assembly)
    return [day, statement, *(forms.FormField(
        name=f"score-{issue.number}", label=f"Issue {issue.number}: {issue.title}",
        kind="number", required=False,
        hint="The panel's score of the Board's response, 0 to 10. Leave it empty if the "
             "panel did not score it.") for issue in scored)]


def _panel_page(request: Request, staff: StaffSession, assembly: str, title: str,
                fields: list[forms.FormField], problem: str = "", done: bool = False,
                status: int = 200) -> Response:
    return page(request, "staff/panel.html", status, staff=staff,
                heading=f"Reconvened panel: {title}", assembly=assembly, form=fields,
                problem=problem, done=done, action=f"/admin/meetings/{assembly}/panel")


def _may_reconvene(staff: StaffSession) -> bool:
    return may(staff, RECONVENE_ASSEMBLY.roles)


@router.get("/{assembly}/panel", response_class=HTMLResponse)
def panel_form(assembly: str, request: Request, reads: ReadModelsDep, staff: StaffDep,
               done: int = 0) -> Response:
    title = _assembly_title(reads, assembly)
    if title is None or not _may_reconvene(staff):
        return _not_here(request, staff, title)
    return _panel_page(request, staff, assembly, title, _panel_fields(reads, assembly),
                       done=bool(done))


@router.post("/{assembly}/panel", response_class=HTMLResponse)
async def record_panel(assembly: str, request: Request, app: AppDep, reads: ReadModelsDep,
                       show_written: ShowWrittenDep, staff: StaffDep) -> Response:
    form = await posted(request, staff)
    title = _assembly_title(reads, assembly)
    if title is None or not _may_reconvene(staff):
        return _not_here(request, staff, title)
    fields = _panel_fields(reads, assembly)
    by_name = {f.name: f for f in fields}
    for f in fields:
        f.value = str(form.get(f.name, ""))[:_VALUE_LIMIT]
    day = parse_uk_date(by_name["date"].value)
    boxes = [(int(f.name.removeprefix("score-")), f) for f in fields
             if f.name.startswith("score-") and f.value.strip()]
    if day is None:
        by_name["date"].error = f"Enter the date the panel met: {DATE_HINT.lower()}"
    for _, box in boxes:
        if not box.value.strip().isdigit() or not 0 <= int(box.value) <= 10:
            box.error = f"{box.label}: enter a whole number from 0 to 10"
    problem = "" if boxes else "Enter the panel's score of at least one Board response."
    sent: BaseModel | None = None
    if not problem and not any(f.error for f in fields):
        typed = by_name["date"].value
        sent = forms.validate(
            RECONVENE_ASSEMBLY.request, fields[:2],
            {"date": day.isoformat() if day else "", "statement": by_name["statement"].value},
            fixed={"scores": [{"issue": n, "score": int(box.value)} for n, box in boxes]})
        by_name["date"].value = typed
    if sent is None:
        return _panel_page(request, staff, assembly, title, fields, problem, status=422)
    try:
        recorded = RECONVENE_ASSEMBLY.run(app, staff.account.actor, sent,
                                          slug=assembly)
    except errors.DomainError as error:
        field = "date" if error.field in ("date", "occurred_on") else error.field or ""
        problem = forms.place_error(fields, field, error.message)
        return _panel_page(request, staff, assembly, title, fields, problem,
                           status=status_for(error))
    assert isinstance(recorded, Recorded)
    show_written(recorded.position)
    return see(f"/admin/meetings/{assembly}/panel?done=1")
