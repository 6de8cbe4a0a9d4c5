"""Feeds at the spec's addresses: RSS, Atom and JSON Feed twins for every view."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import quote

from sqlalchemy import Connection

from feeds import FeedPage, to_atom, to_json_feed, to_rss
from feeds.ids import tag_uri
from tracker.projections import reference
from tracker.projections.feed_source import Cursor, feed_entries
from tracker.projections.lookups import issue_exists, issue_title, owner_exists, topic_exists
from tracker.projections.timeline import TimelineFilter
from tracker.site.answer import Answer, SiteContext, problem

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

Of = Literal["timeline", "issue", "topic", "owner", "overdue"]


@dataclass(frozen=True)
class Feed:
    """Which feed (``of`` and its ``key``: an issue number or a slug), in which format, and
    from which page marker on. ``fmt`` is one of FORMATS and ``before`` decodes (the web
    route refuses anything else before asking)."""

    of: Of
    fmt: str
    key: str = ""
    before: str | None = None

    @property
    def path(self) -> str:
        return {"timeline": "/timeline", "issue": f"/issues/{self.key}/feed",
                "topic": f"/topics/{self.key}/feed", "owner": f"/owners/{self.key}/feed",
                "overdue": "/commitments/overdue"}[self.of]


def valid_marker(before: str | None) -> bool:
    return not before or Cursor.decode(before) is not None


def feed(conn: Connection, ctx: SiteContext, p: Feed) -> Answer:
    """``named``: a topic or owner slug whose display name is the feed's title; ``about``:
    the channel's description, a sentence naming nothing anyone typed."""
    key, path = p.key, p.path
    named: str | None = None
    if p.of == "timeline":
        html_path, title, where = "/timeline", "What changed", TimelineFilter()
        about = ("Everything that changed on the issues citizens raised, newest first."
                 + _WITH_OVERDUE)
        exists = True
    elif p.of == "issue":
        number = int(key)
        html_path, title, where = f"/issues/{key}", f"Issue {key}", TimelineFilter(issue=number)
        about = f"Everything that changed on issue {key}, newest first." + _WITH_OVERDUE
        exists = issue_exists(conn, number)
    elif p.of == "topic":
        html_path, title, where, named = f"/topics/{key}", key, TimelineFilter(topic=key), key
        about = ("Everything that changed on the issues in this topic, newest first."
                 + _WITH_OVERDUE)
        exists = topic_exists(conn, key)
    elif p.of == "owner":
        html_path, title, where, named = f"/owners/{key}", key, TimelineFilter(owner=key), key
        about = "What this owner promised and how it is going, newest first." + _WITH_OVERDUE
        exists = owner_exists(conn, key)
    else:
        html_path, title, where = ("/commitments?status=overdue", "Overdue commitments",
                                   TimelineFilter())
        about = ("One entry for each commitment that passed its due date without being "
                 "delivered, newest first.")
        exists = True
    if not exists:
        return problem(404, f"Nothing is at {html_path}")
    render, media_type = FORMATS[p.fmt]
    cursor = Cursor.decode(p.before) if p.before else None
    base = ctx.settings.base_url
    names = reference.names(conn)
    found, next_cursor = feed_entries(conn, where, ctx.clock(), base, names, cursor,
                                      overdue_only=p.of == "overdue",
                                      clocks=ctx.settings.clocks)
    self_url = f"{base}{path}.{p.fmt}" + (f"?before={quote(p.before)}" if p.before else "")
    shown = names.get(named, named) if named else title
    if where.issue is not None:  # an issue's feed is called by the issue's title
        shown = f"Issue {where.issue}: " + issue_title(conn, where.issue)
    feed_page = FeedPage(
        id=tag_uri(base, path),
        title=f"{shown}: {ctx.settings.organisation}",
        # Readers often show a channel's description as HTML: it carries no name that
        # anyone typed, so there is nothing in it to escape.
        subtitle=about,
        self_url=self_url,
        html_url=f"{base}{html_path}", entries=tuple(found),
        empty_updated=EMPTY_FEED_DATE, first_url=f"{base}{path}.{p.fmt}",
        next_url=(f"{base}{path}.{p.fmt}?before={quote(next_cursor.encode())}"
                  if next_cursor else None))
    return Answer(200, media_type, render(feed_page))
