"""Every response carries the security headers; errors never show a stack trace."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from tracker.bootstrap import Tracker
from tracker.web.app import create_app


@pytest.fixture
def client(tracker: Tracker) -> Iterator[TestClient]:
    app = create_app(tracker, poll=False)
    boom = APIRouter()

    @boom.get("/boom")
    def explode() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    app.include_router(boom)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.parametrize("address", ["/about/statuses", "/healthz", "/api/v1/issues/1",
                                     "/nowhere", "/static/tracker.css"])
def test_every_response_has_the_security_headers(client: TestClient, address: str) -> None:
    headers = client.get(address).headers
    policy = headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_an_unexpected_error_is_a_plain_500_without_internals(client: TestClient) -> None:
    response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert response.json() == {"detail": "Something went wrong on our side."}
    assert response.headers["x-content-type-options"] == "nosniff"
