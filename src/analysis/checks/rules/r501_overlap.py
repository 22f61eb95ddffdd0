"""DfE 903 rule 501: a child's episodes do not overlap (an episode starts before the previous one ended)."""

from __future__ import annotations

import sys

import polars as pl

from analysis.checks.rules import _common

RULE = "501"
TITLE = "A new episode does not start before the child's previous episode ended"
SEVERITY = "warning"
FIX = "Correct DECOM of the later episode or DEC of the earlier one; an open earlier episode needs its DEC."


def check(tables: dict[str, pl.DataFrame]) -> list:
    """Warning: counts use each child once, but starts and ceases may be off for these children."""
    episodes = _common.episodes(tables)
    if episodes is None:
        return []
    previous_dec = pl.col("DEC").shift(1).over("CHILD")
    previous_open = pl.col("DEC").is_null().shift(1).over("CHILD")
    failing = episodes.filter(
        (pl.col("CHILD") == pl.col("CHILD").shift(1))
        & ((pl.col("DECOM") < previous_dec) | previous_open.fill_null(False))
    )
    return _common.findings(sys.modules[__name__], failing, episodes, "DECOM")
