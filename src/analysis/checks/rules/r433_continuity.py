"""DfE 903 rules 433 and 388: episodes that continue a period of care join up with no gap or overlap.

433: an episode whose RNE says the child stayed in care (L, P, T, U, B) must start on the day the
previous episode ended. 388: an episode that ends with REC X1 must be followed by one starting
the same day, and one followed the same day must end with X1.
"""

from __future__ import annotations

import sys

import polars as pl

from analysis.checks.rules import _common
from analysis.load.ssda903 import coverage_start

RULE = "433/388"
TITLE = "Episodes that continue a period of care start the day the previous one ended (and only then REC is X1)"
SEVERITY = "warning"
FIX = "Check RNE, REC and the dates: a continuing episode starts on the previous DEC, and that episode's REC is X1."


def check(tables: dict[str, pl.DataFrame]) -> list:
    """Warning: periods of care may be split or joined wrongly for these children."""
    episodes = _common.episodes(tables)
    if episodes is None:
        return []
    same_child = pl.col("CHILD") == pl.col("CHILD").shift(1)
    previous_dec = pl.col("DEC").shift(1)
    continuing = pl.col("RNE").is_in(["L", "P", "T", "U", "B"])
    next_same_day = (pl.col("CHILD") == pl.col("CHILD").shift(-1)) & (pl.col("DECOM").shift(-1) == pl.col("DEC"))
    # A continuing episode with no earlier one is fine when it began before the returns start (rule 357).
    start = coverage_start(episodes)
    unexplained_first = ~same_child.fill_null(False) & (pl.col("DECOM") >= start if start else pl.lit(True))
    failing = episodes.filter(
        (
            continuing
            & (unexplained_first | (same_child.fill_null(False) & (pl.col("DECOM") != previous_dec).fill_null(True)))
        )
        | ((pl.col("REC") == "X1") & ~next_same_day.fill_null(False) & pl.col("DEC").is_not_null())
        | (next_same_day.fill_null(False) & (pl.col("REC") != "X1").fill_null(True))
    )
    return _common.findings(sys.modules[__name__], failing, episodes, "RNE")
