"""Reading input files as text, with the source row kept, and turning text into real types.

Everything is read as strings first so that nothing is coerced or dropped silently: a value
that will not parse is reported with its file, row and column.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import polars as pl

from analysis.core.errors import InputError

#: Largest input file accepted (bytes); one authority's 903 return is about 1 MB.
MAX_BYTES = int(float(os.environ.get("REVIEW_PACK_MAX_MB", "100")) * 1_000_000)

#: Column added to every raw frame: the row's line number in the source file (header = 1).
ROW = "_row"

DMY = "%d/%m/%Y"
ISO = "%Y-%m-%d"


def find_table(folder: Path, stem: str) -> Path | None:
    """The `stem.csv` or `stem.xlsx` in `folder`, or None when neither exists."""
    for suffix in (".csv", ".xlsx"):
        path = folder / f"{stem}{suffix}"
        if path.exists():
            return path
    return None


def read_raw(path: Path, required: list[str], sheet: str | None = None) -> pl.DataFrame:
    """Read a CSV (UTF-8) or Excel file as all-text columns plus `_row`.

    Raises InputError when the file is missing, empty, not UTF-8, or lacks a required column.
    Blank cells become null. Extra columns are kept (and reported by validation). For a
    workbook, `sheet` names the sheet to read (default: the first).
    """
    if not path.exists():
        raise InputError(path, "the file is missing")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError(
            path,
            f"the file is too large ({size / 1e6:,.0f} MB; the limit is {MAX_BYTES / 1e6:,.0f} MB). One authority's "
            "return is a few MB: check this is the right file, or raise REVIEW_PACK_MAX_MB",
        )
    frame = _read_excel(path, sheet) if path.suffix.lower() == ".xlsx" else _read_csv(path)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            f"{path} (sheet {sheet})" if sheet else path,
            f"missing required column(s) {', '.join(missing)}; found {', '.join(frame.columns)}",
            column=missing[0],
            rows=[1],
        )
    return frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))


def _read_csv(path: Path) -> pl.DataFrame:
    data = path.read_bytes()
    if not data.strip():
        raise InputError(path, "the file is empty")
    if not data.isascii():  # ASCII is UTF-8; otherwise check it all here, to name the line of a bad byte
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise InputError(
                path,
                f"the file is not UTF-8 (byte 0x{data[exc.start]:02x}); save it as 'CSV UTF-8'",
                rows=[line],
            ) from exc
    # The checked bytes go to polars' reader as they are (without a byte-order mark): no decoding in Python.
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    try:
        frame = pl.read_csv(body, infer_schema=False)
    except pl.exceptions.ComputeError as exc:
        raise InputError(path, f"could not be read as CSV ({exc})") from exc
    frame = frame.rename({c: c.strip() for c in frame.columns})
    return frame.with_columns(pl.col(c).str.strip_chars().replace("", None) for c in frame.columns)


def sheet_names(path: Path) -> list[str]:
    """The sheet names of an Excel workbook (InputError if it cannot be opened)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError(path, f"could not be read as Excel ({exc})") from exc
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def _read_excel(path: Path, sheet: str | None = None) -> pl.DataFrame:
    import pandas as pd

    try:
        pdf = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=str, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError(path, f"could not be read as Excel ({exc})") from exc
    if pdf.empty and len(pdf.columns) == 0:
        raise InputError(path, "the file is empty")
    pdf.columns = [str(c).strip() for c in pdf.columns]
    frame = pl.from_pandas(pdf.astype(object).where(pdf.notna(), None))
    return frame.with_columns(pl.col(c).cast(pl.String).str.strip_chars().replace("", None) for c in frame.columns)


def date_expr(column: str, formats: tuple[str, ...] = (DMY, ISO)) -> pl.Expr:
    """Parse a text column as a date, trying each format; unparseable text gives null.

    Excel inputs read through pandas come as `yyyy-mm-dd hh:mm:ss`, so a trailing midnight
    time is dropped first. A year outside 1900-2099 (a two-digit year, say) counts as unreadable.
    """
    text = pl.col(column).str.replace(r" 00:00:00$", "")
    parsed = pl.coalesce([text.str.to_date(fmt, strict=False) for fmt in formats])
    # A two-digit year ("01/06/23") parses as year 23: only years 1900-2099 are real dates here.
    return pl.when(parsed.dt.year().is_between(1900, 2099)).then(parsed).alias(column)


def parse_dates(
    frame: pl.DataFrame, columns: list[str], path: Path, formats: tuple[str, ...] = (DMY, ISO)
) -> pl.DataFrame:
    """Turn text date columns into real dates; any non-blank value that will not parse is an error.

    Each distinct text is parsed once (a return repeats a few thousand dates over many rows), then
    mapped back to every row: the same dates as `date_expr` on every value.
    """
    parsed = frame.with_columns(_dates_of_distinct(frame[c], formats) for c in columns)
    _refuse_unparsed(frame, parsed, columns, path, "date(s) could not be read", " (expected dd/mm/yyyy or yyyy-mm-dd)")
    return parsed


def _dates_of_distinct(text: pl.Series, formats: tuple[str, ...]) -> pl.Series:
    """`date_expr` of a text column, computed on its distinct values only."""
    if text.dtype != pl.String:
        return text.to_frame().select(date_expr(text.name, formats)).to_series()
    distinct = text.unique().drop_nulls()
    dates = distinct.to_frame().select(date_expr(text.name, formats)).to_series()
    return text.replace_strict(distinct, dates, default=None, return_dtype=pl.Date)


def parse_numbers(frame: pl.DataFrame, columns: dict[str, pl.DataType], path: Path) -> pl.DataFrame:
    """Cast text columns to numbers; any non-blank value that will not cast is an error."""
    parsed = frame.with_columns(pl.col(c).cast(t, strict=False) for c, t in columns.items())
    _refuse_unparsed(frame, parsed, list(columns), path, "value(s) are not numbers", "")
    return parsed


def _refuse_unparsed(
    raw: pl.DataFrame, parsed: pl.DataFrame, columns: list[str], path: Path, what: str, hint: str
) -> None:
    """InputError naming the file, column and rows for the first column with text that did not convert."""
    for column in columns:
        bad = raw.filter(pl.col(column).is_not_null() & parsed[column].is_null())
        if bad.height:
            raise InputError(
                path, f"{bad.height} {what}, e.g. '{bad[column][0]}'{hint}", column=column, rows=bad[ROW].to_list()
            )
