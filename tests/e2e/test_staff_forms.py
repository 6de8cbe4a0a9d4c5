"""The staff pages through the real app: log in, every form, refusals, and the public record.

Each form is sent the way a browser sends it (form-encoded, with the page's form token and
the issue version it showed), and what it records is checked on the public page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.e2e.staff import PASSWORD, Staff, add_staff, errors_shown, hidden, staff_client
from tests.e2e.writes import SETUP, Stages, build
from tracker.bootstrap import Tracker
from tracker.domain.errors import AlreadyExists
from tracker.web.app import create_app


@pytest.fixture(scope="module")
def tracker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tracker]:
    data: Path = tmp_path_factory.mktemp("staff") / "data"
    tracker = build(data, rate_login="1000/minute")
    Stages(tracker).reference_data()
    yield tracker
    tracker.close()


@pytest.fixture(scope="module")
def secretariat(tracker: Tracker) -> Staff:
    return staff_client(tracker, "secretariat")


@pytest.fixture(scope="module")
def moderator(tracker: Tracker) -> Staff:
    return staff_client(tracker, "moderator")


def fresh(tracker: Tracker, stage: str = "submitted") -> int:
    number = Stages(tracker).make(stage)
    tracker.refresh()
    return number


def recorded(staff: Staff, answer: object, number: int) -> int:
    """A successful form: redirected to the issue's staff page, which links the entry."""
    assert answer.status_code == 200, answer.text[:500]  # type: ignore[attr-defined]
    url = str(answer.url)  # type: ignore[attr-defined]
    assert f"/admin/issues/{number}?done=" in url, url
    entry = int(url.rsplit("=", 1)[1])
    assert f'href="/issues/{number}#entry-{entry}"' in answer.text  # type: ignore[attr-defined]
    return entry


class TestLogin:
    def test_staff_pages_send_a_stranger_to_the_login_page(self, tracker: Tracker) -> None:
        with TestClient(create_app(tracker, poll=False)) as client:
            for path in ("/admin", "/admin/issues/1", "/admin/moderation",
                         "/admin/reference/topics"):
                answer = client.get(path, follow_redirects=False)
                assert answer.status_code == 303 and answer.headers["location"] == \
                    "/admin/login"

    def test_a_wrong_password_or_name_is_refused_alike(self, tracker: Tracker) -> None:
        name = add_staff(tracker, "secretariat")
        with TestClient(create_app(tracker, poll=False)) as client:
            staff = Staff(client, tracker)
            wrong_password = staff.log_in(name, "not the password at all")
            wrong_name = staff.log_in("nobody-" + name, PASSWORD)
            for answer in (wrong_password, wrong_name):
                assert answer.status_code == 401
                assert "The account name or password is not right." in answer.text
                assert "tracker_staff" not in answer.headers.get("set-cookie", "")
                # What was typed comes back, except the password.
                assert hidden(answer.text, "password") in (None, "")
            assert client.get("/admin", follow_redirects=False).status_code == 303

    def test_the_session_cookie_is_locked_down(self, tracker: Tracker) -> None:
        name = add_staff(tracker, "admin")
        with TestClient(create_app(tracker, poll=False)) as client:
            answer = client.post("/admin/login", data={"name": name, "password": PASSWORD},
                                 follow_redirects=False)
        assert answer.status_code == 303
        cookie = answer.headers["set-cookie"].lower()
        assert cookie.startswith("tracker_staff=")
        for flag in ("httponly", "samesite=strict", "path=/admin"):
            assert flag in cookie
        assert "secure" not in cookie  # served over http here; see the https test

    def test_over_https_the_cookie_is_secure(self, tmp_path: Path) -> None:
        tracker = build(tmp_path / "data", base_url="https://tracker.example")
        try:
            name = add_staff(tracker, "admin")
            with TestClient(create_app(tracker, poll=False),
                            base_url="https://tracker.example") as client:
                answer = client.post("/admin/login", data={"name": name,
                                                           "password": PASSWORD},
                                     follow_redirects=False)
            assert "secure" in answer.headers["set-cookie"].lower()
        finally:
            tracker.close()

    def test_log_out_ends_the_session_for_good(self, tracker: Tracker) -> None:
        staff = staff_client(tracker, "secretariat")
        cookie = staff.client.cookies.get("tracker_staff")
        token = hidden(staff.open("/admin").text, "form_token")
        answer = staff.client.post("/admin/logout", data={"form_token": token or ""})
        assert "You have logged out." in answer.text
        # The old cookie, replayed, opens nothing.
        with TestClient(create_app(tracker, poll=False)) as other:
            other.cookies.set("tracker_staff", cookie or "", path="/admin")
            assert other.get("/admin", follow_redirects=False).status_code == 303

    def test_revoking_an_account_ends_its_sessions(self, tracker: Tracker) -> None:
        name = add_staff(tracker, "secretariat")
        with TestClient(create_app(tracker, poll=False)) as client:
            Staff(client, tracker).log_in(name)
            assert client.get("/admin", follow_redirects=False).status_code == 200
            tracker.accounts.revoke(name)
            assert client.get("/admin", follow_redirects=False).status_code == 303
            assert Staff(client, tracker).log_in(name).status_code == 401

    def test_login_attempts_are_rate_limited(self, tmp_path: Path) -> None:
        tracker = build(tmp_path / "data", rate_login="3/minute")
        try:
            name = add_staff(tracker, "secretariat")
            with TestClient(create_app(tracker, poll=False)) as client:
                staff = Staff(client, tracker)
                codes = [staff.log_in(name, "wrong guess number " + str(i)).status_code
                         for i in range(4)]
                assert codes == [401, 401, 401, 429]
                limited = staff.log_in(name)  # even the right password waits now
                assert limited.status_code == 429
                assert int(limited.headers["retry-after"]) >= 1
        finally:
            tracker.close()


class TestTheSecretariatLogsAStory:
    """Every secretariat form, in the order a real issue goes through them."""

    def test_from_topic_to_delivery_and_closing(self, tracker: Tracker,
                                                secretariat: Staff) -> None:
        n = fresh(tracker)
        s = secretariat
        base = f"/admin/issues/{n}"
        recorded(s, s.send(f"{base}/topic", topic="access"), n)
        recorded(s, s.send(f"{base}/schedule", assembly="leeds", presenter="A nurse"), n)
        recorded(s, s.send(f"{base}/presentation", presenter="A nurse",
                           occurred_on="2015-03-01"), n)
        recorded(s, s.send(f"{base}/discussion", assembly="leeds",
                           summary="Waiting times dominated.",
                           key_questions="Who sets the hours?\r\nWhy 9 to 5?",
                           proposals="Evening clinics", occurred_on="2015-03-01"), n)
        recorded(s, s.send(f"{base}/response", grade="accepted",
                           summary="We will pilot evening clinics.", lead="lead"), n)
        recorded(s, s.send(f"{base}/commitments", text="Pilot evening clinics",
                           owner="lead", due="2026-06-30", measure="Clinics open"), n)
        recorded(s, s.send(f"{base}/commitments", text="Publish waiting times",
                           owner="lead", due="2026-09-30", measure="Figures online"), n)
        recorded(s, s.send(f"{base}/commitments/1/progress", status="at_risk",
                           note="Staff not yet hired"), n)
        recorded(s, s.send(f"{base}/commitments/1/due-date", new_due="2026-08-31",
                           reason="Hiring took longer"), n)
        recorded(s, s.send(f"{base}/commitments/1/delivery",
                           evidence_url="https://example.org/board-paper.pdf",
                           note="Both clinics opened"), n)
        recorded(s, s.send(f"{base}/commitments/2/drop", reason="Replaced by a national "
                           "dashboard"), n)
        closed = recorded(s, s.send(f"{base}/close",
                                    outcome="Evening clinics run in two boroughs."), n)
        recorded(s, s.send(f"{base}/reopen", reason="A borough stopped its clinic"), n)
        fix = recorded(s, s.send(f"{base}/corrections", entry=str(closed),
                                 reason="Wrong number of boroughs",
                                 correction="Evening clinics run in three boroughs."), n)

        public = s.client.get(f"/issues/{n}").text
        for text in ("Waiting times dominated.", "We will pilot evening clinics.",
                     "Pilot evening clinics", "https://example.org/board-paper.pdf",
                     "Replaced by a national dashboard", "A borough stopped its clinic",
                     "Evening clinics run in three boroughs."):
            assert text in public, text
        assert f'id="entry-{fix}"' in public and f'href="/issues/{n}#entry-{closed}"' in public
        api = s.client.get(f"/api/v1/issues/{n}").json()
        assert [c["status"] for c in api["commitments"]] == ["delivered", "dropped"]
        assert api["commitments"][0]["due"] == "2026-08-31"

    def test_a_referral_and_its_answer(self, tracker: Tracker, secretariat: Staff) -> None:
        n = fresh(tracker, "discussed")
        s = secretariat
        recorded(s, s.send(f"/admin/issues/{n}/response", grade="referred",
                           summary="A national matter", referred_to="Healthwatch England"), n)
        recorded(s, s.send(f"/admin/issues/{n}/referral-answer",
                           answer="Healthwatch will review access."), n)
        assert "Healthwatch will review access." in s.client.get(f"/issues/{n}").text

    def test_a_duplicate_is_merged(self, tracker: Tracker, secretariat: Staff) -> None:
        keep, duplicate = fresh(tracker), fresh(tracker)
        recorded(secretariat, secretariat.send(f"/admin/issues/{duplicate}/merge",
                                               into=str(keep), reason="Same as the other"),
                 duplicate)
        view = secretariat.client.get(f"/api/v1/issues/{duplicate}").json()
        assert view["stage"] == "merged"

    def test_reference_data_forms(self, tracker: Tracker, secretariat: Staff) -> None:
        s = secretariat
        for kind, fields, public in (
            ("topics", {"slug": "waiting-times", "name": "Waiting Times"}, "/topics/"),
            ("owners", {"slug": "medical-director", "name": "Medical Director",
                        "role": "Board member"}, "/owners/"),
            ("assemblies", {"slug": "york-2015", "title": "York Assembly",
                            "date": "2015-05-01", "place": "York"}, "/assemblies/"),
        ):
            answer = s.send(f"/admin/reference/{kind}", **fields)
            assert answer.status_code == 200 and "Recorded" in answer.text
            assert f'href="{public}{fields["slug"]}"' in answer.text
            assert s.client.get(f"{public}{fields['slug']}").status_code == 200
        again = s.send("/admin/reference/topics", slug="waiting-times", name="Again")
        assert again.status_code == 409
        assert "Again" in again.text  # what was typed is kept


class TestFormsSayWhatIsWrong:
    def test_messages_sit_next_to_the_fields_and_keep_what_was_typed(
            self, tracker: Tracker, secretariat: Staff) -> None:
        n = fresh(tracker, "responded")
        before = secretariat.position()
        answer = secretariat.send(f"/admin/issues/{n}/commitments", text="Typed promise",
                                  owner="lead", due="31/02/2026", measure="")
        assert answer.status_code == 422
        shown = errors_shown(answer.text)
        assert shown == {"due": "Enter a real date, as YYYY-MM-DD",
                         "measure": "Enter how success is measured"}
        assert "Typed promise" in answer.text and 'value="31/02/2026"' in answer.text
        assert 'href="#field-due"' in answer.text  # the summary links to the field
        assert 'aria-describedby="error-due"' in answer.text
        assert secretariat.position() == before

    def test_a_rule_of_the_domain_is_shown_at_its_field(self, tracker: Tracker,
                                                        secretariat: Staff) -> None:
        n = fresh(tracker)
        before = secretariat.position()
        answer = secretariat.send(f"/admin/issues/{n}/topic", topic="no-such-topic")
        assert answer.status_code == 404
        assert errors_shown(answer.text) == {"topic": "There is no topic 'no-such-topic'"}
        assert secretariat.position() == before

    def test_delivery_needs_evidence(self, tracker: Tracker, secretariat: Staff) -> None:
        n = fresh(tracker, "committed")
        before = secretariat.position()
        answer = secretariat.send(f"/admin/issues/{n}/commitments/1/delivery", note="Done")
        assert answer.status_code == 422
        assert "evidence_url" in errors_shown(answer.text)
        assert secretariat.position() == before

    def test_a_form_left_open_while_someone_else_wrote_is_refused(
            self, tracker: Tracker, secretariat: Staff) -> None:
        n = fresh(tracker, "scheduled")
        form = secretariat.open(f"/admin/issues/{n}/close")
        token, version = hidden(form.text, "form_token"), hidden(form.text, "version")
        # Someone else records a step in the meantime.
        other = staff_client(tracker, "secretariat")
        recorded(other, other.send(f"/admin/issues/{n}/presentation", presenter="Someone"), n)
        before = secretariat.position()
        stale = secretariat.client.post(f"/admin/issues/{n}/close", data={
            "form_token": token, "version": version, "outcome": "Typed outcome"})
        assert stale.status_code == 409
        assert "Someone else changed this issue" in stale.text
        assert "Typed outcome" in stale.text
        assert secretariat.position() == before
        # Sent again, the form (now at the current version) records it.
        again = secretariat.client.post(f"/admin/issues/{n}/close", data={
            "form_token": token, "version": hidden(stale.text, "version"),
            "outcome": "Typed outcome"})
        recorded(secretariat, again, n)


class TestForgedForms:
    """CSRF: a form that did not come from this session's pages writes nothing."""

    @pytest.mark.parametrize("token", [None, "", "not-the-token"])
    def test_without_the_form_token(self, tracker: Tracker, secretariat: Staff,
                                    token: str | None) -> None:
        n = fresh(tracker)
        before = secretariat.position()
        data = {"topic": "access", "version": "1"}
        if token is not None:
            data["form_token"] = token
        answer = secretariat.client.post(f"/admin/issues/{n}/topic", data=data)
        assert answer.status_code == 403
        assert "This form was refused" in answer.text
        assert secretariat.position() == before

    def test_another_sessions_token(self, tracker: Tracker, secretariat: Staff) -> None:
        n = fresh(tracker)
        other = staff_client(tracker, "secretariat")
        stolen = hidden(other.open("/admin").text, "form_token")
        before = secretariat.position()
        answer = secretariat.client.post(f"/admin/issues/{n}/topic",
                                         data={"topic": "access", "form_token": stolen})
        assert answer.status_code == 403 and secretariat.position() == before

    @pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"},
                                         {"Sec-Fetch-Site": "same-site"},
                                         {"Origin": "https://evil.example"}])
    def test_from_another_site_even_with_the_token(self, tracker: Tracker,
                                                   secretariat: Staff,
                                                   headers: dict[str, str]) -> None:
        n = fresh(tracker)
        token = hidden(secretariat.open("/admin").text, "form_token")
        before = secretariat.position()
        answer = secretariat.client.post(f"/admin/issues/{n}/topic", headers=headers,
                                         data={"topic": "access", "form_token": token})
        assert answer.status_code == 403 and secretariat.position() == before

    def test_login_from_another_site(self, tracker: Tracker) -> None:
        name = add_staff(tracker, "secretariat")
        with TestClient(create_app(tracker, poll=False)) as client:
            answer = client.post("/admin/login", headers={"Origin": "https://evil.example"},
                                 data={"name": name, "password": PASSWORD})
            assert answer.status_code == 403
            assert "tracker_staff" not in client.cookies


class TestModeration:
    def test_the_queue_hides_and_restores_with_a_public_reason(self, tracker: Tracker,
                                                               moderator: Staff) -> None:
        n = fresh(tracker)
        queue = moderator.open("/admin/moderation").text
        assert f'href="/admin/issues/{n}/moderation?action=hide"' in queue
        form = moderator.open(f"/admin/issues/{n}/moderation?action=hide")
        assert '<option value="hide" selected>' in form.text
        answer = moderator.send(f"/admin/issues/{n}/moderation?action=hide", action="hide",
                                reason="Names a member of staff")
        assert f"/admin/moderation?issue={n}&done=" in str(answer.url)
        assert f'href="/issues/{n}#entry-' in answer.text
        public = moderator.client.get(f"/issues/{n}").text
        assert "Names a member of staff" in public
        # The words are withheld from the public page, not from the moderator.
        assert "Issue set up as submitted" not in public
        assert "Issue set up as submitted" in moderator.open(f"/admin/issues/{n}").text
        assert f"{n}. Issue set up as submitted" in moderator.open("/admin/moderation").text
        assert f'/admin/issues/{n}/moderation?action=restore' in answer.text
        moderator.send(f"/admin/issues/{n}/moderation", action="restore",
                       reason="Name removed by the citizen")
        assert moderator.client.get(f"/api/v1/issues/{n}").json()["stage"] == "submitted"

    def test_a_moderator_is_offered_and_allowed_only_moderation(
            self, tracker: Tracker, moderator: Staff) -> None:
        n = fresh(tracker)
        actions = moderator.open(f"/admin/issues/{n}").text
        assert f'href="/admin/issues/{n}/moderation"' in actions
        assert f'href="/admin/issues/{n}/topic"' not in actions
        before = moderator.position()
        answer = moderator.send(f"/admin/issues/{n}/topic", topic="access")
        assert answer.status_code == 403
        assert "may not assign topic" in answer.text
        assert moderator.position() == before

    def test_the_secretariat_may_not_hide(self, tracker: Tracker,
                                          secretariat: Staff) -> None:
        n = fresh(tracker)
        before = secretariat.position()
        answer = secretariat.send(f"/admin/issues/{n}/moderation", action="hide",
                                  reason="Not theirs to hide")
        assert answer.status_code == 403 and secretariat.position() == before


def test_staff_pages_are_never_cached(secretariat: Staff) -> None:
    for path in ("/admin", "/admin/moderation", "/admin/reference", "/admin/login"):
        answer = secretariat.client.get(path)
        assert answer.headers["cache-control"] == "no-store", path


class TestFormsFillInWhatIsKnown:
    """Nothing known is typed again: the status as it stands, new due dates to choose from,
    and a change of owner chosen by its link, with the owners to pick from."""

    def test_progress_starts_from_the_status_as_it_stands(self, tracker: Tracker,
                                                         secretariat: Staff) -> None:
        n = fresh(tracker, "committed")
        page = secretariat.open(f"/admin/issues/{n}/commitments/1/progress").text
        assert '<option value="on_track" selected>' in page

    def test_a_new_due_date_is_chosen_from_dates_counted_from_the_current_one(
            self, tracker: Tracker, secretariat: Staff) -> None:
        n = fresh(tracker, "committed")  # due 1 June 2026
        page = secretariat.open(f"/admin/issues/{n}/commitments/1/due-date").text
        assert '<option value="2026-09-01">3 months later: 1 September 2026</option>' in page
        # the nearest is chosen to start with, and the hint says so
        assert '<option value="2026-07-01" selected>1 month later: 1 July 2026' in page
        assert "Set to 1 month later" in page
        recorded(secretariat, secretariat.send(f"/admin/issues/{n}/commitments/1/"
                                               "due-date", new_due="2026-09-01",
                                               reason="Late"), n)
        # or another date, typed in the box below the list: it wins over the one chosen
        recorded(secretariat, secretariat.send(f"/admin/issues/{n}/commitments/1/due-date",
                                               new_due="2026-10-01",
                                               new_due_other="2026-10-15",
                                               reason="Later still"), n)
        assert secretariat.client.get(f"/api/v1/issues/{n}").json()[
            "commitments"][0]["due"] == "2026-10-15"

    def test_a_change_of_owner_is_chosen_from_the_owners(self, tracker: Tracker,
                                                        secretariat: Staff) -> None:
        with suppress(AlreadyExists):
            tracker.app.create_owner("finance", "Director of Finance", "Board", SETUP)
        n = fresh(tracker, "committed")
        issue_page = secretariat.open(f"/admin/issues/{n}").text
        link = f"/admin/issues/{n}/commitments/1/amendments?field=owner"
        assert f'href="{link}"' in issue_page
        form = secretariat.open(link).text
        assert '<option value="owner" selected>' in form
        assert 'name="value"' in form and '<option value="finance">' in form
        assert '<option value="lead">' not in form  # the owner it has now
        recorded(secretariat, secretariat.send(link, field="owner", value="finance",
                                               reason="The Board moved it"), n)
        assert secretariat.client.get(f"/api/v1/issues/{n}").json()[
            "commitments"][0]["owner"] == "finance"
