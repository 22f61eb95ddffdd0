"""Applications and orders in the permanence tracker: planned against actual, overdue, and orders made.

An application is the tracker's `sent_to_legal_date` ([HC-SCRUTINY-2020-12]: applications "sent to legal"
and then "filed with court"); the plan is `planned_application_month` (YYYY-MM).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from analysis.core.periods import month_ends
from analysis.metrics.permanence import outcome_by


def _month_text(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def applications_by_month(
    tracker: pl.DataFrame, end: date, months_back: int = 12, months_ahead: int = 6
) -> pl.DataFrame:
    """Planned against actual applications: one row per month end from `months_back` months up to
    `end` to `months_ahead` months after it.

    Columns: date, planned (rows whose planned_application_month is that month), sent (rows sent
    to legal services that month: the application made; null for months after `end`), future,
    planned_cumulative, sent_cumulative (running totals from the first month shown). An
    application is the tracker's sent_to_legal_date ([HC-SCRUTINY-2020-12]: applications "sent to legal").
    """
    ahead = pl.Series([end]).dt.offset_by(f"{months_ahead}mo").dt.month_end().item()
    grid = month_ends(ahead, months_back + months_ahead)
    planned = (
        tracker.drop_nulls("planned_application_month")
        .with_columns(
            (pl.col("planned_application_month") + "-01")
            .str.to_date("%Y-%m-%d", strict=False)
            .dt.month_end()
            .alias("date")
        )
        .group_by("date")
        .agg(pl.len().alias("planned"))
    )
    sent = (
        tracker.filter(pl.col("sent_to_legal_date") <= end)
        .group_by(pl.col("sent_to_legal_date").dt.month_end().alias("date"))
        .agg(pl.len().alias("sent"))
    )
    frame = (
        pl.DataFrame({"date": grid})
        .join(planned, on="date", how="left")
        .join(sent, on="date", how="left")
        .with_columns(pl.col("planned", "sent").fill_null(0).cast(pl.Int64), (pl.col("date") > end).alias("future"))
        .with_columns(pl.when(pl.col("future")).then(None).otherwise(pl.col("sent")).alias("sent"))
    )
    return frame.with_columns(
        pl.col("planned").cum_sum().alias("planned_cumulative"),
        pl.col("sent").cum_sum().alias("sent_cumulative"),
    )


def overdue(tracker: pl.DataFrame, on: date) -> pl.DataFrame:
    """Open plans whose planned application month has passed without an application by `on`.

    One row per tracker row: open at `on`, planned_application_month before `on`'s month, and no
    sent_to_legal_date on or before `on`. Columns: _row, child_id, route, planned_application_month.
    """
    sent = pl.col("sent_to_legal_date").is_not_null() & (pl.col("sent_to_legal_date") <= on)
    return tracker.filter(
        (pl.col("identified_date") <= on)
        & ~outcome_by(on)
        & pl.col("planned_application_month").is_not_null()
        & (pl.col("planned_application_month") < _month_text(on))
        & ~sent
    ).select("_row", "child_id", "route", "planned_application_month")


def orders(tracker: pl.DataFrame, end: date) -> pl.DataFrame:
    """Orders recorded in the tracker by `end`: one row per tracker row with outcome order_made and an
    outcome date on or before `end`. Columns: _row, child_id, route, order_date, identified_date,
    plan_to_order_days (order_date − identified_date), support_plan.
    """
    return tracker.filter((pl.col("outcome") == "order_made") & (pl.col("outcome_date") <= end)).select(
        "_row",
        "child_id",
        "route",
        pl.col("outcome_date").alias("order_date"),
        "identified_date",
        (pl.col("outcome_date") - pl.col("identified_date")).dt.total_days().alias("plan_to_order_days"),
        "support_plan",
    )


def monthly_orders(order_rows: pl.DataFrame, end: date, months: int, start: date | None = None) -> pl.DataFrame:
    """Orders per month from an `orders` frame: one row per month end (`months` up to `end`, none
    before `start`): date, orders (zero-filled)."""
    grid = month_ends(end, months)
    if start is not None:
        grid = grid.filter(grid >= pl.Series([start]).dt.month_end().item())
    counts = order_rows.group_by(pl.col("order_date").dt.month_end().alias("date")).agg(pl.len().alias("orders"))
    return (
        pl.DataFrame({"date": grid})
        .join(counts, on="date", how="left")
        .with_columns(pl.col("orders").fill_null(0).cast(pl.Int64))
    )
