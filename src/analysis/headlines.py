"""Headline sentences built from computed figures, never typed by hand."""

from __future__ import annotations

import polars as pl

from analysis import comparators
from analysis.disclosure import show_count
from analysis.periods import long_date


def change_words(now: float, before: float, noun: str = "") -> str:
    """'12 fewer', '3 more' or 'the same number', for counts (small changes are not suppressed:
    a change is not a count of children)."""
    diff = round(now - before)
    if diff == 0:
        return "the same number"
    word = "more" if diff > 0 else "fewer"
    return f"{abs(diff):,} {word}{(' ' + noun) if noun else ''}"


def cla_headlines(series: pl.DataFrame, comparator_points: pl.DataFrame, authority: str) -> list[str]:
    """Sentences for the children-in-care count and rate at the latest month end.

    `series` is `cla.monthly_cla` output; `comparator_points` is `comparators.points` output for
    `cla_rate_per_10k`.
    """
    series = series.sort("date")
    latest = series.row(-1, named=True)
    sentences = []
    rate = latest["rate_per_10k"]
    first = (
        f"At the end of {long_date(latest['date'])}, {show_count(latest['cla_count'])} children were "
        f"in the care of {authority}"
    )
    if rate is not None:
        first += f" ({rate:.0f} per 10,000 children)"
    year_ago = series.filter(
        (pl.col("date").dt.year() == latest["date"].year - 1)
        & (pl.col("date").dt.month() == latest["date"].month)
    )
    if year_ago.height:
        first += f", {change_words(latest['cla_count'], year_ago['cla_count'][0])} than a year earlier"
    sentences.append(first + ".")
    if rate is not None:
        for area, name in [("england", "England's"), ("statistical_neighbours", "Statistical neighbours'")]:
            comp = comparators.latest(comparator_points, area, latest["date"])
            if comp is None:
                continue
            direction = "above" if rate > comp["value"] else "below" if rate < comp["value"] else "level with"
            sentences.append(
                f"{name} rate was {comp['value']:.0f} per 10,000 at {long_date(comp['date'])}: "
                f"{authority}'s latest rate is {direction} it"
                + (f" by {abs(rate - comp['value']):.0f}." if direction != "level with" else ".")
            )
    peak = series.filter(pl.col("cla_count") == series["cla_count"].max()).row(0, named=True)
    sentences.append(
        f"Over the {series.height} months shown the number in care ranged from "
        f"{show_count(series['cla_count'].min())} to {show_count(peak['cla_count'])} "
        f"(highest at {long_date(peak['date'])})."
    )
    return sentences
