"""Published comparator figures (England, statistical neighbours, region) from context/comparators.csv."""

from __future__ import annotations

from datetime import date

import polars as pl

from analysis.core.vocabularies import COMPARATOR_AREAS

#: The comparator areas (`analysis.core.vocabularies`).
AREAS = list(COMPARATOR_AREAS)


def area_labels(region: str | None) -> dict[str, str]:
    """Plain names for the comparator areas; the region is named when la.toml gives it."""
    return {
        "england": "England",
        "statistical_neighbours": "Statistical neighbours",
        "region": region or "Region",
    }


def points(comparators: pl.DataFrame | None, metric: str, region: str | None = None) -> pl.DataFrame:
    """One row per published figure for `metric`: date, area, area_label, value, source (oldest first)."""
    schema = {
        "date": pl.Date,
        "area": pl.String,
        "area_label": pl.String,
        "value": pl.Float64,
        "source": pl.String,
    }
    if comparators is None:
        return pl.DataFrame(schema=schema)
    labels = area_labels(region)
    return (
        comparators.filter(pl.col("metric") == metric)
        .select(
            pl.col("period").alias("date"),
            pl.col("area"),
            pl.col("area").replace_strict(labels, default=pl.col("area")).alias("area_label"),
            pl.col("value"),
            pl.col("source"),
        )
        .sort(["area", "date"])
    )


def latest(points_frame: pl.DataFrame, area: str, on_or_before: date) -> dict | None:
    """The latest published figure for an area on or before a date, or None."""
    rows = points_frame.filter((pl.col("area") == area) & (pl.col("date") <= on_or_before)).sort("date")
    return rows.row(-1, named=True) if rows.height else None
