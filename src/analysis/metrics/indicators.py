"""Other indicators the Commissioner's reports track, from the optional context/indicators.csv."""

from __future__ import annotations

import polars as pl

from analysis.core.periods import long_month
from analysis.metrics.scorecard import direction, rag, shown


def indicator_table(indicators: pl.DataFrame, period: str) -> pl.DataFrame:
    """One row per indicator at the review month: indicator, latest (with its month), a year ago,
    direction, target, RAG and source. The latest figure is the one for the review month or the
    latest before it; an indicator with nothing on or before the review month is left out.
    """
    year_ago = f"{int(period[:4]) - 1}{period[4:]}"
    rows = []
    for part in (
        indicators.filter(pl.col("period") <= period).sort("period").partition_by("metric", maintain_order=True)
    ):
        latest = part.row(-1, named=True)
        before = part.filter(pl.col("period") == year_ago)
        then = before["value"][0] if before.height else None
        unit, better = latest["unit"] or "", latest["better"] or "neutral"
        arrow, word = direction(latest["value"], then, better, unit)
        month = pl.Series([f"{latest['period']}-01"]).str.to_date()[0]
        rows.append(
            {
                "indicator": latest["label"] or latest["metric"],
                "latest": f"{shown(latest['value'], unit, 1)} ({long_month(month)})",
                "year_ago": shown(then, unit, 1),
                "direction": f"{arrow} {word}",
                "target": shown(latest["target"], unit, 1) if latest["target"] is not None else "no target set",
                "rag": rag(latest["value"], latest["target"], better),
                "source": latest["source"],
            }
        )
    schema = {c: pl.String for c in ("indicator", "latest", "year_ago", "direction", "target", "rag", "source")}
    return pl.DataFrame(rows, schema=schema)
