"""Text that a spreadsheet will show as text: neutralising formulas in the CSV files the pack writes.

A team, blocker or indicator label comes from an input, and a spreadsheet opening a CSV runs any cell
that starts with `=`, `+`, `-` or `@` as a formula (tab and carriage return can hide one). OWASP's
advice ("CSV Injection") is followed: such a value gets a leading apostrophe, which Excel shows as
text. A plain number ("-3.5", "+2") cannot be a formula and is left alone, so a `value` column held
as text (the suppressed "c" beside numbers) still opens as numbers. tables.xlsx is made safe in
`analysis.pack.workbook.as_text` (the cell's type is set to text).
"""

from __future__ import annotations

import re

import polars as pl

#: The first characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_DANGEROUS = r"^[=+\-@\t\r]"
_NUMBER_PATTERN = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"


def neutralise(value: str) -> str:
    """The value as a spreadsheet should show it: `'=HYPERLINK(…)` for `=HYPERLINK(…)`; numbers and
    ordinary text unchanged."""
    if value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column of `frame` with `neutralise` applied (numeric and date columns are unchanged;
    categorical columns come back as text)."""
    text = [
        name
        for name, dtype in frame.schema.items()
        if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum)
    ]
    frame = frame.with_columns(pl.col(c).cast(pl.String) for c in text)
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_DANGEROUS) & ~pl.col(c).str.contains(_NUMBER_PATTERN))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text
    )


def safe_csv(frame: pl.DataFrame) -> str:
    """`frame` as CSV text with every text column neutralised."""
    return neutralise_frame(frame).write_csv()


def restore(value: str) -> str:
    """The value `neutralise` was given: a pack's metrics.csv read back (`analysis.metrics.changes`) matches
    this build's."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START) and not _NUMBER.fullmatch(value[1:]):
        return value[1:]
    return value


def restore_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column of `frame` with `restore` applied."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(r"^'[=+\-@\t\r]") & ~pl.col(c).str.slice(1).str.contains(_NUMBER_PATTERN))
        .then(pl.col(c).str.slice(1))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text
    )
