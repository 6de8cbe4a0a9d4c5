"""The answers from memory (tracker.web.http_cache, HttpCache.early), sent by the outermost
layer as `tracker serve` composes the app (tracker.web.asgi.served): the same status,
headers and bytes as the route's own answer, HEAD and 304 included; and a write shows on
the next read, even when it lands while an answer from memory is being built."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.e2e.writes import SETUP, Site, Stages, from_factory, open_site
from tests.helpers import Clock
from tracker.bootstrap import Tracker
from tracker.web import asgi, security
from tracker.web.http_cache import HttpCache
from tracker.web.mounting import mounted

ADDRESSES = ("/issues/{n}", "/api/v1/issues/{n}", "/issues/{n}/feed.atom")
# A request is answered from memory only while the position read is under FRESH_SECONDS
# old; a stall of the whole process on a busy machine between `fresh` and the request can
# send it the slow way. A rerun tells that from a fault, which fails every time.
pytestmark = pytest.mark.flaky(reruns=2, reruns_delay=1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def served(request: pytest.FixtureRequest, make_tracker: Callable[..., Tracker],
           clock: Clock) -> Iterator[tuple[TestClient, Site]]:
    """A client on the app as a server process runs it, and the site (tokens, tracker)."""
    with open_site(from_factory(make_tracker, clock, request.param)) as site:
        front = asgi.served(site.tracker)
        front.on_shutdown = lambda: None  # the fixture closes the tracker
        with TestClient(front) as client:
            yield client, site


def headers_of(response: httpx.Response) -> list[tuple[str, str]]:
    return sorted((name.lower(), value) for name, value in response.headers.multi_items())


def cache_of(client: TestClient) -> HttpCache:
    cache: HttpCache = mounted(client.app.app.__self__).http_cache  # type: ignore[attr-defined]
    return cache


def kept_messages(client: TestClient) -> int:
    """How many kept answers have their prebuilt messages (were sent from memory)."""
    return sum(1 for kept in cache_of(client).answers._items.values()
               if kept.messages is not None)


def fresh(client: TestClient) -> TestClient:
    """The position read just now, as the watcher keeps it (a loaded machine may delay
    the watcher past FRESH_SECONDS, and the next request would take the slow path)."""
    cache_of(client).read_position()
    return client


@pytest.mark.parametrize("address", ADDRESSES)
def test_a_repeat_read_is_the_routes_answer_byte_for_byte(
        served: tuple[TestClient, Site], address: str) -> None:
    client, site = served
    path = address.format(n=site.issue("committed"))
    first = client.get(path)  # rendered by the route, through the security headers
    assert first.status_code == 200
    assert kept_messages(client) == 0
    again = fresh(client).get(path)  # from memory, by the outermost layer
    assert kept_messages(client) == 1
    assert (again.status_code, again.content) == (200, first.content)
    assert headers_of(again) == headers_of(first)
    for name in ("etag", "last-modified", "cache-control", "content-type",
                 "content-security-policy", "x-frame-options", "x-content-type-options"):
        assert again.headers[name]

    head = fresh(client).head(path)
    assert (head.status_code, head.content) == (200, b"")
    assert headers_of(head) == headers_of(first)


def test_a_304_from_memory_is_the_routes_304(served: tuple[TestClient, Site]) -> None:
    client, site = served
    path = f"/issues/{site.issue('submitted')}"
    later = {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}
    by_route = client.get(path, headers=later)  # an address not answered yet: the route's
    assert kept_messages(client) == 0
    plain = client.get(path)
    from_memory = fresh(client).get(path, headers=later)
    assert (by_route.status_code, from_memory.status_code) == (304, 304)
    assert (by_route.content, from_memory.content) == (b"", b"")
    assert headers_of(from_memory) == headers_of(by_route)
    assert from_memory.headers["etag"] == plain.headers["etag"]
    assert from_memory.headers["cache-control"] == "public, max-age=60"
    for name, value in security.HEADERS.items():
        assert from_memory.headers[name] == value
    assert from_memory.headers["content-security-policy"] == security.CONTENT_SECURITY_POLICY
    etag = {"If-None-Match": plain.headers["etag"]}
    assert client.get(path, headers=etag).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).content == plain.content
    assert kept_messages(client) == 1


def test_a_query_the_route_reads_is_never_the_plain_answer(
        served: tuple[TestClient, Site]) -> None:
    client, site = served
    for _ in range(4):
        Stages(site.tracker).make("submitted")
    site.tracker.refresh()
    plain = [client.get("/api/v1/issues").json() for _ in range(2)][1]
    limited = [client.get("/api/v1/issues?limit=1").json() for _ in range(2)]
    assert limited[0] == limited[1]
    assert len(limited[1]["issues"]) == 1 < len(plain["issues"])


def supporters(client: TestClient, number: int) -> int:
    count: int = client.get(f"/api/v1/issues/{number}").json()["supporters"]
    return count


def test_a_write_shows_on_the_next_read_after_its_answer(
        served: tuple[TestClient, Site]) -> None:
    client, site = served
    number = site.issue("submitted")
    assert [supporters(client, number) for _ in range(3)] == [0, 0, 0]  # from memory
    written = client.post(f"/api/v1/issues/{number}/support", json={})
    assert written.status_code in (200, 201), written.text
    assert [supporters(fresh(client), number) for _ in range(3)] == [1, 1, 1]
    staff = client.post(f"/api/v1/issues/{number}/topic", json={"topic": "access"},
                        headers=site.as_("secretariat"))
    assert staff.status_code in (200, 201), staff.text
    assert client.get(f"/api/v1/issues/{number}").json()["topic"] is not None


def test_a_write_landing_while_an_answer_from_memory_is_built_shows_next(
        served: tuple[TestClient, Site], monkeypatch: pytest.MonkeyPatch) -> None:
    """The race forced: the write is recorded and projected (as a writer's request does
    before it answers) after the request from memory found its kept answer, while its
    messages are built; that request may show the state it started from, the next must
    show the write."""
    client, site = served
    number = site.issue("submitted")
    path = f"/api/v1/issues/{number}"
    assert supporters(client, number) == 0  # rendered and kept: the next is from memory
    build = security.with_security_headers
    landed: list[int] = []

    def write_meanwhile(at: str, headers: list[tuple[bytes, bytes]]) -> Any:
        if at == path and not landed:
            outcome = site.tracker.app.support_issue(number, "someone", SETUP)
            assert site.tracker.show_written(outcome.position)
            landed.append(outcome.position)
        return build(at, headers)

    monkeypatch.setattr(security, "with_security_headers", write_meanwhile)
    during = fresh(client).get(path)
    assert landed and during.status_code == 200
    assert during.json()["supporters"] == 0  # as it stood when the request began
    after = client.get(path)
    assert after.json()["supporters"] == 1
    assert after.headers["etag"] != during.headers["etag"]
    for _ in range(3):  # and so on, from memory
        assert supporters(fresh(client), number) == 1
