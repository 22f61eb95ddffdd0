"""Forgiving what is safe to forgive: codes written in another case (`c2` for `C2`, `Agency` for `agency`).

A code whose only difference from one in its code list is letter case is read as that code, and
counted: validation reports it as a warning (rule RP05) naming the file, the rows and the column, and
the loader does the same to the same values, so what Great Expectations checks is what the figures
count. Nothing else is changed: a code that is not in its list in any case stays as it is (and
validation reports it); no code is ever re-mapped to another. Surrounding spaces are already removed
from every value by the readers (`analysis.load.readers`, `analysis.load.ssda903_xml`).

The code lists are the value sets of the suites' `expect_column_values_to_be_in_set` expectations
(`expectations/*.json`, built from `analysis.core.codes`), read as JSON so that loading never imports
Great Expectations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache

import polars as pl

from analysis.core import paths
from analysis.load.readers import ROW

#: The rule under which validation reports codes read in another case.
RULE = "RP05"
TITLE = "Codes are written as in the code list (codes in another case were read as the listed code)"
FIX = (
    "Nothing is needed for this pack: each code was read as the listed code it matches, letter case aside. "
    "Correct the case at source so that other tools read them too."
)


@cache
def code_lists() -> dict[str, dict[str, tuple[str, ...]]]:
    """Suite name (ssda903_episodes, workforce, …) → column → the codes allowed, from expectations/*.json."""
    lists: dict[str, dict[str, tuple[str, ...]]] = {}
    for path in sorted(paths.EXPECTATIONS.glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        for expectation in suite.get("expectations", []):
            if expectation.get("type") == "expect_column_values_to_be_in_set":
                kwargs = expectation["kwargs"]
                lists.setdefault(path.stem, {})[kwargs["column"]] = tuple(kwargs["value_set"])
    return lists


@dataclass
class Tidied:
    """What `tidy` changed in one file: rows changed per column, their row numbers and a few examples."""

    rows: dict[str, int] = field(default_factory=dict)
    row_numbers: list[int] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def changed(self) -> int:
        """Rows with at least one code changed."""
        return len(self.row_numbers)

    def message(self, file: str) -> str:
        """One plain-English warning for the logs and the CLI."""
        columns = ", ".join(f"{c} ({n:,} rows)" for c, n in self.rows.items())
        example = f", e.g. {'; '.join(self.examples[:3])}" if self.examples else ""
        return f"{file}: {self.changed:,} rows had codes in another case, read as the listed code: {columns}{example}"


def tidy(frame: pl.DataFrame, suite: str) -> tuple[pl.DataFrame, Tidied]:
    """`frame` with each code column's values matched to its code list regardless of case, and what changed.

    `suite` names the table's suite (`ssda903_episodes`, `ssda903_header`, `workforce`, `permanence`, …).
    Only text columns present in `frame` with a code list are touched; values already listed, unlisted
    values and nulls are unchanged.
    """
    lists = code_lists().get(suite, {})
    done = Tidied(checked=frame.height)
    fixes: dict[str, pl.Expr] = {}
    flags: dict[str, pl.Expr] = {}
    for column, codes in lists.items():
        if column not in frame.columns or frame.schema[column] != pl.String:
            continue
        by_case = {code.casefold(): code for code in codes}
        canonical = pl.col(column).str.to_lowercase().replace_strict(by_case, default=None, return_dtype=pl.String)
        # Matched on the column's distinct values (a few dozen codes over many rows), then mapped to every row.
        wrong_case = (
            frame.select(pl.col(column).unique().drop_nulls())
            .select(pl.col(column), canonical.alias("_to"))
            .filter(~pl.col(column).is_in(list(codes)) & pl.col("_to").is_not_null())
        )
        if wrong_case.height == 0:
            continue
        flags[column] = pl.col(column).is_in(wrong_case[column].implode()).fill_null(False)
        fixes[column] = pl.col(column).replace(wrong_case[column], wrong_case["_to"]).alias(column)
    if not fixes:
        return frame, done
    marked = frame.with_columns(flag.alias(f"_tidied_{c}") for c, flag in flags.items())
    for column in fixes:
        hits = marked.filter(pl.col(f"_tidied_{column}"))
        if hits.height:
            done.rows[column] = hits.height
            pairs = hits.select(pl.col(column), fixes[column].alias("_to")).unique(maintain_order=True).head(3)
            done.examples += [f"{column} '{a}' read as '{b}'" for a, b in pairs.iter_rows()]
    if not done.rows:
        return frame, done
    any_changed = pl.any_horizontal(f"_tidied_{c}" for c in flags)
    numbers = pl.col(ROW) if ROW in frame.columns else pl.int_range(2, pl.len() + 2)
    done.row_numbers = marked.select(numbers.filter(any_changed).alias("r"))["r"].to_list()
    return frame.with_columns(fixes[c] for c in done.rows), done
