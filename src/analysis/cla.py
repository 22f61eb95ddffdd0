"""Children looked after: who is in care on a date, how many, and the rate per 10,000.

Each figure is for one authority by default. `by` (the last argument) names columns that say
whose figures a row is, for example `("LA",)` for a stacked multi-authority file (see
`analysis.national`): the figures are then computed for each `by` group at once, and a child is
a (`by`…, CHILD) pair, so the same CHILD identifier in two groups is two children.

The work is done by LazyFrame builders (`_…_plan`), so that `national.national_metrics` can
chain them into queries that polars optimises as a whole and collect independent ones together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from analysis.codes import SHORT_BREAK_LS
from analysis.grouping import each_group
from analysis.periods import month_ends
from analysis.ssda903 import coverage_start


def looked_after_on(episodes: pl.DataFrame, dates: pl.Series, by: Sequence[str] = ()) -> pl.DataFrame:
    """One row per (date, CHILD) per `by` group for each child looked after at the end of each date.

    Definition (DfE, SSDA903 guidance; "Children looked after in England" methodology): a
    child is looked after at date D when they have an episode with DECOM ≤ D and (DEC empty
    or DEC > D). Episodes under an agreed series of short breaks (LS V3/V4) are left out,
    so a child looked after only under short breaks is not counted, as the DfE counts.
    An episode ceasing on D itself does not count on D.

    The row carries the columns of the episode open on D (LS, PLACE, DECOM, …); if a child
    had two overlapping episodes (a validation warning), the later-starting one is used.
    """
    keys = [*by, "date", "CHILD"]
    counted = episodes.filter(~_short_break())
    if dates.len() == 0 or counted.height == 0:
        return counted.head(0).with_columns(pl.lit(None, pl.Date).alias("date"))
    on = _on_dates_plan(episodes.lazy(), dates)
    return on.sort([*keys, "DECOM"]).group_by(keys, maintain_order=True).last().collect()


def cla_counts(episodes: pl.DataFrame, dates: pl.Series, by: Sequence[str] = ()) -> pl.DataFrame:
    """Children looked after at each date: one row per date per `by` group, with `cla_count` (zero if none).

    Definition: the number of distinct children looked after at D (see `looked_after_on`).
    Every `by` group in `episodes` gets a row for every date.
    """
    return _cla_counts_plan(episodes.lazy(), dates, list(by)).collect()


def _cla_counts_plan(episodes: pl.LazyFrame, dates: pl.Series, by: list[str]) -> pl.LazyFrame:
    dates = dates.sort().alias("date")
    grid = each_group(episodes, by, pl.DataFrame({"date": dates}))
    if dates.len() == 0:
        return grid.with_columns(pl.lit(0, pl.Int64).alias("cla_count"))
    # Counting distinct children needs no choice between a child's overlapping episodes (looked_after_on's sort).
    counts = _on_dates_plan(episodes, dates).group_by([*by, "date"]).agg(pl.col("CHILD").n_unique().alias("cla_count"))
    return grid.join(counts, on=[*by, "date"], how="left", maintain_order="left").with_columns(
        pl.col("cla_count").fill_null(0).cast(pl.Int64)
    )


def _on_dates_plan(episodes: pl.LazyFrame, dates: pl.Series) -> pl.LazyFrame:
    """One row per (counted episode, date) for each episode open at the end of a date (`dates` not empty)."""
    dates = dates.sort().alias("date")
    # Index of the first date ≥ DECOM, and of the first date ≥ DEC (dates before it are < DEC): the episode is
    # open at the end of the dates from the first index up to, not including, the second.
    first = pl.lit(dates).search_sorted(pl.col("DECOM"), side="left").cast(pl.Int64)
    last = pl.lit(dates).search_sorted(pl.col("DEC").fill_null(date.max), side="left").cast(pl.Int64)
    return (
        episodes.filter(~_short_break())
        .with_columns(first.alias("_first"), last.alias("_last"))
        .filter(pl.col("_last") > pl.col("_first"))  # most episodes span no date: drop them before exploding
        .with_columns(pl.int_ranges("_first", "_last").alias("_i"))
        .explode("_i")
        .with_columns(pl.lit(dates).gather(pl.col("_i")).alias("date"))
        .drop("_first", "_last", "_i")
    )


def _short_break() -> pl.Expr:
    return pl.col("LS").is_in(list(SHORT_BREAK_LS))


def population_on(population: pl.DataFrame, dates: pl.Series, by: Sequence[str] = ()) -> pl.DataFrame:
    """The under-18 population that applies at each date: one row per date per `by` group.

    The DfE divides by the ONS mid-year estimate of 0 to 17 year olds; at date D it uses the
    latest mid-year (30 June) on or before D, so 31 March 2024 uses mid-2023. Dates before
    the first estimate get null (the rate is then not shown, never guessed).
    `population` has `mid_year`, `population_0_17` and the `by` columns (rename `la_code` to `LA`).
    """
    return _population_plan(population.lazy(), dates, list(by)).collect()


def _population_plan(population: pl.LazyFrame, dates: pl.Series, by: list[str]) -> pl.LazyFrame:
    estimates = population.select(
        *by, pl.date(pl.col("mid_year"), 6, 30).alias("date"), pl.col("population_0_17")
    ).sort("date")
    grid = each_group(population, by, pl.DataFrame({"date": dates.sort()})).sort("date", maintain_order=True)
    found = grid.join_asof(estimates, on="date", by=by or None, strategy="backward", check_sortedness=not by)
    return found.sort([*by, "date"], maintain_order=True) if by else found


def rate_per_10k(
    counts: pl.DataFrame, population: pl.DataFrame, count: str = "cla_count", by: Sequence[str] = ()
) -> pl.DataFrame:
    """Add `rate_per_10k` = count / under-18 population × 10,000 to a frame with a `date` column.

    Definition (DfE): children looked after / ONS mid-year population aged 0-17 × 10,000,
    published rounded to the nearest whole number; kept unrounded here and rounded on display.
    Also adds `population_0_17` (see `population_on`); with `by`, each row gets its own `by`
    group's population, so `counts` and `population` both have the `by` columns.
    """
    dates = counts["date"].unique(maintain_order=True)
    return _rate_plan(counts.lazy(), population.lazy(), dates, count, list(by)).collect()


def _rate_plan(
    counts: pl.LazyFrame, population: pl.LazyFrame, dates: pl.Series, count: str, by: list[str]
) -> pl.LazyFrame:
    pop = _population_plan(population, dates, by)
    return counts.join(pop, on=[*by, "date"], how="left", maintain_order="left").with_columns(
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
