"""Hidden means withdrawn: once a moderator hides an issue, its words are on no public
surface (pages, search, feeds, JSON, exports, calendars, the static copy, e-mail), while its
number, the fact and date of hiding and the public reason stay; a restore brings them back.

The whole path is real: writes through the JSON API, reads over HTTP, the static copy by the
publisher, alerts and digests through a real SMTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest
from fastapi.testclient import TestClient

from tests.e2e.mailbox import Mailbox, html_of, start, text_of
from tests.helpers import Clock
from tests.integration.test_projector import snapshot_of_read_models
from tracker.bootstrap import Tracker
from tracker.following.sender import sender_for
from tracker.publish import Publisher
from tracker.web.app import create_app

# The citizen's words, and the words of entries that quote them: none may show while hidden.
TITLE = "Quokkaflux waiting list at the Thornbury clinic"
DESCRIPTION = "Dr Vexhollow shouted at my mother; zyzzogeton notes were lost"
WORDS = ("quokkaflux", "thornbury", "vexhollow", "zyzzogeton", "brindlewick")
REASON = "Names a member of staff"
HIDDEN_ON = date(2026, 3, 2)

# Every public address whose answer may carry an issue's words (n: the issue's number). The
# searches look for the title's and the description's words without naming any of WORDS, so
# a page that repeats the query shows none of them unless it finds the issue.
PUBLIC = (
    "/", "/issues", "/issues/{n}", "/issues?q=waiting+list+at", "/issues?q=shouted+at+my",
    "/issues?stage=hidden", "/timeline", "/timeline?issue={n}", "/commitments",
    "/topics/access", "/topics/care", "/owners/lead", "/assemblies/leeds",
    "/assemblies/york",
    *(f"{feed}.{fmt}" for feed in ("/timeline", "/issues/{n}/feed", "/topics/access/feed",
                                   "/topics/care/feed", "/owners/lead/feed",
                                   "/commitments/overdue")
      for fmt in ("rss", "atom", "json")),
    "/api/v1/issues", "/api/v1/issues?q=waiting+list+at",
    "/api/v1/issues?q=shouted+at+my",
    "/api/v1/issues?stage=hidden", "/api/v1/issues/{n}", "/api/v1/issues/{n}/history",
    "/api/v1/timeline", "/api/v1/timeline?issue={n}", "/api/v1/commitments",
    "/api/v1/topics", "/api/v1/owners", "/api/v1/assemblies",
    "/export/events.jsonl", "/export/issues.csv", "/export/commitments.csv",
    "/calendar.ics", "/issues/{n}/calendar.ics", "/owners/lead/calendar.ics",
)


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller, port = start(box)
    yield box, port
    controller.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site(request: pytest.FixtureRequest, make_tracker: Callable[..., Tracker], clock: Clock,
         mailbox: tuple[Mailbox, int], tmp_path: Path) -> Iterator[Site]:
    box, port = mailbox
    clock.today = date(2026, 1, 1)
    tracker = make_tracker(request.param)
    for name, value in {"smtp_host": "127.0.0.1", "smtp_port": port,
                        "mail_from": "tracker@example.org", "base_url": "http://testserver",
                        "secret_key": "test-secret", "rate_follow": "1000/hour"}.items():
        setattr(tracker.settings, name, value)
    tokens = {role: tracker.accounts.add(f"{role}-desk", role)[1]
              for role in ("secretariat", "moderator")}
    with TestClient(create_app(tracker, poll=False)) as client:
        made = Site(client, tracker, box, tokens, clock, tmp_path / "static")
        yield made
        made.publisher.close()


class Site:
    def __init__(self, client: TestClient, tracker: Tracker, box: Mailbox,
                 tokens: dict[str, str], clock: Clock, static: Path) -> None:
        self.client, self.tracker, self.box, self.clock = client, tracker, box, clock
        self.tokens, self.static = tokens, static
        self.publisher = Publisher(tracker, static)

    def write(self, path: str, body: dict[str, Any], role: str = "secretariat") -> Any:
        reply = self.client.post(path, json=body,
                                 headers={"Authorization": f"Bearer {self.tokens[role]}"})
        assert reply.status_code in (200, 201), (path, reply.text)
        return reply.json()

    def follow(self, email: str, kind: str, target: str, mode: str) -> None:
        asked = self.client.post("/follow", data={"email": email, "kind": kind,
                                                  "target": target, "mode": mode})
        assert asked.status_code == 200, asked.text
        url = re.search(r"(http://testserver/follow/confirm\?token=\S+)",
                        text_of(self.box.to(email)[-1])).group(1)  # type: ignore[union-attr]
        parts = urlsplit(url)
        page = self.client.get(f"{parts.path}?{parts.query}")
        action = re.search(r'<form method="post" action="([^"]+)"', page.text)
        assert action is not None
        assert self.client.post(action.group(1).replace("&amp;", "&")).status_code == 200

    def send(self, days_later: int) -> list[EmailMessage]:
        """Run the sender as the worker would, that many days from now (so daily digests go
        too); returns the mails it sent."""
        before = len(self.box.messages)
        sender_for(self.tracker).run(datetime.now(UTC) + timedelta(days=days_later))
        return self.box.messages[before:]

    def crawl(self, n: int) -> dict[str, str]:
        """Every public answer (and every file of the static copy), by where it came from."""
        found = {}
        for address in PUBLIC:
            address = address.replace("{n}", str(n))
            reply = self.client.get(address)
            assert reply.status_code == 200, (address, reply.status_code)
            found[address] = reply.text
        for file in self.static.rglob("*"):
            if file.is_file() and file.suffix in (".html", ".rss", ".atom", ".json", ".ics",
                                                  ".jsonl", ".csv"):
                found[f"static:{file.relative_to(self.static)}"] = file.read_text()
        return found


def mail_texts(mails: list[EmailMessage]) -> dict[str, str]:
    return {f"mail {i} to {m['To']}": f"{m['Subject']}\n{text_of(m)}\n{html_of(m)}"
            for i, m in enumerate(mails)}


def showing(texts: dict[str, str]) -> dict[str, list[str]]:
    """Which of the words each answer shows (only those that show any)."""
    shown = {where: [w for w in WORDS if w in text.lower()] for where, text in texts.items()}
    return {where: words for where, words in shown.items() if words}


def atom_ids(site: Site, n: int) -> list[str]:
    """The ids of the issue's recorded entries in its feed. (The derived "overdue" entry is
    not one: a hidden issue's commitments leave the overdue lists, as they always have.)"""
    return [e.id for e in feedparser.parse(site.client.get(f"/issues/{n}/feed.atom").content)
            .entries if "/overdue/" not in e.id]


def tell_story(site: Site) -> int:
    """An issue in a citizen's words, then entries that quote them, on two topics, two
    assemblies and a commitment that falls overdue."""
    for path, body in (("/api/v1/topics", {"slug": "access", "name": "Access to Services"}),
                       ("/api/v1/topics", {"slug": "care", "name": "Care"}),
                       ("/api/v1/owners", {"slug": "lead", "name": "Lead Board member",
                                           "role": "Board member"}),
                       ("/api/v1/assemblies", {"slug": "leeds", "title": "Leeds Assembly",
                                               "date": "2026-01-01", "place": "Leeds"}),
                       ("/api/v1/assemblies", {"slug": "york", "title": "York Assembly",
                                               "date": "2026-01-01", "place": "York"})):
        site.write(path, body)
    n: int = site.client.post("/api/v1/issues", json={
        "title": TITLE, "description": DESCRIPTION}).json()["number"]
    for kind, target, mode in (("issue", str(n), "instant"), ("topic", "access", "instant"),
                               ("owner", "lead", "instant"), ("issue", str(n), "daily")):
        site.follow(f"{kind}-{mode}@example.org", kind, target, mode)
    issue = f"/api/v1/issues/{n}"
    site.write(f"{issue}/topic", {"topic": "access"})
    site.write(f"{issue}/schedule", {"assembly": "leeds", "presenter": "Ann Brindlewick"})
    site.write(f"{issue}/schedule", {"assembly": "york", "presenter": "Ann Brindlewick"})
    site.write(f"{issue}/discussion", {
        "assembly": "york", "summary": "People backed the Quokkaflux waiting list point.",
        "key_questions": ["Why was Dr Vexhollow not stopped?"],
        "proposals": ["Find the zyzzogeton notes"]})
    site.write(f"{issue}/response", {"decision": "commit", "lead": "lead",
                                     "summary": "We will look into Thornbury."})
    site.write(f"{issue}/commitments", {"text": "Cut the Quokkaflux waiting list",
                                        "owner": "lead", "due": "2026-02-01",
                                        "measure": "Vexhollow complaint answered"})
    site.write(f"{issue}/corrections", {"entry": 1, "reason": "Spelling",
                                        "correction": "It is the Thornbury clinic"})
    site.write(f"{issue}/topic", {"topic": "care"})
    return n


def test_hiding_withdraws_the_words_from_every_public_surface_until_restored(
        site: Site) -> None:
    n = tell_story(site)
    assert len(site.send(0)) >= 8  # the alerts so far: they quote the issue, as they should
    site.clock.today = HIDDEN_ON  # the commitment is now overdue: feeds and calendars
    site.write(f"/api/v1/issues/{n}/commitments/1/updates",
               {"status": "at_risk", "note": "The Quokkaflux list grew"})  # alerted later
    site.publisher.publish_all()
    before = site.crawl(n)
    # Every surface that shows a visible issue's words shows them (so the crawl can see).
    shown = showing(before)
    assert {a for a in PUBLIC if a.replace("{n}", str(n)) not in shown} == {
        "/issues?stage=hidden", "/api/v1/issues?stage=hidden", "/api/v1/topics",
        "/api/v1/owners", "/api/v1/assemblies"}
    for name in (f"issues/{n}/index.html", f"issues/{n}/feed.json", "index.html",
                 "assemblies/leeds/index.html", "topics/access/feed.rss", "calendar.ics",
                 "owners/lead/calendar.ics", "commitments/overdue.atom"):
        assert f"static:{name}" in shown, name
    history = site.client.get(f"/api/v1/issues/{n}/history").json()
    ids = atom_ids(site, n)

    site.write(f"/api/v1/issues/{n}/moderation", {"action": "hide", "reason": REASON},
               "moderator")
    site.publisher.publish_changes()  # what the worker does after every change
    mails = site.send(1)  # instant alerts and the daily digest, all after the hide

    after = site.crawl(n)
    assert showing(after) == {} and showing(mail_texts(mails)) == {}
    # The number, the fact and date of hiding and the public reason stay.
    page = after[f"/issues/{n}"]
    assert f"Issue {n}" in page and f"Hidden by a moderator: {REASON}" in page
    assert re.search(rf"A moderator hid this issue: {REASON}\s*(<[^>]+>\s*)*\s*Happened "
                     r'<time datetime="2026-03-02">2 March 2026</time>', page)
    api = site.client.get(f"/api/v1/issues/{n}").json()
    assert api["stage"] == "hidden" and REASON in api["verdict"]
    assert f"A moderator hid this issue: {REASON}" in after["/timeline.atom"]
    assert f">{n}. " in after["/issues?stage=hidden"]
    assert site.client.get("/api/v1/issues?q=withheld").json()["total"] == 0  # no words
    static_page = after[f"static:issues/{n}/index.html"]
    assert f"Issue {n}" in static_page and REASON in static_page
    assert any(f"A moderator hid this issue: {REASON}" in text_of(m) and "2 March 2026"
               in text_of(m) for m in mails)
    # Entries stay entries, with the same ids and positions; only their words are withheld.
    now = site.client.get(f"/api/v1/issues/{n}/history").json()
    assert [(e["position"], e["entry"], e["type"]) for e in now[:-1]] == [
        (e["position"], e["entry"], e["type"]) for e in history]
    assert now[-1]["type"] == "hidden" and now[-1]["occurred_on"] == "2026-03-02"
    assert now[-1]["fields"]["reason"] == REASON and all(e["withheld"] for e in now)
    assert now[0]["fields"]["title"] is None and now[0]["sentence"] == f"Issue {n} was raised"
    assert atom_ids(site, n)[1:] == ids
    # A rebuild from the event store gives the same withheld read models.
    rows = snapshot_of_read_models(site.tracker)
    site.tracker.projector.rebuild()
    assert snapshot_of_read_models(site.tracker) == rows

    site.write(f"/api/v1/issues/{n}/moderation", {"action": "restore", "reason": "Reviewed"},
               "moderator")
    site.publisher.publish_changes()
    mails = site.send(2)
    restored = site.crawl(n)
    assert set(showing(restored)) == set(showing(before)), (
        set(showing(before)) ^ set(showing(restored)))
    assert showing(mail_texts(mails)) and all(TITLE in m["Subject"] for m in mails
                                              if m["To"] == "issue-instant@example.org")
    assert site.client.get(f"/api/v1/issues/{n}").json()["title"] == TITLE
    assert json.loads(restored[f"/api/v1/issues/{n}/history"])[0]["fields"]["description"] \
        == DESCRIPTION
