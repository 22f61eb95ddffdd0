"""Disclosure control: small counts are suppressed and no child identifier reaches the pack.

Rule (as the DfE publishes children-looked-after statistics): a count from 1 to 4 is shown
as "c". Zero is shown, because it discloses nothing about an individual child.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from analysis.codes import UPN_UNKNOWN

SUPPRESSED = "c"
SMALLEST_SHOWN = 5


def is_suppressed(value: float | int | None) -> bool:
    """True for a count from 1 to 4."""
    return value is not None and 0 < value < SMALLEST_SHOWN


def show_count(value: float | int | None) -> str:
    """A count as the pack shows it: thousands separators, "c" for 1 to 4, "–" for missing."""
    if value is None:
        return "–"
    if is_suppressed(value):
        return SUPPRESSED
    return f"{round(value):,}"


def suppress_columns(frame: pl.DataFrame, columns: Iterable[str]) -> pl.DataFrame:
    """Replace count columns by their displayed text ("c" for 1 to 4)."""
    return frame.with_columns(
        pl.col(c).map_elements(show_count, return_dtype=pl.String, skip_nulls=False) for c in columns
    )


def mask_small(frame: pl.DataFrame, columns: Iterable[str]) -> pl.DataFrame:
    """Set counts from 1 to 4 to null, for charts: a suppressed value is not drawn."""
    return frame.with_columns(
        pl.when(pl.col(c).is_between(1, SMALLEST_SHOWN - 1)).then(None).otherwise(pl.col(c)).alias(c) for c in columns
    )


_DATA_URI = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")
_TOKEN = re.compile(r"[A-Za-z0-9]+")


def visible_text(html: str) -> str:
    """The HTML plus the decoded text of every embedded SVG image (charts are SVG data URIs)."""
    decoded = [base64.b64decode(m).decode("utf-8", "replace") for m in _DATA_URI.findall(html)]
    return "\n".join([html, *decoded])


def checkable_identifiers(identifiers: Iterable[str]) -> set[str]:
    """Identifiers distinctive enough to search for: six or more characters, or any letter.

    A short all-digit identifier (say "336") cannot be told apart from a count in the text,
    so it is not searched for; real 903 CHILD identifiers are normally longer.
    """
    return {i for i in identifiers if i and (len(i) >= 6 or re.search(r"[A-Za-z]", i))}


def identifiers_found(html: str, identifiers: set[str]) -> set[str]:
    """Which of `identifiers` appear in the page or its charts.

    Letters-and-digits identifiers must appear as a whole token; others (with "-" or "/")
    are looked for as they are.
    """
    text = visible_text(html)
    tokens = set(_TOKEN.findall(text))
    plain = {i for i in identifiers if _TOKEN.fullmatch(i)}
    return (tokens & plain) | {i for i in identifiers - plain if i in text}


def pack_identifiers(inputs: object) -> set[str]:
    """Every identifier in the inputs worth searching for: CHILD, UPN, the tracker's and the allocations'
    child_id, and the allocations' worker_id (pseudonymous, but never shown in the pack)."""
    found: set[str] = set()
    for frame, column in [
        (getattr(inputs, "header", None), "CHILD"),
        (getattr(inputs, "header", None), "UPN"),
        (getattr(inputs, "episodes", None), "CHILD"),
        (getattr(inputs, "permanence", None), "child_id"),
        (getattr(inputs, "allocations", None), "child_id"),
        (getattr(inputs, "allocations", None), "worker_id"),
    ]:
        if frame is not None and column in frame.columns:
            found |= set(frame[column].drop_nulls().cast(pl.String).to_list())
    return checkable_identifiers(found - set(_NOT_IDENTIFIERS))


#: UPN placeholders are codes, not identifiers.
_NOT_IDENTIFIERS = tuple(UPN_UNKNOWN)


def identifiers_in_pack(folder: Path, identifiers: set[str]) -> dict[str, int]:
    """Files in the pack folder (HTML, CSV, JSON, SVG charts and the Excel workbook) holding any
    identifier: name → how many. PNG charts are drawn from the same specifications as the SVGs."""
    hits = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix in {".html", ".csv", ".json", ".svg"}:
            text = path.read_text(encoding="utf-8", errors="replace")
        elif path.suffix == ".xlsx":
            text = workbook_text(path)
        else:
            continue
        found = identifiers_found(text, identifiers)
        if found:
            hits[path.name] = len(found)
    return hits


def workbook_text(path: Path) -> str:
    """Every cell of an Excel workbook as text, one per line (for the identifier search)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    return "\n".join(
        str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v is not None
    )


def hidden(frame: pl.DataFrame, value: str, by: Iterable[str] = ()) -> pl.Series:
    """True for every cell of `value` that must not be shown: primary and secondary suppression.

    Primary: a count from 1 to 4. Secondary: where a group of cells (all rows, or each group of
    `by`) adds up to a total shown elsewhere and exactly one cell is primary-suppressed, it could
    be recovered by subtraction, so the smallest other non-zero cell of the group is hidden too.
    Zeros are never hidden and never used as the secondary cell (a zero discloses nothing).
    """
    by = list(by)
    work = (
        frame.select(*by, pl.col(value))
        .with_row_index("_i")
        .with_columns(pl.col(value).is_between(1, SMALLEST_SHOWN - 1).fill_null(False).alias("_primary"))
    )
    hide = work["_primary"].to_list()
    for group in work.partition_by(by, maintain_order=True) if by else [work]:
        if group["_primary"].sum() != 1:
            continue
        others = group.filter(~pl.col("_primary") & (pl.col(value) > 0)).sort(value, "_i")
        if others.height:
            hide[others["_i"][0]] = True
    return pl.Series("hidden", hide, dtype=pl.Boolean)


def protect(frame: pl.DataFrame, value: str, by: Iterable[str] = ()) -> pl.DataFrame:
    """Apply primary and secondary suppression to `value`: hidden cells become null (for charts)
    and `<value>_label` holds the text to show ("c" where hidden)."""
    mask = hidden(frame, value, by)
    return frame.with_columns(
        pl.when(mask).then(None).otherwise(pl.col(value)).alias(value),
        pl.when(mask)
        .then(pl.lit(SUPPRESSED))
        .otherwise(pl.col(value).map_elements(show_count, return_dtype=pl.String, skip_nulls=False))
        .alias(f"{value}_label"),
    )
