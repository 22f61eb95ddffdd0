"""DfE 903 rule 148: an episode's date ceased (DEC) and reason ceased (REC) are both given, or neither.

A DEC with no REC says the episode ended without saying how: the child stops being counted at DEC,
and the period of care is read as X1 would be (continued by an episode starting that day, otherwise
ended, by the route "unknown"; `analysis.metrics.care_periods`). A REC with no DEC leaves the
episode open: the child is counted as looked after.
"""

from __future__ import annotations

import sys

import polars as pl

from analysis.checks.rules import _common

RULE = "148"
TITLE = "DEC and REC are both filled in, or both blank"
SEVERITY = "warning"
FIX = "Fill in the reason the episode ceased (REC) where DEC is given, or the date (DEC) where REC is given."


def check(tables: dict[str, pl.DataFrame]) -> list:
    """Warning: the route out of care of these episodes is not known, or they are read as still open."""
    episodes = _common.episodes(tables)
    if episodes is None:
        return []
    failing = episodes.filter(pl.col("DEC").is_null() != pl.col("REC").is_null())
    return _common.findings(sys.modules[__name__], failing, episodes, "REC")
