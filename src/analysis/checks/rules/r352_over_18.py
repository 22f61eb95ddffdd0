"""DfE 903 rules 352 and 359: no episode runs past the child's 18th birthday.

An episode may not start on or after the 18th birthday, nor end after it (a child leaves care
at 18 at the latest). Rule 359's exception (an 18-year-old in a section 20 community home, LS V2
with PLACE K2) is allowed.
"""

from __future__ import annotations

import sys

import polars as pl

from analysis.checks.rules import _common

RULE = "352/359"
TITLE = "No episode starts or continues after the child's 18th birthday"
SEVERITY = "warning"
FIX = "Check the date of birth, or end the episode on or before the 18th birthday."


def check(tables: dict[str, pl.DataFrame]) -> list:
    """Warning: such a child would be counted as a looked-after adult."""
    episodes, header = _common.episodes(tables), _common.header(tables)
    if episodes is None or header is None:
        return []
    joined = episodes.join(header.select("CHILD", "DOB"), on="CHILD", how="inner").filter(pl.col("DOB").is_not_null())
    birthday = pl.col("DOB").dt.offset_by("18y")
    exception = (pl.col("LS") == "V2") & (pl.col("PLACE") == "K2")
    failing = joined.filter(
        ~exception & ((pl.col("DECOM") >= birthday) | (pl.col("DEC").is_not_null() & (pl.col("DEC") > birthday)))
    )
    return _common.findings(sys.modules[__name__], failing, episodes, "DEC")
