"""What a feed is made of: entries and a page of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class FeedEntry:
    """One entry. ``recorded_at`` dates it: logging an old meeting late appears once, as new,
    and never re-dates older entries."""

    id: str  # a stable tag: URI
    title: str  # the timeline sentence
    paragraphs: tuple[str, ...]  # the full text, as plain-text paragraphs
    link: str  # the entry's anchor on its status page (absolute)
    recorded_at: datetime  # timezone-aware
    occurred_on: date | None = None
    evidence: str = ""  # a link or a document reference
    categories: tuple[str, ...] = ()
    author: str = ""


@dataclass(frozen=True)
class FeedPage:
    """A feed document: newest entries first, at most one page of them (RFC 5005 paging)."""

    id: str
    title: str
    subtitle: str
    self_url: str  # this document (absolute)
    html_url: str  # the page it follows (absolute)
    entries: tuple[FeedEntry, ...]
    empty_updated: datetime  # the feed's date when it has no entries (never "now")
    next_url: str | None = None  # older entries
    first_url: str | None = None
    language: str = "en-GB"
    feed_urls: dict[str, str] = field(default_factory=dict)  # format -> address of this feed

    @property
    def updated(self) -> datetime:
        return max((e.recorded_at for e in self.entries), default=self.empty_updated)
