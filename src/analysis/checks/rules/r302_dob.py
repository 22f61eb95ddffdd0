"""DfE 903 rules 302 and 102: the date of birth is not in the future and comes before the child's episodes."""

from __future__ import annotations

import sys
from datetime import date

import polars as pl

from analysis.checks.rules import _common

RULE = "302"
TITLE = "The date of birth is not in the future and is before the child's first episode"
SEVERITY = "warning"
FIX = "Correct the date of birth (or DECOM); ages and the 18th birthday depend on it."


def check(tables: dict[str, pl.DataFrame], today: date | None = None) -> list:
    """Warning: one finding per header file, naming the header rows."""
    header = _common.header(tables)
    if header is None:
        return []
    episodes = _common.episodes(tables)
    first = (
        episodes.group_by("CHILD").agg(pl.col("DECOM").min().alias("_first"))
        if episodes is not None
        else pl.DataFrame(schema={"CHILD": pl.String, "_first": pl.Date})
    )
    checked = header.join(first, on="CHILD", how="left")
    failing = checked.filter(
        (pl.col("DOB") > (today or date.today()))
        | (pl.col("_first").is_not_null() & (pl.col("_first") < pl.col("DOB")))
    )
    return _common.findings(sys.modules[__name__], failing, checked, "DOB")
