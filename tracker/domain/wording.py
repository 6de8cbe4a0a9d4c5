"""Words for numbers, dates and durations, as the NHS service manual's content style has them.

Dates in full ("6 November 2014"), numbers with thousands separators ("1,234"), and
durations in words once they are longer than 60 days ("over 11 years", not "4,170 days").
Pure functions of their arguments: pages, feeds, mails and the JSON API say the same.
"""

from __future__ import annotations

from datetime import date

# Up to this many days a duration is counted in days; past it, in months or years.
DAYS_IN_WORDS_AFTER = 60


def long_date(day: date) -> str:
    """UK style: 6 November 2014."""
    return f"{day.day} {day:%B %Y}"


def number(n: int) -> str:
    """1,234 (a thousands separator, as the content style asks)."""
    return f"{n:,}"


def count(n: int, singular: str, plural: str | None = None) -> str:
    """'1 issue', '12 issues', '1,234 issues'."""
    return f"{number(n)} {singular if n == 1 else (plural or singular + 's')}"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (the 31st plus a month is the last
    day of a shorter month)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    # The 31st plus a month is the last day of a shorter month.
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def duration(start: date, end: date) -> str:
    """How long from ``start`` to ``end``, in words: '12 days', 'over 3 months',
    '11 years'. Whole calendar months and years, with 'over' when some is left."""
    days = (end - start).days
    if days <= DAYS_IN_WORDS_AFTER:
        return count(max(days, 0), "day")
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    exact = add_months(start, months) == end
    if months >= 12:
        years = months // 12
        exact = exact and months % 12 == 0
        return ("" if exact else "over ") + count(years, "year")
    return ("" if exact else "over ") + count(months, "month")


def days_in_words(days: float) -> str:
    """A number of days (a median, say) as a duration: '12 days' up to 60 days, then
    'about 4 months', then 'about 2 years' (no calendar dates to count whole months by)."""
    n = round(days)
    if n <= DAYS_IN_WORDS_AFTER:
        return count(max(n, 0), "day")
    if n < 730:
        return "about " + count(round(n / 30.4375), "month")
    return "about " + count(round(n / 365.25), "year")


def listing(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c' (no Oxford comma, as GOV.UK and NHS.UK write)."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
