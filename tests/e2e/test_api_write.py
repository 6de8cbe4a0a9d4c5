"""The JSON write API: every (endpoint, role) pair, and every way a request is refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import Clock
from tracker.bootstrap import Tracker, bootstrap
from tracker.config import load_settings
from tracker.demo import load_demo
from tracker.permissions import PERMISSIONS
from tracker.web.app import create_app

ROLES = ("anonymous", "secretariat", "moderator", "admin")

# Every staff endpoint, the command behind it, and a request that is valid as JSON.
ENDPOINTS: list[tuple[str, str, dict[str, Any]]] = [
    ("/api/v1/topics", "create_topic", {"slug": "new-topic-{role}", "name": "New"}),
    ("/api/v1/owners", "create_owner", {"slug": "new-owner-{role}", "name": "New"}),
    ("/api/v1/assemblies", "create_assembly",
     {"slug": "leeds-{role}", "title": "Leeds", "date": "2015-03-01"}),
    ("/api/v1/issues/12/topic", "assign_topic", {"topic": "self-care"}),
    ("/api/v1/issues/12/schedule", "schedule_issue", {"assembly": "london-2014"}),
    ("/api/v1/issues/9/presentation", "record_presentation", {}),
    ("/api/v1/issues/9/discussion", "record_discussion",
     {"assembly": "london-2014", "summary": "Talked"}),
    ("/api/v1/issues/8/response", "record_response",
     {"decision": "decline", "summary": "Not now"}),
    ("/api/v1/issues/15/commitments", "make_commitment",
     {"text": "More", "owner": "chief-executive", "due": "2031-01-01", "measure": "Done"}),
    ("/api/v1/issues/2/commitments/2/updates", "record_progress",
     {"status": "at_risk", "note": "Slow"}),
    ("/api/v1/issues/7/referral-answer", "answer_referral", {"answer": "Answered"}),
    ("/api/v1/issues/14/reopen", "reopen_issue", {"reason": "New facts"}),
    ("/api/v1/issues/14/close", "close_issue", {"outcome": "Done"}),
    ("/api/v1/issues/1/corrections", "correct_entry",
     {"entry": 1, "reason": "Typo", "correction": "Fixed"}),
    ("/api/v1/issues/6/moderation", "hide_issue", {"action": "hide", "reason": "Spam"}),
    ("/api/v1/issues/6/moderation", "restore_issue", {"action": "restore", "reason": "Fine"}),
    ("/api/v1/issues/12/merge", "merge_issue", {"into": 1, "reason": "Duplicate"}),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Tracker,
                                                                      dict[str, str]]]:
    data: Path = tmp_path_factory.mktemp("write") / "data"
    tracker = bootstrap(load_settings(data_dir=data, rate_submit="1000/minute",
                                      rate_support="1000/minute"), clock=Clock(date(2026, 1, 1)))
    load_demo(tracker)
    tokens = {role: tracker.accounts.add(f"{role} desk", role)[1]
              for role in ROLES if role != "anonymous"}
    with TestClient(create_app(tracker, poll=False)) as client:
        yield client, tracker, tokens
    tracker.close()


def position(tracker: Tracker) -> int:
    return tracker.app.recorder.max_notification_id() or 0


def headers(tokens: dict[str, str], role: str) -> dict[str, str]:
    return {} if role == "anonymous" else {"Authorization": f"Bearer {tokens[role]}"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("address", "command", "body"), ENDPOINTS,
                         ids=[f"{c}" for _, c, _ in ENDPOINTS])
def test_every_endpoint_and_role(site: Any, address: str, command: str,
                                 body: dict[str, Any], role: str) -> None:
    client, tracker, tokens = site
    payload = {k: v.format(role=role) if isinstance(v, str) else v for k, v in body.items()}
    before = position(tracker)
    response = client.post(address, json=payload, headers=headers(tokens, role))
    if role == "anonymous":
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
    elif role not in PERMISSIONS[command]:
        assert response.status_code == 403, response.text
    else:
        # Allowed: the command ran, or the domain refused it for the issue's state (never
        # for the role).
        assert response.status_code not in (401, 403), response.text
        if response.status_code in (200, 201):
            assert position(tracker) > before
            return
    assert position(tracker) == before


def test_the_matrix_covers_every_command_in_the_authorisation_table() -> None:
    covered = {command for _, command, _ in ENDPOINTS} | {"submit_issue", "support_issue",
                                                          "deliver_commitment",
                                                          "drop_commitment", "move_due_date"}
    assert covered == set(PERMISSIONS)


class TestCitizens:
    def test_submit_returns_the_number_at_once(self, site: Any) -> None:
        client, _, _ = site
        response = client.post("/api/v1/issues", json={"title": "Benches in the park"})
        assert response.status_code == 201
        number = response.json()["number"]
        assert response.json()["url"].endswith(f"/issues/{number}")
        assert client.get(f"/api/v1/issues/{number}").json()["title"] == "Benches in the park"

    def test_contact_details_stay_private(self, site: Any) -> None:
        client, tracker, _ = site
        response = client.post("/api/v1/issues", json={
            "title": "Private contact", "contact_name": "Ada Lovelace",
            "contact_email": "ada@example.org"})
        number = response.json()["number"]
        assert tracker.contacts.count_for("ada@example.org") == 1
        public = (client.get(f"/api/v1/issues/{number}").text +
                  client.get(f"/api/v1/issues/{number}/history").text +
                  client.get(f"/issues/{number}").text + client.get("/export/events.jsonl").text)
        assert "ada@example.org" not in public and "Ada Lovelace" not in public
        stored = b"".join(n.state for n in tracker.app.recorder.select_notifications(1, 100000))
        assert b"ada@example.org" not in stored

    def test_a_filled_honeypot_is_refused_and_nothing_is_stored(self, site: Any) -> None:
        client, tracker, _ = site
        before = position(tracker)
        response = client.post("/api/v1/issues", json={"title": "Buy now",
                                                       "website": "http://spam"})
        assert response.status_code == 422 and response.json()["field"] == "website"
        assert position(tracker) == before

    def test_a_supporter_counts_once(self, site: Any) -> None:
        client, _, _ = site
        first = client.post("/api/v1/issues/15/support")
        assert first.status_code in (200, 409)
        again = client.post("/api/v1/issues/15/support")
        assert again.status_code == 409
        assert again.json()["error"] == "AlreadySupported"


class TestRefusals:
    @pytest.mark.parametrize(("body", "field"), [
        ({}, "title"), ({"title": ""}, "title"), ({"title": "x" * 201}, "title"),
        ({"title": "ok", "description": "x" * 10_001}, "description"),
        ({"title": "ok", "contact_email": "not-an-address"}, "contact_email"),
        ({"title": "ok", "surprise": 1}, "surprise"),
    ])
    def test_invalid_fields_are_422s_naming_the_field(self, site: Any, body: dict[str, Any],
                                                      field: str) -> None:
        client, tracker, _ = site
        before = position(tracker)
        response = client.post("/api/v1/issues", json=body)
        assert response.status_code == 422
        assert response.json()["field"] == field
        assert position(tracker) == before

    def test_a_domain_rule_names_its_field(self, site: Any) -> None:
        client, _, tokens = site
        response = client.post("/api/v1/issues/2/commitments/2/updates",
                               json={"status": "delivered", "note": "Done"},
                               headers=headers(tokens, "secretariat"))
        assert response.status_code == 422
        assert response.json()["field"] == "evidence"

    def test_too_large_a_body_is_413(self, site: Any) -> None:
        client, tracker, _ = site
        before = position(tracker)
        response = client.post("/api/v1/issues", content=b'{"title": "' + b"x" * 70_000 + b'"}',
                               headers={"Content-Type": "application/json"})
        assert response.status_code == 413
        assert position(tracker) == before

    def test_an_unknown_issue_is_404(self, site: Any) -> None:
        client, _, tokens = site
        response = client.post("/api/v1/issues/999/topic", json={"topic": "self-care"},
                               headers=headers(tokens, "secretariat"))
        assert response.status_code == 404

    @pytest.mark.parametrize("authorization", ["Bearer nonsense", "Basic abc", "Bearer "])
    def test_a_wrong_token_is_401(self, site: Any, authorization: str) -> None:
        client, tracker, _ = site
        before = position(tracker)
        response = client.post("/api/v1/topics", json={"slug": "x", "name": "X"},
                               headers={"Authorization": authorization})
        assert response.status_code == 401
        assert position(tracker) == before

    def test_a_stale_if_match_is_412_and_changes_nothing(self, site: Any) -> None:
        client, tracker, tokens = site
        version = client.get("/api/v1/issues/3").json()["version"]
        before = position(tracker)
        response = client.post("/api/v1/issues/3/commitments/1/updates",
                               json={"status": "delayed", "note": "Late"},
                               headers={**headers(tokens, "secretariat"),
                                        "If-Match": f'"{version - 1}"'})
        assert response.status_code == 412 and response.json()["field"] == "version"
        assert position(tracker) == before
        current = client.post("/api/v1/issues/3/commitments/1/updates",
                              json={"status": "delayed", "note": "Late"},
                              headers={**headers(tokens, "secretariat"),
                                       "If-Match": f'"{version}"'})
        assert current.status_code == 200
        assert current.headers["etag"] == f'"{version + 1}"'

    def test_a_malformed_if_match_is_400(self, site: Any) -> None:
        client, _, tokens = site
        response = client.post("/api/v1/issues/3/close", json={"outcome": "x"},
                               headers={**headers(tokens, "secretariat"), "If-Match": "soon"})
        assert response.status_code == 400 and response.json()["field"] == "If-Match"


def test_rate_limits_answer_429_with_retry_after(tracker: Tracker) -> None:
    tracker.settings.__dict__["rate_submit"] = "2/minute"
    with TestClient(create_app(tracker, poll=False)) as client:
        codes = [client.post("/api/v1/issues", json={"title": f"Issue {i}"}).status_code
                 for i in range(3)]
        assert codes == [201, 201, 429]
        refused = client.post("/api/v1/issues", json={"title": "Again"})
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert tracker.app.last_issue_number() == 2


def test_a_whole_story_through_the_api(site: Any) -> None:
    client, _, tokens = site
    staff = headers(tokens, "secretariat")
    number = client.post("/api/v1/issues", json={"title": "Story issue"}).json()["number"]
    for address, body in [
        ("topic", {"topic": "access-to-services"}),
        ("schedule", {"assembly": "london-2014"}),
        ("discussion", {"assembly": "london-2014", "summary": "Discussed"}),
        ("response", {"decision": "commit", "summary": "Yes", "lead": "chief-executive"}),
        ("commitments", {"text": "Fix it", "owner": "chief-executive", "due": "2026-06-01",
                         "measure": "Fixed"}),
        ("commitments/1/updates", {"new_due": "2026-09-01", "reason": "Supplier"}),
        ("commitments/1/updates", {"status": "delivered", "note": "Done",
                                   "evidence_url": "https://example.org/done"}),
    ]:
        response = client.post(f"/api/v1/issues/{number}/{address}", json=body, headers=staff)
        assert response.status_code in (200, 201), (address, response.text)
    issue = client.get(f"/api/v1/issues/{number}").json()
    assert issue["verdict"] == "Yes: 1 of 1 commitment delivered"
    assert issue["commitments"][0]["due"] == "2026-09-01"
