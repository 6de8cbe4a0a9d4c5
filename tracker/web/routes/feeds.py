"""Feeds at the spec's addresses: RSS, Atom and JSON Feed twins for every view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Path, Request, Response
from sqlalchemy import Connection, select

from feeds import FeedPage, to_atom, to_json_feed, to_rss
from feeds.ids import tag_uri
from tracker.bootstrap import Tracker
from tracker.projections import reference
from tracker.projections.feed_source import Cursor, feed_entries
from tracker.projections.issues import issues
from tracker.projections.timeline import TimelineFilter
from tracker.web.conditional import answer
from tracker.web.deps import IssueNumber, TrackerDep
from tracker.web.edge import SlugInPath
from tracker.web.replies import body_in

router = APIRouter(tags=["feeds"])
# An unknown format, issue, topic or owner is a 404: no such address.
Format = Annotated[str, Path(description="The feed's format: rss, atom or json",
                             examples=["atom"])]
FEEDS = body_in("application/rss+xml", "application/atom+xml", "application/feed+json",
                description="The feed, in the format its address ends with",
                refusing=(404, 422))

FORMATS: dict[str, tuple[Callable[[FeedPage], bytes], str]] = {
    "rss": (to_rss, "application/rss+xml; charset=utf-8"),
    "atom": (to_atom, "application/atom+xml; charset=utf-8"),
    "json": (to_json_feed, "application/feed+json; charset=utf-8"),
}
# Feeds change only when something is recorded; readers poll, so let caches keep them a while.
FEED_MAX_AGE = 300
_WITH_OVERDUE = (" It includes an entry for each commitment that passed its due date without "
                 "being delivered.")
# The date an empty feed carries: fixed, so an empty feed never looks new.
EMPTY_FEED_DATE = datetime(2014, 9, 18, tzinfo=UTC)


async def _feed(request: Request, tracker: Tracker, fmt: str, path: str, html_path: str,
          title: str, where: TimelineFilter, before: str | None,
          check: Callable[[Connection], bool] = lambda conn: True,
          overdue_only: bool = False, named: str | None = None,
          about: str = "") -> Response:
    """``named``: a topic or owner slug whose display name is the feed's title; ``about``:
    the channel's description, a sentence naming nothing anyone typed."""
    if fmt not in FORMATS:
        raise HTTPException(404, detail="Feeds come as .rss, .atom or .json")
    render, media_type = FORMATS[fmt]
    cursor = Cursor.decode(before) if before else None
    if before and cursor is None:
        raise HTTPException(422, detail="before is not a page marker from this feed")
    base = tracker.settings.base_url

    def build(conn: Connection) -> Response:
        if not check(conn):
            raise HTTPException(404, detail=f"Nothing is at {html_path}")
        names = reference.names(conn)
        found, next_cursor = feed_entries(conn, where, tracker.clock(), base, names, cursor,
                                          overdue_only=overdue_only,
                                          clocks=tracker.settings.clocks)
        self_url = f"{base}{path}.{fmt}" + (f"?before={quote(before)}" if before else "")
        shown = names.get(named, named) if named else title
        if where.issue is not None:  # an issue's feed is called by the issue's title
            shown = f"Issue {where.issue}: " + str(conn.execute(select(issues.c.title).where(
                issues.c.number == where.issue)).scalar_one())
        page = FeedPage(
            id=tag_uri(base, path),
            title=f"{shown}: {tracker.settings.organisation}",
            # Readers often show a channel's description as HTML: it carries no name that
            # anyone typed, so there is nothing in it to escape.
            subtitle=about or f"What changed: {title}",
            self_url=self_url,
            html_url=f"{base}{html_path}", entries=tuple(found),
            empty_updated=EMPTY_FEED_DATE, first_url=f"{base}{path}.{fmt}",
            next_url=(f"{base}{path}.{fmt}?before={quote(next_cursor.encode())}"
                      if next_cursor else None))
        return Response(render(page), media_type=media_type)

    return await answer(request, tracker, f"feed-{path}-{fmt}", build, max_age=FEED_MAX_AGE)


def _exists(table_name: str, slug: str) -> Callable[[Connection], bool]:
    table = {"topics": reference.topics, "owners": reference.owners}[table_name]
    return lambda conn: conn.execute(select(table.c.slug).where(
        table.c.slug == slug)).first() is not None


@router.get("/timeline.{fmt}", response_class=Response, responses=FEEDS)
async def timeline_feed(fmt: Format, request: Request, tracker: TrackerDep,
                  before: str | None = None) -> Response:
    """Everything that changed: .rss, .atom or .json."""
    return await _feed(request, tracker, fmt, "/timeline", "/timeline", "What changed",
                 TimelineFilter(), before,
                 about="Everything that changed on the issues citizens raised, newest first."
                       + _WITH_OVERDUE)


@router.get("/issues/{number}/feed.{fmt}", response_class=Response, responses=FEEDS)
async def issue_feed(number: IssueNumber, fmt: Format, request: Request,
                     tracker: TrackerDep,
               before: str | None = None) -> Response:
    """One issue's entries, including when a commitment becomes overdue."""
    return await _feed(request, tracker, fmt, f"/issues/{number}/feed", f"/issues/{number}",
                 f"Issue {number}", TimelineFilter(issue=number), before,
                 check=lambda conn: conn.execute(select(issues.c.number).where(
                     issues.c.number == number)).first() is not None,
                 about=f"Everything that changed on issue {number}, newest first."
                       + _WITH_OVERDUE)


@router.get("/topics/{slug}/feed.{fmt}", response_class=Response, responses=FEEDS)
async def topic_feed(slug: SlugInPath, fmt: Format, request: Request, tracker: TrackerDep,
               before: str | None = None) -> Response:
    """Every issue in a topic."""
    return await _feed(request, tracker, fmt, f"/topics/{slug}/feed", f"/topics/{slug}",
                 slug, TimelineFilter(topic=slug), before, _exists("topics", slug), named=slug,
                 about="Everything that changed on the issues in this topic, newest first."
                       + _WITH_OVERDUE)


@router.get("/owners/{slug}/feed.{fmt}", response_class=Response, responses=FEEDS)
async def owner_feed(slug: SlugInPath, fmt: Format, request: Request, tracker: TrackerDep,
               before: str | None = None) -> Response:
    """Everything an accountable owner promised, and when it becomes overdue."""
    return await _feed(request, tracker, fmt, f"/owners/{slug}/feed", f"/owners/{slug}",
                 slug, TimelineFilter(owner=slug), before, _exists("owners", slug), named=slug,
                 about="What this owner promised and how it is going, newest first."
                       + _WITH_OVERDUE)


@router.get("/commitments/overdue.{fmt}", response_class=Response, responses=FEEDS)
async def overdue_feed(fmt: Format, request: Request, tracker: TrackerDep,
                 before: str | None = None) -> Response:
    """One entry per commitment that passed its due date undelivered."""
    return await _feed(request, tracker, fmt, "/commitments/overdue",
                       "/commitments?status=overdue",
                 "Overdue commitments", TimelineFilter(), before, overdue_only=True,
                 about="One entry for each commitment that passed its due date without being "
                       "delivered, newest first.")
