"""The site renderer stands without the web framework; its address table and the HTTP
cache's 304 rule."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

from tracker.site import api, calendars, log_files, pages
from tracker.site.addresses import resolve
from tracker.site.answer import Answer
from tracker.site.feeds import Feed
from tracker.web.http_cache import AnswerCache, canonical_query, client_is_current, make_validators


def _modules_loaded_by(package: str) -> list[str]:
    """Every module in sys.modules after importing each module of the package, fresh."""
    program = (
        f"import sys, pkgutil, importlib, {package}\n"
        f"for m in pkgutil.iter_modules({package}.__path__):\n"
        f"    importlib.import_module('{package}.' + m.name)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          check=True).stdout.split()


@pytest.mark.parametrize("package", ["tracker.site", "tracker.following"])
def test_the_site_and_the_mails_import_nothing_of_the_web(package: str) -> None:
    loaded = _modules_loaded_by(package)
    assert f"{package}.{'pages' if package == 'tracker.site' else 'mails'}" in loaded
    upward = [m for m in loaded if m.split(".")[0] in ("fastapi", "starlette")
              or m == "tracker.web" or m.startswith("tracker.web.")]
    assert upward == []


@pytest.mark.parametrize(("address", "renderer", "params"), [
    ("/", pages.home, pages.NOTHING),
    ("/issues/7", pages.issue_page, 7),
    ("/owners/board-chair", pages.reference_page, pages.Reference("owners", "board-chair")),
    ("/issues/7/feed.atom", None, Feed("issue", "atom", "7")),
    ("/owners/board-chair/calendar.ics", calendars.calendar,
     calendars.DueDates(owner="board-chair")),
    ("/api/v1/issues/7/history", api.history, api.HistoryQuery(7)),
    ("/log/words/3", log_files.words, 3),
])
def test_each_public_address_is_one_renderer_with_its_parameters(
        address: str, renderer: object, params: object) -> None:
    read = resolve(address)
    assert read is not None
    if renderer is not None:
        assert read.renderer is renderer
    assert read.params == params


@pytest.mark.parametrize("address", ["/admin", "/issues/x", "/issues/7/feed.xml",
                                     "/log/tile/not-a-tile", "/api/v1/issues/7/answer"])
def test_no_renderer_answers_what_is_not_a_public_address(address: str) -> None:
    assert resolve(address) is None


def test_the_304_rule() -> None:
    current = make_validators(41, date(2026, 3, 2),
                              datetime(2026, 3, 2, 9, 30, tzinfo=UTC), "page")
    assert current.etag == '"41-2026-03-02-page"'
    assert client_is_current('W/"41-2026-03-02-page", "x"', None, current)
    assert not client_is_current('"40-2026-03-02-page"', current.http_date, current)
    assert not client_is_current("*", None, current)  # a 404 has no representation
    assert client_is_current("*", None, current, exists=True)
    assert client_is_current(None, "Mon, 02 Mar 2026 09:30:00 GMT", current)
    assert not client_is_current(None, "Mon, 02 Mar 2026 09:29:59 GMT", current)
    assert not client_is_current(None, "yesterday", current)


def test_the_answer_cache_is_bounded_by_bytes_and_keys_only_what_the_route_reads() -> None:
    cache = AnswerCache(10_000)
    for i in range(20):
        cache.put(("v", f"/issues/{i}", "", '"1"'), Answer(200, "text/html", b"x" * 2_000))
        assert cache.bytes <= 10_000
    assert cache.get(("v", "/issues/19", "", '"1"')) is not None
    assert cache.get(("v", "/issues/0", "", '"1"')) is None
    assert canonical_query("page=2&junk=1&q=a", {"q", "page"}) == "page=2&q=a"
