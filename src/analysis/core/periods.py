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


def shift_months(day: date, months: int) -> date:
    """The month end `months` months from `day`'s month (negative for earlier): 31 March 2024, -12 → 31 March 2023."""
    return pl.Series([day]).dt.offset_by(f"{months}mo").dt.month_end().item()


def window(end: date, months: int, start: date | None = None) -> pl.Series:
    """The `months` month ends up to `end`, leaving out any before the month of `start` (the data's coverage)."""
    ends = month_ends(end, months)
    return ends if start is None else ends.filter(ends >= pl.Series([start]).dt.month_end().item())


def monthly_rolling(
    counts: pl.DataFrame, *, key: str, keys: list[str], value: str, end: date, months: int, start: date | None = None
) -> pl.DataFrame:
    """Monthly counts by category with rolling 12-month sums, zero-filled.

    `counts` has one row per (date = month end, `key`) with `value`. Returns one row per (month end,
    key in `keys`) for the `window(end, months, start)`: date, key, value and `<value>_12m`. Months
    before `start` count as unknown, so a rolling sum is null until 12 covered months lie behind it
    (never a partial year).
    """
    frame = (
        pl.DataFrame({"date": month_ends(end, months + 11)})
        .join(pl.DataFrame({key: keys}), how="cross")
        .join(counts, on=["date", key], how="left")
        .with_columns(pl.col(value).fill_null(0).cast(pl.Int64))
    )
    if start is not None:
        covered = pl.col("date") >= pl.lit(start).dt.month_end()
        frame = frame.with_columns(pl.when(covered).then(pl.col(value)).alias(value))
    frame = frame.sort(key, "date").with_columns(pl.col(value).rolling_sum(12).over(key).alias(f"{value}_12m"))
    return frame.filter(pl.col("date").is_in(window(end, months, start).implode())).sort("date", key)
