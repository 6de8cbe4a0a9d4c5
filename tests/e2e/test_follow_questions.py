"""The question by e-mail ("was it delivered?") against a real SMTP server (aiosmtpd), with a
set clock: asked at the due date and three months after delivery, once per address, once
across a crash and a restart; answered by a POST behind the mail's link, never by a GET."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.e2e.mailbox import Mailbox, html_of, start, text_of
from tests.e2e.writes import SETUP, Stages, build
from tests.helpers import Clock
from tracker.bootstrap import Tracker
from tracker.following import notices as notices_module
from tracker.following.sender import sender_for
from tracker.following.store import notices
from tracker.web.app import create_app

DUE = date(2026, 6, 1)  # the due date Stages gives a commitment


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller, port = start(box)
    yield box, port
    controller.stop()


def _tracker(data: Path, port: int) -> Tracker:
    return build(data, smtp_host="127.0.0.1", smtp_port=port, mail_from="tracker@example.org",
                 base_url="http://testserver", rate_follow="1000/hour")


class Site:
    def __init__(self, tracker: Tracker, box: Mailbox, client: TestClient) -> None:
        self.tracker, self.box, self.client = tracker, box, client

    @property
    def clock(self) -> Clock:
        clock = self.tracker.clock
        assert isinstance(clock, Clock)
        return clock

    def at(self, day: date) -> None:
        self.clock.today = day

    def issue(self, stage: str = "committed") -> int:
        number = Stages(self.tracker).make(stage)
        self.tracker.refresh()
        return number

    def follow(self, email: str, kind: str, target: str) -> None:
        asked = self.client.post("/follow", data={"email": email, "kind": kind,
                                                  "target": target, "mode": "instant"})
        assert asked.status_code == 200, asked.text
        link = path_of(re.search(r"(http://testserver/follow/confirm\?token=\S+)",
                                 text_of(self.box.to(email)[-1])).group(1))
        page = self.client.get(link)
        action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
        assert self.client.post(action.replace("&amp;", "&")).status_code == 200

    def tick(self, day: date | None = None) -> Any:
        if day is not None:
            self.at(day)
        self.tracker.refresh()
        return sender_for(self.tracker).run()

    def questions(self, email: str) -> list[Any]:
        return [m for m in self.box.to(email) if "was it delivered?" in m["Subject"]]

    def citizens(self, number: int) -> dict[str, int]:
        issue = self.client.get(f"/api/v1/issues/{number}").json()
        counts: dict[str, int] = issue["commitments"][0]["citizens"]
        return counts


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def question_link(mail: Any) -> str:
    return path_of(re.search(r"(http://testserver/follow/question\?token=\S+)",
                             text_of(mail)).group(1))


@pytest.fixture
def site(tmp_path: Path, mailbox: tuple[Mailbox, int]) -> Iterator[Site]:
    box, port = mailbox
    tracker = _tracker(tmp_path / "data", port)
    Stages(tracker).reference_data()
    with TestClient(create_app(tracker, poll=False)) as client:
        yield Site(tracker, box, client)
    tracker.close()


class TestWhenAsked:
    def test_a_commitment_delivered_by_its_due_date_is_asked_on_it_and_three_months_on(
            self, site: Site) -> None:
        n = site.issue()
        site.follow("ada@example.org", "issue", str(n))
        site.at(date(2026, 5, 20))
        site.tracker.app.deliver_commitment(n, 1, "Done", "Paper 15/06", SETUP)
        site.tick(DUE - timedelta(days=1))
        assert site.questions("ada@example.org") == []
        report = site.tick(DUE)
        assert report.notices == 1
        [asked] = site.questions("ada@example.org")
        assert asked["Subject"] == f"Issue {n}: was it delivered? (Do it)"
        body = text_of(asked)
        assert "It was due on 1 June 2026, and the Board says it was delivered." in body
        assert "/follow/question?token=" in body and "Stop these mails" in body
        assert "Was it delivered?" in html_of(asked)
        assert asked["List-Unsubscribe"]
        for day in (DUE, DUE + timedelta(days=1), date(2026, 8, 19)):
            assert site.tick(day).notices == 0
        assert site.tick(date(2026, 8, 20)).notices == 1  # three months after 20 May
        later = site.questions("ada@example.org")[-1]
        assert "The Board said it was delivered on 20 May 2026, three months ago" \
            in text_of(later)
        assert site.tick(date(2026, 8, 21)).notices == 0
        assert len(site.questions("ada@example.org")) == 2

    def test_an_open_commitment_is_asked_the_day_it_becomes_overdue(
            self, site: Site) -> None:
        n = site.issue()
        site.follow("bea@example.org", "issue", str(n))
        assert site.tick(DUE).notices == 0  # on its due date the Board still has the day
        assert site.tick(DUE + timedelta(days=1)).notices == 1
        [asked] = site.questions("bea@example.org")
        assert "the Board has not said it was delivered" in text_of(asked)
        assert site.tick(DUE + timedelta(days=2)).notices == 0

    def test_only_followers_of_the_issue_are_asked_and_a_long_past_date_is_not_news(
            self, site: Site) -> None:
        n, other = site.issue(), site.issue()
        site.follow("cy@example.org", "issue", str(other))
        site.follow("dee@example.org", "issue", str(n))
        assert site.tick(DUE + timedelta(days=1)).notices == 2
        [to_cy] = site.questions("cy@example.org")
        [to_dee] = site.questions("dee@example.org")
        assert to_cy["Subject"].startswith(f"Issue {other}:")
        assert to_dee["Subject"].startswith(f"Issue {n}:")
        site.at(date(2026, 1, 2))
        late = site.issue()
        site.follow("dee@example.org", "issue", str(late))
        site.tick(DUE + timedelta(days=30))  # the sender was off for a month
        assert len(site.questions("dee@example.org")) == 1

    def test_a_hidden_issue_is_not_asked_about_and_a_left_follow_is_not_asked(
            self, site: Site) -> None:
        hidden, left = site.issue(), site.issue()
        site.follow("eve@example.org", "issue", str(hidden))
        site.follow("fay@example.org", "issue", str(left))
        site.tracker.app.hide_issue(hidden, "Personal details", SETUP)
        from tracker.following.store import Follows

        follows = Follows(site.tracker.write_engine)
        [sub] = follows.of("fay@example.org")
        follows.unsubscribe(sub.link_key)
        assert site.tick(DUE + timedelta(days=1)).notices == 0
        assert site.questions("eve@example.org") == site.questions("fay@example.org") == []


class TestOnceOnly:
    def test_a_crash_between_sending_and_recording_never_sends_it_again(
            self, site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
        n = site.issue()
        site.follow("gil@example.org", "issue", str(n))

        def crash(*_args: Any, **_kwargs: Any) -> None:
            raise SystemExit("the sender was killed after sending")

        monkeypatch.setattr(notices_module, "_record", crash)
        with pytest.raises(SystemExit):
            site.tick(DUE + timedelta(days=1))
        monkeypatch.undo()
        assert len(site.questions("gil@example.org")) == 1
        assert site.tick().notices == 0
        with site.tracker.engine.connect() as conn:
            assert conn.execute(select(notices.c.state)).scalars().all() == ["sending"]
        later = sender_for(site.tracker).run(datetime.now(UTC) + timedelta(hours=1))
        assert later.notices == 0  # a stale claim is marked unknown, never sent again
        with site.tracker.engine.connect() as conn:
            assert conn.execute(select(notices.c.state)).scalars().all() == ["unknown"]
        assert len(site.questions("gil@example.org")) == 1

    def test_a_restart_plans_and_sends_nothing_twice(self, tmp_path: Path,
                                                     mailbox: tuple[Mailbox, int]) -> None:
        box, port = mailbox
        first = _tracker(tmp_path / "data", port)
        Stages(first).reference_data()
        with TestClient(create_app(first, poll=False)) as client:
            site = Site(first, box, client)
            n = site.issue()
            site.follow("hal@example.org", "issue", str(n))
            assert site.tick(DUE + timedelta(days=1)).notices == 1
        first.close()
        again = _tracker(tmp_path / "data", port)  # a new process on the same database
        try:
            assert isinstance(again.clock, Clock)
            again.clock.today = DUE + timedelta(days=2)
            again.projector.catch_up()
            report = sender_for(again).run()
            assert (report.notices, report.fanned_out) == (0, 0)
        finally:
            again.close()
        assert len([m for m in box.to("hal@example.org")
                    if "was it delivered?" in m["Subject"]]) == 1

    def test_a_refused_mail_is_retried_later_and_sent_once(self, site: Site) -> None:
        n = site.issue()
        site.follow("ivy@example.org", "issue", str(n))
        site.box.refuse_next = 1
        report = site.tick(DUE + timedelta(days=1))
        assert (report.notices, report.retrying) == (0, 1)
        assert site.questions("ivy@example.org") == []
        sender = sender_for(site.tracker)
        assert sender.run(datetime.now(UTC)).notices == 0  # not before its back-off
        assert sender.run(datetime.now(UTC) + timedelta(minutes=2)).notices == 1
        assert sender.run(datetime.now(UTC) + timedelta(hours=1)).notices == 0
        assert len(site.questions("ivy@example.org")) == 1


    def test_a_running_sender_plans_again_every_few_minutes(self, site: Site) -> None:
        n = site.issue()
        site.follow("lee@example.org", "issue", str(n))
        site.at(DUE + timedelta(days=1))
        site.tracker.refresh()
        sender, now = sender_for(site.tracker), datetime.now(UTC)
        assert sender.run(now).notices == 1
        site.follow("max@example.org", "issue", str(n))
        assert sender.run(now + timedelta(minutes=1)).notices == 0  # planned a minute ago
        assert sender.run(now + timedelta(minutes=6)).notices == 1
        assert [len(site.questions(a)) for a in ("lee@example.org", "max@example.org")] \
            == [1, 1]


class TestAnswering:
    def test_the_link_opens_a_page_and_only_its_post_records_the_answer(
            self, site: Site) -> None:
        n = site.issue()
        site.follow("jo@example.org", "issue", str(n))
        site.tick(DUE + timedelta(days=1))
        link = question_link(site.questions("jo@example.org")[0])
        for _ in range(3):  # a mail scanner, a preview, a second look
            page = site.client.get(link)
            assert page.status_code == 200
        assert site.citizens(n) == {"yes": 0, "partly": 0, "no": 0}
        assert page.headers["Cache-Control"] == "no-store"
        for answer in ("yes", "partly", "no"):
            assert f'name="answer" value="{answer}"' in page.text
        action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
        action = action.replace("&amp;", "&")
        done = site.client.post(action, data={"answer": "no", "reason": "Nothing changed"})
        assert done.status_code == 200 and "your answer is counted" in done.text
        assert "challenge 1" in done.text
        site.tracker.refresh()
        assert site.citizens(n) == {"yes": 0, "partly": 0, "no": 1}
        again = site.client.post(action, data={"answer": "yes"})
        assert again.status_code == 200 and "already answered" in again.text
        site.tracker.refresh()
        assert site.citizens(n) == {"yes": 0, "partly": 0, "no": 1}

    def test_bad_answers_and_links_record_nothing(self, site: Site) -> None:
        n = site.issue()
        site.follow("kit@example.org", "issue", str(n))
        site.tick(DUE + timedelta(days=1))
        link = question_link(site.questions("kit@example.org")[0])
        assert site.client.post(link, data={"answer": "maybe"}).status_code == 422
        assert site.client.post(link[:-4], data={"answer": "no"}).status_code == 400
        assert site.client.get("/follow/question?token=nope").status_code == 400
        # Another kind of link cannot stand in for a question's.
        manage = re.search(r"(http://testserver/follow/manage\?token=\S+)",
                           text_of(site.questions("kit@example.org")[0])).group(1)
        token = manage.split("token=")[1]
        assert site.client.get(f"/follow/question?token={token}").status_code == 400
        cross = site.client.post(link, data={"answer": "no"},
                                 headers={"Origin": "https://evil.example",
                                          "Sec-Fetch-Site": "cross-site"})
        assert cross.status_code in (400, 403)
        site.tracker.refresh()
        assert site.citizens(n) == {"yes": 0, "partly": 0, "no": 0}


def test_erasure_removes_the_address_s_questions(site: Site) -> None:
    from tracker.following.store import Follows

    n = site.issue()
    site.follow("gone@example.org", "issue", str(n))
    site.tick(DUE + timedelta(days=1))
    link = question_link(site.questions("gone@example.org")[0])
    Follows(site.tracker.write_engine).erase("gone@example.org")
    with site.tracker.engine.connect() as conn:
        assert conn.execute(select(notices.c.id)).all() == []
    assert site.client.get(link).status_code == 400


@pytest.mark.postgres
def test_on_postgresql_the_question_is_planned_and_sent_once_and_answered(
        make_tracker: Any, clock: Clock, mailbox: tuple[Mailbox, int]) -> None:
    from tests.e2e.writes import from_factory

    box, port = mailbox
    tracker = from_factory(make_tracker, clock, "postgres")
    for name, value in {"smtp_host": "127.0.0.1", "smtp_port": port,
                        "mail_from": "tracker@example.org", "base_url": "http://testserver",
                        "rate_follow": "1000/hour"}.items():
        setattr(tracker.settings, name, value)
    Stages(tracker).reference_data()
    with TestClient(create_app(tracker, poll=False)) as client:
        site = Site(tracker, box, client)
        n = site.issue()
        site.follow("pg@example.org", "issue", str(n))
        site.follow("pg2@example.org", "issue", str(n))
        assert site.tick(DUE + timedelta(days=1)).notices == 2
        assert site.tick(DUE + timedelta(days=2)).notices == 0
        link = question_link(site.questions("pg@example.org")[0])
        page = client.get(link)
        action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
        assert client.post(action.replace("&amp;", "&"),
                           data={"answer": "partly"}).status_code == 200
        tracker.refresh()
        assert site.citizens(n) == {"yes": 0, "partly": 1, "no": 0}


def test_tracker_tick_asks_the_question_once(site: Site, monkeypatch: pytest.MonkeyPatch,
                                             mailbox: tuple[Mailbox, int]) -> None:
    from tracker.cli import main

    today = date.today()  # the command's own clock
    app = site.tracker.app
    site.at(today - timedelta(days=10))
    n = app.submit_issue("Late buses", "", SETUP).number
    app.schedule_issue(n, "leeds", "A citizen", SETUP)
    app.record_discussion(n, "leeds", "Talked", [], [], SETUP)
    app.record_response(n, "accepted", "Yes", "lead", None, SETUP)
    app.make_commitment(n, "Run the late bus", "lead", today - timedelta(days=1), "Runs",
                        SETUP)
    site.tracker.refresh()
    site.follow("tick@example.org", "issue", str(n))
    settings = site.tracker.settings
    for name, value in {"DATA_DIR": str(settings.data_dir), "SMTP_HOST": "127.0.0.1",
                        "SMTP_PORT": str(mailbox[1]), "MAIL_FROM": "tracker@example.org",
                        "BASE_URL": "http://testserver", "SECRET_KEY": "test-secret"}.items():
        monkeypatch.setenv(f"TRACKER_{name}", value)
    assert main(["tick"]) == 0
    assert main(["tick"]) == 0
    [asked] = site.questions("tick@example.org")
    assert asked["Subject"] == f"Issue {n}: was it delivered? (Run the late bus)"
    link = question_link(asked)
    assert site.client.get(link).status_code == 200  # signed with the same secret
