"""Following by e-mail against a real SMTP server on 127.0.0.1 (aiosmtpd).

The whole path is real: the form, the confirmation mail and its signed link, fan-out from
the timeline, the sender over SMTP, one-click unsubscribe and erasure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.e2e.mailbox import Mailbox, html_of, start, text_of
from tests.e2e.writes import SETUP, Stages, build
from tracker.bootstrap import Tracker
from tracker.following.sender import Sender, sender_for
from tracker.following.store import Follows, deliveries, subscriptions
from tracker.web.app import create_app


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller, port = start(box)
    yield box, port
    controller.stop()


@pytest.fixture
def site(tmp_path: Path, mailbox: tuple[Mailbox, int]) -> Iterator[Any]:
    box, port = mailbox
    tracker = build(tmp_path / "data", smtp_host="127.0.0.1", smtp_port=port,
                    mail_from="tracker@example.org", base_url="http://testserver",
                    rate_follow="1000/hour")
    Stages(tracker).reference_data()
    with TestClient(create_app(tracker, poll=False)) as client:
        yield Site(client, tracker, box)
    tracker.close()


class Site:
    def __init__(self, client: TestClient, tracker: Tracker, box: Mailbox) -> None:
        self.client, self.tracker, self.box = client, tracker, box

    def issue(self, stage: str = "submitted") -> int:
        number = Stages(self.tracker).make(stage)
        self.tracker.refresh()
        return number

    def ask(self, email: str, kind: str, target: str, mode: str = "instant") -> Any:
        return self.client.post("/follow", data={"email": email, "kind": kind,
                                                 "target": target, "mode": mode})

    def confirm_last_mail(self, email: str) -> None:
        link = link_in(text_of(self.box.to(email)[-1]), "confirm")
        page = self.client.get(link)
        assert page.status_code == 200 and "Yes, start following" in page.text
        action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
        done = self.client.post(action.replace("&amp;", "&"))
        assert done.status_code == 200 and "You are following" in done.text

    def follow(self, email: str, kind: str, target: str, mode: str = "instant") -> None:
        assert self.ask(email, kind, target, mode).status_code == 200
        self.confirm_last_mail(email)

    def change(self, number: int, reason: str = "New facts") -> None:
        """A public entry on the issue (closing it, or reopening it if closed)."""
        app = self.tracker.app
        stage = self.client.get(f"/api/v1/issues/{number}").json()["stage"]
        if stage == "closed":
            app.reopen_issue(number, reason, SETUP)
        else:
            app.close_issue(number, reason, SETUP)
        self.tracker.refresh()

    def send(self, now: datetime | None = None) -> Any:
        return sender_for(self.tracker).run(now)


def link_in(text: str, purpose: str) -> str:
    url = re.search(rf"(http://testserver/follow/{purpose}\?token=\S+)", text).group(1)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


class TestConfirmation:
    def test_nothing_but_a_confirmation_is_sent_until_the_link_is_clicked(
            self, site: Site) -> None:
        n = site.issue()
        answer = site.ask("ada@example.org", "issue", str(n))
        assert answer.status_code == 200 and "Check your e-mail" in answer.text
        [mail] = site.box.to("ada@example.org")
        assert mail["Subject"] == f"Confirm: follow issue {n}"
        assert mail["From"] == "tracker@example.org"
        assert "confirm" in text_of(mail) and "Confirm: follow" in html_of(mail)
        site.change(n)
        assert site.send().sent == 0  # unconfirmed: no alert
        site.confirm_last_mail("ada@example.org")
        site.change(n, "Reopened with new facts")
        report = site.send()
        assert report.sent == 1
        alert = site.box.to("ada@example.org")[-1]
        assert "Reopened with new facts" in text_of(alert)
        assert f"http://testserver/issues/{n}#entry-" in text_of(alert)
        assert "Did anything come of it?" in text_of(alert) and "<strong>" in html_of(alert)

    def test_a_forged_or_mangled_link_confirms_nothing(self, site: Site) -> None:
        n = site.issue()
        site.ask("eve@example.org", "issue", str(n))
        link = link_in(text_of(site.box.to("eve@example.org")[-1]), "confirm")
        for bad in (link[:-3], "/follow/confirm?token=1.abc.def", "/follow/confirm"):
            assert site.client.post(bad).status_code == 400
        # An unsubscribe token cannot stand in for a confirmation one.
        assert site.client.post(link.replace("/confirm?", "/unsubscribe?")).status_code == 400

    def test_bad_input_is_refused_and_nothing_is_sent(self, site: Site) -> None:
        n = site.issue()
        assert site.ask("not an address", "issue", str(n)).status_code == 422
        assert site.ask("a@example.org", "issue", "99999").status_code == 404
        assert site.ask("a@example.org", "planet", "earth").status_code == 422
        assert site.box.messages == []

    def test_one_address_gets_at_most_three_confirmations_a_day(self, site: Site) -> None:
        n = site.issue()
        codes = [site.ask("victim@example.org", "issue", str(n)).status_code
                 for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        assert len(site.box.to("victim@example.org")) == 3

    def test_the_form_is_offered_on_issue_topic_and_owner_pages(self, site: Site) -> None:
        n = site.issue()
        for path in (f"/issues/{n}", "/topics/access", "/owners/lead"):
            assert 'action="/follow"' in site.client.get(path).text, path


class TestAlerts:
    def test_topic_and_owner_followers_get_their_issues_entries(self, site: Site) -> None:
        site.follow("topic@example.org", "topic", "access")
        site.follow("owner@example.org", "owner", "lead")
        n = site.issue("responded")  # an issue whose Board response names "lead"
        site.tracker.app.assign_topic(n, "access", SETUP)
        site.tracker.app.make_commitment(n, "Open a clinic", "lead", date(2026, 6, 1),
                                         "Clinic open", SETUP)
        site.tracker.refresh()
        site.send()
        topic_mail = " ".join(text_of(m) for m in site.box.to("topic@example.org")[1:])
        owner_mail = " ".join(text_of(m) for m in site.box.to("owner@example.org")[1:])
        assert "Open a clinic" in topic_mail and "Open a clinic" in owner_mail

    def test_every_mail_can_be_left_in_one_click(self, site: Site) -> None:
        n = site.issue()
        site.follow("bo@example.org", "issue", str(n))
        site.change(n)
        site.send()
        alert = site.box.to("bo@example.org")[-1]
        assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url = alert["List-Unsubscribe"].strip("<>")
        parts = urlsplit(url)
        # What a mail provider does (RFC 8058): one POST, no cookies, no page, no origin.
        left = site.client.post(f"{parts.path}?{parts.query}",
                                content=b"List-Unsubscribe=One-Click",
                                headers={"Content-Type": "application/x-www-form-urlencoded",
                                         "Origin": "https://mail.example.net"})
        assert left.status_code == 200 and "no more of these mails" in left.text
        site.change(n, "After leaving")
        assert site.send().sent == 0

    def test_the_manage_page_lists_and_leaves(self, site: Site) -> None:
        n = site.issue()
        site.follow("cy@example.org", "issue", str(n))
        site.follow("cy@example.org", "topic", "access")
        site.change(n)
        site.send()
        manage = link_in(text_of(site.box.to("cy@example.org")[-1]), "manage")
        page = site.client.get(manage)
        assert f"issue {n}" in page.text and "Access to Services" in page.text
        leave = re.findall(r'action="(/follow/unsubscribe\?token=[^"]+)"', page.text)
        assert len(leave) == 2
        site.client.post(leave[0].replace("&amp;", "&"))
        assert "Access to Services" in site.client.get(manage).text
        assert f"issue {n}</a>" not in site.client.get(manage).text

    def test_the_address_is_never_public(self, site: Site) -> None:
        n = site.issue()
        site.follow("private@example.org", "issue", str(n))
        site.change(n)
        for path in (f"/issues/{n}", f"/issues/{n}/feed.atom", "/timeline.json",
                     "/export/events.jsonl", "/export/issues.csv", f"/api/v1/issues/{n}"):
            assert "private@example.org" not in site.client.get(path).text, path


class TestDigests:
    def test_one_digest_a_day_groups_the_entries_per_issue(self, site: Site) -> None:
        first, second = site.issue(), site.issue()
        site.tracker.app.assign_topic(first, "access", SETUP)
        site.tracker.app.assign_topic(second, "access", SETUP)
        site.tracker.refresh()
        site.follow("daily@example.org", "topic", "access", "daily")
        site.change(first, "First closed")
        site.change(second, "Second closed")
        site.change(first, "First reopened")
        now = datetime.now(UTC)
        assert site.send(now).sent == 0  # today's entries wait for the day to end
        report = site.send(now + timedelta(days=1))
        assert (report.sent, report.entries) == (1, 3)
        digest = site.box.to("daily@example.org")[-1]
        assert digest["Subject"] == "What changed: 3 updates on the topic Access to Services"
        body = text_of(digest)
        assert body.count(f"(issue {first})") == 1 and body.count(f"(issue {second})") == 1
        for text in ("First closed", "Second closed", "First reopened"):
            assert text in body
        assert site.send(now + timedelta(days=2)).sent == 0  # each entry once


class TestFailures:
    def test_an_smtp_failure_is_retried_later_and_holds_up_no_one(self, site: Site) -> None:
        n = site.issue()
        site.follow("one@example.org", "issue", str(n))
        site.follow("two@example.org", "issue", str(n))
        site.change(n)
        site.box.refuse_next = 1  # the first alert is refused (451)
        now = datetime.now(UTC)
        report = site.send(now)
        assert (report.sent, report.retrying) == (1, 1)
        assert site.send(now).sent == 0  # not before its back-off
        assert site.send(now + timedelta(minutes=2)).sent == 1
        alerts = [m for m in site.box.messages if not m["Subject"].startswith("Confirm")]
        assert sorted(m["To"] for m in alerts) == ["one@example.org", "two@example.org"]

    def test_an_unreachable_server_loses_nothing(self, site: Site) -> None:
        n = site.issue()
        site.follow("three@example.org", "issue", str(n))
        site.change(n)
        port = site.tracker.settings.smtp_port
        site.tracker.settings.smtp_port = 1  # nothing listens there
        report = site.send()
        assert (report.sent, report.retrying) == (0, 1)
        site.tracker.settings.smtp_port = port
        assert site.send(datetime.now(UTC) + timedelta(minutes=2)).sent == 1

    def test_a_crash_between_sending_and_recording_sends_nothing_twice(
            self, site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
        n = site.issue()
        site.follow("four@example.org", "issue", str(n))
        site.change(n)

        def crash(*_args: Any, **_kwargs: Any) -> None:
            raise SystemExit("the sender was killed after sending")

        monkeypatch.setattr(Sender, "_record", crash)
        with pytest.raises(SystemExit):
            site.send()
        monkeypatch.undo()
        assert len(site.box.to("four@example.org")) == 2  # confirmation + the alert
        now = datetime.now(UTC)
        assert site.send(now).sent == 0
        assert site.send(now + timedelta(hours=1)).sent == 0  # stale claim: never resent
        assert len(site.box.to("four@example.org")) == 2
        with site.tracker.engine.connect() as conn:
            states = conn.execute(select(deliveries.c.state)).scalars().all()
        assert states == ["unknown"]


def test_erasure_removes_every_trace_of_the_address(site: Site) -> None:
    from tracker.cli import main

    n = site.issue()
    site.follow("gone@example.org", "issue", str(n))
    site.change(n)
    site.send()
    follows = Follows(site.tracker.write_engine)
    assert follows.of("gone@example.org")
    import os

    os.environ["TRACKER_DATA_DIR"] = str(site.tracker.settings.data_dir)
    try:
        assert main(["erase-person", "gone@example.org"]) == 0
    finally:
        del os.environ["TRACKER_DATA_DIR"]
    with site.tracker.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(subscriptions)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(deliveries)).scalar() == 0
    assert follows.confirmations_since("gone@example.org", datetime(2000, 1, 1, tzinfo=UTC)) \
        == 0
    site.change(n)
    assert site.send().sent == 0
