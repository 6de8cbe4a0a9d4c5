"""``tracker publish DIR``: the public pages, feeds and calendars as static files.

Every file is the site's own answer for an address (tracker.site.addresses), the one the web
routes send too, so the static site and the live one cannot drift apart. Pages get an
``index.html`` per folder and their links are rewritten to relative ones, so the site works
from any folder of any plain web server.
Files are written atomically, only when their bytes change, and never through a link
planted in the directory (tracker.site_files).

Kept current by ``publish_changes``: the addresses an event can affect are worked out from
the timeline rows written since the last publish; a new day (overdue, "N days ago") or a
rebuild republishes everything. An address whose page cannot be built (the database went
away mid-run) is not counted as published: it is kept in the state file and tried again on
the next run (tracker.publish_state).
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

from sqlalchemy import select

from tracker.bootstrap import Tracker
from tracker.projections.issues import commitments, issues
from tracker.projections.reference import assemblies, owners, topics
from tracker.projections.timeline import entries
from tracker.publish_log import LOG_FOLDER, write_log
from tracker.publish_state import STATE_FILE, PublishState, read_state
from tracker.site.addresses import site_of
from tracker.site.answer import HTML
from tracker.site.templating import STATIC_DIR
from tracker.site_files import SiteDirectory

log = logging.getLogger(__name__)
FEED_FORMATS = ("rss", "atom", "json")
REFERENCE_KINDS = ("topics", "owners", "assemblies")
# The events of a support: the issue's and the supporter's marker. A run whose changes are
# only these rewrites only the pages that show a supporter count (_only_supports).
SUPPORT_TOPICS = frozenset(("tracker.domain.issue:Issue.Supported",
                            "tracker.domain.support:Support.Given"))
# Beyond this many events a run does not read them to see whether they are only supports.
SUPPORTS_LOOKED_AT = 5000
_LINK = re.compile(r'(href|src|action)="(/[^"]*)"')



@dataclass(frozen=True)
class Report:
    written: int
    unchanged: int
    position: int  # the events taken into account
    failed: int = 0  # addresses whose pages could not be built: tried again next run
    published: int = 0  # every change up to this event is in the files


class Unbuilt(Enum):
    NOTHING_THERE = "404: no page at the address"
    FAILED = "the page could not be built now"


class Cancelled(Exception):
    """The run was stopped part way (the worker is shutting down); nothing was recorded."""


def file_for(address: str) -> str:
    """The file that holds an address: pages become folder/index.html."""
    path = address.split("?")[0].strip("/")
    if not path:
        return "index.html"
    if path.startswith("files/sha256/"):  # an evidence file keeps its address as it is
        return path
    last = path.rsplit("/", 1)[-1]
    return path if "." in last else f"{path}/index.html"


def relative_links(html: str, own_file: str) -> str:
    """Rewrite root-relative links (/issues/2) to links relative to the file's folder."""
    folder = posixpath.dirname(own_file) or "."

    def rewrite(match: re.Match[str]) -> str:
        target = match.group(2)
        path, hash_, fragment = target.partition("#")
        path = path.split("?")[0]  # queries have no static equivalent; the page itself does
        file = file_for(path) if path not in ("", "/") else "index.html"
        if path.startswith("/static/") or path.startswith("/assets/"):
            file = path.lstrip("/")
        relative = posixpath.relpath(file, folder)
        if relative.endswith("index.html"):
            relative = relative[: -len("index.html")] or "./"
        return f'{match.group(1)}="{relative}{hash_}{fragment}"'

    return _LINK.sub(rewrite, html)


class Publisher:
    """Writes the static site for one tracker into one directory."""

    def __init__(self, tracker: Tracker, directory: Path) -> None:
        self.tracker = tracker
        self.directory = directory
        self.site = SiteDirectory(directory)
        # Refuse at once, before any work, a directory with a link where the site writes.
        self.site.check(self._top_level_names())
        self.renderer = site_of(tracker)
        self._cancelled = threading.Event()
        # Told (pages done, pages in the run) before each page (a progress bar), when set.
        self.on_page: Callable[[int, int], None] | None = None

    def close(self) -> None:
        """Nothing to release: pages are rendered on connections of the tracker's pool."""

    def cancel(self) -> None:
        """Stop a run in progress between two addresses (from another thread)."""
        self._cancelled.set()

    def state(self) -> PublishState | None:
        return read_state(self.site)

    def publish_all(self) -> Report:
        """Every address, whatever changed."""
        return self._publish_everything(self.tracker.projector.position(), self.state())

    def publish_changes(self) -> Report:
        """Only what the events since the last publish can have changed, and whatever the
        last run could not build."""
        state = self.state()
        today = self.tracker.clock().isoformat()
        # Read once, before the changes are looked up: an event projected meanwhile is
        # left for the next run rather than counted as published without its pages.
        position = self.tracker.projector.position()
        if state is None or state.date != today or state.position > position:
            return self._publish_everything(position, state)
        if state.position == position and not state.pending:
            return Report(0, 0, position, 0, state.published)
        addresses = list(state.pending)
        if position > state.position:
            if self._only_supports(state.position, position):
                addresses += self._counted(state.position, position)
            else:
                addresses += self._affected(state.position, position)
        return self._publish(addresses, position, state)

    def _publish_everything(self, position: int, state: PublishState | None) -> Report:
        self.site.create()
        self._copy_static()
        if state is not None and state.position > position:
            state = None  # the read models were rebuilt: the old figures mean nothing now
        return self._publish(self._all_addresses(), position, state)

    def _top_level_names(self) -> set[str]:
        addresses = [*self._global_addresses(), *self._issue_addresses(1),
                     *(a for kind in REFERENCE_KINDS for a in self._reference_addresses(kind, "x"))]
        return {file_for(a).split("/")[0] for a in addresses} | {
            "static", "assets", "files", LOG_FOLDER, STATE_FILE}

    # -- which addresses ----------------------------------------------------------------

    def _all_addresses(self) -> list[str]:
        with self.tracker.engine.connect() as conn:
            numbers = list(conn.execute(select(issues.c.number)).scalars())
            slugs = {
                "topics": list(conn.execute(select(topics.c.slug)).scalars()),
                "owners": list(conn.execute(select(owners.c.slug)).scalars()),
                "assemblies": list(conn.execute(select(assemblies.c.slug)).scalars()),
            }
        addresses = self._global_addresses() + self._evidence_files(numbers)
        for n in numbers:
            addresses += self._issue_addresses(n)
        for kind, values in slugs.items():
            for slug in values:
                addresses += self._reference_addresses(kind, slug)
        return addresses

    def _affected(self, since: int, upto: int) -> list[str]:
        with self.tracker.engine.connect() as conn:
            rows = list(conn.execute(select(entries.c.issue_number, entries.c.topic,
                                            entries.c.owner, entries.c.assembly)
                                     .where(entries.c.position > since,
                                            entries.c.position <= upto)))
            # Hiding or restoring rewrites an issue's older entries too (withheld.py):
            # every page that lists any of them is written again.
            rewritten = set(conn.execute(select(entries.c.issue_number).where(
                entries.c.position > since, entries.c.position <= upto,
                entries.c.type.in_(("hidden", "restored")))).scalars())
            if rewritten:
                rows += conn.execute(select(entries.c.issue_number, entries.c.topic,
                                            entries.c.owner, entries.c.assembly).where(
                    entries.c.issue_number.in_(rewritten)).distinct()).all()
            numbers = {r.issue_number for r in rows}
            owner_slugs = {r.owner for r in rows if r.owner}
            if numbers:
                # An issue's page shows all its owners; their pages show its figures.
                owner_slugs |= set(conn.execute(select(commitments.c.owner).where(
                    commitments.c.issue_number.in_(numbers))).scalars())
                owner_slugs |= {o for o in conn.execute(select(issues.c.lead).where(
                    issues.c.number.in_(numbers))).scalars() if o}
        if not rows:
            return self._all_addresses()  # only reference data changed: rare, so keep it simple
        addresses = self._global_addresses() + self._evidence_files(numbers)
        for n in sorted(numbers):
            addresses += self._issue_addresses(n)
        for kind, values in (("topics", {r.topic for r in rows if r.topic}),
                             ("owners", owner_slugs),
                             ("assemblies", {r.assembly for r in rows if r.assembly})):
            for slug in sorted(values):
                addresses += self._reference_addresses(kind, slug)
        return addresses

    def _only_supports(self, since: int, upto: int) -> bool:
        """Every event after ``since`` up to ``upto`` is part of a support (too many to look
        at counts as something else). A number missing in between is a write that was
        rolled back (a PostgreSQL sequence value taken by a save that conflicted): events
        become visible in the order of their numbers (tracker/event_log.py), so none can
        still appear below ``upto``, which the read models have reached."""
        if upto - since > SUPPORTS_LOOKED_AT:
            return False
        found = self.tracker.app.recorder.select_notifications(
            start=since + 1, limit=upto - since, stop=upto)
        return bool(found) and all(n.topic in SUPPORT_TOPICS for n in found)

    def _counted(self, since: int, upto: int) -> list[str]:
        """The pages that show the supporter count of the issues supported after ``since``:
        each issue's page, the list of issues, and the topic, assembly and owner pages that
        list them. A support is not in any feed, calendar or the home page's changes
        (tracker.projections.timeline.NOT_WHAT_CHANGED), and its own figures are nowhere
        else; tests/integration/test_publish.py holds that a full run then finds nothing
        left to write."""
        with self.tracker.engine.connect() as conn:
            numbers = set(conn.execute(select(entries.c.issue_number).where(
                entries.c.position > since, entries.c.position <= upto)).scalars())
            if not numbers:
                return []
            listed = conn.execute(select(issues.c.topic, issues.c.assembly, issues.c.lead)
                                  .where(issues.c.number.in_(numbers))).all()
            owner_slugs = {r.lead for r in listed if r.lead} | set(conn.execute(
                select(commitments.c.owner).where(
                    commitments.c.issue_number.in_(numbers))).scalars())
        addresses = ["/issues", *(f"/issues/{n}" for n in sorted(numbers))]
        for kind, values in (("topics", {r.topic for r in listed if r.topic}),
                             ("owners", owner_slugs),
                             ("assemblies", {r.assembly for r in listed if r.assembly})):
            addresses += [f"/{kind}/{slug}" for slug in sorted(values)]
        return addresses

    def _evidence_files(self, numbers: Iterable[int]) -> list[str]:
        """The evidence files these issues' commitments name (tracker/evidence_files.py)."""
        with self.tracker.engine.connect() as conn:
            named = conn.execute(select(commitments.c.evidence).where(
                commitments.c.issue_number.in_(list(numbers)),
                commitments.c.evidence.contains("/files/sha256/"))).scalars()
            return sorted({"/files/sha256/" + m for e in named
                           for m in re.findall(r"/files/sha256/([0-9a-f]{64})\b", e)})

    @staticmethod
    def _global_addresses() -> list[str]:
        return ["/", "/issues", "/commitments", "/timeline", "/about/statuses", "/about/reading",
                *(f"/{kind}" for kind in REFERENCE_KINDS),
                "/calendar.ics", *(f"/timeline.{f}" for f in FEED_FORMATS),
                *(f"/commitments/overdue.{f}" for f in FEED_FORMATS)]

    @staticmethod
    def _issue_addresses(n: int) -> list[str]:
        return [f"/issues/{n}", f"/issues/{n}/calendar.ics",
                *(f"/issues/{n}/feed.{f}" for f in FEED_FORMATS)]

    @staticmethod
    def _reference_addresses(kind: str, slug: str) -> list[str]:
        addresses = [f"/{kind}/{slug}"]
        if kind != "assemblies":
            addresses += [f"/{kind}/{slug}/feed.{f}" for f in FEED_FORMATS]
        if kind == "owners":
            addresses.append(f"/owners/{slug}/calendar.ics")
        return addresses

    # -- writing ------------------------------------------------------------------------

    def _publish(self, addresses: Iterable[str], position: int,
                 before: PublishState | None) -> Report:
        """Write each address's page; record ``position`` with those that failed."""
        written = unchanged = 0
        failed: list[str] = []
        ordered = list(dict.fromkeys(addresses))  # each once, in order
        for done, address in enumerate(ordered):
            if self._cancelled.is_set():
                raise Cancelled("publishing stopped part way; the next run starts again")
            if self.on_page is not None:
                self.on_page(done, len(ordered))
            body = self._render(address)
            if body is Unbuilt.FAILED:
                failed.append(address)
            elif body is Unbuilt.NOTHING_THERE:
                continue
            elif self.site.write(file_for(address), body):
                written += 1
            else:
                unchanged += 1
        if self.on_page is not None:
            self.on_page(len(ordered), len(ordered))
        try:
            written += write_log(self.tracker, self.site)
        except Exception:
            # The checkpoint is written last: the copy stays a consistent older tree.
            log.warning("publish: the log could not be written; the next change writes it",
                        exc_info=True)
        published = position
        if failed:
            log.warning("publish: %s of the pages could not be built (the first: %s); "
                        "they are tried again on the next run", len(failed), failed[0])
            published = _published_with(failed, before)
        self.site.write(STATE_FILE, PublishState(
            position=position, published=published, date=self.tracker.clock().isoformat(),
            pending=tuple(failed), at=datetime.now(UTC).isoformat(timespec="seconds"),
        ).to_bytes())
        return Report(written, unchanged, position, len(failed), published)

    def _render(self, address: str) -> bytes | Unbuilt:
        """The file's bytes, or why there are none."""
        try:
            answer = self.renderer.render_address(address)
        except Exception:  # the database went away: not published, tried again next run
            log.debug("publish: %s could not be built", address, exc_info=True)
            return Unbuilt.FAILED
        if answer is None or answer.status == 404:
            return Unbuilt.NOTHING_THERE
        if answer.status != 200:
            return Unbuilt.FAILED
        name = file_for(address)
        if name.endswith(".html") and answer.media_type == HTML:
            return relative_links(answer.body.decode("utf-8"), name).encode("utf-8")
        return answer.body

    def _copy_static(self) -> None:
        vendor_assets = STATIC_DIR / "vendor" / "nhsuk" / "assets"
        for source, target in ((STATIC_DIR, "static"), (vendor_assets, "assets")):
            if not source.is_dir():
                continue
            for top, _folders, files in os.walk(source):
                for name in files:
                    path = Path(top) / name
                    self.site.write(f"{target}/{path.relative_to(source).as_posix()}",
                                    path.read_bytes())


def _published_with(failed: list[str], before: PublishState | None) -> int:
    """How far the files are complete when ``failed`` could not be written now.

    A failed page still holds what its last successful write put there: everything up to
    the previous run's position, unless it was already pending then, in which case only up
    to what was complete before that.
    """
    if before is None:
        return 0
    if set(failed) & set(before.pending):
        return before.published
    return before.position
