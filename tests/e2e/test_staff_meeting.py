"""The meeting page through the real app: a Board meeting's responses and commitments on one
page, dated once, kept as a private draft, checked all at once, then published together."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.staff import Staff, errors_shown, hidden, staff_client
from tests.e2e.writes import SETUP, TODAY, Stages, build
from tracker.bootstrap import Tracker
from tracker.meeting_drafts import MeetingDrafts
from tracker.web.app import create_app

_assemblies = itertools.count(1)
MEETING_DAY = date(2025, 12, 4)  # after the discussions (2025-12-01), before TODAY


@pytest.fixture(scope="module")
def tracker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tracker]:
    data: Path = tmp_path_factory.mktemp("meeting") / "data"
    tracker = build(data, rate_login="1000/minute")
    Stages(tracker).reference_data()
    tracker.app.create_owner("finance", "Director of Finance", "Board", SETUP)
    yield tracker
    tracker.close()


@pytest.fixture(scope="module")
def secretariat(tracker: Tracker) -> Staff:
    return staff_client(tracker, "secretariat")


def assembly_with(tracker: Tracker, issues: int) -> tuple[str, list[int]]:
    """A new assembly whose ``issues`` issues were discussed and are owed a response."""
    slug = f"meeting-{next(_assemblies)}"
    app = tracker.app
    app.create_assembly(slug, f"Assembly {slug}", date(2025, 11, 20), "Leeds", SETUP)
    numbers = []
    for i in range(issues):
        n = app.submit_issue(f"Meeting issue {slug} {i}", "", SETUP, date(2025, 11, 1)).number
        app.schedule_issue(n, slug, "A citizen", SETUP)
        app.record_discussion(n, slug, "Talked it through", [], [], SETUP, date(2025, 12, 1))
        numbers.append(n)
    tracker.refresh()
    return slug, numbers


def send(staff: Staff, slug: str, action: str, **fields: str) -> Any:
    """The meeting page sent as a browser sends it: every field, as shown, with changes."""
    page = staff.open(f"/admin/meetings/{slug}")
    data = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.text))
    data.update({name: "" for name in re.findall(r'<(?:textarea|select)[^>]*name="([^"]+)"',
                                                 page.text)})
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>',
                                    page.text, re.S):  # what the page chose to start with
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        data[name] = chosen.group(1) if chosen else ""
    data = {k: v for k, v in data.items() if k != "action"}
    return staff.client.post(f"/admin/meetings/{slug}",
                             data={**data, **fields, "action": action})


def issue_json(staff: Staff, number: int) -> dict[str, Any]:
    answer = staff.client.get(f"/api/v1/issues/{number}")
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


class TestMeetingPage:
    def test_lists_every_issue_owed_a_response_with_the_meeting_date_defaulted(
            self, tracker: Tracker, secretariat: Staff) -> None:
        slug, (a, b) = assembly_with(tracker, 2)
        page = secretariat.open(f"/admin/meetings/{slug}")
        assert f"Issue {a}: Meeting issue" in page.text and f"Issue {b}:" in page.text
        assert hidden(page.text, "meeting_date") is None  # chosen once, in a visible list
        assert f'<option value="{TODAY.isoformat()}" selected>Today, ' in page.text
        listing = secretariat.open("/admin/meetings")
        assert f'href="/admin/meetings/{slug}"' in listing.text

    def test_publishes_every_response_and_commitment_dated_by_the_meeting(
            self, tracker: Tracker, secretariat: Staff) -> None:
        slug, (a, b) = assembly_with(tracker, 2)
        answer = send(secretariat, slug, "publish", meeting_date="4 December 2025", **{
            f"i{a}-grade": "accepted", f"i{a}-summary": "We will do both.",
            f"i{a}-lead": "lead",
            f"i{a}-c1-text": "Open evening clinics", f"i{a}-c1-due": "31/3/2026",
            f"i{a}-c1-measure": "Clinics open",  # no owner: the lead's
            f"i{a}-c2-text": "Publish the rota", f"i{a}-c2-owner": "finance",
            f"i{a}-c2-due": "2026-06-30", f"i{a}-c2-measure": "Rota online",
            f"i{b}-grade": "rejected", f"i{b}-summary": "The budget is spent.",
            f"i{b}-reason": "The budget is spent.",
        })
        assert answer.status_code == 200, answer.text[-3000:]
        assert str(answer.url).endswith(f"/admin/meetings/{slug}")
        assert "Published" in answer.text
        assert f"Issue {a}: commitment 2, \u201cPublish the rota\u201d" in answer.text
        first, second = issue_json(secretariat, a), issue_json(secretariat, b)
        assert [(c["owner"], c["due"]) for c in first["commitments"]] == [
            ("lead", "2026-03-31"), ("finance", "2026-06-30")]
        assert second["stage"] == "not_taken_forward"
        history = secretariat.client.get(f"/api/v1/issues/{a}/history").json()
        dated = {e["type"]: e["occurred_on"] for e in history[-3:]}
        assert set(dated.values()) == {MEETING_DAY.isoformat()}, history
        # Published rows leave the draft: nothing is sent twice.
        again = secretariat.open(f"/admin/meetings/{slug}")
        assert f'id="issue-{a}"' not in again.text and f'id="issue-{b}"' not in again.text

    def test_a_grade_lead_and_due_date_chosen_once_serve_every_row_that_leaves_them_empty(
            self, tracker: Tracker, secretariat: Staff) -> None:
        slug, (a, b, c) = assembly_with(tracker, 3)
        answer = send(secretariat, slug, "publish", meeting_date="",
                      meeting_date_other="4/12/2025", every_grade="accepted",
                      every_lead="lead", every_due="3", **{
            f"i{a}-summary": "We will act.", f"i{a}-c1-text": "Open clinics",
            f"i{a}-c1-measure": "Open",
            f"i{b}-summary": "We will act too.", f"i{b}-lead": "finance",
            f"i{b}-c1-text": "Fund it", f"i{b}-c1-measure": "Funded",
            f"i{b}-c1-due": "31/3/2026",
            # issue c's row is left empty: kept for another meeting, defaults or not
        })
        assert answer.status_code == 200, answer.text[-3000:]
        first, second = issue_json(secretariat, a), issue_json(secretariat, b)
        assert [(c["owner"], c["due"]) for c in first["commitments"]] == [
            ("lead", "2026-03-04")]
        assert [(c["owner"], c["due"]) for c in second["commitments"]] == [
            ("finance", "2026-03-31")]
        assert first["response"]["grade"] == second["response"]["grade"] == "accepted"
        assert issue_json(secretariat, c)["stage"] == "discussed"

    def test_without_a_grade_for_every_response_each_row_needs_its_own(
            self, tracker: Tracker, secretariat: Staff) -> None:
        slug, (a,) = assembly_with(tracker, 1)
        before = secretariat.position()
        answer = send(secretariat, slug, "publish", meeting_date="4/12/2025",
                      **{f"i{a}-summary": "We will act."})
        # kept in the draft with the record's message beside the row's grade
        assert answer.status_code == 409
        assert f'id="error-i{a}-grade"' in answer.text and "A response has a grade" in answer.text
        assert secretariat.position() == before

    def test_nothing_is_published_while_any_field_is_wrong_and_every_fault_is_shown(
            self, tracker: Tracker, secretariat: Staff) -> None:
        slug, (a, b) = assembly_with(tracker, 2)
        before = secretariat.position()
        answer = send(secretariat, slug, "publish", meeting_date="4/12/2025", **{
            f"i{a}-grade": "accepted", f"i{a}-lead": "lead",  # no summary
            f"i{b}-grade": "accepted", f"i{b}-summary": "Yes", f"i{b}-lead": "lead",
            f"i{b}-c1-text": "Do it", f"i{b}-c1-due": "31/2/2026", f"i{b}-c1-measure": "Done",
        })
        assert answer.status_code == 422
        shown = errors_shown(answer.text.replace(f"error-i{a}-", "error-a_")
                             .replace(f"error-i{b}-c1-", "error-b_"))
        assert shown == {"a_summary": "Enter summary",
                         "b_due": "Enter a real date: for example 31/3/2027 or 31 march 2027"}
        assert "Nothing was published" in answer.text
        assert secretariat.position() == before
        kept = secretariat.open(f"/admin/meetings/{slug}")
        assert ">Do it</textarea>" in kept.text and 'value="31/2/2026"' in kept.text

    def test_a_refusal_by_the_record_keeps_that_row_and_publishes_the_rest(
            self, tracker: Tracker, secretariat: Staff) -> None:
        slug, (a,) = assembly_with(tracker, 1)
        answer = send(secretariat, slug, "publish", meeting_date="4/12/2025", **{
            f"i{a}-grade": "rejected", f"i{a}-summary": "No money.",
            f"i{a}-reason": "No money.",
            f"i{a}-c1-text": "Do it anyway", f"i{a}-c1-owner": "lead",
            f"i{a}-c1-due": "1/6/2026", f"i{a}-c1-measure": "Done",
        })
        assert answer.status_code == 409, answer.text[-2000:]
        assert issue_json(secretariat, a)["stage"] == "not_taken_forward"
        assert "Some entries were not published" in answer.text
        assert ">Do it anyway</textarea>" in answer.text
        assert ">No money.</textarea>" not in answer.text  # published: not offered again

    def test_a_date_in_the_future_is_refused_for_the_whole_page(
            self, tracker: Tracker, secretariat: Staff) -> None:
        slug, (a,) = assembly_with(tracker, 1)
        answer = send(secretariat, slug, "publish", meeting_date="31032027", **{
            f"i{a}-grade": "rejected", f"i{a}-summary": "No.",
            f"i{a}-reason": "No."})
        assert answer.status_code in (409, 422)
        assert issue_json(secretariat, a)["stage"] == "discussed"

    def test_add_another_commitment_shows_one_more_row_without_javascript(
            self, tracker: Tracker, secretariat: Staff) -> None:
        slug, (a,) = assembly_with(tracker, 1)
        answer = send(secretariat, slug, f"add-{a}", **{f"i{a}-summary": "Kept"})
        assert answer.status_code == 200
        assert f'name="i{a}-c3-text"' in answer.text and ">Kept</textarea>" in answer.text

    def test_a_draft_is_private_and_survives_a_restart(self, tmp_path: Path) -> None:
        tracker = build(tmp_path / "data", rate_login="1000/minute")
        Stages(tracker).reference_data()
        slug, (a,) = assembly_with(tracker, 1)
        staff = staff_client(tracker, "secretariat")
        answer = send(staff, slug, "save", **{f"i{a}-summary": "A private draft note"})
        assert answer.status_code == 200 and "Draft saved" in answer.text
        assert "A private draft note" not in staff.client.get(f"/issues/{a}").text
        staff.client.__exit__(None, None, None)
        tracker.close()
        again = build(tmp_path / "data")
        try:
            draft = MeetingDrafts(again.write_engine).load(slug)
            assert draft.values[f"i{a}-summary"] == "A private draft note"
        finally:
            again.close()


class TestWhatThePageOffers:
    """Before anything is chosen: the meeting's day and lead owner of the Board's last
    recorded response, the standard term, and "accepted" for a response with commitments;
    each shown, each said where it comes from, each changed in one choice."""

    def test_the_last_recorded_response_s_day_and_lead_and_the_standard_term_are_preset(
            self, tracker: Tracker) -> None:
        secretariat = staff_client(tracker, "secretariat")  # no day given in its session
        slug, (a, b) = assembly_with(tracker, 2)
        day = date(2025, 12, 29)  # among the last fortnight's days
        tracker.app.record_response(a, "accepted", "We will.", "finance", None, SETUP, day)
        tracker.refresh()
        page = secretariat.open(f"/admin/meetings/{slug}").text
        assert f'<option value="{day.isoformat()}" selected>' in page
        assert f"the day of the Board&#39;s last recorded response (issue {a})" in page
        assert '<option value="finance" selected>' in page
        assert f"Set to Director of Finance, who led the Board&#39;s last recorded response " \
               f"(issue {a})" in page
        assert '<option value="3" selected>3 months after the meeting' in page
        assert "Set to the standard term, 3 months. For a meeting on 29 December 2025: " \
               "29 March 2026." in page
        assert "a response with commitments is recorded as Accepted" in page
        # Published as shown: no grade, lead, owner or due date chosen on the row.
        answer = send(secretariat, slug, "publish", **{
            f"i{b}-summary": "We will too.", f"i{b}-c1-text": "Open clinics",
            f"i{b}-c1-measure": "Open"})
        assert answer.status_code == 200, answer.text[-3000:]
        assert f'<a href="/admin/issues/{b}">Issue {b}: the Board&#39;s response (accepted)' \
            in answer.text
        body = issue_json(secretariat, b)
        assert (body["response"]["grade"], body["response"]["lead"]) == ("accepted", "finance")
        assert [(c["owner"], c["due"]) for c in body["commitments"]] == [
            ("finance", "2026-03-29")]
        history = secretariat.client.get(f"/api/v1/issues/{b}/history").json()
        assert {e["occurred_on"] for e in history[-2:]} == {day.isoformat()}
        secretariat.client.__exit__(None, None, None)

    def test_a_day_older_than_the_fortnight_is_not_offered_and_the_term_is_configurable(
            self, tmp_path: Path) -> None:
        tracker = build(tmp_path / "data", rate_login="1000/minute", commitment_months=4)
        try:
            Stages(tracker).reference_data()
            slug, (a, _) = assembly_with(tracker, 2)
            tracker.app.record_response(a, "accepted", "Yes.", "lead", None, SETUP,
                                        MEETING_DAY)  # four weeks ago
            tracker.refresh()
            staff = staff_client(tracker, "secretariat")
            page = staff.open(f"/admin/meetings/{slug}").text
            assert f'<option value="{TODAY.isoformat()}" selected>Today, ' in page
            assert "It is set to" in page and ", today: change it" in page
            assert '<option value="4" selected>4 months after the meeting' in page
            staff.client.__exit__(None, None, None)
        finally:
            tracker.close()

    def test_a_row_without_commitments_still_needs_its_grade_and_a_rejection_no_lead(
            self, tracker: Tracker, secretariat: Staff) -> None:
        slug, (a, b) = assembly_with(tracker, 2)
        answer = send(secretariat, slug, "publish", meeting_date="4/12/2025",
                      every_lead="finance", **{
                          f"i{a}-grade": "rejected", f"i{a}-summary": "No money.",
                          f"i{a}-reason": "No money.", f"i{b}-summary": "Noted."})
        assert answer.status_code == 409  # b has no grade and nothing that implies one
        assert f'id="error-i{b}-grade"' in answer.text
        assert issue_json(secretariat, a)["response"].get("lead") in (None, "")

    def test_a_date_typed_wins_over_the_day_chosen_in_the_list(
            self, tracker: Tracker, secretariat: Staff) -> None:
        slug, (a,) = assembly_with(tracker, 1)
        answer = send(secretariat, slug, "publish", meeting_date=TODAY.isoformat(),
                      meeting_date_other="4/12/2025", **{
                          f"i{a}-grade": "rejected", f"i{a}-summary": "No.",
                          f"i{a}-reason": "No."})
        assert answer.status_code == 200, answer.text[-3000:]
        history = secretariat.client.get(f"/api/v1/issues/{a}/history").json()
        assert history[-1]["occurred_on"] == MEETING_DAY.isoformat()

    def test_the_day_given_earlier_in_the_session_is_offered_until_logout(
            self, tracker: Tracker) -> None:
        staff = staff_client(tracker, "secretariat")  # a browser session of its own
        first, _ = assembly_with(tracker, 1)
        second, _ = assembly_with(tracker, 1)
        day = date(2025, 12, 22)
        assert send(staff, first, "save", meeting_date=day.isoformat()).status_code == 200
        page = staff.open(f"/admin/meetings/{second}").text
        assert f'<option value="{day.isoformat()}" selected>' in page
        assert "the day given for a Board meeting earlier in this session" in page
        assert staff.client.cookies.get("tracker_meeting_day") == day.isoformat()
        staff.client.post("/admin/logout", data={"form_token": hidden(page, "form_token")})
        assert "tracker_meeting_day" not in staff.client.cookies
        staff.client.__exit__(None, None, None)


class TestMeetingPermissions:
    def test_only_the_secretariat_and_admins_may_record_a_meeting(
            self, tracker: Tracker) -> None:
        slug, (a,) = assembly_with(tracker, 1)
        moderator = staff_client(tracker, "moderator")
        assert moderator.client.get(f"/admin/meetings/{slug}").status_code == 403
        token = hidden(moderator.open("/admin").text, "form_token") or ""
        refused = moderator.client.post(f"/admin/meetings/{slug}", data={
            "form_token": token, "action": "publish", "meeting_date": "4/12/2025",
            f"i{a}-grade": "rejected", f"i{a}-summary": "No.",
            f"i{a}-reason": "No."})
        assert refused.status_code == 403
        assert staff_client(tracker, "admin").client.get(
            f"/admin/meetings/{slug}").status_code == 200

    def test_a_form_without_the_session_s_token_is_refused(
            self, tracker: Tracker, secretariat: Staff) -> None:
        slug, (a,) = assembly_with(tracker, 1)
        answer = secretariat.client.post(f"/admin/meetings/{slug}", data={
            "form_token": "forged", "action": "publish", "meeting_date": "4/12/2025",
            f"i{a}-grade": "rejected", f"i{a}-summary": "No.",
            f"i{a}-reason": "No."})
        assert answer.status_code == 403
        assert issue_json(secretariat, a)["stage"] == "discussed"

    def test_a_stranger_is_sent_to_the_login_page(self, tracker: Tracker) -> None:
        with TestClient(create_app(tracker, poll=False)) as client:
            answer = client.get("/admin/meetings", follow_redirects=False)
            assert answer.status_code in (302, 303)
            assert "/admin/login" in answer.headers["location"]
