"""Public pages: commitments, the timeline, and topic, owner and assembly pages."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from tracker.domain.glossary import COMMITMENT_STATUSES
from tracker.projections import judgements, reference, timeline
from tracker.projections.issues import overdue_responses
from tracker.projections.listings import (
    CommitmentSummary,
    IssueFilter,
    list_commitments,
    list_issues,
)
from tracker.web.conditional import answer
from tracker.web.deps import MAX_NUMBER, MAX_POSITION, TrackerDep
from tracker.web.edge import SlugInPath
from tracker.web.rendering import render

router = APIRouter(tags=["pages"], include_in_schema=False)

KINDS = {"topics": ("topic", "Topic"), "owners": ("owner", "Accountable owner"),
         "assemblies": ("assembly", "Assembly")}


@router.get("/commitments", response_class=HTMLResponse)
async def commitments_page(request: Request, tracker: TrackerDep, status: str = "",
                           assembly: str = "") -> Response:
    """Every commitment, overdue first, filterable by status and assembly."""
    chosen = status if status in ("overdue", "open") or status in COMMITMENT_STATUSES else ""

    def build(conn: Connection) -> Response:
        found, total = list_commitments(conn, tracker.clock(), status=chosen or None,
                                        limit=500, assembly=assembly or None)
        return render(request, "commitments.html", section="commitments", found=found,
                      total=total, status=chosen, statuses=COMMITMENT_STATUSES,
                      assembly=assembly, assembly_name=reference.names(conn).get(assembly),
                      feed_path="/commitments/overdue", feed_title="Overdue commitments")

    return await answer(request, tracker, "commitments-page", build)


@router.get("/timeline", response_class=HTMLResponse)
async def timeline_page(
    request: Request, tracker: TrackerDep,
    issue_text: Annotated[str, Query(alias="issue", max_length=20)] = "", topic: str = "",
    owner: str = "",
    assembly: str = "", before: Annotated[int | None, Query(ge=1, le=MAX_POSITION)] = None,
) -> Response:
    """What changed, newest first, 50 to a page."""
    # The filter form sends an empty issue box as "issue=": that means any issue.
    issue = int(issue_text.strip()) if issue_text.strip().isdigit() else None
    if issue is not None and not 1 <= issue <= MAX_NUMBER:
        issue = None
    where = timeline.TimelineFilter(issue, topic or None, owner or None, assembly or None)
    params = {k: v for k, v in {"issue": issue, "topic": topic, "owner": owner,
                                "assembly": assembly}.items() if v}

    def build(conn: Connection) -> Response:
        entries = timeline.what_changed(conn, where, before, 50)
        names = reference.names(conn)
        label = ", ".join(f"issue {v}" if k == "issue" else names.get(str(v), str(v))
                          for k, v in params.items())
        next_url = ("/timeline?" + urlencode({**params, "before": entries[-1].position})
                    if len(entries) == 50 else None)
        today = tracker.clock()
        feed = (f"/issues/{issue}/feed" if issue else f"/topics/{topic}/feed" if topic
                else f"/owners/{owner}/feed" if owner else "/timeline")
        return render(request, "timeline.html", section="timeline", entries=entries,
                      filter_label=label, next_url=next_url, where=where,
                      topics=reference.list_topics(conn, today),
                      owners=reference.list_owners(conn, today),
                      assemblies=reference.list_assemblies(conn, today),
                      feed_path=feed if len(params) <= 1 and not assembly else "/timeline")

    return await answer(request, tracker, "timeline-page", build)


@router.get("/topics", response_class=HTMLResponse)
async def topics_page(request: Request, tracker: TrackerDep) -> Response:
    """Every topic, with its figures."""
    return await _index_page("topics", request, tracker)


@router.get("/owners", response_class=HTMLResponse)
async def owners_page(request: Request, tracker: TrackerDep) -> Response:
    """Every accountable owner, with what they promised and how it is going."""
    return await _index_page("owners", request, tracker)


@router.get("/assemblies", response_class=HTMLResponse)
async def assemblies_page(request: Request, tracker: TrackerDep) -> Response:
    """Every assembly, newest first, with its figures."""
    return await _index_page("assemblies", request, tracker)


async def _index_page(kind: str, request: Request, tracker: TrackerDep) -> Response:
    listing = {"topics": reference.list_topics, "owners": reference.list_owners,
               "assemblies": reference.list_assemblies}[kind]
    return await answer(request, tracker, f"{kind}-index", lambda conn: render(
        request, "reference_index.html", kind=kind, items=listing(conn, tracker.clock())))


@router.get("/topics/{slug}", response_class=HTMLResponse)
async def topic_page(slug: SlugInPath, request: Request, tracker: TrackerDep) -> Response:
    """A topic: its figures, commitments, issues and latest changes."""
    return await _reference_page("topics", slug, request, tracker)


@router.get("/owners/{slug}", response_class=HTMLResponse)
async def owner_page(slug: SlugInPath, request: Request, tracker: TrackerDep) -> Response:
    """An accountable owner: what they promised and how it is going."""
    return await _reference_page("owners", slug, request, tracker)


@router.get("/assemblies/{slug}", response_class=HTMLResponse)
async def assembly_page(slug: SlugInPath, request: Request, tracker: TrackerDep) -> Response:
    """An assembly: the issues discussed there and what came of them."""
    return await _reference_page("assemblies", slug, request, tracker)


async def _reference_page(kind: str, slug: str, request: Request,
                          tracker: TrackerDep) -> Response:
    single, label = KINDS[kind]
    topic, owner, assembly = (slug if single == k else None
                              for k in ("topic", "owner", "assembly"))

    def build(conn: Connection) -> Response:
        today = tracker.clock()
        item = reference.get_reference(conn, single, slug, today)
        if item is None:
            return render(request, "not_found.html", 404,
                          message=f"There is no {single} called '{slug}'.")
        found, _ = list_issues(conn, IssueFilter(topic=topic, owner=owner, assembly=assembly),
                               today, 0, 200)
        commitments: list[CommitmentSummary] = []
        if assembly is None:
            commitments, _ = list_commitments(conn, today, owner=owner, topic=topic,
                                              limit=200)
        latest = timeline.what_changed(
            conn, timeline.TimelineFilter(topic=topic, owner=owner, assembly=assembly),
            limit=10)
        feed_path = f"/{kind}/{slug}/feed" if assembly is None else None
        panels = judgements.panel_sessions_of(conn, assembly) if assembly else []
        card = judgements.report_card(conn, owner) if owner else None
        late = [r for r in overdue_responses(conn, today, tracker.settings.clocks)
                if r.lead == owner] if owner else []
        return render(request, "reference.html", item=item, kind_label=label, found=found,
                      panels=panels, names=reference.names(conn) if panels else {},
                      card=card, responses_overdue=late, today=today,
                      commitments=commitments, latest=latest,
                      filter_query=urlencode({single: slug}), feed_path=feed_path,
                      feed_title=item.name, follow_what=item.name,
                      follow_kind=single if assembly is None else None, follow_target=slug,
                      calendar_path=f"/owners/{slug}/calendar.ics" if owner else None)

    return await answer(request, tracker, f"{single}-page", build)
