"""``tracker publish DIR``: the public pages, feeds and calendars as static files.

Every file is the app's own answer for an address, asked in-process, so the static site and
the live one cannot drift apart. Pages get an ``index.html`` per folder and their links are
rewritten to relative ones, so the site works from any folder of any plain web server.
Files are written atomically (a temporary file, then a rename), so a reader never sees half
a file, and only when their bytes change.

Kept current by ``publish_changes``: the addresses an event can affect are worked out from
the timeline rows written since the last publish; a new day (overdue, "N days ago") or a
rebuild republishes everything.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import tempfile
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from tracker.bootstrap import Tracker
from tracker.projections.issues import commitments, issues
from tracker.projections.reference import assemblies, owners, topics
from tracker.projections.timeline import entries
from tracker.web.app import create_app
from tracker.web.templating import STATIC_DIR

STATE_FILE = ".published.json"
FEED_FORMATS = ("rss", "atom", "json")
_LINK = re.compile(r'(href|src|action)="(/[^"]*)"')

with warnings.catch_warnings():
    # Starlette's in-process client asks the app for each address; its import warns about
    # a future change of the HTTP library underneath, which is no concern of a publisher.
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient


@dataclass(frozen=True)
class Report:
    written: int
    unchanged: int
    position: int


def file_for(address: str) -> str:
    """The file that holds an address: pages become folder/index.html."""
    path = address.split("?")[0].strip("/")
    if not path:
        return "index.html"
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
        self.client = TestClient(create_app(tracker, poll=False))

    def close(self) -> None:
        self.client.close()

    def publish_all(self) -> Report:
        """Every address, whatever changed."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._copy_static()
        return self._publish(self._all_addresses())

    def publish_changes(self) -> Report:
        """Only what the events since the last publish can have changed."""
        state = self._state()
        today = self.tracker.clock().isoformat()
        position = self.tracker.projector.position()
        if state is None or state[1] != today or state[0] > position:
            return self.publish_all()
        if state[0] == position:
            return Report(0, 0, position)
        return self._publish(self._affected(state[0]))

    # -- which addresses ----------------------------------------------------------------

    def _all_addresses(self) -> list[str]:
        with self.tracker.engine.connect() as conn:
            numbers = list(conn.execute(select(issues.c.number)).scalars())
            slugs = {
                "topics": list(conn.execute(select(topics.c.slug)).scalars()),
                "owners": list(conn.execute(select(owners.c.slug)).scalars()),
                "assemblies": list(conn.execute(select(assemblies.c.slug)).scalars()),
            }
        addresses = self._global_addresses()
        for n in numbers:
            addresses += self._issue_addresses(n)
        for kind, values in slugs.items():
            for slug in values:
                addresses += self._reference_addresses(kind, slug)
        return addresses

    def _affected(self, since: int) -> list[str]:
        with self.tracker.engine.connect() as conn:
            rows = list(conn.execute(select(entries.c.issue_number, entries.c.topic,
                                            entries.c.owner, entries.c.assembly)
                                     .where(entries.c.position > since)))
            # Hiding or restoring rewrites an issue's older entries too (withheld.py):
            # every page that lists any of them is written again.
            rewritten = set(conn.execute(select(entries.c.issue_number).where(
                entries.c.position > since, entries.c.type.in_(("hidden", "restored"))))
                .scalars())
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
        addresses = self._global_addresses()
        for n in sorted(numbers):
            addresses += self._issue_addresses(n)
        for kind, values in (("topics", {r.topic for r in rows if r.topic}),
                             ("owners", owner_slugs),
                             ("assemblies", {r.assembly for r in rows if r.assembly})):
            for slug in sorted(values):
                addresses += self._reference_addresses(kind, slug)
        return addresses

    @staticmethod
    def _global_addresses() -> list[str]:
        return ["/", "/issues", "/commitments", "/timeline", "/about/statuses",
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

    def _publish(self, addresses: Iterable[str]) -> Report:
        position = self.tracker.projector.position()
        written = unchanged = 0
        for address in dict.fromkeys(addresses):  # each once, in order
            response = self.client.get(address)
            if response.status_code != 200:
                continue
            name = file_for(address)
            body = response.content
            if name.endswith(".html"):
                body = relative_links(response.text, name).encode("utf-8")
            if self._write(name, body):
                written += 1
            else:
                unchanged += 1
        self._write(STATE_FILE, json.dumps({
            "position": position, "date": self.tracker.clock().isoformat()}).encode())
        return Report(written, unchanged, position)

    def _write(self, name: str, body: bytes) -> bool:
        target = self.directory / name
        if target.exists() and target.read_bytes() == body:
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(body)
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)  # atomic on one file system
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return True

    def _state(self) -> tuple[int, str] | None:
        """The position and date of the last publish, if the directory has one."""
        try:
            state = json.loads((self.directory / STATE_FILE).read_text())
            return int(state["position"]), str(state["date"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _copy_static(self) -> None:
        shutil.copytree(STATIC_DIR, self.directory / "static", dirs_exist_ok=True)
        vendor_assets = STATIC_DIR / "vendor" / "nhsuk" / "assets"
        if vendor_assets.is_dir():
            shutil.copytree(vendor_assets, self.directory / "assets", dirs_exist_ok=True)
