"""Every (endpoint, role) pair gets exactly what the authorisation table says.

The expectations come from tracker.permissions.PERMISSIONS, and the endpoints from the
app's own routes, so neither the table nor the routes can change without these tests
following (or failing on a command that has no scenario).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.writes import Site, build, open_site
from tracker.domain.values import Role
from tracker.permissions import PERMISSIONS

# "owner" owns every commitment the scenarios update; "other-owner" owns none of them.
ROLES = ("anonymous", "secretariat", "moderator", "admin", "assessor", "owner", "other-owner")

# Which commands each write endpoint runs (several where the body chooses the command).
ENDPOINTS: dict[str, set[str]] = {
    "/api/v1/issues": {"submit_issue"},
    "/api/v1/issues/{number}/support": {"support_issue"},
    "/api/v1/topics": {"create_topic"},
    "/api/v1/owners": {"create_owner"},
    "/api/v1/assemblies": {"create_assembly"},
    "/api/v1/issues/{number}/topic": {"assign_topic"},
    "/api/v1/issues/{number}/schedule": {"schedule_issue"},
    "/api/v1/issues/{number}/presentation": {"record_presentation"},
    "/api/v1/issues/{number}/discussion": {"record_discussion"},
    "/api/v1/issues/{number}/response": {"record_response"},
    "/api/v1/issues/{number}/revised-response-request": {"request_revised_response"},
    "/api/v1/issues/{number}/commitments": {"make_commitment"},
    "/api/v1/issues/{number}/commitments/{commitment}/updates": {
        "record_progress", "move_due_date", "deliver_commitment", "drop_commitment"},
    "/api/v1/issues/{number}/referral-answer": {"answer_referral"},
    "/api/v1/issues/{number}/close": {"close_issue"},
    "/api/v1/issues/{number}/reopen": {"reopen_issue"},
    "/api/v1/issues/{number}/merge": {"merge_issue"},
    "/api/v1/issues/{number}/moderation": {"hide_issue", "restore_issue"},
    "/api/v1/issues/{number}/corrections": {"correct_entry"},
    "/api/v1/issues/{number}/commitments/{commitment}/citizen-answers": {"answer_delivery"},
    "/api/v1/issues/{number}/challenges/{challenge}/answer": {"answer_challenge"},
    "/api/v1/issues/{number}/commitments/{commitment}/assessments": {"assess_commitment"},
    "/api/v1/assemblies/{slug}/reconvened": {"reconvene_assembly"},
    "/api/v1/issues/{number}/commitments/{commitment}/amendments": {"amend_commitment"},
}

Call = tuple[str, dict[str, Any] | None]


def _scenarios() -> dict[str, Callable[[Site, str], Call]]:
    """For each command: set up what it needs, and the request that should run it."""
    def on(stage: str, tail: str, body: dict[str, Any] | None) -> Callable[[Site, str], Call]:
        return lambda site, role: (f"/api/v1/issues/{site.issue(stage)}/{tail}", body)

    updates = "commitments/1/updates"
    return {
        "submit_issue": lambda site, role: ("/api/v1/issues", {"title": f"Raised by {role}"}),
        "support_issue": on("submitted", "support", {}),
        "create_topic": lambda site, role: ("/api/v1/topics",
                                            {"slug": f"topic-{role}", "name": "A topic"}),
        "create_owner": lambda site, role: ("/api/v1/owners",
                                            {"slug": f"owner-{role}", "name": "An owner"}),
        "create_assembly": lambda site, role: (
            "/api/v1/assemblies", {"slug": f"york-{role}", "title": "York", "date": "2015-05-01"}),
        "assign_topic": on("submitted", "topic", {"topic": "access"}),
        "schedule_issue": on("submitted", "schedule", {"assembly": "leeds"}),
        "record_presentation": on("scheduled", "presentation", {"presenter": "A carer"}),
        "record_discussion": on("scheduled", "discussion",
                                {"assembly": "leeds", "summary": "Talked it through"}),
        "record_response": on("discussed", "response",
                              {"grade": "rejected", "summary": "Not this year",
                               "reason": "No money this year"}),
        "request_revised_response": on("responded", "revised-response-request",
                                       {"reason": "It does not answer the question"}),
        "make_commitment": on("responded", "commitments",
                              {"text": "Act", "owner": "lead", "due": "2026-12-31",
                               "measure": "Seen"}),
        "record_progress": on("committed", updates, {"status": "on_track", "note": "Fine"}),
        "move_due_date": on("committed", updates, {"new_due": "2026-09-01", "reason": "Late"}),
        "deliver_commitment": on("committed", updates,
                                 {"status": "delivered", "evidence_url": "Paper 15/06"}),
        "drop_commitment": on("committed", updates, {"status": "dropped", "reason": "No money"}),
        "answer_referral": on("referred", "referral-answer", {"answer": "They will look"}),
        "close_issue": on("submitted", "close", {"outcome": "Nothing more to do"}),
        "reopen_issue": on("closed", "reopen", {"reason": "New facts"}),
        "merge_issue": lambda site, role: (
            f"/api/v1/issues/{site.issue()}/merge", {"into": site.issue(), "reason": "Same"}),
        "hide_issue": on("submitted", "moderation", {"action": "hide", "reason": "Abuse"}),
        "restore_issue": on("hidden", "moderation", {"action": "restore", "reason": "Fine"}),
        "correct_entry": on("submitted", "corrections",
                            {"entry": 1, "reason": "Typo", "correction": "Issue set up"}),
        "answer_delivery": on("delivered", "commitments/1/citizen-answers",
                              {"answer": "partly"}),
        "answer_challenge": on("challenged", "challenges/1/answer",
                               {"answer": "It opened in May"}),
        "assess_commitment": on("delivered", "commitments/1/assessments",
                                {"completion": "substantial", "outcome": "major",
                                 "reason": "Seen", "sources": ["Paper 15/06"]}),
        "reconvene_assembly": lambda site, role: (
            "/api/v1/assemblies/leeds/reconvened",
            {"date": "2025-12-01", "statement": "Better",
             "scores": [{"issue": site.issue("responded"), "score": 6}]}),
        "amend_commitment": on("committed", "commitments/1/amendments",
                               {"field": "measure", "value": "Seen by all",
                                "reason": "Clearer"}),
    }


SCENARIOS = _scenarios()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data: Path = tmp_path_factory.mktemp("matrix") / "data"
    tracker = build(data)
    with open_site(tracker) as site:
        yield site
    tracker.close()


def role_of(name: str) -> Role:
    if name == "other-owner":
        return Role.OWNER
    return Role.CITIZEN if name == "anonymous" else Role(name)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("command", sorted(PERMISSIONS))
def test_each_role_gets_what_the_table_says(site: Site, command: str, role: str) -> None:
    path, body = SCENARIOS[command](site, role)
    before = site.position()
    response = site.post(path, body, role)
    if role_of(role) in PERMISSIONS[command] and role != "other-owner":
        assert response.status_code in (200, 201), response.text
        written = response.json()
        assert written["position"] == site.position() > before
        if "number" in written:
            # Read-your-writes: the next read already shows the new version.
            issue = site.client.get(f"/api/v1/issues/{written['number']}").json()
            assert issue["version"] == written["version"]
            assert response.headers["etag"] == f'"{written["version"]}"'
    elif role == "anonymous":
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"] == "Bearer"
    else:
        assert response.status_code == 403, response.text
        assert response.json()["error"] == "NotPermitted"
        if role == "other-owner" and role_of(role) in PERMISSIONS[command]:
            # Refused for whose commitment it is, not for the role.
            assert "owner 'lead'" in response.json()["detail"], response.text
    if response.status_code >= 400:
        assert site.position() == before


def test_every_write_route_is_in_the_matrix(site: Site) -> None:
    paths = site.client.get("/openapi.json").json()["paths"]
    assert {path for path, operations in paths.items() if "post" in operations} == set(ENDPOINTS)


def test_every_command_in_the_table_has_an_endpoint_and_a_scenario() -> None:
    assert set().union(*ENDPOINTS.values()) == set(PERMISSIONS) == set(SCENARIOS)


@pytest.mark.parametrize("command", sorted(PERMISSIONS))
def test_each_scenario_calls_its_own_endpoint(site: Site, command: str) -> None:
    path, _ = SCENARIOS[command](site, "admin")
    matching = [template for template, commands in ENDPOINTS.items()
                if re.fullmatch(re.sub(r"\{\w+\}", r"[\\w-]+", template), path)]
    assert matching and command in ENDPOINTS[matching[0]]
