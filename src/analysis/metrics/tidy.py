"""Tidy metrics: the one long table (metric, breakdown, period, value, unit) behind metrics.csv."""

from __future__ import annotations

import polars as pl

from analysis.core.definitions import METRICS

COLUMNS = ["metric", "breakdown", "period", "value", "unit"]
SCHEMA = {
    "metric": pl.String,
    "breakdown": pl.String,
    "period": pl.String,
    "value": pl.Float64,
    "unit": pl.String,
}


def tidy(
    frame: pl.DataFrame,
    metric: str,
    value: str,
    *,
    period: str = "date",
    breakdown: str | None = None,
) -> pl.DataFrame:
    """Reshape a frame into metrics rows. `period` must be a Date column or `YYYY-MM` text.

    Dates are written as ISO dates for point-in-time metrics and as `YYYY-MM` for monthly flows,
    following the metric's definition in `analysis.core.definitions`.
    """
    spec = METRICS[metric]
    col = pl.col(period)
    if frame.schema[period] == pl.Date:
        col = col.dt.strftime("%Y-%m-%d" if spec.period == "date" else "%Y-%m")
    return frame.select(
        pl.lit(metric).alias("metric"),
        (pl.col(breakdown).cast(pl.String) if breakdown else pl.lit("all")).alias("breakdown"),
        col.alias("period"),
        pl.col(value).cast(pl.Float64).alias("value"),
        pl.lit(spec.unit).alias("unit"),
    )


def combine(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """Stack metrics frames, sorted for stable diffs between packs."""
    if not frames:
        return pl.DataFrame(schema=SCHEMA)
    return pl.concat(frames, how="vertical").sort(["metric", "breakdown", "period"])

