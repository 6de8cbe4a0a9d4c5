"""Time travel: any public read as it stood at the end of a past day, and its Memento
(RFC 7089) addresses.

``?as_of=YYYY-MM-DD`` on a page or JSON read renders the same read from the read models as
recorded by the end of that day (tracker.projections.as_of), with that day as the clock (so
"overdue" is worked out for that day), a banner saying so, and the Memento headers:
``Memento-Datetime`` and ``Link`` to the original (today's version), its TimeGate and its
TimeMap. ``/timegate/<address>`` redirects to the version of a day asked for in
``Accept-Datetime``; ``/timemap/<address>`` lists the days the address changed: an issue's
addresses, the days of its entries; any other address, the days anything was recorded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import Connection, Date, cast, func, select

from tracker.projections.as_of import end_of, first_recorded_day
from tracker.projections.timeline import entries
from tracker.site.answer import Answer, AsOf, SiteContext, not_found_page, page, problem

__all__ = ["AsOf"]

LINK_FORMAT = "application/link-format"
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISSUE_ADDRESS = re.compile(r"/(?:api/v1/)?issues/(\d{1,10})(?:/.*)?")


def is_page(path: str) -> bool:
    """An HTML page (refused with the not-found page) rather than data (refused with JSON)."""
    return not path.startswith("/api/") and "." not in path.rsplit("/", 1)[-1]


def check_day(conn: Connection, text: str, today: date) -> date | str:
    """The day asked for, or why it cannot be shown."""
    if not _DAY.fullmatch(text):
        return "as_of must be a date written YYYY-MM-DD"
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return "as_of is not a date in the calendar"
    if day > today:
        return "as_of is in the future: nothing is recorded for that day yet"
    first = first_recorded_day(conn)
    if first is None or day < first:
        return ("as_of is before anything was recorded"
                + (f" (the first entry was recorded on {first.isoformat()})" if first else ""))
    return day


def refusal(ctx: SiteContext, path: str, reason: str) -> Answer:
    """A 422 naming ``as_of`` for data; the not-found page for pages."""
    if is_page(path):
        return not_found_page(ctx, f"There is no version of this page for that day: {reason}.")
    return problem(422, reason, "as_of")


BUSY_RETRY_SECONDS = 5


def busy(ctx: SiteContext, path: str, day: date) -> Answer:
    """A 503 while another past day is being built: nothing is wrong, ask again soon."""
    message = (f"The record as it stood on {day:%-d %B %Y} is being prepared. "
               f"Please try again in a few seconds.")
    if is_page(path):
        answer = page(ctx, "problem.html", 503, heading="Please try again in a moment",
                      message=message, back=with_as_of(path, day), back_text="Try again")
    else:
        answer = problem(503, message, "as_of")
    return replace(answer, headers=(*answer.headers, ("Retry-After", str(BUSY_RETRY_SECONDS)),
                                    ("Cache-Control", "no-store")))


def without_as_of(path: str, query: str) -> str:
    """The address of today's version (the original resource)."""
    rest = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "as_of"]
    return path + ("?" + urlencode(rest) if rest else "")


def with_as_of(original: str, day: date) -> str:
    joiner = "&" if "?" in original else "?"
    return f"{original}{joiner}as_of={day.isoformat()}"


def memento_datetime(day: date) -> str:
    return format_datetime(end_of(day).replace(microsecond=0), usegmt=True)


def memento_headers(base_url: str, original: str, day: date) -> tuple[tuple[str, str], ...]:
    """``Memento-Datetime`` and ``Link`` of the version of ``original`` as of ``day``."""
    return (("Memento-Datetime", memento_datetime(day)),
            ("Link", ", ".join(original_links(base_url, original))))


_HREF = re.compile(r'(?<!data-today )(?<![-\w])href="(/[^"#]*)(#[^"]*)?"')


def links_as_of(html: str, day: date, public: Callable[[str], bool]) -> str:
    """A past page's links to other public reads, kept on the same day: following them
    stays in the past. The banner's link to today's version is left as it is, and so is
    any link that is not a public read (a form, the static files, a proof)."""
    def rewrite(match: re.Match[str]) -> str:
        target, fragment = match[1], match[2] or ""
        if "as_of=" in target or not public(target.split("?", 1)[0]):
            return match[0]
        return f'href="{with_as_of(target, day)}{fragment}"'
    return _HREF.sub(rewrite, html)


def with_memento_headers(headers: tuple[tuple[str, str], ...], base_url: str,
                         original: str, day: date) -> tuple[tuple[str, str], ...]:
    """An answer's own headers with the Memento ones; its own ``Link`` (a next page) is
    kept, in the one ``Link`` header."""
    added = dict(memento_headers(base_url, original, day))
    own = [value for name, value in headers if name.lower() == "link"]
    if own:
        added["Link"] = ", ".join([*own, added["Link"]])
    return (*((n, v) for n, v in headers if n.lower() != "link"), *added.items())


def original_links(base_url: str, original: str) -> list[str]:
    base = base_url.rstrip("/")
    return [f'<{base}{original}>; rel="original"',
            f'<{base}/timegate{original}>; rel="timegate"',
            f'<{base}/timemap{original}>; rel="timemap"; type="{LINK_FORMAT}"']


def changed_days(conn: Connection, path: str) -> list[date]:
    """The days the read at ``path`` changed, oldest first: an issue's entries, or any."""
    day: Any = (func.date(entries.c.recorded_at) if conn.dialect.name == "sqlite" else
                cast(func.timezone("UTC", entries.c.recorded_at), Date))
    query = select(day).distinct().order_by(day)
    if (match := _ISSUE_ADDRESS.fullmatch(path)) is not None:
        query = query.where(entries.c.issue_number == int(match[1]))
    return [d if isinstance(d, date) else date.fromisoformat(d)
            for d in conn.execute(query).scalars()]


def timemap(base_url: str, original: str, days: list[date]) -> Answer:
    """The TimeMap of ``original`` (RFC 7089 section 5, application/link-format)."""
    base = base_url.rstrip("/")
    links = original_links(base_url, original)
    links[2] = f'<{base}/timemap{original}>; rel="self"; type="{LINK_FORMAT}"' + (
        f'; from="{memento_datetime(days[0])}"; until="{memento_datetime(days[-1])}"'
        if days else "")
    for i, day in enumerate(days):
        rel = "first memento" if i == 0 else "last memento" if i == len(days) - 1 else \
            "memento"
        if len(days) == 1:
            rel = "first last memento"
        links.append(f'<{base}{with_as_of(original, day)}>; rel="{rel}"; '
                     f'datetime="{memento_datetime(day)}"')
    return Answer(200, LINK_FORMAT, (",\n".join(links) + "\n").encode("utf-8"))


def accept_datetime(value: str) -> datetime | None:
    """An ``Accept-Datetime`` header's moment, or None when it is not an HTTP date."""
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def nearest_day(days: list[date], wanted: date) -> date | None:
    """The version in force at ``wanted``: the last day it changed on or before it (the
    first version when ``wanted`` is earlier than all)."""
    before = [d for d in days if d <= wanted]
    if before:
        return before[-1]
    return days[0] if days else None
