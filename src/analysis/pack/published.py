"""The pack's copy of the metrics: hidden figures shown as "c", from the one pack-wide decision.

Which figures are linked, and which are hidden, is declared and solved in
`analysis.metrics.relations` (`figures`, computed once by the review: `Review.figures`). The same
hidden cells are shown as "c" wherever the pages, the charts and tables.xlsx show those figures
(`analysis.core.disclosure.figure_hidden`).
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

import polars as pl

from analysis.core.suppression import Policy
from analysis.metrics.relations import (  # noqa: F401  (re-exported: the declarations live there)
    PARTS,
    RATES,
    ROLLING,
    SHOWN_ROLLING,
    WITHHELD,
    hidden_keys,
    links,
)


def pack_metrics(
    metrics: pl.DataFrame, policy: Policy, hidden: AbstractSet[tuple[str, str, str]] | None = None
) -> pl.DataFrame:
    """metrics.csv as the pack publishes it: hidden figures as "c", counts as whole numbers, others to 4 places."""
    hidden = hidden_keys(metrics, policy) if hidden is None else hidden
    flags = pl.Series(
        "_hidden", [(m, b, p) in hidden for m, b, p in metrics.select("metric", "breakdown", "period").iter_rows()]
    )
    return (
        metrics.with_columns(flags)
        .with_columns(
            pl.when(pl.col("_hidden"))
            .then(pl.lit(suppression_mark()))
            .when(pl.col("unit") == "count")
            .then(pl.col("value").round(0).cast(pl.Int64).cast(pl.String))
            .otherwise(pl.col("value").round(4).cast(pl.String))
            .alias("value")
        )
        .drop("_hidden")
    )


def suppression_mark() -> str:
    """What a hidden figure shows: "c", as the DfE publishes."""
    from analysis.core.disclosure import SUPPRESSED

    return SUPPRESSED
