"""Periods of care: when children start and stop being looked after, and by which route they leave.

A period of care is a run of episodes joined end to start. Following the SSDA903 guidance
(rules 388, 431-433): a new period starts when an episode does not begin on the day the
child's previous episode ceased, and an episode ends its period when REC is anything other
than X1 ("episode ceases and a new episode begins on the same day").
"""

from __future__ import annotations

from datetime import date

import polars as pl

from analysis.codes import REC_ROUTE, ROUTE_LABEL, SHORT_BREAK_LS
from analysis.periods import month_ends

ROUTES = list(ROUTE_LABEL)
COLUMNS = ["CHILD", "period", "start", "end", "REC", "route", "last_ls", "last_place", "episodes", "short_breaks_only"]


def periods_of_care(episodes: pl.DataFrame) -> pl.DataFrame:
    """One row per period of care.

    Columns: CHILD, period (1, 2, … for that child), start (DECOM of its first episode), end
    (DEC of its last episode when that episode's REC is not X1; null while the period is open),
    REC (reason the last episode ceased), route (the plain-English route out, see
    `analysis.codes.REC_ROUTE`), last_ls and last_place (legal status and placement of the last
    episode), episodes (how many), short_breaks_only (every episode under LS V3/V4).
    """
    previous_dec = pl.col("DEC").shift(1).over("CHILD")
    ordered = episodes.sort(["CHILD", "DECOM"]).with_columns(
        (previous_dec.is_null() | (pl.col("DECOM") != previous_dec)).cum_sum().over("CHILD").alias("period")
    )
    return (
        ordered.group_by(["CHILD", "period"], maintain_order=True)
        .agg(
            pl.col("DECOM").first().alias("start"),
            pl.col("DEC").last().alias("_dec"),
            pl.col("REC").last().alias("REC"),
            pl.col("LS").last().alias("last_ls"),
            pl.col("PLACE").last().alias("last_place"),
            pl.len().alias("episodes"),
            pl.col("LS").is_in(list(SHORT_BREAK_LS)).all().alias("short_breaks_only"),
        )
        .with_columns(
            pl.when(pl.col("REC").is_not_null() & (pl.col("REC") != "X1")).then(pl.col("_dec")).alias("end"),
        )
        .with_columns(
            pl.when(pl.col("end").is_not_null())
            .then(pl.col("REC").replace_strict(REC_ROUTE, default="other"))
            .alias("route")
        )
        .drop("_dec")
        .select(COLUMNS)
    )


def _month(column: str) -> pl.Expr:
    return pl.col(column).dt.month_end().alias("date")


def monthly_flows(periods: pl.DataFrame, end: date, months: int, start: date | None = None) -> pl.DataFrame:
    """Starts and ceases of periods of care per month, with rolling 12-month sums.

    One row per month end (the `months` up to `end`, none before `start`): date, starts,
    ceases, starts_12m, ceases_12m. Periods made up only of short breaks (LS V3/V4) are left
    out, as the DfE leaves them out of children starting and ceasing to be looked after.
    A rolling sum is null until 12 months of data lie behind it (never a partial year).
    """
    counted = periods.filter(~pl.col("short_breaks_only"))
    grid = month_ends(end, months + 11)
    starts = counted.group_by(_month("start")).agg(pl.len().alias("starts"))
    ceases = counted.drop_nulls("end").group_by(_month("end")).agg(pl.len().alias("ceases"))
    flows = (
        pl.DataFrame({"date": grid})
        .join(starts, on="date", how="left")
        .join(ceases, on="date", how="left")
        .with_columns(pl.col("starts", "ceases").fill_null(0).cast(pl.Int64))
    )
    if start is not None:
        flows = flows.with_columns(
            pl.when(pl.col("date") >= pl.lit(start).dt.month_end()).then(pl.col(c)).alias(c)
            for c in ("starts", "ceases")
        )
    flows = flows.with_columns(
        pl.col("starts").rolling_sum(12).alias("starts_12m"),
        pl.col("ceases").rolling_sum(12).alias("ceases_12m"),
    )
    return flows.tail(months).filter(pl.col("starts").is_not_null())


def ceased_by_route(periods: pl.DataFrame, first: date, last: date) -> pl.DataFrame:
    """Periods of care that ended between `first` and `last` (inclusive), by route.

    One row per route in a fixed order (every route, zero if none): route, label, ceased.
    Short-break-only periods are left out.
    """
    ended = periods.filter(~pl.col("short_breaks_only") & pl.col("end").is_between(first, last, closed="both"))
    counts = ended.group_by("route").agg(pl.len().alias("ceased"))
    return (
        pl.DataFrame({"route": ROUTES, "label": [ROUTE_LABEL[r] for r in ROUTES]})
        .join(counts, on="route", how="left")
        .with_columns(pl.col("ceased").fill_null(0).cast(pl.Int64))
    )


def monthly_ceased_by_route(periods: pl.DataFrame, end: date, months: int, start: date | None = None) -> pl.DataFrame:
    """Ceases per month by route: one row per (month end, route), zero-filled; for metrics.csv."""
    grid = month_ends(end, months)
    if start is not None:
        grid = grid.filter(grid >= pl.Series([start]).dt.month_end()[0])
    counts = (
        periods.filter(~pl.col("short_breaks_only") & pl.col("end").is_not_null())
        .group_by(_month("end"), "route")
        .agg(pl.len().alias("ceased"))
    )
    return (
        pl.DataFrame({"date": grid})
        .join(pl.DataFrame({"route": ROUTES}), how="cross")
        .join(counts, on=["date", "route"], how="left")
        .with_columns(pl.col("ceased").fill_null(0).cast(pl.Int64))
    )
