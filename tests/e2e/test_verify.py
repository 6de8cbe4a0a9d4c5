"""`tracker verify` on a published copy: an honest log passes, any tampering is named."""

from __future__ import annotations

import shutil
import sqlite3
import time
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import POSTGRES_URL
from tests.helpers import CITIZEN, MODERATOR, SECRETARIAT
from tracker.bootstrap import Tracker
from tracker.cli import main
from tracker.ledger import entry_bundle, generate_signer, parse_entry_bundle
from tracker.projections.shadow_stores import RebuildBusy
from tracker.publish import Publisher
from tracker.verify_command import verify_source
from tracker.web.app import create_app

DAY = date(2015, 1, 1)
HIDDEN_TITLE = "Name and address of a nurse"


def story(tracker: Tracker) -> None:
    app = tracker.app
    for i in range(3):
        n = app.submit_issue(HIDDEN_TITLE if i == 1 else f"Parking at clinic {i}",
                             "No spaces left", CITIZEN, DAY).number
        app.support_issue(n, f"s{i}", CITIZEN, DAY)
        app.close_issue(n, "Done", SECRETARIAT, DAY)
    app.hide_issue(2, "Personal details", MODERATOR)
    tracker.refresh()


def publish(tracker: Tracker, folder: Path) -> Path:
    publisher = Publisher(tracker, folder)
    try:
        publisher.publish_all()
    finally:
        publisher.close()
    return folder


def verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["verify", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def rewrite(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))


@pytest.fixture
def site(any_tracker: Tracker, tmp_path: Path) -> Path:
    story(any_tracker)
    return publish(any_tracker, tmp_path / "site")


class TestAnHonestLog:
    def test_verifies_and_then_verifies_as_extending_what_was_seen(
            self, any_tracker: Tracker, site: Path, tmp_path: Path,
            capsys: pytest.CaptureFixture[str]) -> None:
        state = str(tmp_path / "seen")
        code, out = verify(capsys, str(site), "--state-dir", state)
        assert code == 0, out
        assert "OK: localhost:8000/log, 10 entries" in out
        assert "first use: pinned the log's key" in out
        assert "4 withheld" in out  # the hidden issue's entries: the words are not there
        any_tracker.app.submit_issue("Bus stop moved", "Too far", CITIZEN, DAY)
        any_tracker.refresh()
        publish(any_tracker, site)
        code, out = verify(capsys, str(site), "--state-dir", state)
        assert code == 0, out
        assert "OK: localhost:8000/log, 11 entries" in out
        assert "extends the tree of 10 entries seen before" in out

    def test_never_shows_a_hidden_issue_s_words(self, site: Path) -> None:
        for path in (site / "log").rglob("*"):
            if path.is_file():
                assert HIDDEN_TITLE.encode() not in path.read_bytes(), path

    def test_verifies_over_http(self, any_tracker: Tracker, tmp_path: Path) -> None:
        story(any_tracker)
        with TestClient(create_app(any_tracker, poll=False)) as client:
            outcome = verify_source(lambda p: client.get(f"/log/{p}").content, None)
        assert outcome.ok, outcome.lines

    def test_a_saved_checkpoint_is_extended(self, any_tracker: Tracker, site: Path,
                                            tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
        saved = tmp_path / "checkpoint-then"
        shutil.copy(site / "log" / "checkpoint", saved)
        any_tracker.app.submit_issue("Bus stop moved", "Too far", CITIZEN, DAY)
        any_tracker.refresh()
        publish(any_tracker, site)
        code, out = verify(capsys, str(site), "--forget", "--since", str(saved))
        assert code == 0, out
        assert "extends the tree of 10 entries" in out


class TestATamperedCopy:
    def test_an_entry_changed_in_its_bundle_is_named(
            self, site: Path, capsys: pytest.CaptureFixture[str]) -> None:
        bundle = site / "log" / "tile" / "entries" / "000.p" / "10"
        entries = parse_entry_bundle(bundle.read_bytes())
        entries[3] = entries[3].replace(b'"actor_role":"citizen"', b'"actor_role":"admin"')
        bundle.write_bytes(entry_bundle(entries))
        code, out = verify(capsys, str(site), "--forget")
        assert code == 1
        assert "entry 3 does not match its leaf" in out

    def test_words_changed_are_named(self, site: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
        rewrite(site / "log" / "words" / "0", b"Parking at clinic 2", b"Parking at clinic 9")
        code, out = verify(capsys, str(site), "--forget")
        assert code == 1
        assert "entry 6" in out and "words do not match" in out

    def test_a_changed_tile_fails(self, site: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
        tile = site / "log" / "tile" / "0" / "000.p" / "10"
        data = bytearray(tile.read_bytes())
        data[100] ^= 1
        tile.write_bytes(bytes(data))
        code, out = verify(capsys, str(site), "--forget")
        assert code == 1 and "FAILED" in out

    def test_a_checkpoint_signed_by_another_key_fails(
            self, site: Path, capsys: pytest.CaptureFixture[str]) -> None:
        other = generate_signer("localhost:8000/log").verifier.vkey
        code, out = verify(capsys, str(site), "--forget", "--key", other)
        assert code == 1 and "signature" in out

    def test_a_missing_copy_cannot_be_read(self, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
        code, out = verify(capsys, str(tmp_path / "nowhere"), "--forget")
        assert code == 2 and "neither" in out


def test_a_rewritten_event_is_caught_naming_the_entry(
        any_tracker: Tracker, site: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    state = str(tmp_path / "seen")
    assert verify(capsys, str(site), "--state-dir", state)[0] == 0
    # An operator with database access edits the first issue's submission, and rebuilds.
    tamper_event_store(any_tracker, "Parking at clinic 0", "Parking at clinic X")
    rebuild(any_tracker)
    fresh = publish(any_tracker, tmp_path / "republished")
    code, out = verify(capsys, str(fresh), "--state-dir", state)
    assert code == 1
    assert "entry 0 differs from the one seen before" in out


def rebuild(tracker: Tracker) -> None:
    # PostgreSQL: one rebuild at a time per database, and other test runs may share it.
    for _ in range(120):
        try:
            tracker.projector.rebuild()
            return
        except RebuildBusy:
            time.sleep(0.5)
    raise AssertionError("the database stayed busy rebuilding for a minute")


def tamper_event_store(tracker: Tracker, old: str, new: str) -> None:
    table = tracker.app.recorder.events_table_name  # type: ignore[attr-defined]
    if tracker.settings.is_postgres:
        import psycopg

        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'SET search_path TO "{tracker.settings.database_schema}"')
            changed = conn.execute(
                f"UPDATE {table} SET state = convert_to(replace(convert_from(state, 'UTF8'),"
                " %s, %s), 'UTF8') WHERE position(%s in convert_from(state, 'UTF8')) > 0",
                (old, new, old)).rowcount
    else:
        with sqlite3.connect(tracker.settings.event_store_path) as conn:
            changed = conn.execute(
                f"UPDATE {table} SET state = CAST(replace(CAST(state AS TEXT), ?, ?) AS BLOB)"
                " WHERE instr(CAST(state AS TEXT), ?) > 0", (old, new, old)).rowcount
    assert changed == 1


def test_a_hide_withdraws_words_from_tiles_published_long_before(
        tracker: Tracker, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = tracker.app
    app.submit_issue(HIDDEN_TITLE, "Words", CITIZEN, DAY)
    for i in range(300):  # the issue's first entry is now in a full tile, far back
        app.support_issue(1, f"s{i}", CITIZEN, DAY)
    tracker.refresh()
    site = publish(tracker, tmp_path / "site")
    assert HIDDEN_TITLE.encode() in (site / "log" / "words" / "0").read_bytes()
    app.hide_issue(1, "Personal details", MODERATOR)
    tracker.refresh()
    publish(tracker, site)
    for path in (site / "log").rglob("*"):
        if path.is_file():
            assert HIDDEN_TITLE.encode() not in path.read_bytes(), path
    code, out = verify(capsys, str(site), "--forget")
    assert code == 0, out
    # submitted, 300 supports, the response owed at 100 supporters, hidden
    assert "303 entries match their leaves" in out
