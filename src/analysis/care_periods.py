"""Periods of care: when children start and stop being looked after, and by which route they leave.

A period of care is a run of episodes joined end to start. Following the SSDA903 guidance
(rules 388, 431-433): a new period starts when an episode does not begin on the day the
child's previous episode ceased, and an episode ends its period when REC is anything other
than X1 ("episode ceases and a new episode begins on the same day").

Each figure is for one authority by default; with `by` (the last argument, for example
`("LA",)` for a stacked multi-authority file, see `analysis.national`) it is computed for each
`by` group at once, and a child is a (`by`…, CHILD) pair. As in `analysis.cla`, the work is done
by LazyFrame builders (`_…_plan`) that `national.national_metrics` chains together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from analysis.codes import REC_ROUTE, ROUTE_LABEL, SHORT_BREAK_LS
from analysis.grouping import each_group, is_sorted
from analysis.periods import month_ends, window

ROUTES = list(ROUTE_LABEL)
COLUMNS = ["CHILD", "period", "start", "end", "REC", "route", "last_ls", "last_place", "episodes", "short_breaks_only"]


def periods_of_care(episodes: pl.DataFrame, by: Sequence[str] = ()) -> pl.DataFrame:
    """One row per period of care per `by` group.

    Columns: the `by` columns, CHILD, period (1, 2, … for that child), start (DECOM of its first
    episode), end (DEC of its last episode when that episode's REC is not X1; null while the
    period is open), REC (reason the last episode ceased), route (the plain-English route out, see
    `analysis.codes.REC_ROUTE`), last_ls and last_place (legal status and placement of the last
    episode), episodes (how many), short_breaks_only (every episode under LS V3/V4).
    """
    by = list(by)
    return _periods_plan(episodes.lazy(), by, presorted=is_sorted(episodes, [*by, "CHILD", "DECOM"])).collect()


def _periods_plan(episodes: pl.LazyFrame, by: list[str], presorted: bool = False) -> pl.LazyFrame:
    """Periods of care, computed on runs of rows rather than with a hash group-by.

    Once the episodes are sorted by child and DECOM, a child's episodes and each period's
    episodes are consecutive rows: a period's first row is where a new one starts, its last row
    is the row before the next start. Sorting is skipped when the caller knows the rows are in
    order already (a 903 file usually is; `grouping.is_sorted` checks it).
    """
    child = [*by, "CHILD"]
    ordered = episodes if presorted else episodes.sort([*child, "DECOM"])
    new_child = pl.any_horizontal(pl.col(c).ne_missing(pl.col(c).shift(1)) for c in child)
    previous_dec = pl.col("DEC").shift(1)
    starts = (new_child | previous_dec.is_null() | (pl.col("DECOM") != previous_dec)).fill_null(True)
    runs = ordered.select(
        *child,
        "DECOM",
        "DEC",
        "REC",
        "LS",
        "PLACE",
        starts.alias("_new"),
        new_child.alias("_child"),
        pl.col("LS").is_in(list(SHORT_BREAK_LS)).alias("_sb"),
    ).with_columns(
        pl.col("_new").shift(-1, fill_value=True).alias("_last"),
        pl.col("_new").cum_sum().alias("_pid"),
        (~pl.col("_sb")).cum_sum().alias("_others"),  # episodes so far that are not short breaks
        pl.int_range(pl.len()).alias("_row"),
    )
    runs = runs.with_columns(
        (pl.col("_pid") - pl.when(pl.col("_child")).then(pl.col("_pid") - 1).forward_fill())
        .cast(pl.UInt32)
        .alias("period")
    )
    firsts = runs.filter(pl.col("_new")).select(
        *child,
        "period",
        pl.col("DECOM").alias("start"),
        "_row",
        (pl.col("_others") - (~pl.col("_sb")).cast(pl.UInt32)).alias("_others_before"),
    )
    lasts = runs.filter(pl.col("_last")).select(
        pl.col("DEC").alias("_dec"),
        "REC",
        pl.col("LS").alias("last_ls"),
        pl.col("PLACE").alias("last_place"),
        pl.col("_row").alias("_last_row"),
        pl.col("_others").alias("_others_after"),
    )
    ended = pl.col("REC").is_not_null() & (pl.col("REC") != "X1")
    return (
        pl.concat([firsts, lasts], how="horizontal")
        .with_columns(
            (pl.col("_last_row") - pl.col("_row") + 1).cast(pl.UInt32).alias("episodes"),
            (pl.col("_others_after") == pl.col("_others_before")).alias("short_breaks_only"),
            pl.when(ended).then(pl.col("_dec")).alias("end"),
            pl.when(ended).then(pl.col("REC").replace_strict(REC_ROUTE, default="other")).alias("route"),
        )
        .select([*by, *COLUMNS])
    )


def _per_month(periods: pl.LazyFrame, column: str, by: list[str], name: str) -> pl.LazyFrame:
    """How many periods have `column` in each month: one row per (`by`…, month end) with a count, `name`."""
    # Group on the month's first day and take month ends after counting: month_end on every row is slow.
    return (
        periods.group_by([*by, pl.col(column).dt.truncate("1mo").alias("date")])
        .agg(pl.len().alias(name))
        .with_columns(pl.col("date").dt.month_end())
    )


def monthly_flows(
    periods: pl.DataFrame, end: date, months: int, start: date | None = None, by: Sequence[str] = ()
) -> pl.DataFrame:
    """Starts and ceases of periods of care per month, with rolling 12-month sums.

    One row per month end per `by` group (the `months` up to `end`, none before `start`): the `by`
    columns, date, starts, ceases, starts_12m, ceases_12m. Periods made up only of short breaks
    (LS V3/V4) are left out, as the DfE leaves them out of children starting and ceasing to be
    looked after. A rolling sum is null until 12 months of data lie behind it (never a partial year).
    """
    return _flows_plan(periods.lazy(), end, months, start, list(by)).collect()


def _flows_plan(periods: pl.LazyFrame, end: date, months: int, start: date | None, by: list[str]) -> pl.LazyFrame:
    counted = periods.filter(~pl.col("short_breaks_only"))
    grid = month_ends(end, months + 11)
    starts = _per_month(counted, "start", by, "starts")
    ceases = _per_month(counted.drop_nulls("end"), "end", by, "ceases")
    flows = (
        each_group(periods, by, pl.DataFrame({"date": grid}))
        .join(starts, on=[*by, "date"], how="left", maintain_order="left")
        .join(ceases, on=[*by, "date"], how="left", maintain_order="left")
        .with_columns(pl.col("starts", "ceases").fill_null(0).cast(pl.Int64))
    )
    if start is not None:
        flows = flows.with_columns(
            pl.when(pl.col("date") >= pl.lit(start).dt.month_end()).then(pl.col(c)).alias(c)
            for c in ("starts", "ceases")
        )
    flows = flows.with_columns(
        _over(pl.col("starts").rolling_sum(12), by).alias("starts_12m"),
        _over(pl.col("ceases").rolling_sum(12), by).alias("ceases_12m"),
    )
    # The last `months` month ends (the 11 before them only feed the rolling sums).
    shown = grid.tail(months)
    return flows.filter(pl.col("date").is_in(shown.implode())).filter(pl.col("starts").is_not_null())


def _over(expr: pl.Expr, by: list[str]) -> pl.Expr:
    return expr.over(by) if by else expr


def ceased_by_route(periods: pl.DataFrame, first: date, last: date, by: Sequence[str] = ()) -> pl.DataFrame:
    """Periods of care that ended between `first` and `last` (inclusive), by route.

    One row per route per `by` group, routes in a fixed order (every route, zero if none): the
    `by` columns, route, label, ceased. Short-break-only periods are left out.
    """
    return _routes_plan(periods.lazy(), first, last, list(by)).collect()


def _routes_plan(
    periods: pl.LazyFrame, first: date, last: date, by: list[str], groups: pl.LazyFrame | None = None
) -> pl.LazyFrame:
    """`groups`: the `by` values to give rows to (default: every group in `periods`)."""
    ended = periods.filter(~pl.col("short_breaks_only") & pl.col("end").is_between(first, last, closed="both"))
    counts = ended.group_by([*by, "route"]).agg(pl.len().alias("ceased"))
    routes = pl.DataFrame({"route": ROUTES, "label": [ROUTE_LABEL[r] for r in ROUTES]})
    if groups is None:
        grid = each_group(periods, by, routes)
    else:
        grid = groups.join(routes.lazy(), how="cross", maintain_order="left_right")
    return grid.join(counts, on=[*by, "route"], how="left", maintain_order="left").with_columns(
        pl.col("ceased").fill_null(0).cast(pl.Int64)
    )


def monthly_ceased_by_route(periods: pl.DataFrame, end: date, months: int, start: date | None = None) -> pl.DataFrame:
    """Ceases per month by route: one row per (month end, route), zero-filled; for metrics.csv."""
    grid = window(end, months, start)
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


def _month(column: str) -> pl.Expr:
    return pl.col(column).dt.month_end().alias("date")
