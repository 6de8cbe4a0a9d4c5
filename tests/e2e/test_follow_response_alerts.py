"""Alerts when a response becomes overdue, against a real SMTP server (aiosmtpd) with a set
clock: the Board's response, and the answer of a body an issue was referred to; sent once
to each address following the issue, its topic or its lead owner, never twice across a
crash, and not at all once the response came."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.e2e.mailbox import html_of, text_of
from tests.e2e.test_follow_questions import Site, mailbox, site
from tests.e2e.writes import SETUP
from tracker.following import notices as notices_module
from tracker.following.sender import sender_for
from tracker.following.store import notices

__all__ = ["mailbox", "site"]  # the fixtures, shared with the questions' tests

HELD = date(2026, 1, 1)
DUE = HELD + timedelta(days=90)  # TRACKER_RESPONSE_DAYS after the assembly


def discussed(site: Site, topic: str | None = "access") -> int:
    """An issue discussed at an assembly held on HELD: its Board response is due on DUE."""
    app = site.tracker.app
    site.at(HELD)
    if "york" not in site.client.get("/api/v1/assemblies").text:
        app.create_assembly("york", "York Assembly", HELD, "York", SETUP)
    n = app.submit_issue("Buses stop at six", "", SETUP).number
    if topic:
        app.assign_topic(n, topic, SETUP)
    app.schedule_issue(n, "york", "A citizen", SETUP)
    app.record_discussion(n, "york", "Talked", [], [], SETUP)
    site.tracker.refresh()
    return n


def alerts(site: Site, email: str) -> list[Any]:
    return [m for m in site.box.to(email) if "overdue" in m["Subject"]]


class TestBoardResponse:
    def test_followers_of_the_issue_and_its_topic_are_told_once_the_day_after_it_is_due(
            self, site: Site) -> None:
        n, other = discussed(site), discussed(site, topic=None)
        site.follow("ann@example.org", "issue", str(n))
        site.follow("ann@example.org", "topic", "access")  # one address: one alert
        site.follow("ben@example.org", "topic", "access")
        site.follow("cat@example.org", "issue", str(other))
        assert site.tick(DUE).notices == 0  # due today: not overdue yet
        assert site.tick(DUE + timedelta(days=1)).notices == 3
        [to_ann] = alerts(site, "ann@example.org")
        [to_ben] = alerts(site, "ben@example.org")
        [to_cat] = alerts(site, "cat@example.org")
        assert to_ann["Subject"] == f"Issue {n}: the Board's response is overdue"
        assert to_cat["Subject"] == f"Issue {other}: the Board's response is overdue"
        body = text_of(to_ann)
        assert "The Board's response was due on 1 April 2026, and none has been " \
            "recorded: it is overdue." in body
        assert f"http://testserver/issues/{n}#board-response" in body
        assert "You follow issue" in body and "Stop these mails" in body
        assert "it is overdue" in html_of(to_ben)
        assert "You follow the topic Access to Services" in text_of(to_ben)
        for day in (DUE + timedelta(days=2), DUE + timedelta(days=10)):
            assert site.tick(day).notices == 0

    def test_a_response_recorded_before_the_mail_goes_cancels_it(self, site: Site) -> None:
        n = discussed(site)
        site.follow("dan@example.org", "issue", str(n))
        site.box.refuse_next = 1
        report = site.tick(DUE + timedelta(days=1))
        assert (report.notices, report.retrying) == (0, 1)
        site.tracker.app.record_response(n, "noted", "Noted", "lead", None, SETUP)
        site.tracker.refresh()
        later = sender_for(site.tracker).run(datetime.now(UTC) + timedelta(minutes=2))
        assert later.notices == 0
        assert alerts(site, "dan@example.org") == []
        with site.tracker.engine.connect() as conn:
            assert conn.execute(select(notices.c.state)).scalars().all() == ["cancelled"]

    def test_a_revised_response_s_new_clock_is_told_once_more_to_the_lead_s_followers(
            self, site: Site) -> None:
        n = discussed(site)
        site.follow("eli@example.org", "owner", "lead")
        site.at(DUE - timedelta(days=10))
        site.tracker.app.record_response(n, "accepted", "Yes", "lead", None, SETUP)
        site.tracker.app.request_revised_response(n, "It misses the point", SETUP)
        site.tracker.refresh()
        due = site.client.get(f"/api/v1/issues/{n}").json()["response"]["due"]
        assert due is not None
        revised_due = date.fromisoformat(due)
        assert site.tick(revised_due).notices == 0
        assert site.tick(revised_due + timedelta(days=1)).notices == 1
        [alert] = alerts(site, "eli@example.org")
        assert alert["Subject"] == f"Issue {n}: the Board's response is overdue"
        assert "You follow the owner Lead Board member" in text_of(alert)
        assert site.tick(revised_due + timedelta(days=3)).notices == 0

    def test_a_crash_between_sending_and_recording_never_sends_it_again(
            self, site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
        n = discussed(site)
        site.follow("fin@example.org", "issue", str(n))

        def crash(*_args: Any, **_kwargs: Any) -> None:
            raise SystemExit("the sender was killed after sending")

        monkeypatch.setattr(notices_module, "_record", crash)
        with pytest.raises(SystemExit):
            site.tick(DUE + timedelta(days=1))
        monkeypatch.undo()
        assert len(alerts(site, "fin@example.org")) == 1
        assert site.tick().notices == 0
        assert sender_for(site.tracker).run(
            datetime.now(UTC) + timedelta(hours=1)).notices == 0
        assert len(alerts(site, "fin@example.org")) == 1


class TestReferral:
    def test_followers_are_told_once_when_the_referred_body_s_answer_is_overdue(
            self, site: Site) -> None:
        site.at(HELD)
        n = site.issue("referred")  # referred to Healthwatch England on HELD
        site.follow("gus@example.org", "issue", str(n))
        due = HELD + timedelta(days=60)  # TRACKER_REFERRAL_DAYS
        assert site.tick(due).notices == 0
        assert site.tick(due + timedelta(days=1)).notices == 1
        [alert] = alerts(site, "gus@example.org")
        assert alert["Subject"] == \
            f"Issue {n}: Healthwatch England's answer to the referral is overdue"
        assert "The issue was referred to Healthwatch England. Its answer was due on " \
            "2 March 2026" in text_of(alert)
        assert site.tick(due + timedelta(days=2)).notices == 0
