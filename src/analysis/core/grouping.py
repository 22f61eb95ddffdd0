"""Grouping for the metric functions that take `by` (`analysis.metrics.cla`, `analysis.metrics.care_periods`).

`by` is the columns that say whose figures a row is: none for one authority (the default), or
`("LA",)` for a stacked multi-authority file (`analysis.metrics.national`).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl


def each_group(frame: pl.LazyFrame, by: list[str], rows: pl.DataFrame) -> pl.LazyFrame:
    """`rows` once for each group in `frame` (groups sorted), or `rows` itself when there is no grouping."""
    if not by:
        return rows.lazy()
    return frame.select(by).unique().sort(by).join(rows.lazy(), how="cross", maintain_order="left_right")


def is_sorted(frame: pl.DataFrame, columns: Sequence[str]) -> bool:
    """Whether the rows are in ascending order of `columns` (no nulls in them): one pass, no sort."""
    columns = list(columns)
    if frame.height < 2:
        return True
    ordered = pl.col(columns[-1]) >= pl.col(columns[-1]).shift(1)
    for c in reversed(columns[:-1]):
        ordered = (pl.col(c) > pl.col(c).shift(1)) | ((pl.col(c) == pl.col(c).shift(1)) & ordered)
    return bool(frame.select(ordered.slice(1).fill_null(False).all()).item())
