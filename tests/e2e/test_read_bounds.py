"""Reads cost bounded work and memory: an issue's history comes a page at a time without its
supports, and the page cache keys on what a route reads and holds at most its bytes."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from tests.conftest import POSTGRES_URL, _drop_schema, require_postgres
from tests.helpers import CITIZEN, SECRETARIAT, Clock
from tracker.bootstrap import Tracker, bootstrap
from tracker.config import load_settings
from tracker.domain.issue import Issue
from tracker.web.app import create_app

SUPPORTS = 3_000
CORRECTIONS = 250
DAY = date(2015, 1, 1)
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def raise_issue(tracker: Tracker, number: int, supports: int) -> None:
    """An issue with ``supports`` supporters, then as many corrections as CORRECTIONS."""
    issue = Issue.submit(number, f"Issue {number}", "", CITIZEN, DAY)
    for s in range(supports):
        issue.support(f"supporter-{s}", CITIZEN, DAY)
    for c in range(CORRECTIONS):
        issue.correct(1, f"Correction {c}", f"Title {c}", SECRETARIAT, DAY)
    tracker.app.save(issue)


def with_issues(tracker: Tracker) -> Tracker:
    raise_issue(tracker, 1, SUPPORTS)
    raise_issue(tracker, 2, 0)
    tracker.refresh()
    return tracker


@pytest.fixture(scope="module", params=BACKENDS)
def issues(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tracker]:
    """Read-only, shared by the module: each test reads it through an app of its own."""
    schema = None
    if request.param == "postgres":
        require_postgres()
        schema = f"t_{uuid.uuid4().hex[:12]}"
        settings = load_settings(database_url=POSTGRES_URL, database_schema=schema)
    else:
        settings = load_settings(data_dir=tmp_path_factory.mktemp("bounds") / "data")
    tracker = with_issues(bootstrap(settings, clock=Clock()))
    yield tracker
    tracker.close()
    if schema is not None:
        _drop_schema(schema)


@pytest.fixture
def site(issues: Tracker) -> Iterator[TestClient]:
    with TestClient(create_app(issues, poll=False)) as client:
        yield client


def own_site(monkeypatch: pytest.MonkeyPatch, make_tracker: Callable[..., Tracker],
             cache_bytes: int) -> Iterator[TestClient]:
    monkeypatch.setenv("TRACKER_PAGE_CACHE_BYTES", str(cache_bytes))
    with TestClient(create_app(with_issues(make_tracker("sqlite")), poll=False)) as client:
        yield client


@pytest.fixture
def small_cache(monkeypatch: pytest.MonkeyPatch,
                make_tracker: Callable[..., Tracker]) -> Iterator[TestClient]:
    yield from own_site(monkeypatch, make_tracker, 100_000)


@pytest.fixture
def no_cache(monkeypatch: pytest.MonkeyPatch,
             make_tracker: Callable[..., Tracker]) -> Iterator[TestClient]:
    yield from own_site(monkeypatch, make_tracker, 0)


class TestHistory:
    def test_an_issue_with_thousands_of_supports_has_its_history_in_pages_of_bounded_size(
            self, site: TestClient) -> None:
        url: str | None = "/api/v1/issues/1/history"
        pages: list[list[dict[str, object]]] = []
        while url is not None:
            answer = site.get(url)
            assert answer.status_code == 200
            assert len(answer.content) < 64_000
            pages.append(answer.json())
            url = answer.links.get("next", {}).get("url")
        assert [len(p) for p in pages] == [100, 100, 51]
        entries = [e for p in pages for e in p]
        # Numbered as in the issue's log: supports leave a gap, never a renumbering.
        assert [e["entry"] for e in entries] == [
            1, *range(SUPPORTS + 2, SUPPORTS + 2 + CORRECTIONS)]
        assert not [e for e in entries if e["type"] == "supported"]
        assert site.get("/api/v1/issues/1").json()["supporters"] == SUPPORTS

    def test_a_page_is_chosen_by_after_and_limit(self, site: TestClient) -> None:
        page = site.get("/api/v1/issues/2/history?after=1&limit=2")
        assert [e["entry"] for e in page.json()] == [2, 3]
        assert page.links["next"]["url"] == "/api/v1/issues/2/history?after=3&limit=2"
        last = site.get(f"/api/v1/issues/2/history?after={CORRECTIONS}")
        assert [e["entry"] for e in last.json()] == [CORRECTIONS + 1]
        assert "link" not in last.headers
        assert site.get("/api/v1/issues/2/history?after=100000").json() == []
        assert site.get("/api/v1/issues/3/history").status_code == 404
        refused = site.get("/api/v1/issues/2/history?limit=201")
        assert refused.status_code == 422 and refused.json()["field"] == "limit"

    def test_a_page_sent_again_from_memory_keeps_its_next_link(self, site: TestClient) -> None:
        first = site.get("/api/v1/issues/1/history?limit=5")
        again = site.get("/api/v1/issues/1/history?limit=5")
        assert again.content == first.content
        assert again.headers["link"] == first.headers["link"]
        assert again.headers["etag"] == first.headers["etag"]
        current = site.get("/api/v1/issues/1/history?limit=5",
                           headers={"If-None-Match": first.headers["etag"]})
        assert current.status_code == 304


class TestIssuePage:
    def test_an_issue_with_thousands_of_supports_shows_their_count_not_each_one(
            self, site: TestClient) -> None:
        page = site.get("/issues/1").text
        assert f"{SUPPORTS} supporters" in page
        assert page.count('class="history__entry') == 1 + CORRECTIONS
        assert "supported" not in page.lower().replace("supporters", "")

    def test_the_page_of_an_issue_with_thousands_of_supports_costs_what_one_without_does(
            self, no_cache: TestClient) -> None:
        # Both issues have the same entries; only issue 1 has supports. Each request is
        # built afresh (no cache; a new query string besides), and CPU time is this
        # process's own, so other load on the machine barely moves the ratio.
        def cpu_per_page(path: str) -> float:
            best = float("inf")
            for attempt in range(3):
                started = time.process_time()
                for i in range(8):
                    assert no_cache.get(f"{path}?n={attempt}-{i}").status_code == 200
                best = min(best, time.process_time() - started)
            return best

        supported, unsupported = cpu_per_page("/issues/1"), cpu_per_page("/issues/2")
        assert supported < 2 * unsupported, (supported, unsupported)


class TestPageCache:
    def test_unknown_query_parameters_share_the_entry_of_the_plain_address(
            self, site: TestClient) -> None:
        cache = site.app.state.http_cache.answers  # type: ignore[attr-defined]
        addresses = ("/api/v1/issues/1/history", "/issues/1", "/api/v1/issues?limit=3")
        for address in addresses:
            plain = site.get(address)
            joiner = "&" if "?" in address else "?"
            for i in range(100):
                again = site.get(f"{address}{joiner}cachebust={i}")
                assert again.content == plain.content
        assert len(cache) == len(addresses)

    def test_many_distinct_queries_never_grow_the_cache_past_its_byte_bound(
            self, small_cache: TestClient) -> None:
        cache = small_cache.app.state.http_cache.answers  # type: ignore[attr-defined]
        assert cache.max_bytes == 100_000
        for i in range(60):
            # Each a different, valid page of about 25 kB: 30 of them, each asked twice.
            answer = small_cache.get(f"/api/v1/issues/1/history?after={SUPPORTS + 1 + i % 30}")
            assert answer.status_code == 200
            small_cache.get(f"/issues/1?junk={i}")
            assert cache.bytes <= 100_000
        assert 0 < len(cache) <= 5
