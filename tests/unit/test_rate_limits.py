"""Rate limits per client: they hold, they forget, and their cost does not grow with the
number of clients (a surge brings thousands of them)."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi import HTTPException

from tracker.config import load_settings
from tracker.web.citizens import RateLimits


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limits(clock: FakeClock, **settings: str) -> RateLimits:
    return RateLimits(load_settings(**settings), clock=clock)  # type: ignore[arg-type]


def test_a_client_over_its_limit_is_refused_with_429_and_the_wait() -> None:
    clock = FakeClock()
    rates = limits(clock, rate_support="3/minute")
    for _ in range(3):
        rates.check("support", "198.51.100.1")
    clock.now += 20
    with pytest.raises(HTTPException) as refused:
        rates.check("support", "198.51.100.1")
    assert refused.value.status_code == 429
    assert refused.value.headers == {"Retry-After": "40"}
    assert "Too many requests" in str(refused.value.detail)


def test_the_window_moves_a_request_leaves_it_one_period_after_it_was_made() -> None:
    clock = FakeClock()
    rates = limits(clock, rate_support="2/minute")
    rates.check("support", "a")
    clock.now += 30
    rates.check("support", "a")
    clock.now += 30  # the first has left the window, the second has not
    rates.check("support", "a")
    with pytest.raises(HTTPException):
        rates.check("support", "a")


def test_refused_requests_do_not_extend_the_wait() -> None:
    clock = FakeClock()
    rates = limits(clock, rate_support="1/minute")
    rates.check("support", "a")
    for _ in range(10):
        clock.now += 5
        with pytest.raises(HTTPException):
            rates.check("support", "a")
    clock.now += 10
    rates.check("support", "a")


def test_each_client_and_each_kind_has_its_own_count() -> None:
    clock = FakeClock()
    rates = limits(clock, rate_support="1/minute", rate_submit="1/minute")
    rates.check("support", "a")
    rates.check("support", "b")
    rates.check("submit", "a")
    with pytest.raises(HTTPException):
        rates.check("support", "a")


def test_clients_quiet_for_a_whole_window_are_forgotten() -> None:
    clock = FakeClock()
    rates = limits(clock, rate_support="5/minute")
    for i in range(1000):
        rates.check("support", f"client-{i}")
    assert rates.clients("support") == 1000
    clock.now += 61
    rates.check("support", "late")
    assert rates.clients("support") == 1


def test_no_thread_walks_the_clients() -> None:
    before = threading.active_count()
    rates = RateLimits(load_settings())
    for i in range(1000):
        rates.check("support", f"client-{i}")
    assert threading.active_count() == before


def _seconds_per_check(rates: RateLimits, offset: int, n: int = 3000) -> float:
    started = time.perf_counter()
    for i in range(n):
        rates.check("support", f"new-{offset}-{i}")
    return (time.perf_counter() - started) / n


def test_a_check_costs_the_same_with_a_hundred_or_a_hundred_thousand_clients_known() -> None:
    few = RateLimits(load_settings(rate_support="30/minute"))
    many = RateLimits(load_settings(rate_support="30/minute"))
    for i in range(100):
        few.check("support", f"known-{i}")
    for i in range(100_000):
        many.check("support", f"known-{i}")
    # Best of five rounds taken in turn, so that a busy moment on the machine hits both.
    costs: dict[str, list[float]] = {"few": [], "many": []}
    for round_ in range(5):
        costs["few"].append(_seconds_per_check(few, round_))
        costs["many"].append(_seconds_per_check(many, round_))
    few_cost, many_cost = min(costs["few"]), min(costs["many"])
    assert many_cost < 3 * few_cost, (few_cost, many_cost)
