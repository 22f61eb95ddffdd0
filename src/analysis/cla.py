"""Children looked after: who is in care on a date, how many, and the rate per 10,000."""

from __future__ import annotations

from datetime import date

import polars as pl

from analysis.codes import SHORT_BREAK_LS
from analysis.periods import month_ends
from analysis.ssda903 import coverage_start


def looked_after_on(episodes: pl.DataFrame, dates: pl.Series) -> pl.DataFrame:
    """One row per (date, CHILD) for each child looked after at the end of each date.

    Definition (DfE, SSDA903 guidance; "Children looked after in England" methodology): a
    child is looked after at date D when they have an episode with DECOM ≤ D and (DEC empty
    or DEC > D). Episodes under an agreed series of short breaks (LS V3/V4) are left out,
    so a child looked after only under short breaks is not counted, as the DfE counts.
    An episode ceasing on D itself does not count on D.

    The row carries the columns of the episode open on D (LS, PLACE, DECOM, …); if a child
    had two overlapping episodes (a validation warning), the later-starting one is used.
    """
    dates = dates.sort().alias("date")
    counted = episodes.filter(~pl.col("LS").is_in(list(SHORT_BREAK_LS)))
    if dates.len() == 0 or counted.height == 0:
        return counted.head(0).with_columns(pl.lit(None, pl.Date).alias("date"))
    # Index of the first date ≥ DECOM, and of the first date ≥ DEC (dates before it are < DEC).
    first = dates.search_sorted(counted["DECOM"], side="left").cast(pl.Int64)
    last = dates.search_sorted(counted["DEC"].fill_null(date.max), side="left").cast(pl.Int64)
    index = pl.DataFrame({"_i": pl.int_range(dates.len(), eager=True, dtype=pl.Int64), "date": dates})
    return (
        counted.with_columns(pl.int_ranges(first, last).alias("_i"))
        .explode("_i")
        .drop_nulls("_i")
        .join(index, on="_i")
        .drop("_i")
        .sort(["date", "CHILD", "DECOM"])
        .group_by(["date", "CHILD"], maintain_order=True)
        .last()
    )


def cla_counts(episodes: pl.DataFrame, dates: pl.Series) -> pl.DataFrame:
    """Children looked after at each date: one row per date, with `cla_count` (zero if none).

    Definition: the number of distinct children looked after at D (see `looked_after_on`).
    """
    on = looked_after_on(episodes, dates)
    counts = on.group_by("date").agg(pl.col("CHILD").n_unique().alias("cla_count"))
    return (
        pl.DataFrame({"date": dates.sort()})
        .join(counts, on="date", how="left")
        .with_columns(pl.col("cla_count").fill_null(0).cast(pl.Int64))
    )


def population_on(population: pl.DataFrame, dates: pl.Series) -> pl.DataFrame:
    """The under-18 population that applies at each date: one row per date.

    The DfE divides by the ONS mid-year estimate of 0 to 17 year olds; at date D it uses the
    latest mid-year (30 June) on or before D, so 31 March 2024 uses mid-2023. Dates before
    the first estimate get null (the rate is then not shown, never guessed).
    """
    estimates = population.select(pl.date(pl.col("mid_year"), 6, 30).alias("date"), pl.col("population_0_17")).sort(
        "date"
    )
    return pl.DataFrame({"date": dates.sort()}).join_asof(estimates, on="date", strategy="backward")


def rate_per_10k(counts: pl.DataFrame, population: pl.DataFrame, count: str = "cla_count") -> pl.DataFrame:
    """Add `rate_per_10k` = count / under-18 population × 10,000 to a frame with a `date` column.

    Definition (DfE): children looked after / ONS mid-year population aged 0-17 × 10,000,
    published rounded to the nearest whole number; kept unrounded here and rounded on display.
    """
    pop = population_on(population, counts["date"])
    return counts.join(pop, on="date", how="left").with_columns(
        (pl.col(count) / pl.col("population_0_17") * 10_000).alias("rate_per_10k")
    )


def review_window(episodes: pl.DataFrame, end: date, months: int) -> pl.Series:
    """The month ends to show: `months` up to `end`, none before the returns' coverage starts."""
    dates = month_ends(end, months)
    start = coverage_start(episodes)
    return dates if start is None else dates.filter(dates >= start)


def monthly_cla(episodes: pl.DataFrame, population: pl.DataFrame | None, end: date, months: int) -> pl.DataFrame:
    """Children looked after and the rate per 10,000 at each of `months` month ends up to `end`.

    One row per month end (none before the returns' coverage starts, see
    `ssda903.coverage_start`): date, cla_count, population_0_17, rate_per_10k (null without a
    population estimate for that date).
    """
    counts = cla_counts(episodes, review_window(episodes, end, months))
    if population is None:
        return counts.with_columns(
            pl.lit(None, pl.Float64).alias("population_0_17"),
            pl.lit(None, pl.Float64).alias("rate_per_10k"),
        )
    return rate_per_10k(counts, population)
