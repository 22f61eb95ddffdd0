"""Time at each stage of the permanence tracker, with open stages censored at the review date.

A child still at a stage on the review date has waited *at least* that long; leaving them out
would make waits look shorter than they are, and counting their wait so far as finished would too.
So medians and 90th percentiles are Kaplan-Meier estimates over the stage spells of
`permanence.stage_events`, and the children over a threshold are counted from the open spells.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from analysis.core.periods import month_ends
from analysis.metrics.permanence import STAGES, STUCK_DAYS


def km_quantile(days: pl.Series, finished: pl.Series, q: float) -> int | None:
    """The q-quantile of time at a stage by the Kaplan-Meier method, or None if not reached.

    Spells still open are censored: they count as "at least this long". The estimate is the
    smallest number of days by which the share still waiting has fallen to 1 − q or below. If
    more than 1 − q are still waiting after the longest finished spell, it is not reached (None).
    """
    frame = pl.DataFrame({"days": days, "event": finished.cast(pl.Int64)}).drop_nulls("days")
    if frame.height == 0:
        return None
    steps = (
        frame.group_by("days")
        .agg(pl.col("event").sum().alias("events"), pl.len().alias("total"))
        .sort("days")
        .with_columns((frame.height - pl.col("total").cum_sum().shift(1, fill_value=0)).alias("at_risk"))
        .with_columns((1 - pl.col("events") / pl.col("at_risk")).cum_prod().alias("surviving"))
        .filter(pl.col("surviving") <= 1 - q + 1e-12)
    )
    return int(steps["days"][0]) if steps.height else None


def ageing(events: pl.DataFrame, on: date, *, since: date | None = None, threshold: int = STUCK_DAYS) -> pl.DataFrame:
    """Time at each stage: one row per stage in `STAGES` order, from a `stage_events` frame at `on`.

    Columns: stage, spells (spells that began on or after `since`, or all), finished, still_open,
    median_days and p90_days (Kaplan-Meier, open spells censored at `on`; null when not reached),
    longest_open_days, over_threshold (spells open at `on` for more than `threshold` days, whenever
    they began: the children stuck now). Spells with an unknown end are left out.
    """
    known = events.filter(~pl.col("unknown_end"))
    rows = []
    for stage in STAGES:
        spells = known.filter(pl.col("stage") == stage)
        cohort = spells if since is None else spells.filter(pl.col("entered") >= since)
        open_now = spells.filter(pl.col("open"))
        rows.append(
            {
                "stage": stage,
                "spells": cohort.height,
                "finished": cohort.filter(~pl.col("open")).height,
                "still_open": cohort.filter(pl.col("open")).height,
                "median_days": km_quantile(cohort["days"], ~cohort["open"], 0.5),
                "p90_days": km_quantile(cohort["days"], ~cohort["open"], 0.9),
                "longest_open_days": open_now["days"].max(),
                "over_threshold": open_now.filter(pl.col("days") > threshold).height,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "stage": pl.String,
            "spells": pl.Int64,
            "finished": pl.Int64,
            "still_open": pl.Int64,
            "median_days": pl.Int64,
            "p90_days": pl.Int64,
            "longest_open_days": pl.Int64,
            "over_threshold": pl.Int64,
        },
    )


#: The fewest orders a median is shown for: fewer would come close to describing one child.
MIN_FOR_MEDIAN = 5


def plan_to_order_by_quarter(order_rows: pl.DataFrame, end: date, quarters: int = 12) -> pl.DataFrame:
    """Days from plan to order for orders made in each quarter: one row per quarter end (the
    `quarters` quarters up to the one holding `end`).

    Columns: date (quarter end), orders, median_days (null under `MIN_FOR_MEDIAN` orders), orders_12m
    and median_days_12m (the four quarters to that quarter end, null under `MIN_FOR_MEDIAN`).
    """
    quarter_end = pl.col("order_date").dt.truncate("1q").dt.offset_by("2mo").dt.month_end()
    last = pl.Series([end]).dt.truncate("1q").dt.offset_by("2mo").dt.month_end().item()
    grid = pl.Series("date", month_ends(last, quarters * 3).to_list()[2::3])
    rows = []
    keyed = order_rows.with_columns(quarter_end.alias("date"))
    for q in grid.to_list():
        this = keyed.filter(pl.col("date") == q)["plan_to_order_days"]
        year = keyed.filter((pl.col("date") <= q) & (pl.col("date") > pl.lit(q).dt.offset_by("-12mo").dt.month_end()))[
            "plan_to_order_days"
        ]
        rows.append(
            {
                "date": q,
                "orders": this.len(),
                "median_days": this.median() if this.len() >= MIN_FOR_MEDIAN else None,
                "orders_12m": year.len(),
                "median_days_12m": year.median() if year.len() >= MIN_FOR_MEDIAN else None,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "date": pl.Date,
            "orders": pl.Int64,
            "median_days": pl.Float64,
            "orders_12m": pl.Int64,
            "median_days_12m": pl.Float64,
        },
    )
