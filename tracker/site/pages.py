"""The public HTML pages: home, issues, an issue, commitments, the timeline, the topic, owner
and assembly pages and their indexes, the glossary pages and the report card page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal
from urllib.parse import urlencode

from sqlalchemy import Connection

from tracker.domain.answer import OUTCOMES
from tracker.domain.glossary import (
    CITIZEN_ANSWERS,
    COMMITMENT_STATUSES,
    COMPLETION_GRADES,
    DERIVED,
    OUTCOME_GRADES,
    RESPONSE_GRADES,
    STAGES,
)
from tracker.projections import issues as issue_status
from tracker.projections import judgements, reference, timeline
from tracker.projections.answers import assembly_answers, on_time_everywhere
from tracker.projections.as_of import end_of, start_of
from tracker.projections.cards import commitment_cards
from tracker.projections.issue_links import merged_into_this, verdicts
from tracker.projections.issues import overdue_responses
from tracker.projections.listings import (
    CommitmentSummary,
    IssueFilter,
    list_commitments,
    list_issues,
)
from tracker.projections.recent import recent_changes
from tracker.projections.report_card import report_card
from tracker.projections.scoreboard import scoreboard
from tracker.site.answer import Answer, SiteContext, not_found_page, page, problem

PAGE = 25
Kind = Literal["topics", "owners", "assemblies"]
KINDS: dict[str, tuple[str, str]] = {
    "topics": ("topic", "Topic"), "owners": ("owner", "Accountable owner"),
    "assemblies": ("assembly", "Assembly")}
# Who else judges delivery: each scale, its id prefix on the page, and its keys.
JUDGEMENTS = (
    ("Citizens say: was it delivered?", "answer", CITIZEN_ANSWERS),
    ("The assessor's completion grade", "completion", COMPLETION_GRADES),
    ("The assessor's outcome grade", "outcome", OUTCOME_GRADES),
)


@dataclass(frozen=True)
class Nothing:
    """The parameters of an address that has none."""


NOTHING = Nothing()
# A page that reads nothing from the database (the glossary pages).
Renderless = Callable[[Connection | None, SiteContext, Nothing], Answer]


def home(conn: Connection, ctx: SiteContext, _: Nothing) -> Answer:
    """The answer per assembly, the scoreboard and what changed recently."""
    today = ctx.clock()
    return page(ctx, "home.html", board=scoreboard(conn, today), today=today,
                answers=assembly_answers(conn, today), on_time=on_time_everywhere(conn, today),
                recent=recent_changes(conn, today))


@dataclass(frozen=True)
class IssuesQuery:
    q: str = ""
    stage: str = ""
    topic: str = ""
    owner: str = ""
    overdue: bool = False
    page: int = 1
    assembly: str = ""
    outcome: str = ""


def issues_page(conn: Connection, ctx: SiteContext, p: IssuesQuery) -> Answer:
    """Every issue, with filters and search; works as a plain GET form."""
    where = IssueFilter(stage=p.stage if p.stage in STAGES else None, topic=p.topic or None,
                        owner=p.owner or None, overdue=p.overdue, search=p.q.strip() or None,
                        assembly=p.assembly or None,
                        outcome=p.outcome if p.outcome in OUTCOMES else None,
                        with_hidden=not (p.stage or p.q.strip() or p.outcome))
    params = {k: v for k, v in {"q": p.q, "stage": p.stage, "topic": p.topic,
                                "owner": p.owner, "overdue": "true" if p.overdue else "",
                                "assembly": p.assembly,
                                "outcome": where.outcome or ""}.items() if v}

    def page_url(n: int) -> str:
        return "/issues?" + urlencode({**params, "page": n})

    today = ctx.clock()
    found, total = list_issues(conn, where, today, (p.page - 1) * PAGE, PAGE)
    return page(
        ctx, "issues.html", section="issues", where=where, found=found, total=total,
        verdicts=verdicts(conn, [i.number for i in found], today, ctx.settings.silent_days),
        stages=STAGES, choices=reference.choices(conn), outcomes=OUTCOMES,
        prev_url=page_url(p.page - 1) if p.page > 1 else None,
        next_url=page_url(p.page + 1) if p.page * PAGE < total else None)


def issue_page(conn: Connection, ctx: SiteContext, number: int) -> Answer:
    """Verdict first, then commitments, then the whole history."""
    settings = ctx.settings
    view = issue_status.get_issue(conn, number, ctx.clock(), settings.silent_days,
                                  settings.clocks)
    if view is None:
        return not_found_page(ctx, f"There is no issue {number}.")
    overdue = any(c.overdue for c in view.commitments) or bool(
        view.response and (view.response.overdue or view.response.referral_overdue))
    history = timeline.history(conn, number)  # supports are the count above it
    cards = commitment_cards(view.commitments, history, ctx.clock(), settings.silent_days)
    return page(ctx, "issue.html", section="issues", issue=view, history=history,
                cards=cards, merged_here=merged_into_this(conn, number),
                names=reference.names(conn), feed_path=f"/issues/{number}/feed",
                feed_title=f"Issue {number}", follow_what="this issue",
                follow_kind="issue", follow_target=str(number),
                calendar_path=f"/issues/{number}/calendar.ics",
                verdict_class="overdue" if overdue else view.stage)


@dataclass(frozen=True)
class CommitmentsQuery:
    status: str = ""
    assembly: str = ""


def commitments_page(conn: Connection, ctx: SiteContext, p: CommitmentsQuery) -> Answer:
    """Every commitment, overdue first, filterable by status and assembly."""
    chosen = p.status if p.status in ("overdue", "open") or p.status in COMMITMENT_STATUSES \
        else ""
    found, total = list_commitments(conn, ctx.clock(), status=chosen or None, limit=500,
                                    assembly=p.assembly or None)
    return page(ctx, "commitments.html", section="commitments", found=found, total=total,
                status=chosen, statuses=COMMITMENT_STATUSES, assembly=p.assembly,
                assembly_name=reference.names(conn).get(p.assembly),
                feed_path="/commitments/overdue", feed_title="Overdue commitments")


@dataclass(frozen=True)
class TimelineQuery:
    issue: int | None = None
    topic: str = ""
    owner: str = ""
    assembly: str = ""
    before: int | None = None


def timeline_page(conn: Connection, ctx: SiteContext, p: TimelineQuery) -> Answer:
    """What changed, newest first, 50 to a page."""
    where = timeline.TimelineFilter(p.issue, p.topic or None, p.owner or None,
                                    p.assembly or None)
    params = {k: v for k, v in {"issue": p.issue, "topic": p.topic, "owner": p.owner,
                                "assembly": p.assembly}.items() if v}
    entries = timeline.what_changed(conn, where, p.before, 50)
    names = reference.names(conn)
    label = ", ".join(f"issue {v}" if k == "issue" else names.get(str(v), str(v))
                      for k, v in params.items())
    next_url = ("/timeline?" + urlencode({**params, "before": entries[-1].position})
                if len(entries) == 50 else None)
    feed = (f"/issues/{p.issue}/feed" if p.issue else f"/topics/{p.topic}/feed" if p.topic
            else f"/owners/{p.owner}/feed" if p.owner else "/timeline")
    return page(ctx, "timeline.html", section="timeline", entries=entries,
                filter_label=label, next_url=next_url, where=where,
                choices=reference.choices(conn),
                feed_path=feed if len(params) <= 1 and not p.assembly else "/timeline")


def index_page(conn: Connection, ctx: SiteContext, kind: Kind) -> Answer:
    """Every topic, owner or assembly, with its figures."""
    listing = {"topics": reference.list_topics, "owners": reference.list_owners,
               "assemblies": reference.list_assemblies}[kind]
    return page(ctx, "reference_index.html", kind=kind, items=listing(conn, ctx.clock()))


@dataclass(frozen=True)
class Reference:
    kind: Kind
    slug: str


def reference_page(conn: Connection, ctx: SiteContext, p: Reference) -> Answer:
    """A topic, owner or assembly: its figures, commitments, issues and latest changes."""
    kind, slug = p.kind, p.slug
    single, label = KINDS[kind]
    topic, owner, assembly = (slug if single == k else None
                              for k in ("topic", "owner", "assembly"))
    today = ctx.clock()
    item = reference.get_reference(conn, single, slug, today)
    if item is None:
        return not_found_page(ctx, f"There is no {single} called '{slug}'.")
    found, _ = list_issues(conn, IssueFilter(topic=topic, owner=owner, assembly=assembly),
                           today, 0, 200)
    commitments: list[CommitmentSummary] = []
    if assembly is None:
        commitments, _ = list_commitments(conn, today, owner=owner, topic=topic, limit=200)
    latest = timeline.what_changed(
        conn, timeline.TimelineFilter(topic=topic, owner=owner, assembly=assembly), limit=10)
    feed_path = f"/{kind}/{slug}/feed" if assembly is None else None
    panels = judgements.panel_sessions_of(conn, assembly) if assembly else []
    card = judgements.report_card(conn, owner) if owner else None
    late = [r for r in overdue_responses(conn, today, ctx.settings.clocks)
            if r.lead == owner] if owner else []
    return page(ctx, "reference.html", item=item, kind_label=label, found=found,
                panels=panels, names=reference.names(conn) if panels else {},
                card=card, responses_overdue=late, today=today,
                commitments=commitments, latest=latest,
                filter_query=urlencode({single: slug}), feed_path=feed_path,
                feed_title=item.name, follow_what=item.name,
                follow_kind=single if assembly is None else None, follow_target=slug,
                calendar_path=f"/owners/{slug}/calendar.ics" if owner else None)


def report_card_page(conn: Connection, ctx: SiteContext, slug: str) -> Answer:
    """An assembly's report card as a page."""
    card = report_card(conn, slug, ctx.clock(), ctx.settings.clocks)
    if card is None:
        return not_found_page(ctx, f"There is no assembly called '{slug}'.")
    return page(ctx, "report_card.html", section="assemblies", card=card)


def reading_page(_conn: Connection | None, ctx: SiteContext, _: Nothing) -> Answer:
    """How to read this site, for citizens."""
    return page(ctx, "reading.html", section="about")


def statuses_page(_conn: Connection | None, ctx: SiteContext, _: Nothing) -> Answer:
    """What every stage, status and verdict means."""
    return page(ctx, "statuses.html", section="about", stages=STAGES,
                statuses=COMMITMENT_STATUSES, derived=DERIVED, grades=RESPONSE_GRADES,
                judgements=JUDGEMENTS)


@dataclass(frozen=True)
class ChangesQuery:
    number: int
    start: date
    end: date


def changes_page(conn: Connection, ctx: SiteContext, p: ChangesQuery) -> Answer:
    """What was recorded on an issue between two days (both included)."""
    view = issue_status.get_issue(conn, p.number, ctx.clock(), ctx.settings.silent_days,
                                  ctx.settings.clocks)
    if view is None:
        return not_found_page(ctx, f"There is no issue {p.number}.")
    changed = recorded_between(conn, p)
    return page(ctx, "changes.html", section="issues", issue=view, entries=changed,
                start=p.start, end=p.end)


def recorded_between(conn: Connection, p: ChangesQuery) -> list[timeline.TimelineEntry]:
    """An issue's entries recorded from the start of one day to the end of another."""
    since, until = start_of(p.start), end_of(p.end)
    return [e for e in timeline.history(conn, p.number) if since <= e.recorded_at <= until]


def changes_json(conn: Connection, ctx: SiteContext, p: ChangesQuery) -> Answer:
    """The same entries as the page, for programs (as the history gives them)."""
    from tracker.site.api import entries_answer

    if not timeline.has_history(conn, p.number):
        return problem(404, f"There is no issue {p.number}")
    return entries_answer(recorded_between(conn, p))
