"""Links in follow mails under attack: links that outlive their row (and would act on the
next person's), requests made in someone else's name, and links kept alive for ever.

Through the real app, the real SMTP server (aiosmtpd) and the real ``tracker`` command; on
SQLite and PostgreSQL where the two behave differently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select, text

from tests.e2e.mailbox import Mailbox, text_of
from tests.e2e.test_follow import Site, link_in, mailbox  # noqa: F401 (a fixture)
from tests.e2e.writes import SETUP, Stages, build, from_factory
from tests.helpers import Clock
from tracker.bootstrap import Tracker
from tracker.cli import main
from tracker.following.store import subscriptions
from tracker.web.app import create_app


def _serve_site(tracker: Tracker, box: Mailbox, port: int) -> Iterator[Site]:
    s = tracker.settings
    s.smtp_host, s.smtp_port, s.mail_from = "127.0.0.1", port, "tracker@example.org"
    s.base_url, s.rate_follow = "http://testserver", "1000/hour"
    Stages(tracker).reference_data()
    with TestClient(create_app(tracker, poll=False)) as client:
        yield Site(client, tracker, box)


@pytest.fixture
def any_site(backend: str, make_tracker: Callable[..., Tracker], clock: Clock,
             mailbox: tuple[Mailbox, int]) -> Iterator[Site]:  # noqa: F811
    box, port = mailbox
    yield from _serve_site(from_factory(make_tracker, clock, backend), box, port)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def site(tmp_path: Path, mailbox: tuple[Mailbox, int]) -> Iterator[Site]:  # noqa: F811
    box, port = mailbox
    tracker = build(tmp_path / "data")
    yield from _serve_site(tracker, box, port)
    tracker.close()


def erase_person(site: Site, email: str, monkeypatch: pytest.MonkeyPatch,
                 capsys: pytest.CaptureFixture[str]) -> str:
    """``tracker erase-person EMAIL`` on the site's database; its standard output."""
    s = site.tracker.settings
    if s.is_postgres:
        monkeypatch.setenv("TRACKER_DATABASE_URL", s.database_url)
        monkeypatch.setenv("TRACKER_DATABASE_SCHEMA", s.database_schema)
    else:
        monkeypatch.setenv("TRACKER_DATA_DIR", str(s.data_dir))
    capsys.readouterr()
    code = main(["erase-person", email])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def post_form(site: Site, page: Any) -> Any:
    """Press the one button of a follow page."""
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action is not None, page.text
    return site.client.post(action.group(1).replace("&amp;", "&"))


def topic_issue(site: Site) -> int:
    number = site.issue()
    site.tracker.app.assign_topic(number, "access", SETUP)
    site.tracker.refresh()
    return number


def follows_now(site: Site, email: str, number: int) -> bool:
    """Whether a change to the issue now sends ``email`` an alert."""
    before = len(site.box.to(email))
    site.change(number)
    site.send()
    return len(site.box.to(email)) > before


class TestLinksOfAnErasedPerson:
    """Alice follows, is erased, and Bob asks to follow the same topic: whatever Alice's old
    links still do, they must do nothing to Bob."""

    @pytest.fixture
    def alices_links(self, any_site: Site, monkeypatch: pytest.MonkeyPatch,
                     capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
        site = any_site
        number = topic_issue(site)
        assert site.ask("alice@example.org", "topic", "access").status_code == 200
        confirm = link_in(text_of(site.box.to("alice@example.org")[-1]), "confirm")
        site.confirm_last_mail("alice@example.org")
        assert follows_now(site, "alice@example.org", number)
        alert = text_of(site.box.to("alice@example.org")[-1])
        links = {"confirm": confirm, "unsubscribe": link_in(alert, "unsubscribe"),
                 "manage": link_in(alert, "manage"), "number": str(number)}
        assert "Erased 0 stored contact records and 1 e-mail follows" in erase_person(
            site, "alice@example.org", monkeypatch, capsys)
        if site.tracker.settings.is_postgres:
            # SQLite hands Alice's id out again by itself; PostgreSQL does after a restore
            # of a backup taken before she followed, which puts the sequence back.
            with site.tracker.write_engine.begin() as conn:
                conn.execute(text("ALTER SEQUENCE follow_subscriptions_id_seq RESTART"))
        assert site.ask("bob@example.org", "topic", "access").status_code == 200
        return links

    def test_refuses_an_erased_persons_unsubscribe_link_without_naming_the_next_follower(
            self, any_site: Site, alices_links: dict[str, str]) -> None:
        site = any_site
        site.confirm_last_mail("bob@example.org")
        page = site.client.get(alices_links["unsubscribe"])
        assert page.status_code == 400 and "bob@" not in page.text
        assert site.client.post(alices_links["unsubscribe"]).status_code == 400
        assert follows_now(site, "bob@example.org", int(alices_links["number"]))

    def test_refuses_an_erased_persons_confirm_link_and_hands_out_no_manage_link(
            self, any_site: Site, alices_links: dict[str, str]) -> None:
        site = any_site
        answer = site.client.post(alices_links["confirm"])
        assert answer.status_code == 400
        assert "bob@" not in answer.text and "/follow/manage" not in answer.text
        assert not follows_now(site, "bob@example.org", int(alices_links["number"]))

    def test_refuses_an_erased_persons_manage_link(
            self, any_site: Site, alices_links: dict[str, str]) -> None:
        site = any_site
        site.confirm_last_mail("bob@example.org")
        page = site.client.get(alices_links["manage"])
        assert page.status_code == 400
        assert "bob@" not in page.text and "alice@" not in page.text


def test_refuses_a_link_of_the_earlier_format_that_named_a_row_by_its_id(
        any_site: Site) -> None:
    site = any_site
    number = topic_issue(site)
    site.follow("bob@example.org", "topic", "access")
    with site.tracker.engine.connect() as conn:
        row_id = conn.execute(select(subscriptions.c.id)).scalar_one()
    secret = site.tracker.settings.secret_key.encode()
    for purpose, value in (("unsubscribe", row_id), ("confirm", row_id),
                           ("manage", "bob@example.org")):
        token = URLSafeTimedSerializer(secret, salt=f"follow-{purpose}").dumps(value)
        assert site.client.post(f"/follow/{purpose}?token={token}").status_code in (400, 405)
        assert site.client.get(f"/follow/{purpose}?token={token}").status_code in (400, 405)
    assert follows_now(site, "bob@example.org", number)


def test_asking_again_with_a_followers_address_changes_nothing_until_that_is_confirmed(
        site: Site) -> None:
    number = site.issue()
    site.follow("ada@example.org", "issue", str(number))
    # Someone else asks, in Ada's name, for a daily digest instead.
    assert site.ask("ada@example.org", "issue", str(number), "daily").status_code == 200
    daily = link_in(text_of(site.box.to("ada@example.org")[-1]), "confirm")
    assert follows_now(site, "ada@example.org", number)  # still every change, at once
    # Ada agrees: daily from now on.
    assert post_form(site, site.client.get(daily)).status_code == 200
    now = datetime.now(UTC)
    before = len(site.box.to("ada@example.org"))
    site.change(number)
    assert site.send(now).sent == 0
    assert site.send(now + timedelta(days=1)).sent == 1
    assert site.box.to("ada@example.org")[before]["Subject"].startswith("What changed")


def test_a_confirmation_link_expires_three_days_after_the_request_however_often_its_page_is_opened(
        site: Site) -> None:
    number = site.issue()
    asked = datetime.now(UTC)
    site.ask("cy@example.org", "issue", str(number))
    link = link_in(text_of(site.box.to("cy@example.org")[-1]), "confirm")
    with time_machine.travel(asked + timedelta(days=2, hours=23)):
        page = site.client.get(link)
        assert page.status_code == 200 and "Yes, start following" in page.text
    with time_machine.travel(asked + timedelta(days=3, hours=1)):
        assert post_form(site, page).status_code == 400
        assert site.client.post(link).status_code == 400
    assert not follows_now(site, "cy@example.org", number)


def test_a_confirmation_link_works_once_and_not_after_the_follow_is_left(site: Site) -> None:
    number = site.issue()
    site.ask("di@example.org", "issue", str(number))
    site.ask("di@example.org", "issue", str(number))
    first, second = (link_in(text_of(m), "confirm") for m in site.box.to("di@example.org"))
    assert post_form(site, site.client.get(first)).status_code == 200
    assert site.client.post(first).status_code == 400  # used
    assert follows_now(site, "di@example.org", number)
    leave = link_in(text_of(site.box.to("di@example.org")[-1]), "unsubscribe")
    assert site.client.post(leave).status_code == 200
    for link in (first, second):
        assert site.client.post(link).status_code == 400
    assert not follows_now(site, "di@example.org", number)


def test_subscriptions_made_before_link_keys_keep_working_after_the_upgrade(
        make_tracker: Callable[..., Tracker], clock: Clock, mailbox: tuple[Mailbox, int],  # noqa: F811
        backend: str) -> None:
    from alembic import command

    from tracker.migrations import alembic_config, migrate

    tracker = from_factory(make_tracker, clock, backend)
    number = Stages(tracker).make("submitted")
    tracker.refresh()
    # Read before the downgrade takes its locks (it alters the positions' table too).
    position = tracker.projector.position()
    config = alembic_config()
    with tracker.write_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0002")
        conn.execute(text(
            "INSERT INTO follow_subscriptions (id, email, kind, target, mode, created_at, "
            "confirmed_at, start_position) VALUES "
            "(1, 'ada@example.org', 'issue', :n, 'instant', :t, :t, :p), "
            "(2, 'bo@example.org', 'issue', :n, 'instant', :t, NULL, 0)"),
            {"n": str(number), "t": datetime.now(UTC), "p": position})
    migrate(tracker.write_engine)
    box, port = mailbox
    for site in _serve_site(tracker, box, port):
        assert follows_now(site, "ada@example.org", number)
        alert = text_of(site.box.to("ada@example.org")[-1])
        assert f"issue {number}" in site.client.get(link_in(alert, "manage")).text
        assert site.client.post(link_in(alert, "unsubscribe")).status_code == 200
        assert not follows_now(site, "ada@example.org", number)
        with tracker.engine.connect() as conn:
            # Never confirmed, and its link (by id) no longer works: not kept.
            assert conn.execute(select(subscriptions.c.email)).scalars().all() == [
                "ada@example.org"]
