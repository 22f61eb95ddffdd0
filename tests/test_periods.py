"""Month arithmetic and monthly counts with rolling 12-month sums."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from analysis.core.periods import monthly_rolling, parse_period, shift_months, window


def test_parse_period_and_shift_months() -> None:
    assert parse_period("2024-02") == date(2024, 2, 29)
    assert shift_months(date(2024, 3, 31), -12) == date(2023, 3, 31)
    assert shift_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_period("2024-13")


def test_window_leaves_out_months_before_coverage() -> None:
    assert window(date(2024, 3, 31), 3, start=date(2024, 2, 15)).to_list() == [date(2024, 2, 29), date(2024, 3, 31)]


def test_monthly_rolling_zero_fills_and_never_sums_a_partial_year() -> None:
    counts = pl.DataFrame({"date": [date(2024, 3, 31)], "route": ["a"], "n": [2]})
    frame = monthly_rolling(counts, key="route", keys=["a", "b"], value="n", end=date(2024, 3, 31), months=2,
                            start=date(2023, 4, 1))  # fmt: skip
    assert frame.rows() == [
        (date(2024, 2, 29), "a", 0, None),  # only 11 covered months behind it
        (date(2024, 2, 29), "b", 0, None),
        (date(2024, 3, 31), "a", 2, 2),
        (date(2024, 3, 31), "b", 0, 0),
    ]
