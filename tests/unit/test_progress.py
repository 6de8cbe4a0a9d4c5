"""Long work shows how far it has got: a bar on a terminal, one line elsewhere."""

from __future__ import annotations

import io

import pytest

from tracker.progress import Progress


def test_off_a_terminal_it_prints_one_summary_line_when_done() -> None:
    out = io.StringIO()
    with Progress("rebuild", 1000, "events", stream=out, terminal=False) as progress:
        for done in range(0, 1001, 100):
            progress.update(done)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("rebuild: 1,000 of 1,000 events in ")
    assert "events/s" in lines[0]


def test_off_a_terminal_a_stop_part_way_says_so() -> None:
    out = io.StringIO()
    with pytest.raises(RuntimeError), \
            Progress("publish", 10, "pages", stream=out, terminal=False) as progress:
        progress.update(4)
        raise RuntimeError("database away")
    assert out.getvalue().strip() == out.getvalue().strip().splitlines()[0]
    assert "4 of 10 pages" in out.getvalue() and "(stopped)" in out.getvalue()


def test_on_a_terminal_it_draws_a_bar_with_the_count_and_the_time_left() -> None:
    out = io.StringIO()
    with Progress("rebuild", 200, "events", stream=out, terminal=True) as progress:
        progress.update(100)
        progress.update(200)
    shown = out.getvalue()
    assert "rebuild" in shown and "200/200" in shown and "100%" in shown


def test_the_total_may_be_learnt_on_the_way_and_done_never_goes_back() -> None:
    out = io.StringIO()
    with Progress("publish", 0, "pages", stream=out, terminal=False) as progress:
        progress.update(3, total=17)
        progress.update(2)
        progress.update(17, total=17)
    assert "17 of 17 pages" in out.getvalue()
