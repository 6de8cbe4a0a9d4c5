"""Every public address, as a table of patterns and the read each one is.

A ``Read`` names a renderer and its parsed parameters: the web routes build one after
validating a request, ``tracker publish`` finds one here by address (``resolve``), and both
render it the same way (``Site.render``), so the static copy and the live site give the same
bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine

from tracker.bootstrap import Tracker
from tracker.ledger import TileError, parse_tile_path
from tracker.site import api, calendars, files, log_files, pages
from tracker.site.answer import Answer, SiteContext
from tracker.site.calendars import CALENDAR_MAX_AGE, DueDates
from tracker.site.feeds import FEED_MAX_AGE, FORMATS, Feed, Of, feed

P = TypeVar("P")
Renderer = Callable[[Connection, SiteContext, P], Answer]
DEFAULT_MAX_AGE = 60


@dataclass(frozen=True)
class Read(Generic[P]):
    """What an address depends on: a renderer and its parameters. ``variant`` tells apart
    the formats of one address in validators (ETags); ``max_age`` is its Cache-Control."""

    variant: str
    renderer: Renderer[P]
    params: P
    max_age: int = DEFAULT_MAX_AGE


def home() -> Read[pages.Nothing]:
    return Read("home", pages.home, pages.NOTHING)


def issue_page(number: int) -> Read[int]:
    return Read("issue-page", pages.issue_page, number)


def index_page(kind: pages.Kind) -> Read[pages.Kind]:
    return Read(f"{kind}-index", pages.index_page, kind)


def reference_page(kind: pages.Kind, slug: str) -> Read[pages.Reference]:
    return Read(f"{pages.KINDS[kind][0]}-page", pages.reference_page,
                pages.Reference(kind, slug))


def reference_list(kind: pages.Kind) -> Read[pages.Kind]:
    return Read(kind, api.references, kind)


def feed_read(params: Feed) -> Read[Feed]:
    return Read(f"feed-{params.path}-{params.fmt}", feed, params, FEED_MAX_AGE)


def calendar_read(params: DueDates) -> Read[DueDates]:
    variant = ("calendar" if params.number is None and params.owner is None else
               f"calendar-issue-{params.number}" if params.number is not None else
               f"calendar-owner-{params.owner}")
    return Read(variant, calendars.calendar, params, CALENDAR_MAX_AGE)


_SLUG = r"(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)"
_FMT = r"\.(?P<fmt>" + "|".join(FORMATS) + ")"
_NUMBER = r"(?P<n>\d{1,10})"
Pattern = tuple[re.Pattern[str], Callable[[re.Match[str]], Read[Any] | None]]


def _feed_of(of: Of) -> Callable[[re.Match[str]], Read[Any]]:
    def read(m: re.Match[str]) -> Read[Any]:
        key = m.groupdict().get("slug") or m.groupdict().get("n") or ""
        return feed_read(Feed(of, m["fmt"], str(int(key)) if of == "issue" else key))
    return read


TABLE: tuple[Pattern, ...] = tuple((re.compile(pattern), read) for pattern, read in (
    (r"/", lambda m: home()),
    (r"/issues", lambda m: Read("issues-page", pages.issues_page, pages.IssuesQuery())),
    (rf"/issues/{_NUMBER}", lambda m: issue_page(int(m["n"]))),
    (r"/commitments", lambda m: Read("commitments-page", pages.commitments_page,
                                     pages.CommitmentsQuery())),
    (r"/timeline", lambda m: Read("timeline-page", pages.timeline_page,
                                  pages.TimelineQuery())),
    (r"/about/statuses", lambda m: Read("statuses", pages.statuses_page, pages.NOTHING)),
    (r"/about/reading", lambda m: Read("reading", pages.reading_page, pages.NOTHING)),
    (r"/(?P<kind>topics|owners|assemblies)", lambda m: index_page(m["kind"])),
    (rf"/(?P<kind>topics|owners|assemblies)/{_SLUG}",
     lambda m: reference_page(m["kind"], m["slug"])),
    (rf"/assemblies/{_SLUG}/report-card",
     lambda m: Read("report-card-page", pages.report_card_page, m["slug"])),
    (rf"/assemblies/{_SLUG}/report-card\.csv",
     lambda m: Read("report-card-csv", api.report_card_csv, m["slug"])),
    (r"/calendar\.ics", lambda m: calendar_read(DueDates())),
    (rf"/issues/{_NUMBER}/calendar\.ics", lambda m: calendar_read(DueDates(number=int(m["n"])))),
    (rf"/owners/{_SLUG}/calendar\.ics", lambda m: calendar_read(DueDates(owner=m["slug"]))),
    (rf"/timeline{_FMT}", _feed_of("timeline")),
    (rf"/commitments/overdue{_FMT}", _feed_of("overdue")),
    (rf"/issues/{_NUMBER}/feed{_FMT}", _feed_of("issue")),
    (rf"/topics/{_SLUG}/feed{_FMT}", _feed_of("topic")),
    (rf"/owners/{_SLUG}/feed{_FMT}", _feed_of("owner")),
    (r"/files/sha256/(?P<sha>[0-9a-f]{64})",
     lambda m: Read("file", files.evidence_file, m["sha"])),
    (r"/log/checkpoint", lambda m: Read("log-checkpoint", log_files.checkpoint, None)),
    (r"/log/key", lambda m: Read("log-key", log_files.key, None)),
    (r"/log/tile/(?P<path>[0-9a-z./]+)", lambda m: log_tile(m["path"])),
    (r"/log/words/(?P<n>\d{1,19})", lambda m: Read("log-words", log_files.words, int(m["n"]))),
    (rf"/api/v1/issues/{_NUMBER}", lambda m: Read("issue", api.issue, int(m["n"]))),
    (rf"/api/v1/issues/{_NUMBER}/history",
     lambda m: Read("history", api.history, api.HistoryQuery(int(m["n"])))),
    (r"/api/v1/(?P<kind>topics|owners|assemblies)",
     lambda m: reference_list(m["kind"])),
    (rf"/api/v1/assemblies/{_SLUG}/report-card",
     lambda m: Read("report-card-json", api.report_card_json, m["slug"])),
))


def log_tile(path: str) -> Read[Any] | None:
    """A tile or entry bundle of the verifiable log; None for what is not a tile path."""
    try:
        return Read("log-tile", log_files.tile, parse_tile_path("tile/" + path))
    except TileError:
        return None


def resolve(address: str) -> Read[Any] | None:
    """The read at an address without a query (what a static copy holds); None when no
    public page is there."""
    path = address.split("?", 1)[0]
    for pattern, read in TABLE:
        if (match := pattern.fullmatch(path)) is not None:
            return read(match)
    return None


class Site:
    """Renders reads from the read models: one per process, shared by every request."""

    def __init__(self, engine: Engine, context: SiteContext) -> None:
        self.engine = engine
        self.context = context

    def render(self, conn: Connection, read: Read[P]) -> Answer:
        return read.renderer(conn, self.context, read.params)

    def render_now(self, read: Read[P]) -> Answer:
        """On a connection of its own."""
        with self.engine.connect() as conn:
            return self.render(conn, read)

    def render_address(self, address: str) -> Answer | None:
        """The answer at an address, or None when nothing public is there."""
        read = resolve(address)
        return self.render_now(read) if read is not None else None


def site_of(tracker: Tracker) -> Site:
    """The site of a bootstrapped tracker: its read models, clock, settings and templates."""
    return tracker.site
