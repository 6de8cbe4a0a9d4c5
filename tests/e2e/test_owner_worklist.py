"""An owner's staff home: its own commitments due soon, overdue and silent, each linking to a
form it may use, under its owner's name, and nothing it cannot act on; the CSV the same.
The secretariat's worklist still has everyone's commitments and every list."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.e2e.staff import PASSWORD, Staff, staff_client
from tests.e2e.writes import SETUP, TODAY, Stages, build
from tracker.bootstrap import Tracker
from tracker.web.app import create_app

KINDS = ("due", "overdue", "silent")


@pytest.fixture(scope="module")
def tracker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tracker]:
    data: Path = tmp_path_factory.mktemp("owner-worklist") / "data"
    tracker = build(data, rate_login="1000/minute")
    Stages(tracker).reference_data()
    tracker.app.create_owner("other", "Another Board member", "Board", SETUP)
    yield tracker
    tracker.close()


@pytest.fixture(scope="module")
def owed(tracker: Tracker) -> dict[tuple[str, str], int]:
    """For each owner ("lead", "other"), one issue per kind: its commitment 1 is that
    owner's, due soon, overdue or silent; and one issue owed a response, one referral."""
    app, stages = tracker.app, Stages(tracker)
    numbers = {("board", "responses"): stages.make("discussed"),
               ("board", "referrals"): stages.make("referred")}
    old = TODAY - timedelta(days=100)
    for owner in ("lead", "other"):
        for kind, due, made in (("due", TODAY + timedelta(days=10), TODAY),
                                ("overdue", TODAY - timedelta(days=3), old),
                                ("silent", TODAY + timedelta(days=200), old)):
            n = app.submit_issue(f"{owner} {kind}", "", SETUP, old).number
            app.schedule_issue(n, "leeds", "A citizen", SETUP, old)
            app.record_discussion(n, "leeds", "Talked", [], [], SETUP, old)
            app.record_response(n, "commit", "Yes", owner, None, SETUP, old)
            app.make_commitment(n, f"Promise of {owner}, {kind}", owner, due, "Done", SETUP,
                                made)
            numbers[(owner, kind)] = n
    tracker.refresh()
    return numbers


@pytest.fixture(scope="module")
def lead(tracker: Tracker, owed: dict[tuple[str, str], int]) -> Iterator[Staff]:
    """The "lead" owner's account, logged in."""
    tracker.accounts.add("lead-desk", "owner", owner="lead")
    tracker.accounts.set_password("lead-desk", PASSWORD)
    with TestClient(create_app(tracker, poll=False)) as client:
        staff = Staff(client, tracker)
        answer = staff.log_in("lead-desk")
        assert answer.status_code == 200 and str(answer.url).endswith("/admin")
        yield staff


class TestOwnerWorklist:
    def test_an_owner_sees_its_own_commitments_under_its_name(
            self, owed: dict[tuple[str, str], int], lead: Staff) -> None:
        home = lead.open("/admin").text
        assert "Commitments of Lead Board member" in home
        assert "What needs doing" not in home
        for kind in KINDS:
            assert f"/admin/issues/{owed[('lead', kind)]}/commitments/1/" in home
            assert f"/admin/issues/{owed[('other', kind)]}" not in home
        # the overdue commitment, made long ago and never updated, is silent too
        for count in ("Everything (4)", "Commitments due in the next 30 days (1)",
                      "Commitments overdue (1)", "Commitments with no recent update (2)"):
            assert count in home, count

    def test_an_owner_is_not_shown_what_it_cannot_act_on(
            self, owed: dict[tuple[str, str], int], lead: Staff) -> None:
        home = lead.open("/admin").text
        for hidden in ("Board responses owed", "Referrals with no answer", "/response",
                       "/referral-answer", "/amendments", "/admin/meetings",
                       "/admin/challenges", "/admin/import", "/admin/reference"):
            assert hidden not in home, hidden
        assert f"/admin/issues/{owed[('board', 'responses')]}" not in home
        assert lead.client.get("/admin?show=responses").status_code == 404
        assert lead.client.get("/admin/worklist.csv?show=referrals").status_code == 404

    @pytest.mark.parametrize("kind", KINDS)
    def test_each_link_opens_a_form_the_owner_may_use(
            self, owed: dict[tuple[str, str], int], lead: Staff, kind: str) -> None:
        home = lead.open(f"/admin?show={kind}").text
        on = f"/admin/issues/{owed[('lead', kind)]}/commitments/1"
        for form in ("progress", "delivery", "due-date"):
            assert f'href="{on}/{form}"' in home
            assert 'name="form_token"' in lead.open(f"{on}/{form}").text
        assert f'href="/admin/issues/{owed[("lead", kind)]}"' in home
        lead.open(f"/admin/issues/{owed[('lead', kind)]}")

    def test_a_link_taken_records_progress(self, tracker: Tracker,
                                           owed: dict[tuple[str, str], int],
                                           lead: Staff) -> None:
        n = owed[("lead", "due")]  # still due soon after the update
        before = lead.position()
        done = lead.send(f"/admin/issues/{n}/commitments/1/progress", status="at_risk",
                         note="Hiring is slow")
        assert done.status_code == 200, done.text[:300]
        assert lead.position() == before + 1
        assert tracker.app.load_issue(n).commitment(1).status == "at_risk"

    def test_the_csv_has_the_owners_rows_only(
            self, owed: dict[tuple[str, str], int], lead: Staff) -> None:
        rows = list(csv.DictReader(io.StringIO(lead.client.get("/admin/worklist.csv").text)))
        shown = {(r["kind"], int(r["issue"])) for r in rows}
        assert {(kind, owed[("lead", kind)]) for kind in KINDS} <= shown
        assert {r["kind"] for r in rows} <= set(KINDS)
        assert not {owed[("other", kind)] for kind in KINDS} & {n for _, n in shown}
        assert all(r["owner"] == "Lead Board member" for r in rows)
        assert all(not r["form"].endswith("/amendments") for r in rows)
        page = lead.open("/admin").text
        assert len(rows) == int(page.split("Everything (")[1].split(")")[0])
        one = lead.client.get("/admin/worklist.csv?show=overdue").text
        assert [int(r["issue"]) for r in csv.DictReader(io.StringIO(one))] == [
            owed[("lead", "overdue")]]


class TestSecretariatWorklistUnchanged:
    def test_the_secretariat_sees_every_owner_and_every_list(
            self, tracker: Tracker, owed: dict[tuple[str, str], int]) -> None:
        secretariat = staff_client(tracker, "secretariat")
        home = secretariat.open("/admin").text
        assert "What needs doing" in home and "Commitments of" not in home
        for owner in ("lead", "other"):
            for kind in KINDS:
                n = owed[(owner, kind)]
                assert f"/admin/issues/{n}/commitments/1/amendments" in home
        assert f'/admin/issues/{owed[("board", "responses")]}/response' in home
        assert f'/admin/issues/{owed[("board", "referrals")]}/referral-answer' in home
        assert 'href="/admin/meetings"' in home
        rows = list(csv.DictReader(io.StringIO(
            secretariat.client.get("/admin/worklist.csv").text)))
        assert {r["kind"] for r in rows} == {"responses", "due", "overdue", "silent",
                                              "referrals"}
        assert {r["owner"] for r in rows if r["kind"] == "overdue"} == {
            "Lead Board member", "Another Board member"}
