"""HttpCache.today: the real clock's date, looked up again only when the wall clock leaves
the local day it was read in; any other clock asked every time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

from tracker.web.http_cache import HttpCache


def cache_with(clock: Any) -> HttpCache:
    site: Any = SimpleNamespace(context=SimpleNamespace(clock=clock))
    return HttpCache(site, projector=None, max_bytes=1000)  # type: ignore[arg-type]


def test_the_real_clock_gives_todays_date_and_the_window_it_holds_for() -> None:
    cache = cache_with(date.today)
    assert cache.today() == date.today()
    starts, ends, day = cache._day
    midnight = datetime.combine(day, time())
    assert (starts, ends) == (midnight.timestamp(),
                              (midnight + timedelta(days=1)).timestamp())


def test_outside_the_window_the_date_is_read_again() -> None:
    cache = cache_with(date.today)
    cache._day = (0.0, 1.0, date(1970, 1, 1))  # read long ago: the wall clock left that day
    assert cache.today() == date.today()
    now = datetime.now().timestamp()
    cache._day = (now + 3600, now + 7200, date(2100, 1, 1))  # the wall clock went back
    assert cache.today() == date.today()
    cache._day = (now - 10, now + 3600, date(2000, 1, 1))  # within: not asked again
    assert cache.today() == date(2000, 1, 1)


def test_any_other_clock_is_asked_every_time() -> None:
    days = iter([date(2026, 1, 1), date(2026, 1, 2)])
    cache = cache_with(lambda: next(days))
    assert (cache.today(), cache.today()) == (date(2026, 1, 1), date(2026, 1, 2))
