"""The verifiable log's projection: every public entry a leaf, kept with the position."""

from __future__ import annotations

import hashlib
import json
import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.e2e.test_verify import rebuild
from tests.helpers import CITIZEN, MODERATOR, SECRETARIAT
from tracker.bootstrap import Tracker, bootstrap
from tracker.config import load_settings
from tracker.ledger import entry_leaf_hash, generate_signer, root_of
from tracker.projections.ledger import ledger_leaves, words_record
from tracker.projections.runner import ProjectionError
from tracker.projections.timeline import all_entries
from tracker.site_log import current_tree, leaf_rows

DAY = date(2015, 1, 1)


def story(tracker: Tracker, issues: int = 3) -> None:
    app = tracker.app
    for i in range(issues):
        n = app.submit_issue(f"Parking at the clinic number {i}", "No spaces left", CITIZEN,
                             DAY).number
        app.support_issue(n, f"s{i}", CITIZEN, DAY)
        app.close_issue(n, "Done", SECRETARIAT, DAY)
    tracker.refresh()


def leaves(tracker: Tracker) -> list[Any]:
    with tracker.engine.connect() as conn:
        return list(conn.execute(select(ledger_leaves).order_by(ledger_leaves.c.leaf_index)))


class TestAppendingEntries:
    def test_every_public_entry_is_a_leaf_in_the_order_of_the_export(
            self, any_tracker: Tracker) -> None:
        story(any_tracker)
        rows = leaves(any_tracker)
        with any_tracker.engine.connect() as conn:
            exported = all_entries(conn)
        assert [r.position for r in rows] == [e.position for e in exported]
        assert [r.leaf_index for r in rows] == list(range(len(exported)))
        for row in rows:
            assert row.hash == entry_leaf_hash(bytes(row.entry))
        with any_tracker.engine.connect() as conn:
            tree = current_tree(conn)
        assert tree.size == len(rows)
        assert tree.root == root_of(r.hash for r in rows)

    def test_a_leaf_entry_commits_to_the_words_with_a_salt_the_export_can_be_checked_by(
            self, tracker: Tracker) -> None:
        story(tracker, 1)
        with tracker.engine.connect() as conn:
            exported = all_entries(conn)
            published = leaf_rows(conn, 0, 10, tracker.log.salt if tracker.log else None)
        first = json.loads(bytes(leaves(tracker)[0].entry))
        assert first["fields"]["title"] is None  # words are never in the leaf entry
        record = published[0].words
        assert record is not None and record["fields"] == exported[0].fields
        digest = hashlib.sha256(words_record(record["fields"], bytes.fromhex(record["salt"])))
        assert digest.hexdigest() == first["words"]

    def test_projecting_again_appends_nothing_twice(self, tracker: Tracker) -> None:
        story(tracker)
        before = leaves(tracker)
        tracker.projector.catch_up()
        tracker.projector.catch_up()
        assert leaves(tracker) == before

    def test_a_rebuild_produces_the_same_tree(self, any_tracker: Tracker) -> None:
        story(any_tracker)
        any_tracker.app.hide_issue(2, "Abuse", MODERATOR)
        any_tracker.refresh()
        with any_tracker.engine.connect() as conn:
            before = current_tree(conn)
        rows = leaves(any_tracker)
        rebuild(any_tracker)
        with any_tracker.engine.connect() as conn:
            assert current_tree(conn) == before
        assert leaves(any_tracker) == rows


class TestHiddenEntries:
    def test_hiding_changes_no_leaf_and_withholds_the_words_but_not_the_entry(
            self, any_tracker: Tracker) -> None:
        story(any_tracker, 1)
        rows = leaves(any_tracker)
        any_tracker.app.hide_issue(1, "Personal details", MODERATOR)
        any_tracker.refresh()
        after = leaves(any_tracker)
        assert after[:len(rows)] == rows
        salt = any_tracker.log.salt if any_tracker.log else None
        with any_tracker.engine.connect() as conn:
            published = leaf_rows(conn, 0, 10, salt)
        assert [p.words for p in published] == [None] * 4
        assert all(b"Parking" not in bytes(r.entry) for r in after)
        # The hiding's public reason is kept in its leaf entry itself.
        assert json.loads(bytes(after[3].entry))["fields"]["reason"] == "Personal details"
        any_tracker.app.restore_issue(1, "Fine", MODERATOR)
        any_tracker.refresh()
        with any_tracker.engine.connect() as conn:
            assert leaf_rows(conn, 0, 1, salt)[0].words is not None


def test_the_log_key_is_made_once_readable_by_its_owner_only(tracker: Tracker) -> None:
    assert tracker.log is not None
    key = tracker.log.signer
    path = Path(tracker.settings.data_dir) / "log.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key.name == tracker.log.origin == "localhost:8000/log"


def test_a_process_with_another_log_key_stops_before_appending_and_says_why(
        tracker: Tracker, clock: Any) -> None:
    story(tracker, 1)
    other = generate_signer("localhost:8000/log").skey
    second = bootstrap(load_settings(data_dir=tracker.settings.data_dir, log_key=other),
                       clock=clock)
    try:
        second.app.submit_issue("Another issue", "Words", CITIZEN, DAY)
        with pytest.raises(ProjectionError, match="same TRACKER_LOG_KEY"):
            second.projector.catch_up()
    finally:
        second.close()
    assert len(leaves(tracker)) == 3
