"""Owner accounts keep their own commitments current, and nothing else."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import SECRETARIAT
from tracker.bootstrap import Tracker
from tracker.domain.errors import InvalidValue, NotPermitted
from tracker.domain.values import Role
from tracker.projections.timeline import history


def _committed(tracker: Tracker) -> int:
    app = tracker.app
    app.create_owner("cfo", "Chief Finance Officer", "Board", SECRETARIAT)
    app.create_owner("cno", "Chief Nurse", "Board", SECRETARIAT)
    app.create_assembly("leeds", "Leeds Assembly", date(2015, 3, 1), "Leeds", SECRETARIAT)
    n = app.submit_issue("Parking at the hospital", "", SECRETARIAT).number
    app.schedule_issue(n, "leeds", "A carer", SECRETARIAT)
    app.record_discussion(n, "leeds", "Talked it through", [], [], SECRETARIAT)
    app.record_response(n, "accepted", "We will", "cfo", None, SECRETARIAT)
    app.make_commitment(n, "Free parking for carers", "cfo", date(2016, 6, 1), "Scheme live",
                        SECRETARIAT)
    app.make_commitment(n, "Nurse-led clinic", "cno", date(2016, 6, 1), "Clinic open",
                        SECRETARIAT)
    return n


class TestOwnerAccounts:
    def test_an_owner_records_progress_moves_the_date_and_delivers_its_own(
            self, any_tracker: Tracker) -> None:
        n = _committed(any_tracker)
        account, _ = any_tracker.accounts.add("cfo-desk", "owner", owner="cfo")
        owner = account.actor
        app = any_tracker.app
        app.record_progress(n, 1, "on_track", "Scheme agreed", None, owner)
        app.move_due_date(n, 1, date(2016, 9, 1), "Contract signed late", owner)
        app.deliver_commitment(n, 1, "Live since August", "Board paper 16/40", owner)
        assert app.load_issue(n).commitment(1).status == "delivered"
        any_tracker.refresh()
        with any_tracker.engine.connect() as conn:
            shown = history(conn, n)
        assert [e.actor_role for e in shown][-3:] == ["owner", "owner", "owner"]

    @pytest.mark.parametrize("command", ["record_progress", "move_due_date",
                                         "deliver_commitment"])
    def test_an_owner_is_refused_another_owners_commitment_and_nothing_is_stored(
            self, tracker: Tracker, command: str) -> None:
        n = _committed(tracker)
        owner = tracker.accounts.add("cfo-desk", "owner", owner="cfo")[0].actor
        before = tracker.app.recorder.max_notification_id()
        run = {
            "record_progress": lambda: tracker.app.record_progress(
                n, 2, "at_risk", "Not mine", None, owner),
            "move_due_date": lambda: tracker.app.move_due_date(
                n, 2, date(2017, 1, 1), "Not mine", owner),
            "deliver_commitment": lambda: tracker.app.deliver_commitment(
                n, 2, "Not mine", "Paper 1", owner),
        }[command]
        with pytest.raises(NotPermitted, match="owner 'cno'"):
            run()
        assert tracker.app.recorder.max_notification_id() == before

    def test_an_owner_may_not_drop_amend_or_close(self, tracker: Tracker) -> None:
        n = _committed(tracker)
        owner = tracker.accounts.add("cfo-desk", "owner", owner="cfo")[0].actor
        with pytest.raises(NotPermitted):
            tracker.app.drop_commitment(n, 1, "Too dear", owner)
        with pytest.raises(NotPermitted):
            tracker.app.amend_commitment(n, 1, "measure", "Anything", "Easier", owner)
        with pytest.raises(NotPermitted):
            tracker.app.close_issue(n, "Done", owner)

    def test_the_owner_is_kept_with_the_account_and_its_token(self, tracker: Tracker) -> None:
        _, token = tracker.accounts.add("cfo-desk", "owner", owner="cfo")
        found = tracker.accounts.authenticate(token)
        assert found is not None and found.role == Role.OWNER and found.owner == "cfo"
        assert found.actor.owner == "cfo"
        assert [a.owner for a in tracker.accounts.list()] == ["cfo"]

    def test_an_owner_account_needs_its_owner_and_only_it_has_one(
            self, tracker: Tracker) -> None:
        with pytest.raises(InvalidValue, match="owner"):
            tracker.accounts.add("nobody", "owner")
        with pytest.raises(InvalidValue, match="owner"):
            tracker.accounts.add("Desk", "secretariat", owner="cfo")
        assert tracker.accounts.list() == []
