"""Demo data: the first test assembly (London, September 2014), through the real commands.

The topics, the assembly, the Board's public meeting of 6 November 2014 and the referral to
Healthwatch come from the public record of that assembly. The issues are written in our own
words, and every commitment, progress note and delivery is illustrative: each commitment's
text starts with "Illustrative:" so nobody mistakes it for a real promise. Owners are Board
roles, never people's names.

The demo's dates are illustrative, and it records them as if each entry were made at the
time: an event's recording time is the day of the command that made it (the last date
among its arguments; a command without one, such as hiding or correcting, takes the day
of the command before it, and so does the demo's clock), at noon UTC. So time travel over
the demo (``?as_of=2014-11-06``) shows the record as it would have stood that day.

Loading twice adds nothing: reference data that exists is kept, and an issue whose title is
already on record is skipped.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

import eventsourcing.domain
from sqlalchemy import func, select

from tracker.application import TrackerApplication
from tracker.bootstrap import Tracker
from tracker.demo_judgements import load_judgements
from tracker.domain.errors import AlreadyExists
from tracker.domain.issue import Issue
from tracker.domain.values import Actor, Role
from tracker.projections.issues import issues, withheld_texts

SECRETARIAT = Actor("demo-secretariat", Role.SECRETARIAT)
MODERATOR = Actor("demo-moderator", Role.MODERATOR)
CITIZEN = Actor("demo-citizen", Role.CITIZEN)

ASSEMBLY = "london-2014"
BOARD_MEETING = date(2014, 11, 6)
ASSEMBLY_DAY = date(2014, 9, 18)

TOPICS = {
    "access-to-services": "Access to Services",
    "mental-health": "Mental Health",
    "young-people": "Young People and Healthcare",
    "gender-identity": "Gender Identity",
    "self-care": "Self-care and Personalisation",
}

OWNERS = {
    "chief-executive": ("Chief Executive", "Lead Board member, Access to Services"),
    "medical-director": ("National Medical Director", "Lead Board member, Mental Health"),
    "chief-nursing-officer": ("Chief Nursing Officer",
                              "Lead Board member, Young People and Healthcare"),
    "patients-director": ("National Director for Patients and Information",
                          "Lead Board member, Gender Identity"),
    "commissioning-director": ("National Director of Commissioning Operations",
                               "Lead Board member, Self-care and Personalisation"),
}
# Bodies outside the Board that issues are referred to: each then owes its own answer.
EXTERNAL_BODIES = {
    "healthwatch-england": ("Healthwatch England", "The national consumer champion in health "
                            "and care"),
    "local-healthwatch": ("Local Healthwatch", "The Healthwatch of the area concerned"),
}

Step = Callable[[TrackerApplication, int], object]


@dataclass
class DemoIssue:
    title: str
    description: str
    submitted_on: date
    supporters: int = 0
    steps: list[Step] = field(default_factory=list)
    duplicate_of: str | None = None
    # (event class of the entry to correct, why, what instead)
    correction: tuple[type, str, str] | None = None


def _topic(slug: str, on: date = date(2014, 8, 20)) -> Step:
    return lambda app, n: app.assign_topic(n, slug, SECRETARIAT, on)


def _discussed(summary: str, questions: list[str], proposals: list[str]) -> list[Step]:
    return [
        lambda app, n: app.schedule_issue(n, ASSEMBLY, "a citizen who raised it", SECRETARIAT,
                                          date(2014, 9, 1)),
        lambda app, n: app.record_presentation(n, None, SECRETARIAT, ASSEMBLY_DAY),
        lambda app, n: app.record_discussion(n, ASSEMBLY, summary, questions, proposals,
                                             SECRETARIAT, ASSEMBLY_DAY),
    ]


def _respond(grade: str, summary: str, lead: str | None = None,
             referred_to: str | None = None, reason: str | None = None) -> Step:
    return lambda app, n: app.record_response(n, grade, summary, lead, referred_to,
                                              SECRETARIAT, BOARD_MEETING, reason=reason)


def _commit(text: str, owner: str, due: date, measure: str) -> Step:
    return lambda app, n: app.make_commitment(n, f"Illustrative: {text}", owner, due, measure,
                                              SECRETARIAT, BOARD_MEETING)


def _progress(c: int, status: str, note: str, on: date) -> Step:
    return lambda app, n: app.record_progress(n, c, status, note, None, SECRETARIAT, on)


def _deliver(c: int, note: str, evidence: str, on: date) -> Step:
    return lambda app, n: app.deliver_commitment(n, c, note, evidence, SECRETARIAT, on)


DEMO_ISSUES: list[DemoIssue] = [
    DemoIssue(
        "Shift workers cannot get a GP appointment they can attend",
        "Appointments are only offered in working hours. People on shifts give up and go to "
        "A&E instead.", date(2014, 7, 2), 41,
        [_topic("access-to-services"),
         *_discussed("Participants described booking lines that open when night workers are "
                     "asleep.", ["Who decides practice opening hours?"],
                     ["Evening and weekend appointments", "Online booking"]),
         _respond("accepted", "The Board will report on extended access pilots.",
                  "chief-executive"),
         _commit("publish where evening and weekend GP appointments are offered",
                 "chief-executive", date(2015, 3, 31), "A public list, updated monthly"),
         _commit("report the uptake of extended hours to the Board", "chief-executive",
                 date(2015, 9, 30), "A paper at a public Board meeting"),
         _progress(1, "on_track", "First list drafted with commissioners.", date(2015, 1, 15)),
         _deliver(1, "The list is published.", "https://example.org/demo/extended-access-list",
                  date(2015, 3, 20)),
         _deliver(2, "Reported to the Board in public.", "Board paper 15/112 (demo)",
                  date(2015, 9, 24))],
        correction=(Issue.Discussed, "The discussion summary named the wrong group.",
                    "The discussion took place in the Access to Services group.")),
    DemoIssue(
        "Crisis mental health care is hard to reach at night",
        "When someone is in crisis after 5pm the only option is A&E, which is not the right "
        "place.", date(2014, 6, 18), 63,
        [_topic("mental-health"),
         *_discussed("People shared experiences of waiting many hours in A&E in crisis.",
                     ["What does good crisis care look like?"], ["A 24-hour crisis line"]),
         _respond("accepted", "The Board will back the crisis care concordat.",
                  "medical-director"),
         _commit("sign up every area to the crisis care concordat", "medical-director",
                 date(2015, 4, 1), "Every area has a published declaration"),
         _commit("fund 24-hour crisis lines in five pilot areas", "medical-director",
                 date(2015, 12, 31), "Five lines open around the clock"),
         _deliver(1, "Every area has signed.", "https://example.org/demo/concordat-map",
                  date(2015, 3, 30)),
         _progress(2, "delayed", "Two pilot areas have not found providers.",
                   date(2015, 10, 1))]),
    DemoIssue(
        "Young people fall through the gap between child and adult services",
        "At eighteen, care stops and starts again from scratch with a new team.",
        date(2014, 7, 10), 28,
        [_topic("young-people"),
         *_discussed("Young participants described being discharged on their birthday.",
                     ["Why is the cut-off an age, not a need?"], ["Flexible transition ages"]),
         _respond("accepted", "The Board will set a standard for transition.",
                  "chief-nursing-officer"),
         _commit("publish a transition standard for mental health services",
                 "chief-nursing-officer", date(2015, 6, 30), "A published standard"),
         _progress(1, "at_risk", "Consultation took longer than planned.", date(2015, 5, 1))]),
    DemoIssue(
        "Waiting times for gender identity clinics are far too long",
        "People wait years for a first appointment, with no support while they wait.",
        date(2014, 6, 30), 52,
        [_topic("gender-identity"),
         *_discussed("Participants asked for waiting times to be published and reduced.",
                     ["How long is the wait today?"], ["Publish waits", "More clinics"]),
         _respond("accepted", "The Board will publish waiting times for every clinic.",
                  "patients-director"),
         _commit("publish waiting times for every gender identity clinic",
                 "patients-director", date(2015, 3, 31), "Waits published quarterly"),
         lambda app, n: app.move_due_date(n, 1, date(2015, 9, 30),
                                          "Clinics moved to new data systems.", SECRETARIAT,
                                          date(2015, 3, 1)),
         _progress(1, "no_public_evidence", "The Board says figures were shared with clinics, "
                   "but nothing has been published.", date(2015, 10, 5))]),
    DemoIssue(
        "Personal health budgets should be offered to everyone with a long-term condition",
        "Budgets give people control, but few know they exist.", date(2014, 7, 21), 19,
        [_topic("self-care"),
         *_discussed("Participants debated who benefits from personal budgets.",
                     ["Who is eligible today?"], ["A right to a budget"]),
         _respond("rejected", "Eligibility will be reviewed in 2016.", "commissioning-director",
                  reason="A universal offer cannot be funded this year.")]),
    DemoIssue(
        "How does this assembly relate to Healthwatch England and local Healthwatch?",
        "People asked who follows up on issues between assemblies.", date(2014, 8, 5), 12,
        [_topic("access-to-services"),
         *_discussed("Participants asked how the assembly and Healthwatch work together.",
                     ["Who holds the Board to account between assemblies?"], []),
         _respond("referred", "Referred to Healthwatch England to explain its role.",
                  referred_to="healthwatch-england"),
         lambda app, n: app.answer_referral(
             n, "Healthwatch England described how local Healthwatch can follow up issues "
             "raised at assemblies.", SECRETARIAT, date(2015, 1, 20))]),
    DemoIssue(
        "People in mental health crisis are held in police cells",
        "Police cells are used as a place of safety because there are no beds.",
        date(2014, 7, 15), 34,
        [_topic("mental-health"),
         *_discussed("Participants called for an end to police cells as places of safety.",
                     [], ["Health-based places of safety in every area"]),
         _respond("referred", "Referred to local Healthwatch to gather local evidence.",
                  referred_to="local-healthwatch")]),
    DemoIssue(
        "Young people should sit on NHS boards",
        "Decisions about young people are made without them in the room.",
        date(2014, 8, 1), 22,
        [_topic("young-people"),
         *_discussed("Participants proposed youth seats on boards.", ["Would it be "
                     "tokenistic?"], ["Youth forums that report to boards"])]),
    DemoIssue(
        "Self-care apps should be checked before the NHS recommends them",
        "There are many health apps and nobody knows which are safe.", date(2014, 8, 12), 9,
        [_topic("self-care"),
         lambda app, n: app.schedule_issue(n, ASSEMBLY, None, SECRETARIAT, date(2014, 9, 1))]),
    DemoIssue(
        "Long waits for a first appointment at gender clinics",
        "A duplicate of the issue about gender identity clinic waits.", date(2014, 7, 3), 3,
        [], duplicate_of="Waiting times for gender identity clinics are far too long"),
    DemoIssue(
        "Abusive post about named staff",
        "(Removed.)", date(2014, 8, 14), 0,
        [lambda app, n: app.hide_issue(n, "It named and insulted individual staff members.",
                                       MODERATOR)]),
    DemoIssue(
        "Interpreters for GP appointments",
        "People who do not speak English struggle to book and attend appointments.",
        date(2014, 8, 20), 15, []),
    DemoIssue(
        "Carers should get a health check of their own",
        "Unpaid carers neglect their own health.", date(2014, 7, 28), 17,
        [_topic("self-care"),
         *_discussed("Carers described putting their own health last.", [],
                     ["Annual carer health checks"]),
         _respond("accepted_in_part", "The Board will promote carer health checks, but not "
                  "fund checks of their own.",
                  "commissioning-director"),
         _commit("add carers to the annual health check guidance", "commissioning-director",
                 date(2015, 6, 30), "Guidance updated"),
         _commit("run a national carers' health campaign", "commissioning-director",
                 date(2015, 10, 31), "Campaign launched"),
         _deliver(1, "Guidance updated.", "https://example.org/demo/carer-checks",
                  date(2015, 6, 10)),
         lambda app, n: app.drop_commitment(n, 2, "Funding went to local carer services "
                                            "instead.", SECRETARIAT, date(2015, 8, 1)),
         lambda app, n: app.close_issue(n, "Carers are now named in the health check "
                                        "guidance; the campaign was dropped.", SECRETARIAT,
                                        date(2015, 11, 1))]),
    DemoIssue(
        "Discharge letters reach GPs too late",
        "Patients see their GP before the hospital's letter has arrived.", date(2014, 7, 12),
        21,
        [_topic("access-to-services"),
         *_discussed("Participants described repeating their whole story to the GP.", [],
                     ["Electronic discharge letters within a day"]),
         _respond("accepted_in_principle", "The Board agrees letters should be faster and "
                  "will consider it in the next digital plan.")]),
    DemoIssue(
        "Patients should be able to read their own records online",
        "People want to see test results without waiting for a letter.", date(2014, 7, 8), 31,
        [_topic("self-care"),
         *_discussed("Participants wanted online access to results and letters.", [],
                     ["Online access to records for everyone"]),
         _respond("noted", "The Board noted the assembly's view.")]),
    DemoIssue(
        "Waiting times for children's mental health services should be published",
        "Families do not know how long they will wait.", date(2014, 7, 18), 44,
        [_topic("young-people"),
         *_discussed("Parents asked for published waiting times by area.", [],
                     ["Publish waits by area every month"]),
         _respond("noted", "The Board thanks the assembly for raising this."),
         lambda app, n: app.request_revised_response(
             n, "The response does not say whether waits will be published.", SECRETARIAT,
             date(2015, 1, 15))]),
    DemoIssue(
        "Parking charges stop carers visiting patients",
        "Carers pay to park every day they visit.", date(2014, 8, 8), 26,
        [_topic("access-to-services"),
         *_discussed("Participants described parking costs for long hospital stays.", [],
                     ["Free parking for carers"]),
         lambda app, n: app.close_issue(
             n, "Hospitals set their own parking rules; the issue was passed to them and "
             "no Board commitment was needed.", SECRETARIAT, date(2014, 12, 1))]),
    DemoIssue(
        "Community pharmacies should give more self-care advice",
        "Pharmacists could help people manage minor illness without a GP visit.",
        date(2014, 7, 25), 14,
        [_topic("self-care"),
         *_discussed("Participants wanted pharmacies to be the first stop for minor "
                     "illness.", [], ["A national pharmacy self-care service"]),
         _respond("accepted", "The Board will build pharmacy self-care into its long-term "
                  "plan.", "commissioning-director"),
         _commit("make pharmacy self-care advice a national service", "commissioning-director",
                 date(2030, 3, 31), "A national service in every area"),
         _progress(1, "on_track", "Included in the long-term plan.", date(2015, 11, 20))]),
]


# Before the first issue: when the demo's topics, owners and assembly are recorded.
REFERENCE_DAY = date(2014, 6, 1)
_recording: ContextVar[_DemoClock | None] = ContextVar("demo_recording", default=None)
_real_now = eventsourcing.domain.datetime_now_with_tzinfo


def _now() -> datetime:
    clock = _recording.get()
    return clock.stamp() if clock is not None else _real_now()


class _DemoClock:
    """The demo's own clock: the day of the command being run, noon UTC, a microsecond
    later for each event so that events keep their order within a day."""

    def __init__(self, day: date) -> None:
        self.day = day
        self._tick = 0

    def at(self, day: date) -> None:
        if day != self.day:
            self.day, self._tick = day, 0

    def stamp(self) -> datetime:
        self._tick += 1
        return datetime.combine(self.day, time(12), tzinfo=UTC) + \
            timedelta(microseconds=self._tick)


class _OnDemoClock:
    """The application, each command recorded on the day it names (see the module)."""

    def __init__(self, app: TrackerApplication, clock: _DemoClock) -> None:
        self._app = app
        self._clock = clock

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._app, name)
        if not callable(found):
            return found

        def on_the_day(*args: Any, **kwargs: Any) -> Any:
            days = [a for a in (*args, *kwargs.values())
                    if isinstance(a, date) and not isinstance(a, datetime)]
            if days:
                self._clock.at(days[-1])
            return found(*args, **kwargs)
        return on_the_day


@contextlib.contextmanager
def _demo_clock(app: TrackerApplication) -> Iterator[TrackerApplication]:
    """While loading: events recorded on the demo's days, and the app's clock on them."""
    clock = _DemoClock(REFERENCE_DAY)
    # eventsourcing stamps every event through this module function.
    eventsourcing.domain.datetime_now_with_tzinfo = _now
    token = _recording.set(clock)
    today = app.clock
    app.clock = lambda: clock.day
    try:
        yield cast(TrackerApplication, _OnDemoClock(app, clock))
    finally:
        app.clock = today
        _recording.reset(token)


def load_demo(tracker: Tracker) -> str:
    """Load the demo data once; return a one-line report."""
    with _demo_clock(tracker.app) as app:
        return _load(tracker, app)


def _load(tracker: Tracker, app: TrackerApplication) -> str:
    for slug, name in TOPICS.items():
        with contextlib.suppress(AlreadyExists):
            app.create_topic(slug, name, SECRETARIAT)
    for slug, (name, role) in OWNERS.items():
        with contextlib.suppress(AlreadyExists):
            app.create_owner(slug, name, role, SECRETARIAT)
    for slug, (name, role) in EXTERNAL_BODIES.items():
        with contextlib.suppress(AlreadyExists):
            app.create_owner(slug, name, role, SECRETARIAT, "external")
    with contextlib.suppress(AlreadyExists):
        app.create_assembly(ASSEMBLY, "First test assembly with the Board", ASSEMBLY_DAY,
                            "London", SECRETARIAT)
    tracker.refresh()
    with tracker.engine.connect() as conn:
        # A hidden issue's own title is kept aside from its public row (withheld.py).
        known: dict[str, int] = {title: number for title, number in conn.execute(
            select(func.coalesce(withheld_texts.c.title, issues.c.title), issues.c.number)
            .select_from(issues.outerjoin(withheld_texts,
                                          withheld_texts.c.number == issues.c.number)))}
    added = 0
    new: dict[str, int] = {}
    for demo in DEMO_ISSUES:
        if demo.title in known:
            continue
        number = app.submit_issue(demo.title, demo.description, CITIZEN,
                                  demo.submitted_on).number
        for i in range(demo.supporters):
            app.support_issue(number, f"demo-supporter-{i + 1}", CITIZEN, demo.submitted_on)
        for step in demo.steps:
            step(app, number)
        if demo.correction:
            kind, why, instead = demo.correction
            entry = next(e.originator_version for e in app.events.get(Issue.id_for(number))
                         if isinstance(e, kind))
            app.correct_entry(number, entry, why, instead, SECRETARIAT)
        if demo.duplicate_of:
            app.merge_issue(number, known[demo.duplicate_of],
                            "The same issue as an earlier one.", MODERATOR)
        known[demo.title] = new[demo.title] = number
        added += 1
    load_judgements(app, new, ASSEMBLY)
    tracker.refresh()
    return (f"Demo data: {added} issues added, {len(DEMO_ISSUES) - added} already there "
            f"({len(TOPICS)} topics, {len(OWNERS) + len(EXTERNAL_BODIES)} owners, 1 assembly). "
            "Its dates are illustrative: each entry is recorded as if made on the day it "
            "names, so ?as_of=2014-11-06 shows the record as it stood at the Board meeting.")
