"""Disclosure control: small counts are suppressed and no child identifier reaches the pack.

Rule: a count from 1 to the policy's threshold (`analysis.core.suppression.Policy`, set in la.toml's
`[disclosure]`; default 1 to 5) is shown as "c". A zero is never hidden for itself, because it discloses
nothing about an individual child; a figure of metrics.csv (wherever it appears) may be a zero hidden as a
complement to protect another (as the ONS and the DfE allow), so such a "c" may stand for 0. A table that
protects its own cells (`hidden`, `protect` without a pack figure) keeps its zeros shown. The policy in force is
set once per process (`set_policy`): by the build, and by each notebook from the review's inputs.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from analysis.core import suppression
from analysis.core.codes import UPN_UNKNOWN
from analysis.core.suppression import DEFAULT, Policy

SUPPRESSED = "c"
#: Shown at the top of every page of an internal pack built with suppression switched off.
UNSUPPRESSED_BANNER = (
    '<div class="rp-banner" role="note"><strong>Internal: small counts shown.</strong> Suppression is switched '
    "off for this pack, so it shows counts that could identify children. It must not be published or shared "
    "outside the council.</div>"
)
_policy: list[Policy] = [DEFAULT]

#: A figure of the pack: (metric, breakdown, period), as in metrics.csv.
Key = tuple[str, str, str]
#: How a table column names its figures: (metric, breakdown), the period from the row's "date"; or a function of
#: the row giving the key (None for a cell that is no pack figure).
FigureSpec = tuple[str, str] | Callable[[Mapping[str, Any]], Key | None]
#: The pack-wide decision (`analysis.metrics.relations.Figures`), or a function that computes it on first use.
_figures: list[Any] = [None]


def set_policy(policy: Policy) -> None:
    """Use `policy` for every figure this process shows (the build and each notebook set it once)."""
    _policy[0] = policy


def policy() -> Policy:
    """The disclosure policy in force."""
    return _policy[0]


def set_figures(figures: Any) -> None:
    """Use the pack-wide decision for every figure this process shows: an object with `published` and `hidden`
    sets of (metric, breakdown, period), or a function returning one (called on first use). None: no decision
    (each table protects itself). `Review.open` sets it for a notebook from the review (`Review.figures`)."""
    _figures[0] = figures


def _decision() -> Any:
    if callable(_figures[0]):
        _figures[0] = _figures[0]()
    return _figures[0]


def figure_hidden(key: Key | None) -> bool | None:
    """Whether the pack hides this figure ("c" everywhere it appears): True or False for a figure the pack-wide
    decision covers, None for a cell it does not (a cell only a page shows, which its table protects)."""
    if key is None or not _policy[0].suppress:
        return None
    decision = _decision()
    if decision is None or key not in decision.published:
        return None
    return key in decision.hidden


def figure_key(spec: FigureSpec, row: Mapping[str, Any]) -> Key | None:
    """The (metric, breakdown, period) of one table cell: the period from the row's "date" column, written as the
    metric's periods are in metrics.csv (a date for a point in time, `YYYY-MM` for a month's flow)."""
    if callable(spec):
        return spec(row)
    metric, breakdown = spec
    day = row.get("date")
    if not isinstance(day, date):
        return None
    return (metric, breakdown, period_text(metric, day))


def period_text(metric: str, day: date) -> str:
    """How metrics.csv writes the period of `metric` for the month ending `day`."""
    from analysis.core.definitions import METRICS

    spec = METRICS.get(metric.split(":", 1)[0])
    return day.isoformat() if spec is not None and spec.period == "date" else f"{day.year:04d}-{day.month:02d}"


def figures_hidden(frame: pl.DataFrame, specs: Mapping[str, FigureSpec]) -> dict[str, list[bool | None]]:
    """For each column of `specs`, the pack-wide flag of each row's cell (`figure_hidden`)."""
    rows = frame.to_dicts() if specs else []
    return {column: [figure_hidden(figure_key(spec, row)) for row in rows] for column, spec in specs.items()}


def mask_figures(frame: pl.DataFrame, specs: Mapping[str, FigureSpec]) -> pl.DataFrame:
    """Set to null, for charts, every cell the pack hides: by the pack-wide decision where the cell is a pack
    figure, else a count from 1 to the threshold (`mask_small`)."""
    flags = figures_hidden(frame, specs)
    top = threshold()
    out = []
    for column in specs:
        small = [v is not None and 0 < v <= top for v in frame[column].to_list()]
        hide = [small[i] if f is None else f for i, f in enumerate(flags[column])]
        out.append(pl.when(pl.Series(hide, dtype=pl.Boolean)).then(None).otherwise(pl.col(column)).alias(column))
    return frame.with_columns(out) if out else frame


def threshold() -> int:
    """Counts from 1 to this are hidden (0 when suppression is off)."""
    return _policy[0].threshold if _policy[0].suppress else 0


def is_suppressed(value: float | int | None) -> bool:
    """True for a count from 1 to the threshold."""
    return _policy[0].hides(value)


def show_count(value: float | int | None) -> str:
    """A count as the pack shows it: thousands separators, "c" for 1 to the threshold, "–" for missing."""
    if value is None:
        return "–"
    if is_suppressed(value):
        return SUPPRESSED
    return f"{round(value):,}"


def show_figure(key: Key | None, value: float | int | None) -> str:
    """A count as `show_count` writes it, but "c" or shown as the pack-wide decision says where `key` is a pack
    figure (`figure_hidden`): for a sentence that names a figure metrics.csv holds."""
    decided = figure_hidden(key)
    if decided is None or value is None:
        return show_count(value)
    return SUPPRESSED if decided else f"{round(value):,}"


def suppress_columns(frame: pl.DataFrame, columns: Iterable[str]) -> pl.DataFrame:
    """Replace count columns by their displayed text ("c" for 1 to the threshold)."""
    return frame.with_columns(
        pl.col(c).map_elements(show_count, return_dtype=pl.String, skip_nulls=False) for c in columns
    )


def mask_small(frame: pl.DataFrame, columns: Iterable[str]) -> pl.DataFrame:
    """Set counts from 1 to the threshold to null, for charts: a suppressed value is not drawn."""
    top = threshold()
    return frame.with_columns(
        pl.when(pl.col(c).is_between(1, top)).then(None).otherwise(pl.col(c)).alias(c) for c in columns
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
    """True for every cell of `value` that must not be shown: primary and complementary suppression.

    Primary: a count from 1 to the threshold. Complementary: a group of cells (all rows, or each
    group of `by`) adds up to a total shown elsewhere, so more cells are hidden, smallest first, until no
    hidden cell can be worked out from the total and the others, even knowing that a hidden count is at
    least 1 (two hidden cells of a total that leaves 2 would each be 1). Zeros are never hidden here: the
    table cannot know what else beside it (a rate of 0%) would give a hidden zero away. See
    `analysis.core.suppression`.
    """
    by = list(by)
    work = frame.select(*by, pl.col(value)).with_row_index("_i")
    hide = [False] * work.height
    for group in work.partition_by(by, maintain_order=True) if by else [work]:
        cells = suppression.Cells()
        rows = group["_i"].to_list()
        for v in group[value].to_list():
            cells.add(None, v)
        known = [v for v in group[value].to_list() if v is not None]
        whole = cells.add("total", float(sum(known)))
        parts = [i for i, v in enumerate(group[value].to_list()) if v is not None]
        found = suppression.protect(cells, [suppression.total(whole, parts)], _policy[0], shown=[whole])
        for i in found:
            hide[rows[i]] = True
    return pl.Series("hidden", hide, dtype=pl.Boolean)


def protect(
    frame: pl.DataFrame, value: str, by: Iterable[str] = (), figure: FigureSpec | None = None
) -> pl.DataFrame:
    """Apply primary and secondary suppression to `value`: hidden cells become null (for charts)
    and `<value>_label` holds the text to show ("c" where hidden). With `figure` (the pack figure of each
    cell), a cell the pack-wide decision covers is hidden exactly where it hides it (`figure_hidden`)."""
    mask = hidden(frame, value, by)
    if figure is not None:
        decided = figures_hidden(frame, {value: figure})[value]
        mask = pl.Series([m if d is None else d for m, d in zip(mask.to_list(), decided, strict=True)])
    return frame.with_columns(
        pl.when(mask).then(None).otherwise(pl.col(value)).alias(value),
        pl.when(mask)
        .then(pl.lit(SUPPRESSED))
        .otherwise(pl.col(value).map_elements(show_count, return_dtype=pl.String, skip_nulls=False))
        .alias(f"{value}_label"),
    )
