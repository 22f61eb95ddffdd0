"""Review periods and month ends."""

from __future__ import annotations

import calendar
import re
from datetime import date

import polars as pl


def parse_period(period: str) -> date:
    """The month end of a review period written `YYYY-MM` (for example `2024-03` → 31 March 2024)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", period.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"review period must be YYYY-MM, for example 2024-03; got {period!r}")
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, calendar.monthrange(year, month)[1])


def month_ends(end: date, months: int) -> pl.Series:
    """The `months` month ends up to and including `end`'s month, oldest first."""
    first = date(end.year, end.month, 1)
    total = first.year * 12 + first.month - 1 - (months - 1)
    start = date(total // 12, total % 12 + 1, 1)
    return pl.date_range(start, first, "1mo", eager=True).dt.month_end().alias("date")


def month_label(day: date) -> str:
    """`YYYY-MM`, the metrics.csv period for a monthly flow."""
    return f"{day.year:04d}-{day.month:02d}"


def long_date(day: date) -> str:
    """A date written out for readers: 31 March 2024."""
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def long_month(day: date) -> str:
    """A month written out for readers: March 2024."""
    return f"{calendar.month_name[day.month]} {day.year}"
