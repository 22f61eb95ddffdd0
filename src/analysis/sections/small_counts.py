"""Disclosure control for the permanence sections, beyond what `analysis.core.disclosure` covers.

* Rates on small counts: a percentage whose numerator (or whose whole) is a small count would reveal that
  count, so it is not shown ("c"), as the DfE suppresses percentages built on suppressed numbers.
* Parts of a total across a row: `disclosure.protect` works down a column (or within groups);
  tables here often show a total and its parts side by side in one row (children who left, and
  how many came back, stayed out, or are too recent to say), so the same rule is applied row by row.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from analysis.core.disclosure import SUPPRESSED, hidden, is_suppressed, show_count


def rate_shown(part: int | None, whole: int | None) -> bool:
    """False when the part or the whole is a small count: the rate would reveal it."""
    return not (is_suppressed(part) or is_suppressed(whole))


def pct_text(value: float | None, part: int | None = None, whole: int | None = None) -> str:
    """A percentage as the pack writes it (no decimals), "c" when built on a small count, "–" when missing."""
    if value is None:
        return "–"
    if not rate_shown(part, whole):
        return SUPPRESSED
    return f"{value:.0f}%"


def row_hidden(frame: pl.DataFrame, parts: Sequence[str]) -> pl.DataFrame:
    """One row per row of `frame`, saying which of `parts` must not be shown: a Boolean column `<part>_hidden` each.

    The parts of each row add up to a total shown elsewhere; the rule is `disclosure.hidden`
    (primary: 1 to the threshold; complementary: `disclosure.hidden`).
    """
    long = (
        frame.select(parts)
        .with_row_index("_r")
        .unpivot(index="_r", on=list(parts), variable_name="_part", value_name="_value")
        .sort("_r")
    )
    long = long.with_columns(hidden(long, "_value", by=["_r"]).alias("_hidden"))
    wide = long.pivot(on="_part", index="_r", values="_hidden").sort("_r")
    return wide.select(pl.col(p).alias(f"{p}_hidden") for p in parts)


def row_protected_text(frame: pl.DataFrame, parts: Sequence[str]) -> pl.DataFrame:
    """One row per row of `frame`, each of `parts` replaced by its text ("c" where `row_hidden` hides it)."""
    mask = row_hidden(frame, parts)
    return frame.with_columns(
        pl.when(mask[f"{p}_hidden"])
        .then(pl.lit(SUPPRESSED))
        .otherwise(pl.col(p).map_elements(show_count, return_dtype=pl.String, skip_nulls=False))
        .alias(p)
        for p in parts
    )
