"""A revised response requested through the API and the staff form: the Board then owes a
new response, on SQLite and on PostgreSQL."""

from __future__ import annotations

from tests.e2e.staff import staff_client
from tests.e2e.writes import Site


class TestRequestRevisedResponse:
    def test_the_board_then_owes_a_new_response(self, site: Site) -> None:
        n = site.issue("responded")
        answer = site.post(f"/api/v1/issues/{n}/revised-response-request",
                           {"reason": "It does not say when the clinics open"}, "secretariat")
        assert answer.status_code == 200, answer.text
        assert answer.headers["etag"] == f'"{answer.json()["version"]}"'
        issue = site.client.get(f"/api/v1/issues/{n}").json()
        assert issue["stage"] == "discussed"
        assert issue["verdict"].startswith("The Board was asked for a revised response on ")
        [entry] = [e for e in site.client.get(f"/api/v1/issues/{n}/history").json()
                   if e["type"] == "revised_response_requested"]
        assert entry["sentence"] == ("The Board was asked for a revised response: It does "
                                     "not say when the clinics open")
        assert entry["fields"]["reason"] == "It does not say when the clinics open"
        refused = site.post(f"/api/v1/issues/{n}/commitments",
                            {"text": "Act", "owner": "lead", "due": "2026-12-31",
                             "measure": "Seen"}, "secretariat")
        assert refused.status_code == 409, refused.text
        again = site.post(f"/api/v1/issues/{n}/response",
                          {"decision": "commit", "summary": "Clinics open in May",
                           "lead": "lead"}, "secretariat")
        assert again.status_code == 200, again.text
        assert site.client.get(f"/api/v1/issues/{n}").json()["stage"] == "responded"

    def test_refuses_an_issue_without_a_board_response_naming_the_field(
            self, site: Site) -> None:
        n = site.issue("discussed")
        before = site.position()
        answer = site.post(f"/api/v1/issues/{n}/revised-response-request",
                           {"reason": "Too vague"}, "secretariat")
        assert answer.status_code == 409, answer.text
        assert answer.json()["field"] == "reason"
        assert "no Board response" in answer.json()["detail"]
        assert site.position() == before

    def test_refuses_a_request_without_a_reason(self, site: Site) -> None:
        n = site.issue("responded")
        before = site.position()
        answer = site.post(f"/api/v1/issues/{n}/revised-response-request", {}, "secretariat")
        assert answer.status_code == 422, answer.text
        assert answer.json()["field"] == "reason"
        assert site.position() == before

    def test_refuses_a_moderator(self, site: Site) -> None:
        n = site.issue("responded")
        answer = site.post(f"/api/v1/issues/{n}/revised-response-request",
                           {"reason": "Too vague"}, "moderator")
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"] == "NotPermitted"

    def test_the_staff_form_records_it_and_shows_a_refusal_by_its_field(
            self, site: Site) -> None:
        staff = staff_client(site.tracker, "secretariat")
        early = site.issue("discussed")
        refused = staff.send(f"/admin/issues/{early}/revised-response-request",
                             reason="Too vague")
        assert refused.status_code == 409
        assert "no Board response to revise" in refused.text
        n = site.issue("responded")
        done = staff.send(f"/admin/issues/{n}/revised-response-request", reason="Too vague")
        assert done.status_code == 200 and "Recorded" in done.text
