"""The worklist, the staff home: what the secretariat owes, by kind, with counts, filters,
links to the right form, and a CSV download."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e.staff import Staff, staff_client
from tests.e2e.writes import SETUP, TODAY, Stages, build
from tracker.bootstrap import Tracker


@pytest.fixture(scope="module")
def tracker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tracker]:
    data: Path = tmp_path_factory.mktemp("worklist") / "data"
    tracker = build(data, rate_login="1000/minute")
    Stages(tracker).reference_data()
    yield tracker
    tracker.close()


@pytest.fixture(scope="module")
def owed(tracker: Tracker) -> dict[str, int]:
    """One issue for each kind of thing owed."""
    app, stages = tracker.app, Stages(tracker)
    numbers = {"responses": stages.make("discussed"), "referrals": stages.make("referred")}
    old = TODAY - timedelta(days=100)
    for kind, due, made in (("due", TODAY + timedelta(days=10), TODAY),
                            ("overdue", TODAY - timedelta(days=3), old),
                            ("silent", TODAY + timedelta(days=200), old),
                            ("settled", TODAY + timedelta(days=5), TODAY)):
        n = app.submit_issue(f"Worklist {kind}", "", SETUP, old).number
        app.schedule_issue(n, "leeds", "A citizen", SETUP, old)
        app.record_discussion(n, "leeds", "Talked", [], [], SETUP, old)
        app.record_response(n, "commit", "Yes", "lead", None, SETUP, old)
        app.make_commitment(n, f"Promise {kind}", "lead", due, "Done", SETUP, made)
        if kind == "settled":
            app.deliver_commitment(n, 1, "https://example.org/done", "Done", SETUP)
        numbers[kind] = n
    tracker.refresh()
    return numbers


@pytest.fixture(scope="module")
def secretariat(tracker: Tracker) -> Staff:
    return staff_client(tracker, "secretariat")


class TestWorklist:
    def test_the_staff_home_lists_each_kind_of_thing_owed_with_a_link_to_its_form(
            self, owed: dict[str, int], secretariat: Staff) -> None:
        home = secretariat.open("/admin").text
        assert f'href="/admin/issues/{owed["responses"]}/response"' in home
        assert f'href="/admin/issues/{owed["referrals"]}/referral-answer"' in home
        assert f'href="/admin/issues/{owed["overdue"]}/commitments/1/delivery"' in home
        assert f'href="/admin/issues/{owed["due"]}/commitments/1/progress"' in home
        assert f'href="/admin/issues/{owed["silent"]}/commitments/1/progress"' in home
        assert f"/admin/issues/{owed['settled']}/commitments" not in home
        assert "Commitments overdue (1)" in home and "Board responses owed (1)" in home
        assert 'href="/admin/meetings"' in home

    def test_a_filter_keeps_one_kind(self, owed: dict[str, int], secretariat: Staff) -> None:
        page = secretariat.open("/admin?show=overdue").text
        assert f'/admin/issues/{owed["overdue"]}/commitments/1/delivery' in page
        assert f'/admin/issues/{owed["responses"]}/response' not in page
        assert secretariat.client.get("/admin?show=nonsense").status_code == 404

    def test_the_csv_has_the_same_rows_and_is_never_cached(
            self, owed: dict[str, int], secretariat: Staff) -> None:
        answer = secretariat.client.get("/admin/worklist.csv")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/csv")
        assert answer.headers["cache-control"] == "no-store"
        assert "attachment" in answer.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(answer.text)))
        kinds = {(r["kind"], int(r["issue"])) for r in rows}
        assert {(k, owed[k]) for k in ("responses", "referrals", "due", "overdue",
                                       "silent")} <= kinds
        assert all(r["kind"] != "settled" for r in rows)
        overdue = next(r for r in rows if r["kind"] == "overdue")
        assert overdue["due"] == (TODAY - timedelta(days=3)).isoformat()

    def test_a_title_that_looks_like_a_formula_is_made_harmless_in_the_csv(
            self, tracker: Tracker, secretariat: Staff) -> None:
        n = tracker.app.submit_issue("=HYPERLINK(1)", "", SETUP, date(2025, 12, 1)).number
        tracker.app.schedule_issue(n, "leeds", "A citizen", SETUP)
        tracker.app.record_discussion(n, "leeds", "Talked", [], [], SETUP)
        tracker.refresh()
        text = secretariat.client.get("/admin/worklist.csv?show=responses").text
        assert "'=HYPERLINK(1)" in text

    def test_a_stranger_gets_no_worklist(self, tracker: Tracker) -> None:
        from fastapi.testclient import TestClient

        from tracker.web.app import create_app

        with TestClient(create_app(tracker, poll=False)) as client:
            assert client.get("/admin/worklist.csv",
                              follow_redirects=False).status_code == 303
