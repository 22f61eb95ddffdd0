"""Periods of care: when children start and stop being looked after, and by which route they leave.

A period of care is a run of episodes, built by the SSDA903 rules (rules 388, 431-433):

- a period starts at a child's first episode, after an episode whose REC is anything other than
  X1 ("episode ceases and a new episode begins on the same day"), or after a gap (an episode that
  does not begin on the day the previous one ceased);
- a period ends at an episode whose REC is anything other than X1, even when a new episode begins
  the same day (that one starts a new period, RNE S);
- an episode ending X1 that is not followed the same day (a gap, or nothing after it) breaks rule
  433/388 (a validation warning): the period is read as ending there, by the route `unknown`;
- an episode with a DEC but no REC (rule 148, a validation warning) is read as X1 would be: it
  continues into an episode starting the same day, and otherwise ends the period at DEC, by the
  route `unknown`, so the child leaves the periods on the day they leave the counts.

Short breaks: episodes under an agreed series of short breaks (LS V3/V4) are dropped before the
periods are built, for counts and flows alike, as the DfE excludes "children looked after under
an agreed series of short-term placements" from children looked after, starting and ceasing
(DfE "Children looked after in England including adoptions" methodology). A child moving from
care into short breaks therefore stops being looked after when the short breaks begin.

Each figure is for one authority by default; with `by` (the last argument, for example
`("LA",)` for a stacked multi-authority file, see `analysis.metrics.national`) it is computed for each
`by` group at once, and a child is a (`by`…, CHILD) pair. As in `analysis.metrics.cla`, the work is done
by LazyFrame builders (`_…_plan`) that `national.national_metrics` chains together.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from datetime import date

import polars as pl

from analysis.core.codes import REC_ROUTE, ROUTE_LABEL, SHORT_BREAK_LS, UNKNOWN_ROUTE
from analysis.core.grouping import each_group, is_sorted
from analysis.core.periods import month_ends, window

ROUTES = list(ROUTE_LABEL)
COLUMNS = ["CHILD", "period", "start", "end", "REC", "route", "last_ls", "last_place", "episodes", "short_breaks_only"]


def periods_of_care(episodes: pl.DataFrame, by: Sequence[str] = ()) -> pl.DataFrame:
    """One row per period of care per `by` group (see the module docstring for the rules).

    Columns: the `by` columns, CHILD, period (1, 2, … for that child), start (DECOM of its first
    episode), end (DEC of its last episode; null while the period is open), REC (reason the last
    episode ceased; X1 when the period ended at a gap), route (the plain-English route out, see
    `analysis.core.codes.REC_ROUTE`; `unknown` after X1 and a gap), last_ls and last_place (legal status
    and placement of the last episode), episodes (how many), short_breaks_only (always false: short
    breaks are dropped before periods are built; kept so that callers filtering on it still work).
    """
    by = list(by)
    cache_key = (id(episodes), episodes.height, tuple(episodes.columns), tuple(by))
    kept = _PERIODS.get(cache_key)
    if kept is not None and kept[0]() is episodes:
        return kept[1]
    periods = _periods_plan(episodes.lazy(), by, presorted=is_sorted(episodes, [*by, "CHILD", "DECOM"])).collect()
    # Kept while `episodes` lives: each section of a review builds the periods of the same episodes.
    while len(_PERIODS) >= _KEEP_PERIODS:
        del _PERIODS[next(iter(_PERIODS))]
    _PERIODS[cache_key] = (weakref.ref(episodes), periods)
    weakref.finalize(episodes, _PERIODS.pop, cache_key, None)
    return periods


#: `periods_of_care`'s recent results: (episodes' id, height, columns, by) → (a weak reference to them, periods).
_PERIODS: dict[tuple, tuple[weakref.ref, pl.DataFrame]] = {}
_KEEP_PERIODS = 4


def _periods_plan(episodes: pl.LazyFrame, by: list[str], presorted: bool = False) -> pl.LazyFrame:
    """Periods of care, computed on runs of rows rather than with a hash group-by.

    Once the episodes are sorted by child and DECOM, a child's episodes and each period's
    episodes are consecutive rows: a period's first row is where a new one starts, its last row
    is the row before the next start. Sorting is skipped when the caller knows the rows are in
    order already (a 903 file usually is; `grouping.is_sorted` checks it); dropping the short
    breaks keeps the order.
    """
    child = [*by, "CHILD"]
    counted = episodes.filter(~pl.col("LS").is_in(list(SHORT_BREAK_LS)).fill_null(False))
    ordered = counted if presorted else counted.sort([*child, "DECOM"])
    new_child = pl.any_horizontal(pl.col(c).ne_missing(pl.col(c).shift(1)) for c in child)
    previous_dec, previous_rec = pl.col("DEC").shift(1), pl.col("REC").shift(1)
    previous_ceased = previous_rec.is_not_null() & (previous_rec != "X1")
    gap = previous_dec.is_null() | (pl.col("DECOM") != previous_dec)
    starts = (new_child | previous_ceased | gap).fill_null(True)
    runs = ordered.select(
        *child,
        "DECOM",
        "DEC",
        "REC",
        "LS",
        "PLACE",
        starts.alias("_new"),
        new_child.alias("_child"),
    ).with_columns(
        pl.col("_new").shift(-1, fill_value=True).alias("_last"),
        pl.col("_new").cum_sum().alias("_pid"),
        pl.int_range(pl.len()).alias("_row"),
    )
    runs = runs.with_columns(
        (pl.col("_pid") - pl.when(pl.col("_child")).then(pl.col("_pid") - 1).forward_fill())
        .cast(pl.UInt32)
        .alias("period")
    )
    firsts = runs.filter(pl.col("_new")).select(*child, "period", pl.col("DECOM").alias("start"), "_row")
    lasts = runs.filter(pl.col("_last")).select(
        pl.col("DEC").alias("_dec"),
        "REC",
        pl.col("LS").alias("last_ls"),
        pl.col("PLACE").alias("last_place"),
        pl.col("_row").alias("_last_row"),
    )
    ceased = pl.col("REC").is_not_null() & (pl.col("REC") != "X1")
    # The last episode of a period ends X1 only when no episode follows it the same day (rule 433/388).
    # A DEC with no REC (rule 148) is read as X1 would be: the period ends at DEC, route unknown.
    broken = ((pl.col("REC") == "X1") | pl.col("REC").is_null()) & pl.col("_dec").is_not_null()
    return (
        pl.concat([firsts, lasts], how="horizontal")
        .with_columns(
            (pl.col("_last_row") - pl.col("_row") + 1).cast(pl.UInt32).alias("episodes"),
            pl.lit(False).alias("short_breaks_only"),
            pl.when(ceased | broken).then(pl.col("_dec")).alias("end"),
            pl.when(ceased)
            .then(pl.col("REC").replace_strict(REC_ROUTE, default="other"))
            .when(broken)
            .then(pl.lit(UNKNOWN_ROUTE))
            .alias("route"),
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
    columns, date, starts, ceases, starts_12m, ceases_12m. These count periods, not children: a
    child who comes into care twice in a month counts twice (the DfE's annual counts of children
    are `annual_started` and `annual_ceased`). Short breaks (LS V3/V4) are not in any period. A
    rolling sum is null until 12 months of data lie behind it (never a partial year).
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
    `by` columns, route, label, ceased. Counts periods; `children_ceased_by_route` counts children.
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


# --- The DfE's annual measures: children, each counted once ---------------------------------------------------


def year_label(year: int) -> str:
    """The collection year ending 31 March `year`, written as the DfE writes it: 2024 -> "2023/24"."""
    return f"{year - 1}/{year % 100:02d}"


def collection_years(coverage: date | None, end: date) -> list[int]:
    """The collection years (named by the 31 March that ends them) wholly inside the returns and ended by `end`.

    `coverage` is the first day the returns cover (`ssda903.coverage_start`; None when there are no episodes).
    """
    if coverage is None:
        return []
    first = coverage.year + 1 if (coverage.month, coverage.day) <= (4, 1) else coverage.year + 2
    last = end.year if (end.month, end.day) >= (3, 31) else end.year - 1
    return list(range(first, last + 1))


def children_started(periods: pl.DataFrame, first: date, last: date) -> int:
    """Children who started to be looked after between `first` and `last` (inclusive), each counted once.

    Definition (DfE, "Children looked after in England": children who started to be looked after
    during the year): distinct children with a period of care starting in the window, however many
    periods they started. Short breaks (LS V3/V4) are excluded (not in any period).
    """
    return periods.filter(pl.col("start").is_between(first, last, closed="both"))["CHILD"].n_unique()


def children_ceased_by_route(periods: pl.DataFrame, first: date, last: date) -> pl.DataFrame:
    """Children who ceased to be looked after between `first` and `last` (inclusive), by route.

    Definition (DfE, "Children looked after in England": children who ceased to be looked after
    during the year, by reason episode ceased): each child counted once, by the route of the last
    period that ended in the window. One row per route in `ROUTES` order, zero-filled: route,
    label, ceased.
    """
    last_cease = (
        periods.filter(pl.col("end").is_between(first, last, closed="both"))
        .sort("CHILD", "end", "period")
        .group_by("CHILD", maintain_order=True)
        .last()
    )
    counts = last_cease.group_by("route").agg(pl.len().alias("ceased"))
    routes = pl.DataFrame({"route": ROUTES, "label": [ROUTE_LABEL[r] for r in ROUTES]})
    return routes.join(counts, on="route", how="left", maintain_order="left").with_columns(
        pl.col("ceased").fill_null(0).cast(pl.Int64)
    )


def annual_started(periods: pl.DataFrame, years: list[int]) -> pl.DataFrame:
    """`children_started` for each collection year: one row per year: year_end (31 March), period ("2023/24"),
    started."""
    return pl.DataFrame(
        {
            "year_end": [date(y, 3, 31) for y in years],
            "period": [year_label(y) for y in years],
            "started": [children_started(periods, date(y - 1, 4, 1), date(y, 3, 31)) for y in years],
        },
        schema={"year_end": pl.Date, "period": pl.String, "started": pl.Int64},
    )


def annual_ceased(periods: pl.DataFrame, years: list[int]) -> pl.DataFrame:
    """`children_ceased_by_route` for each collection year, with the total.

    One row per (year, breakdown): year_end, period ("2023/24"), breakdown ("all", then each route in
    `ROUTES` order), label, ceased. The routes add up to "all": each child is counted once, by its last cease.
    """
    frames = []
    for y in years:
        routes = children_ceased_by_route(periods, date(y - 1, 4, 1), date(y, 3, 31))
        total = pl.DataFrame({"route": ["all"], "label": ["All"], "ceased": [int(routes["ceased"].sum())]})
        frames.append(
            pl.concat([total, routes.select("route", "label", "ceased")]).select(
                pl.lit(date(y, 3, 31)).alias("year_end"),
                pl.lit(year_label(y)).alias("period"),
                pl.col("route").alias("breakdown"),
                "label",
                pl.col("ceased").cast(pl.Int64),
            )
        )
    if not frames:
        return pl.DataFrame(
            schema={"year_end": pl.Date, "period": pl.String, "breakdown": pl.String, "label": pl.String,
                    "ceased": pl.Int64}
        )  # fmt: skip
    return pl.concat(frames)
