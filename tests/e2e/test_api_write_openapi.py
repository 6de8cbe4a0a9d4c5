"""/openapi.json is a valid document, and every command in it is documented."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from tests.e2e.writes import Site, build, open_site


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data: Path = tmp_path_factory.mktemp("openapi") / "data"
    tracker = build(data)
    site: Site
    with open_site(tracker) as site:
        response = site.client.get("/openapi.json")
        assert response.status_code == 200
        yield response.json()
    tracker.close()


def commands(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(path, operations["post"]) for path, operations in spec["paths"].items()
            if "post" in operations]


def schema(spec: dict[str, Any], ref: str) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return found


def test_the_document_is_valid_openapi(spec: dict[str, Any]) -> None:
    validate(spec)


def test_every_command_has_a_summary_a_description_and_an_answer_model(
        spec: dict[str, Any]) -> None:
    for path, operation in commands(spec):
        assert operation.get("summary"), path
        assert operation.get("description"), path
        ok = next(code for code in operation["responses"] if code.startswith("2"))
        answer = operation["responses"][ok]["content"]["application/json"]["schema"]
        assert answer["$ref"].endswith("/Written"), path


def test_every_command_body_has_an_example(spec: dict[str, Any]) -> None:
    for path, operation in commands(spec):
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert schema(spec, body["$ref"]).get("examples"), path


# The public commands: rate limited, and counted once per person rather than versioned.
PUBLIC = ("/api/v1/issues", "/api/v1/issues/{number}/support",
          "/api/v1/issues/{number}/commitments/{commitment}/citizen-answers")


def test_every_command_documents_its_refusals(spec: dict[str, Any]) -> None:
    for path, operation in commands(spec):
        codes = set(operation["responses"])
        assert {"401", "422"} <= codes, path
        public = path in PUBLIC
        assert ("429" in codes) == public, path
        problem = operation["responses"]["401"]["content"]["application/json"]["schema"]
        assert problem["$ref"].endswith("/Problem")


def test_writes_on_an_issue_document_if_match(spec: dict[str, Any]) -> None:
    for path, operation in commands(spec):
        if path.startswith("/api/v1/issues/{number}/") and path not in PUBLIC:
            headers = {p["name"] for p in operation.get("parameters", [])
                       if p["in"] == "header"}
            assert "If-Match" in headers, path
            assert "412" in operation["responses"], path
