"""Every way a write is refused: the answer names the field, and nothing is stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.writes import Site, build, open_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data: Path = tmp_path_factory.mktemp("refusals") / "data"
    tracker = build(data)
    with open_site(tracker) as site:
        yield site
    tracker.close()


@pytest.fixture
def unchanged(site: Site) -> Iterator[None]:
    """The test's requests must leave the event store exactly as it was."""
    site.issue("committed")  # something for them to aim at, set up before counting
    before = site.position()
    yield
    assert site.position() == before


def last(site: Site) -> int:
    return site.tracker.app.last_issue_number()


class TestInvalidFields:
    @pytest.mark.parametrize(("tail", "body", "field"), [
        ("", {}, "title"),
        ("", {"title": ""}, "title"),
        ("", {"title": "   "}, "title"),
        ("", {"title": "x" * 201}, "title"),
        ("", {"title": "ok", "description": "x" * 10_001}, "description"),
        ("", {"title": "ok", "contact_email": "not-an-address"}, "contact_email"),
        ("", {"title": "ok", "surprise": 1}, "surprise"),
        ("", {"title": 7}, "title"),
        ("", {"title": {"$ne": ""}}, "title"),
        ("/{n}/topic", {"topic": "Mental Health"}, "topic"),
        ("/{n}/topic", {"topic": "access", "occurred_on": "2999-01-01"}, "occurred_on"),
        ("/{n}/topic", {"topic": "access", "occurred_on": "yesterday"}, "occurred_on"),
        ("/{n}/topic", {"topic": "access", "occurred_on": "1999-01-01"}, "occurred_on"),
        ("/{n}/schedule", {"presenter": "A carer"}, "assembly"),
        ("/{n}/discussion", {"assembly": "leeds"}, "summary"),
        ("/{n}/discussion", {"assembly": "leeds", "summary": "s", "key_questions": ["q" * 301]},
         "key_questions.0"),
        ("/{n}/discussion", {"assembly": "leeds", "summary": "s", "proposals": ["p"] * 51},
         "proposals"),
        ("/{n}/discussion", {"assembly": "leeds", "summary": "s", "key_questions": "q"},
         "key_questions"),
        ("/{n}/response", {"decision": "maybe", "summary": "s"}, "decision"),
        ("/{n}/response", {"decision": "refer", "summary": "s"}, "referred_to"),
        ("/{n}/commitments", {"text": "t", "owner": "lead", "due": "31/12/2026",
                              "measure": "m"}, "due"),
        ("/{n}/commitments", {"text": "t", "owner": "lead", "due": "2020-01-01",
                              "measure": "m"}, "due"),
        ("/{n}/commitments/1/updates", {"status": "delivered", "note": "Done"},
         "evidence_url"),
        ("/{n}/commitments/1/updates", {"status": "delivered",
                                        "evidence_url": "javascript:alert(1)"}, "evidence_url"),
        ("/{n}/commitments/1/updates", {"status": "dropped", "note": "No money"}, "note"),
        ("/{n}/commitments/1/updates", {"status": "dropped"}, "reason"),
        ("/{n}/commitments/1/updates", {"new_due": "2026-09-01"}, "reason"),
        ("/{n}/commitments/1/updates", {"new_due": "2026-09-01", "status": "on_track",
                                        "reason": "r"}, "status"),
        ("/{n}/commitments/1/updates", {"note": "Just a note"}, "status"),
        ("/{n}/commitments/1/updates", {"status": "on_track"}, "note"),
        ("/{n}/commitments/1/updates", {"status": "finished", "note": "n"}, "status"),
        ("/{n}/commitments/1/updates", {"new_due": "2025-01-01", "reason": "r"}, "new_due"),
        ("/{n}/reopen", {"reason": "r" * 301}, "reason"),
        ("/{n}/merge", {"into": "three", "reason": "Same"}, "into"),
        ("/{n}/merge", {"into": "{n}", "reason": "Same"}, "into"),
        ("/{n}/moderation", {"action": "delete", "reason": "Gone"}, "action"),
        ("/{n}/corrections", {"entry": 0, "reason": "r", "correction": "c"}, "entry"),
        ("/abc/close", {"outcome": "o"}, "number"),
    ])
    def test_is_a_422_naming_the_field(self, site: Site, unchanged: None, tail: str,
                                       body: dict[str, Any], field: str) -> None:
        n = last(site)
        payload = {k: int(v.format(n=n)) if v == "{n}" else v for k, v in body.items()}
        response = site.post(f"/api/v1/issues{tail.format(n=n)}", payload, "secretariat")
        assert response.status_code == 422, response.text
        assert response.json()["field"] == field
        assert response.json()["detail"]

    @pytest.mark.parametrize("content", [b"[]", b'"title"', b"{not json", b""])
    def test_a_body_that_is_not_a_json_object_is_a_422(self, site: Site, unchanged: None,
                                                         content: bytes) -> None:
        response = site.client.post("/api/v1/issues", content=content,
                                    headers={"Content-Type": "application/json"})
        assert response.status_code == 422

    def test_a_form_post_instead_of_json_is_refused(self, site: Site, unchanged: None) -> None:
        # The public commands name the header (tracker.web.edge.same_site_json); the staff
        # commands find no JSON body.
        response = site.client.post("/api/v1/issues", data={"title": "A form"})
        assert response.status_code == 415 and response.json()["field"] == "Content-Type"
        response = site.client.post("/api/v1/topics", data={"slug": "form", "name": "A form"},
                                    headers=site.as_("secretariat"))
        assert response.status_code == 422

    def test_an_existing_slug_is_a_409_naming_it(self, site: Site, unchanged: None) -> None:
        response = site.post("/api/v1/topics", {"slug": "access", "name": "Again"},
                             "secretariat")
        assert response.status_code == 409 and response.json()["field"] == "slug"


class TestUnknownThings:
    @pytest.mark.parametrize(("tail", "body", "field"), [
        ("/99999/topic", {"topic": "access"}, "number"),
        ("/99999/close", {"outcome": "Done"}, "number"),
        ("/0/close", {"outcome": "Done"}, "number"),
        ("/{n}/commitments/9/updates", {"status": "on_track", "note": "n"}, "commitment"),
        ("/{n}/topic", {"topic": "no-such-topic"}, "topic"),
        ("/{n}/commitments", {"text": "t", "owner": "nobody", "due": "2026-12-31",
                              "measure": "m"}, "owner"),
        ("/{n}/corrections", {"entry": 999, "reason": "r", "correction": "c"}, "entry"),
    ])
    def test_is_a_404_naming_what_is_missing(self, site: Site, unchanged: None, tail: str,
                                             body: dict[str, Any], field: str) -> None:
        response = site.post(f"/api/v1/issues{tail.format(n=last(site))}", body,
                             "secretariat")
        assert response.status_code == 404, response.text
        assert response.json()["field"] == field

    def test_a_number_no_issue_could_have_is_a_422(self, site: Site, unchanged: None) -> None:
        # Beyond what a database integer holds: refused as input, before any lookup.
        response = site.post("/api/v1/issues/99999999999999999999/close", {"outcome": "Done"},
                             "secretariat")
        assert response.status_code == 422 and response.json()["field"] == "number"

    def test_supporting_an_unknown_issue_is_a_404(self, site: Site, unchanged: None) -> None:
        assert site.client.post("/api/v1/issues/99999/support", json={}).status_code == 404


class TestTokens:
    @pytest.mark.parametrize("authorization", [
        "Bearer nonsense", "Basic c2VjcmV0YXJpYXQ6cGFzcw==", "Bearer ", "Bearer", "",
        "Token abc"])
    def test_a_missing_or_wrong_token_is_a_401(self, site: Site, unchanged: None,
                                               authorization: str) -> None:
        response = site.client.post(f"/api/v1/issues/{last(site)}/close",
                                    json={"outcome": "Done"},
                                    headers={"Authorization": authorization})
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"

    def test_a_revoked_token_is_a_401(self, site: Site, unchanged: None) -> None:
        _, token = site.tracker.accounts.add("Leaver", "secretariat")
        site.tracker.accounts.revoke("Leaver")
        response = site.client.post(f"/api/v1/issues/{last(site)}/close",
                                    json={"outcome": "Done"},
                                    headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401

    def test_a_token_in_the_address_is_not_a_token(self, site: Site, unchanged: None) -> None:
        token = site.tokens["secretariat"]
        for query in (f"token={token}", f"access_token={token}"):
            response = site.client.post(f"/api/v1/issues/{last(site)}/close?{query}",
                                        json={"outcome": "Done"})
            assert response.status_code == 401

    def test_a_wrong_token_on_a_public_command_is_a_401_not_a_citizen(
            self, site: Site, unchanged: None) -> None:
        response = site.client.post("/api/v1/issues", json={"title": "Hello"},
                                    headers={"Authorization": "Bearer guessed"})
        assert response.status_code == 401

    def test_without_a_token_an_invalid_body_is_still_a_401(self, site: Site,
                                                            unchanged: None) -> None:
        response = site.client.post(f"/api/v1/issues/{last(site)}/close", json={"x": 1})
        assert response.status_code == 401


class TestIfMatch:
    def test_a_stale_version_is_a_412_and_the_current_one_writes(self, site: Site) -> None:
        n = site.issue("committed")
        version = site.client.get(f"/api/v1/issues/{n}").json()["version"]
        before = site.position()
        body = {"status": "delayed", "note": "Late"}
        path = f"/api/v1/issues/{n}/commitments/1/updates"
        stale = site.post(path, body, "secretariat", **{"If-Match": f'"{version - 1}"'})
        assert stale.status_code == 412 and stale.json()["field"] == "version"
        assert site.position() == before
        current = site.post(path, body, "secretariat", **{"If-Match": f'"{version}"'})
        assert current.status_code == 200
        assert current.headers["etag"] == f'"{version + 1}"'
        again = site.post(path, body, "secretariat", **{"If-Match": f'"{version}"'})
        assert again.status_code == 412
        # The refusal names the version to read again, in the body and as the ETag.
        assert again.json()["current_version"] == version + 1
        assert again.headers["etag"] == f'"{version + 1}"'

    @pytest.mark.parametrize("value", ["*", 'W/"{v}"'])
    def test_any_and_weak_tags_are_accepted(self, site: Site, value: str) -> None:
        n = site.issue("submitted")
        response = site.post(f"/api/v1/issues/{n}/topic", {"topic": "access"}, "secretariat",
                             **{"If-Match": value.format(v=1)})
        assert response.status_code == 200, response.text

    @pytest.mark.parametrize("value", ["soon", "7", '"7", "8"', '"-1"', '""', '"1e3"'])
    def test_a_malformed_if_match_is_a_400(self, site: Site, unchanged: None,
                                           value: str) -> None:
        response = site.post(f"/api/v1/issues/{last(site)}/close", {"outcome": "x"},
                             "secretariat", **{"If-Match": value})
        assert response.status_code == 400 and response.json()["field"] == "If-Match"


class TestBodySize:
    def test_a_declared_length_over_the_limit_is_a_413(self, site: Site,
                                                       unchanged: None) -> None:
        response = site.client.post(
            "/api/v1/issues", content=b'{"title": "' + b"x" * 70_000 + b'"}',
            headers={"Content-Type": "application/json"})
        assert response.status_code == 413
        assert "larger than" in response.json()["detail"]

    def test_a_streamed_body_over_the_limit_is_a_413(self, site: Site,
                                                     unchanged: None) -> None:
        def chunks() -> Iterator[bytes]:
            yield b'{"title": "'
            for _ in range(80):
                yield b"x" * 1_000
            yield b'"}'

        response = site.client.post("/api/v1/issues", content=chunks(),
                                    headers={"Content-Type": "application/json"})
        assert response.status_code == 413

    def test_a_nonsense_content_length_is_a_413(self, site: Site, unchanged: None) -> None:
        response = site.client.post("/api/v1/issues", content=b'{"title": "x"}',
                                    headers={"Content-Type": "application/json",
                                             "Content-Length": "-1"})
        assert response.status_code in (400, 413)

    def test_a_body_just_under_the_limit_is_judged_on_its_fields(self, site: Site,
                                                                 unchanged: None) -> None:
        response = site.post("/api/v1/issues", {"title": "ok", "description": "x" * 60_000},
                             "anonymous")
        assert response.status_code == 422 and response.json()["field"] == "description"
