"""Actors and a settable clock shared by the tests."""

from __future__ import annotations

from datetime import date

from tracker.domain.values import Actor, Role

SECRETARIAT = Actor("account-1", Role.SECRETARIAT)
MODERATOR = Actor("account-2", Role.MODERATOR)
ADMIN = Actor("account-3", Role.ADMIN)
CITIZEN = Actor("public", Role.CITIZEN)


class Clock:
    """A settable today, for overdue and silent."""

    def __init__(self, today: date = date(2016, 1, 1)) -> None:
        self.today = today

    def __call__(self) -> date:
        return self.today
