"""Feeds at the spec's addresses: RSS, Atom and JSON Feed twins for every view
(rendered by tracker.site.feeds)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, Response

from tracker.site.addresses import feed_read
from tracker.site.feeds import FORMATS, Feed, Of, valid_marker
from tracker.web.deps import IssueNumber
from tracker.web.edge import SlugInPath
from tracker.web.http_cache import SiteDep
from tracker.web.replies import body_in

router = APIRouter(tags=["feeds"])
# An unknown format, issue, topic or owner is a 404: no such address.
Format = Annotated[str, Path(description="The feed's format: rss, atom or json",
                             examples=["atom"])]
FEEDS = body_in("application/rss+xml", "application/atom+xml", "application/feed+json",
                description="The feed, in the format its address ends with",
                refusing=(404, 422))


async def _feed(request: Request, site: SiteDep, of: Of, fmt: str, key: str,
                before: str | None) -> Response:
    if fmt not in FORMATS:
        raise HTTPException(404, detail="Feeds come as .rss, .atom or .json")
    if not valid_marker(before):
        raise HTTPException(422, detail="before is not a page marker from this feed")
    return await site.answer(request, feed_read(Feed(of, fmt, key, before)))


@router.get("/timeline.{fmt}", response_class=Response, responses=FEEDS)
async def timeline_feed(fmt: Format, request: Request, site: SiteDep,
                        before: str | None = None) -> Response:
    """Everything that changed: .rss, .atom or .json."""
    return await _feed(request, site, "timeline", fmt, "", before)


@router.get("/issues/{number}/feed.{fmt}", response_class=Response, responses=FEEDS)
async def issue_feed(number: IssueNumber, fmt: Format, request: Request, site: SiteDep,
                     before: str | None = None) -> Response:
    """One issue's entries, including when a commitment becomes overdue."""
    return await _feed(request, site, "issue", fmt, str(number), before)


@router.get("/topics/{slug}/feed.{fmt}", response_class=Response, responses=FEEDS)
async def topic_feed(slug: SlugInPath, fmt: Format, request: Request, site: SiteDep,
                     before: str | None = None) -> Response:
    """Every issue in a topic."""
    return await _feed(request, site, "topic", fmt, slug, before)


@router.get("/owners/{slug}/feed.{fmt}", response_class=Response, responses=FEEDS)
async def owner_feed(slug: SlugInPath, fmt: Format, request: Request, site: SiteDep,
                     before: str | None = None) -> Response:
    """Everything an accountable owner promised, and when it becomes overdue."""
    return await _feed(request, site, "owner", fmt, slug, before)


@router.get("/commitments/overdue.{fmt}", response_class=Response, responses=FEEDS)
async def overdue_feed(fmt: Format, request: Request, site: SiteDep,
                       before: str | None = None) -> Response:
    """One entry per commitment that passed its due date undelivered."""
    return await _feed(request, site, "overdue", fmt, "", before)
