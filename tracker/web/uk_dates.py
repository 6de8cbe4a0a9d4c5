"""Dates as people in the UK type them: 31/3/2027, 31-03-2027, 31 3 2027, 31 March 2027,
31032027, and ISO 2027-03-31. A two-digit year is refused (which century?)."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {name: number for number, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
    ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
    ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
    ("december", "dec")), start=1) for name in names}

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})\s*[/.\- ]\s*(\d{1,2}|[a-z]+)\s*[/.\- ,]\s*(\d{4})")


def _made(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_uk_date(text: str) -> date | None:
    """The date meant, or None when it is not a real date in one of the forms above."""
    typed = " ".join(text.strip().lower().split())
    if found := _ISO.fullmatch(typed):
        return _made(int(found[1]), int(found[2]), int(found[3]))
    if found := _DAY_FIRST.fullmatch(typed):
        month = int(found[2]) if found[2].isdigit() else MONTHS.get(found[2], 0)
        return _made(int(found[3]), month, int(found[1]))
    if typed.isdigit() and len(typed) == 8:
        return _made(int(typed[4:]), int(typed[2:4]), int(typed[:2])) or _made(
            int(typed[:4]), int(typed[4:6]), int(typed[6:]))
    return None


def uk(day: date) -> str:
    """How a date is shown in a box to be edited: 31/3/2027."""
    return f"{day.day}/{day.month}/{day.year}"
