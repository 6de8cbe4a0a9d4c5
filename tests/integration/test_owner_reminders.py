"""Owners are reminded by e-mail before a due date, on the day it is overdue, then weekly:
through a real SMTP server, with a set clock, each reminder once even across a crash."""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.mailbox import Mailbox, start, text_of
from tests.e2e.writes import SETUP, Stages, build, from_factory
from tests.helpers import Clock
from tracker.bootstrap import Tracker
from tracker.contacts import owner_contacts
from tracker.erasure import erase_person
from tracker.following.reminders import Reminders, why_today

DUE = date(2026, 6, 1)  # the due date of every commitment Stages makes


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller, port = start(box)
    yield box, port
    controller.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def tracker(request: pytest.FixtureRequest, tmp_path: Path, mailbox: tuple[Mailbox, int],
            make_tracker: Callable[..., Tracker], clock: Clock) -> Iterator[Tracker]:
    _, port = mailbox
    if request.param == "postgres":
        built = from_factory(make_tracker, clock, "postgres")
        for name, value in {"smtp_host": "127.0.0.1", "smtp_port": port,
                            "mail_from": "tracker@example.org",
                            "base_url": "https://tracker.example.org"}.items():
            setattr(built.settings, name, value)
    else:
        built = build(tmp_path / "data", smtp_host="127.0.0.1", smtp_port=port,
                      mail_from="tracker@example.org", base_url="https://tracker.example.org")
    Stages(built).reference_data()
    Stages(built).make("committed")
    built.contacts.keep_owner("lead", "Lead.Member@Example.org")
    built.refresh()
    yield built
    if request.param == "sqlite":
        built.close()  # the factory closes its own


def _on(tracker: Tracker, day: date) -> Reminders:
    clock = tracker.app.clock
    assert isinstance(clock, Clock)
    clock.today = day
    return Reminders(tracker)


class TestWhenOwnersAreReminded:
    @pytest.mark.parametrize(("day", "reminded"), [
        (DUE - timedelta(days=15), False),
        (DUE - timedelta(days=14), True),
        (DUE, False),
        (DUE + timedelta(days=1), True),
        (DUE + timedelta(days=3), False),
        (DUE + timedelta(days=8), True),
        (DUE + timedelta(days=15), True),
    ])
    def test_on_the_right_days_only(self, tracker: Tracker, mailbox: tuple[Mailbox, int],
                                    day: date, reminded: bool) -> None:
        box, _ = mailbox
        report = _on(tracker, day).run()
        assert report.sent == (1 if reminded else 0)
        assert len(box.to("lead.member@example.org")) == (1 if reminded else 0)

    def test_not_weekly_once_the_owner_has_updated_since_it_fell_due(self) -> None:
        assert why_today(DUE, DUE + timedelta(days=3), DUE + timedelta(days=8), 14) == ""
        assert why_today(DUE, None, DUE + timedelta(days=8), 14).startswith("overdue for 7")

    def test_the_mail_lists_open_commitments_with_their_update_forms(
            self, tracker: Tracker, mailbox: tuple[Mailbox, int]) -> None:
        box, _ = mailbox
        _on(tracker, DUE + timedelta(days=1)).run()
        [mail] = box.messages
        body = text_of(mail)
        assert mail["Subject"] == "Reminder: issue 1, commitment 1 is overdue from today"
        assert "Issue 1, commitment 1: overdue from today (it was due on 1 June 2026)." in body
        assert "https://tracker.example.org/admin/issues/1/commitments/1/progress" in body

    def test_a_delivered_commitment_is_not_reminded(self, tracker: Tracker,
                                                    mailbox: tuple[Mailbox, int]) -> None:
        tracker.app.deliver_commitment(1, 1, "Done", "Paper 1", SETUP)
        tracker.refresh()
        assert _on(tracker, DUE + timedelta(days=1)).run().sent == 0


class TestEachReminderOnce:
    def test_a_second_run_the_same_day_sends_nothing(self, tracker: Tracker,
                                                     mailbox: tuple[Mailbox, int]) -> None:
        box, _ = mailbox
        reminders = _on(tracker, DUE - timedelta(days=14))
        assert reminders.run().sent == 1
        assert reminders.run().sent == 0
        assert Reminders(tracker).run().sent == 0
        assert len(box.messages) == 1

    def test_a_crash_after_the_claim_never_sends_it_twice(
            self, tracker: Tracker, mailbox: tuple[Mailbox, int]) -> None:
        box, _ = mailbox

        def crash() -> smtplib.SMTP:
            raise KeyboardInterrupt  # the process dies between claim and send

        with pytest.raises(KeyboardInterrupt):
            Reminders(tracker, connect=crash).run(today=DUE + timedelta(days=1))
        assert _on(tracker, DUE + timedelta(days=1)).run().sent == 0
        assert box.messages == []

    def test_a_refused_mail_is_retried_after_the_back_off(
            self, tracker: Tracker, mailbox: tuple[Mailbox, int]) -> None:
        box, _ = mailbox
        box.refuse_next = 1
        now = datetime(2026, 6, 2, 9, tzinfo=UTC)
        reminders = _on(tracker, DUE + timedelta(days=1))
        assert reminders.run(now=now).retrying == 1
        assert reminders.run(now=now).sent == 0  # not before the back-off
        assert reminders.run(now=now + timedelta(minutes=2)).sent == 1
        assert len(box.messages) == 1

    def test_a_retry_still_goes_out_the_next_day(
            self, tracker: Tracker, mailbox: tuple[Mailbox, int]) -> None:
        box, _ = mailbox
        box.refuse_next = 1
        now = datetime(2026, 6, 2, 23, 59, tzinfo=UTC)
        assert _on(tracker, DUE + timedelta(days=1)).run(now=now).retrying == 1
        report = _on(tracker, DUE + timedelta(days=2)).run(now=now + timedelta(minutes=5))
        assert report.sent == 1
        assert box.messages[0]["Subject"] == "Reminder: your 1 open commitment"


def test_erasing_the_owners_address_stops_its_reminders(
        tracker: Tracker, mailbox: tuple[Mailbox, int]) -> None:
    erased = erase_person(tracker, "lead.member@example.org")
    assert erased.contacts == 1
    with tracker.write_engine.connect() as conn:
        assert conn.execute(owner_contacts.select()).all() == []
    assert _on(tracker, DUE + timedelta(days=1)).run().sent == 0
