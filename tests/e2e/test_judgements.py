"""Someone other than the Board judges delivery, through the real app, on SQLite and
PostgreSQL: citizens answer "was it delivered?" once each, a no with a reason is a challenge
the secretariat answers in public, an assessor grades delivery, and a reconvened panel
scores the Board's responses."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.staff import staff_client
from tests.e2e.writes import SETUP, Site, from_factory, open_site
from tests.helpers import Clock
from tracker.bootstrap import Tracker

EVIL = "https://evil.example"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site(request: pytest.FixtureRequest, make_tracker: Callable[..., Tracker],
         clock: Clock) -> Iterator[Site]:
    tracker = from_factory(make_tracker, clock, request.param)
    tracker.settings.rate_answer = "10000/minute"
    with open_site(tracker) as site:
        yield site


def delivered(site: Site) -> int:
    """An issue whose commitment 1 the Board says is delivered."""
    n = site.issue("committed")
    site.tracker.app.deliver_commitment(n, 1, "Both clinics opened",
                                        "https://example.org/paper.pdf", SETUP)
    site.tracker.refresh()
    return n


def overdue(site: Site) -> int:
    """An issue whose commitment 1 was due in 2015 and is still open."""
    n = site.issue("responded")
    site.tracker.app.make_commitment(n, "Open a clinic", "lead", date(2015, 6, 1), "Open",
                                     SETUP, occurred_on=date(2015, 2, 1))
    site.tracker.refresh()
    return n


def from_address(site: Site, host: str) -> TestClient:
    return TestClient(site.client.app, client=(host, 40000))


def answer(client: TestClient, n: int, body: dict[str, Any], c: int = 1,
           **headers: str) -> Any:
    return client.post(f"/api/v1/issues/{n}/commitments/{c}/citizen-answers", json=body,
                       headers=headers)


def citizens(site: Site, n: int, c: int = 1) -> dict[str, int]:
    found: dict[str, int] = site.client.get(f"/api/v1/issues/{n}").json()[
        "commitments"][c - 1]["citizens"]
    return found


class TestCitizensAnswer:
    def test_counts_each_answer_on_the_commitment_and_in_json(self, site: Site) -> None:
        n = delivered(site)
        for host, said in (("10.0.0.1", "yes"), ("10.0.0.2", "no"), ("10.0.0.3", "no")):
            written = answer(from_address(site, host), n, {"answer": said})
            assert written.status_code == 200, written.text
        assert citizens(site, n) == {"yes": 1, "partly": 0, "no": 2}
        page = site.client.get(f"/issues/{n}").text
        assert "1 yes, 0 partly, 2 no (3 people answered)" in page

    def test_counts_a_person_once_and_says_so_plainly(self, site: Site) -> None:
        n = delivered(site)
        client = from_address(site, "10.0.1.1")
        assert answer(client, n, {"answer": "yes"}).status_code == 200
        before = site.position()
        again = answer(client, n, {"answer": "no"})
        assert again.status_code == 409
        assert again.json()["field"] == "answer"
        assert "counted once" in again.json()["detail"]
        assert site.position() == before
        assert citizens(site, n) == {"yes": 1, "partly": 0, "no": 0}

    def test_takes_answers_on_an_overdue_commitment(self, site: Site) -> None:
        n = overdue(site)
        assert answer(site.client, n, {"answer": "no"}).status_code == 200
        assert citizens(site, n)["no"] == 1

    def test_refuses_a_commitment_neither_delivered_nor_overdue_naming_it(
            self, site: Site) -> None:
        n = site.issue("committed")
        before = site.position()
        refused = answer(site.client, n, {"answer": "yes"})
        assert refused.status_code == 409
        assert refused.json()["field"] == "commitment"
        assert site.position() == before

    def test_refuses_an_unknown_answer_naming_the_field(self, site: Site) -> None:
        n = delivered(site)
        refused = answer(site.client, n, {"answer": "maybe"})
        assert refused.status_code == 422
        assert refused.json()["field"] == "answer"

    @pytest.mark.parametrize("headers", [
        {"Origin": EVIL, "Sec-Fetch-Site": "cross-site"},
        {"Origin": EVIL},
        {"Sec-Fetch-Site": "cross-site"},
    ])
    def test_refuses_an_answer_sent_by_another_sites_page(
            self, site: Site, headers: dict[str, str]) -> None:
        n = delivered(site)
        before = site.position()
        refused = answer(site.client, n, {"answer": "no"}, **headers)
        assert refused.status_code == 403 and refused.json()["field"] == "Origin"
        form = site.client.post(f"/issues/{n}/commitments/1/answer", data={"answer": "no"},
                                headers=headers)
        assert form.status_code == 403
        assert site.position() == before
        assert citizens(site, n) == {"yes": 0, "partly": 0, "no": 0}

    def test_a_form_with_one_button_per_answer_counts_once(self, site: Site) -> None:
        n = delivered(site)
        page = site.client.get(f"/issues/{n}/commitments/1/answer")
        assert page.status_code == 200
        buttons = re.findall(r'<button[^>]*name="answer" value="(\w+)"', page.text)
        assert buttons == ["yes", "partly", "no"]
        client = from_address(site, "10.0.2.1")
        first = client.post(f"/issues/{n}/commitments/1/answer", data={"answer": "partly"})
        assert first.status_code == 200 and "your answer is counted" in first.text
        second = client.post(f"/issues/{n}/commitments/1/answer", data={"answer": "no"})
        assert second.status_code == 200 and "already answered" in second.text
        assert citizens(site, n) == {"yes": 0, "partly": 1, "no": 0}
        assert "0 yes, 1 partly, 0 no" in site.client.get(f"/issues/{n}").text


class TestChallenges:
    def test_a_no_with_a_reason_is_answered_in_public_beside_it(self, site: Site) -> None:
        n = delivered(site)
        raised = answer(site.client, n, {"answer": "no",
                                         "reason": "The clinic in my borough never opened"})
        assert raised.status_code == 200, raised.text
        [challenge] = site.client.get(f"/api/v1/issues/{n}").json()["challenges"]
        assert challenge["challenge"] == 1 and challenge["response"] is None
        staff = staff_client(site.tracker, "secretariat")
        queue = staff.open("/admin/challenges").text
        assert "The clinic in my borough never opened" in queue
        action = f"/admin/issues/{n}/challenges/1/answer"
        assert action in queue
        sent = staff.send(action, answer="It opens in March; see the Board paper")
        assert sent.status_code == 200 and "/admin/challenges" in str(sent.url)
        [challenge] = site.client.get(f"/api/v1/issues/{n}").json()["challenges"]
        assert challenge["response"] == "It opens in March; see the Board paper"
        page = site.client.get(f"/issues/{n}").text
        assert "The secretariat answered" in page and "It opens in March" in page
        assert "Nothing is waiting" in staff.open("/admin/challenges").text
        history = site.client.get(f"/api/v1/issues/{n}/history").json()
        assert [e["sentence"] for e in history if e["type"] == "challenge_answered"] == [
            "The secretariat answered challenge 1: It opens in March; see the Board paper"]

    def test_a_challenge_is_answered_once(self, site: Site) -> None:
        n = delivered(site)
        answer(site.client, n, {"answer": "partly", "reason": "Only one clinic"})
        path = f"/api/v1/issues/{n}/challenges/1/answer"
        assert site.post(path, {"answer": "Yes, one"}, "secretariat").status_code == 200
        again = site.post(path, {"answer": "Again"}, "secretariat")
        assert again.status_code == 409 and again.json()["field"] == "challenge"
        missing = site.post(f"/api/v1/issues/{n}/challenges/9/answer", {"answer": "?"},
                            "secretariat")
        assert missing.status_code == 404 and missing.json()["field"] == "challenge"

    def test_a_hidden_issue_withholds_its_challenges(self, site: Site) -> None:
        n = delivered(site)
        answer(site.client, n, {"answer": "no", "reason": "Secret words of the citizen"})
        site.post(f"/api/v1/issues/{n}/commitments/1/assessments", {
            "completion": "limited", "outcome": "marginal", "reason": "Assessor words",
            "sources": ["https://example.org/hidden-source"]}, "assessor")
        hidden = site.post(f"/api/v1/issues/{n}/moderation",
                           {"action": "hide", "reason": "Names someone"}, "moderator")
        assert hidden.status_code == 200, hidden.text
        staff = staff_client(site.tracker, "secretariat")
        public = "".join(site.client.get(path).text for path in (
            f"/api/v1/issues/{n}", f"/api/v1/issues/{n}/history", f"/issues/{n}",
            "/export/events.jsonl")) + staff.open("/admin/challenges").text
        for words in ("Secret words", "Assessor words", "hidden-source"):
            assert words not in public
        site.post(f"/api/v1/issues/{n}/moderation", {"action": "restore", "reason": "Fixed"},
                  "moderator")
        assert "Secret words" in site.client.get(f"/issues/{n}").text

    def test_a_yes_or_an_answer_without_reason_is_no_challenge(self, site: Site) -> None:
        n = delivered(site)
        answer(from_address(site, "10.0.3.1"), n, {"answer": "yes", "reason": "Seen it"})
        answer(from_address(site, "10.0.3.2"), n, {"answer": "no"})
        assert site.client.get(f"/api/v1/issues/{n}").json()["challenges"] == []


class TestAssessor:
    def test_grades_delivery_beside_the_boards_word_and_names_a_disagreement(
            self, site: Site) -> None:
        n = delivered(site)
        for i in range(3):
            answer(from_address(site, f"10.0.4.{i}"), n, {"answer": "no"})
        path = f"/api/v1/issues/{n}/commitments/1/assessments"
        body = {"completion": "limited", "outcome": "marginal",
                "reason": "One of two clinics opened", "sources": ["Healthwatch report 3"]}
        written = site.post(path, body, "assessor")
        assert written.status_code == 200, written.text
        commitment = site.client.get(f"/api/v1/issues/{n}").json()["commitments"][0]
        assert commitment["assessment"]["completion"] == "limited"
        assert commitment["assessment"]["outcome"] == "marginal"
        assert commitment["disagreement"] == (
            "The Board says commitment 1 was delivered; the assessor found limited progress; "
            "3 of 3 citizens who answered say no")
        page = site.client.get(f"/issues/{n}").text
        assert "The Board says" in page and "The assessor says" in page
        assert "Citizens say" in page and "They disagree" in page
        card = site.client.get("/owners/lead").text
        assert "0 of the 1 assessed" in card and "0 of the 1 that citizens answered" in card
        later = site.post(path, {**body, "completion": "complete"}, "assessor")
        assert later.status_code == 200
        commitment = site.client.get(f"/api/v1/issues/{n}").json()["commitments"][0]
        assert commitment["assessment"]["completion"] == "complete"
        history = site.client.get(f"/api/v1/issues/{n}/history").json()
        assert len([e for e in history if e["type"] == "commitment_assessed"]) == 2

    def test_only_an_assessor_may_assess_and_an_assessor_may_only_assess(
            self, site: Site) -> None:
        n = delivered(site)
        path = f"/api/v1/issues/{n}/commitments/1/assessments"
        body = {"completion": "complete", "outcome": "major", "reason": "Seen"}
        assert site.post(path, body, "secretariat").status_code == 403
        assert site.post(path, body, "admin").status_code == 403
        refused = site.post(f"/api/v1/issues/{n}/close", {"outcome": "Done"}, "assessor")
        assert refused.status_code == 403

    def test_an_assessor_grades_through_the_staff_form(self, site: Site) -> None:
        n = delivered(site)
        assessor = staff_client(site.tracker, "assessor")
        actions = assessor.open(f"/admin/issues/{n}").text
        assert f"/admin/issues/{n}/commitments/1/assessments" in actions
        sent = assessor.send(f"/admin/issues/{n}/commitments/1/assessments",
                             completion="substantial", outcome="major",
                             reason="Most clinics open", sources="Paper 7\nPaper 8")
        assert sent.status_code == 200, sent.text[:500]
        assessment = site.client.get(f"/api/v1/issues/{n}").json()["commitments"][0][
            "assessment"]
        assert (assessment["completion"], assessment["sources"]) == (
            "substantial", ["Paper 7", "Paper 8"])

    @pytest.mark.parametrize(("change", "field"), [
        ({"completion": "finished"}, "completion"), ({"outcome": "great"}, "outcome"),
        ({"reason": ""}, "reason")])
    def test_refuses_an_unknown_grade_or_no_reason_naming_the_field(
            self, site: Site, change: dict[str, str], field: str) -> None:
        n = delivered(site)
        before = site.position()
        body = {"completion": "complete", "outcome": "major", "reason": "Seen", **change}
        refused = site.post(f"/api/v1/issues/{n}/commitments/1/assessments", body,
                            "assessor")
        assert refused.status_code == 422 and refused.json()["field"] == field
        assert site.position() == before


class TestReconvenedPanel:
    def test_scores_are_shown_on_the_assembly_and_the_issue(self, site: Site) -> None:
        first, second = site.issue("responded"), site.issue("responded")
        written = site.post("/api/v1/assemblies/leeds/reconvened", {
            "date": "2025-12-01", "statement": "Access improved; waiting times did not.",
            "scores": [{"issue": first, "score": 7}, {"issue": second, "score": 4}]},
            "secretariat")
        assert written.status_code == 200, written.text
        scores = site.client.get(f"/api/v1/issues/{first}").json()["panel_scores"]
        assert [s["score"] for s in scores] == [7]
        assert "7 out of 10" in site.client.get(f"/issues/{first}").text
        # each score is an entry on its issue's record, with its sentence
        said = "The reconvened panel of Leeds Assembly scored the Board's response 4 out of 10"
        entries = site.client.get(f"/api/v1/issues/{second}/history").json()
        assert [e["sentence"] for e in entries if e["type"] == "response_scored"] == [said]
        assert said in html.unescape(site.client.get(f"/issues/{second}").text)
        page = site.client.get("/assemblies/leeds").text
        assert "Access improved; waiting times did not." in page
        assert "No topic 5.5 (2 responses)" in page

    @pytest.mark.parametrize(("score", "status"), [(11, 422), (-1, 422)])
    def test_refuses_a_score_outside_0_to_10(self, site: Site, score: int,
                                             status: int) -> None:
        n = site.issue("responded")
        before = site.position()
        refused = site.post("/api/v1/assemblies/leeds/reconvened", {
            "date": "2025-12-01", "statement": "S", "scores": [{"issue": n, "score": score}]},
            "secretariat")
        assert refused.status_code == status
        assert refused.json()["field"] == "scores.0.score"
        assert site.position() == before

    def test_refuses_an_issue_without_a_board_response(self, site: Site) -> None:
        n = site.issue("discussed")
        refused = site.post("/api/v1/assemblies/leeds/reconvened", {
            "date": "2025-12-01", "statement": "S", "scores": [{"issue": n, "score": 5}]},
            "secretariat")
        assert refused.status_code == 409 and refused.json()["field"] == "scores"


class TestPanelForm:
    """The secretariat records a reconvened panel from the staff pages: one score box per
    issue of the assembly with a Board response."""

    def test_records_the_scores_typed(self, site: Site) -> None:
        first, second = site.issue("responded"), site.issue("responded")
        unscored = site.issue("discussed")
        staff = staff_client(site.tracker, "secretariat")
        shown = staff.open("/admin/meetings/leeds/panel").text
        assert f'name="score-{first}"' in shown and f'name="score-{second}"' in shown
        assert f'name="score-{unscored}"' not in shown
        assert "Record its scores" in staff.open("/admin/meetings").text
        done = staff.send("/admin/meetings/leeds/panel", date="1/12/2025",
                          statement="Better access", **{f"score-{first}": "8"})
        assert done.status_code == 200 and "on the public record" in done.text
        site.tracker.refresh()
        scores = site.client.get(f"/api/v1/issues/{first}").json()["panel_scores"]
        assert [(s["score"], s["held_on"]) for s in scores] == [(8, "2025-12-01")]
        assert site.client.get(f"/api/v1/issues/{second}").json()["panel_scores"] == []
        assert "Better access" in site.client.get("/assemblies/leeds").text

    @pytest.mark.parametrize(("fields", "shown"), [
        ({"score-N": "11"}, "enter a whole number from 0 to 10"),
        ({"score-N": "x"}, "enter a whole number from 0 to 10"),
        ({}, "Enter the panel&#39;s score of at least one Board response"),
        ({"score-N": "5", "date": "31/2/2025"}, "Enter the date the panel met"),
        ({"score-N": "5", "statement": ""}, 'id="error-statement"'),
    ])
    def test_refuses_what_is_wrong_and_records_nothing(
            self, site: Site, fields: dict[str, str], shown: str) -> None:
        n = site.issue("responded")
        staff = staff_client(site.tracker, "secretariat")
        sent = {"date": "1/12/2025", "statement": "S",
                **{k.replace("N", str(n)): v for k, v in fields.items()}}
        before = staff.position()
        refused = staff.send("/admin/meetings/leeds/panel", **sent)
        assert refused.status_code == 422
        assert shown.lower() in refused.text.lower()
        assert staff.position() == before

    def test_only_the_secretariat_and_admins(self, site: Site) -> None:
        moderator = staff_client(site.tracker, "moderator")
        assert moderator.client.get("/admin/meetings/leeds/panel").status_code == 403
