"""The Board's response, graded and on a clock, through the real app: the API takes a grade
(or part one's decision), refuses bad input naming the field with nothing stored, and shows
the response, its clock and the plain verdict in JSON, history and the issue's page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.writes import Site
from tests.helpers import CITIZEN, SECRETARIAT


def respond(site: Site, n: int, **body: Any) -> Any:
    return site.post(f"/api/v1/issues/{n}/response", {"summary": "The Board's answer", **body},
                     "secretariat")


class TestGradedResponse:
    def test_a_noted_response_promises_nothing_and_says_so(self, site: Site) -> None:
        n = site.issue("discussed")
        answer = respond(site, n, grade="noted")
        assert answer.status_code == 200, answer.text
        issue = site.client.get(f"/api/v1/issues/{n}").json()
        assert issue["verdict"] == "The Board noted this but promised nothing"
        assert issue["response"]["grade"] == "noted"
        assert issue["response"]["promised"] is False
        assert issue["response"]["due"] is None
        [entry] = [e for e in site.client.get(f"/api/v1/issues/{n}/history").json()
                   if e["type"] == "board_responded"]
        assert entry["sentence"] == ("The Board noted this but promised nothing: "
                                     "The Board's answer")
        assert entry["fields"]["grade"] == "noted"
        page = site.client.get(f"/issues/{n}")
        assert "The Board noted this but promised nothing" in page.text
        refused = site.post(f"/api/v1/issues/{n}/commitments",
                            {"text": "Act", "owner": "lead", "due": "2026-12-31",
                             "measure": "Seen"}, "secretariat")
        assert refused.status_code == 422, refused.text
        assert "promised nothing" in refused.json()["detail"]

    def test_a_rejection_shows_its_reason(self, site: Site) -> None:
        n = site.issue("discussed")
        assert respond(site, n, grade="rejected", reason="No money").status_code == 200
        issue = site.client.get(f"/api/v1/issues/{n}").json()
        assert (issue["stage"], issue["verdict"]) == (
            "not_taken_forward", "The Board rejected this: No money")
        assert issue["response"]["reason"] == "No money"

    def test_accepted_in_part_leads_to_commitments(self, site: Site) -> None:
        n = site.issue("discussed")
        assert respond(site, n, grade="accepted_in_part", lead="lead").status_code == 200
        made = site.post(f"/api/v1/issues/{n}/commitments",
                         {"text": "Act", "owner": "lead", "due": "2026-12-31",
                          "measure": "Seen"}, "secretariat")
        assert made.status_code == 201, made.text
        assert site.client.get(f"/api/v1/issues/{n}").json()["response"]["promised"] is True

    def test_part_one_decision_is_still_taken(self, site: Site) -> None:
        n = site.issue("discussed")
        answer = respond(site, n, decision="refer", referred_to="Healthwatch England")
        assert answer.status_code == 200, answer.text
        issue = site.client.get(f"/api/v1/issues/{n}").json()
        assert issue["response"]["grade"] == "referred"
        assert issue["verdict"].startswith("Referred to Healthwatch England on ")
        assert "no answer yet" in issue["verdict"]


class TestRefusals:
    @pytest.mark.parametrize("body, field", [
        ({"grade": "maybe"}, "grade"),
        ({"grade": "rejected"}, "reason"),
        ({"grade": "referred"}, "referred_to"),
        ({"grade": "accepted"}, "lead"),
        ({"grade": "noted", "decision": "commit"}, "decision"),
        ({}, "grade"),
    ])
    def test_refuses_bad_input_naming_the_field_and_stores_nothing(
            self, site: Site, body: dict[str, str], field: str) -> None:
        n = site.issue("discussed")
        before = site.position()
        answer = respond(site, n, **body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["field"] == field
        assert site.position() == before


    @pytest.mark.parametrize("grade, extra", [
        ("noted", {}), ("accepted_in_principle", {}), ("rejected", {"reason": "No money"}),
        ("referred", {"referred_to": "Healthwatch England"}),
    ])
    def test_refuses_commitments_after_a_grade_that_allows_none_naming_the_grade(
            self, site: Site, grade: str, extra: dict[str, str]) -> None:
        n = site.issue("discussed")
        assert respond(site, n, grade=grade, **extra).status_code == 200
        version = site.client.get(f"/api/v1/issues/{n}").json()["version"]
        before = site.position()
        refused = site.post(f"/api/v1/issues/{n}/commitments",
                            {"text": "Act", "owner": "lead", "due": "2026-12-31",
                             "measure": "Seen"}, "secretariat")
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == "grade"
        assert f"graded {grade}" in refused.json()["detail"]
        assert site.position() == before
        issue = site.client.get(f"/api/v1/issues/{n}").json()
        assert issue["version"] == version
        assert issue["commitments"] == []


class TestResponseClock:
    def test_a_discussed_issue_shows_its_response_overdue(self, site: Site) -> None:
        n = site.issue("discussed")  # at an assembly held on 1 March 2015
        issue = site.client.get(f"/api/v1/issues/{n}").json()
        assert issue["response"]["grade"] is None
        assert issue["response"]["due"] == "2015-05-30"
        assert issue["response"]["overdue"] is True
        assert issue["verdict"].startswith("No Board response yet: discussed ")
        assert ", overdue by " in issue["verdict"]

    def test_no_response_is_owed_before_a_discussion(self, site: Site) -> None:
        n = site.issue("scheduled")
        assert site.client.get(f"/api/v1/issues/{n}").json()["response"] is None


    def test_an_overdue_response_is_one_entry_in_the_overdue_feed(self, site: Site) -> None:
        n = site.issue("discussed")
        for _ in range(2):  # however often it is read, one entry with one id
            items = site.client.get("/commitments/overdue.json").json()["items"]
            [owed] = [i for i in items if i["title"].startswith(f"Issue {n}, ")]
            assert owed["title"].endswith(": the Board response is overdue (due 30 May 2015)")
            assert owed["id"].endswith(f"issues/{n}/response/overdue/2015-05-30")
        assert respond(site, n, grade="noted").status_code == 200
        items = site.client.get("/commitments/overdue.json").json()["items"]
        assert not [i for i in items if i["title"].startswith(f"Issue {n}, ")]

class TestSupportThreshold:
    def test_an_issue_reaching_the_threshold_is_owed_a_response_undiscussed(
            self, site: Site) -> None:
        site.tracker.app.response_threshold = 2
        n = site.issue("submitted")
        for supporter in ("one", "two", "three"):
            site.tracker.app.support_issue(n, supporter, CITIZEN)
        site.tracker.refresh()
        issue = site.client.get(f"/api/v1/issues/{n}").json()
        assert issue["response"]["grade"] is None
        assert issue["response"]["owed_by_support_since"] is not None
        assert issue["verdict"].startswith("Reached the support threshold on ")
        owed = [e for e in site.client.get(f"/api/v1/issues/{n}/history").json()
                if e["type"] == "response_owed"]
        assert [e["sentence"] for e in owed] == [
            "2 people support this: the Board now owes it a response"]
        page = site.client.get(f"/issues/{n}").text
        assert "Owed because 3 people support it" in page



class TestReferralToAnExternalBody:
    def test_a_referral_may_name_an_external_owner_who_then_follows_it(
            self, site: Site) -> None:
        made = site.post("/api/v1/owners", {"slug": "local-healthwatch",
                                            "name": "Local Healthwatch",
                                            "kind": "external"}, "secretariat")
        assert made.status_code == 201, made.text
        n = site.issue("discussed")
        assert respond(site, n, grade="referred",
                       referred_to="local-healthwatch").status_code == 200
        issue = site.client.get(f"/api/v1/issues/{n}").json()
        assert issue["response"]["referred_to"] == "Local Healthwatch"
        assert issue["response"]["lead"] == "local-healthwatch"
        assert issue["response"]["referral_due"] is not None
        assert "External body" in site.client.get("/owners/local-healthwatch").text
        answered = site.post(f"/api/v1/issues/{n}/referral-answer",
                             {"answer": "We will gather local evidence"}, "secretariat")
        assert answered.status_code == 200, answered.text
        issue = site.client.get(f"/api/v1/issues/{n}").json()
        assert "who answered on" in issue["verdict"]
        assert issue["response"]["referral_due"] is None

    def test_refuses_a_referral_to_an_owner_inside_the_board(self, site: Site) -> None:
        n = site.issue("discussed")
        before = site.position()
        answer = respond(site, n, grade="referred", referred_to="lead")
        assert answer.status_code == 422, answer.text
        assert answer.json()["field"] == "referred_to"
        assert site.position() == before


class TestReportCard:
    def test_an_assembly_s_report_card_counts_grades_timeliness_and_promises(
            self, site: Site) -> None:
        noted, accepted, owed = (site.issue("discussed") for _ in range(3))
        assert respond(site, noted, grade="noted").status_code == 200
        assert respond(site, accepted, grade="accepted", lead="lead").status_code == 200
        card = site.client.get("/api/v1/assemblies/leeds/report-card").json()
        assert card["discussed"] == 3
        assert card["grades"] == {"accepted": 1, "accepted_in_part": 0,
                                  "accepted_in_principle": 0, "noted": 1, "rejected": 0,
                                  "referred": 0}
        assert (card["promised"], card["owed"], card["owed_overdue"]) == (1, 1, 1)
        assert card["on_time"] + card["late"] == 2
        csv_lines = site.client.get("/assemblies/leeds/report-card.csv").text.splitlines()
        assert csv_lines[0] == "assembly,key,figure,count"
        assert "leeds,noted,Graded noted,1" in csv_lines
        page = site.client.get("/assemblies/leeds/report-card")
        assert page.status_code == 200
        assert "Graded accepted in principle" in page.text
        assert site.client.get("/api/v1/assemblies/nowhere/report-card").status_code == 404
        assert owed  # discussed, with no response: counted as owed


class TestCalendars:
    def test_a_response_owed_is_on_the_issue_s_calendar_until_it_comes(self, site: Site) -> None:
        n = site.issue("discussed")
        ics = site.client.get(f"/issues/{n}/calendar.ics").text
        assert f"UID:issue-{n}-response-2015-05-30@" in ics
        assert f"SUMMARY:Due: Board response to issue {n}" in ics
        assert respond(site, n, grade="noted").status_code == 200
        assert "response-2015-05-30" not in site.client.get(f"/issues/{n}/calendar.ics").text

    def test_an_assembly_may_set_its_own_response_date(self, site: Site) -> None:
        made = site.post("/api/v1/assemblies", {"slug": "york", "title": "York Assembly",
                                                "date": "2015-03-01",
                                                "response_due": "2015-09-01"}, "secretariat")
        assert made.status_code == 201, made.text
        n = site.issue("submitted")
        app = site.tracker.app
        app.schedule_issue(n, "york", None, SECRETARIAT)
        app.record_discussion(n, "york", "Talked", [], [],
                              SECRETARIAT)
        site.tracker.refresh()
        assert site.client.get(f"/api/v1/issues/{n}").json()["response"]["due"] == "2015-09-01"
