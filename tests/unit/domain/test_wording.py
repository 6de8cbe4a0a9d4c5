"""Durations in words, as the content style has them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.wording import days_in_words


class TestDaysInWords:
    @pytest.mark.parametrize(("days", "said"), [
        (0, "0 days"), (1, "1 day"), (49.5, "50 days"), (60, "60 days"),
        (61, "about 2 months"), (120, "about 4 months"), (729, "about 24 months"),
        (730, "about 2 years"), (4_170, "about 11 years"),
    ])
    def test_counts_days_up_to_sixty_then_months_then_years(self, days: float,
                                                           said: str) -> None:
        assert days_in_words(days) == said

    @given(st.floats(min_value=0, max_value=100_000, allow_nan=False))
    def test_never_says_a_count_of_days_past_sixty(self, days: float) -> None:
        said = days_in_words(days)
        assert said.endswith(("day", "days")) == (round(days) <= 60)
