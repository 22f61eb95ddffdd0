"""Loading the SSDA903 return: one or more years, merged so each episode appears once.

An episode open at 31 March appears again in the next year's return, usually closed by
then. `merge_episodes` keeps one row per episode (CHILD + DECOM): from year folders the
latest return's version, and in a stacked file the closed version over the open one.
Every merge and every unresolved conflict is counted in a `MergeReport`, never dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from analysis import ssda903_xml
from analysis.codes import LEGACY_REC
from analysis.errors import InputError
from analysis.readers import ROW, parse_dates, read_raw, sheet_names

HEADER_COLUMNS = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODE_COLUMNS = [
    "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER",
    "DEC", "REC", "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
]  # fmt: skip
UASC_COLUMNS = ["CHILD", "SEX", "DOB", "DUC"]
DATE_COLUMNS = {"header": ["DOB", "MC_DOB"], "episodes": ["DECOM", "DEC"], "uasc": ["DOB", "DUC"]}
REQUIRED = {"header": HEADER_COLUMNS, "episodes": EPISODE_COLUMNS, "uasc": UASC_COLUMNS}

#: Columns added by the loader: the return year (0 for a stacked file) and the source file.
YEAR, FILE = "_year", "_file"


@dataclass(frozen=True)
class ReturnFile:
    """One physical 903 table: which table, which return year (None if stacked), where.

    `path` is a CSV file, an Excel workbook (`sheet` names the table's sheet; None = the first
    sheet) or an XML return (`analysis.ssda903_xml`), which holds every table of one year.
    """

    table: str
    year: int | None
    path: Path
    sheet: str | None = None

    @property
    def is_xml(self) -> bool:
        return ssda903_xml.is_xml(self.path)

    @property
    def label(self) -> str:
        """The file as messages name it: the path, and the sheet or XML table when one file holds several."""
        if self.sheet:
            return f"{self.path} (sheet {self.sheet})"
        return f"{self.path} ({self.table})" if self.is_xml else str(self.path)

    @property
    def return_year(self) -> int:
        """The return year: the folder's; for a stacked XML file, from its episodes' dates; 0 for a stacked CSV."""
        if self.year is not None:
            return self.year
        if self.is_xml:
            return ssda903_xml.read_return(self.path).inferred_year() or 0
        return 0

    def read(self, required: list[str] | None = None) -> pl.DataFrame:
        """The table as text columns plus `_row` (InputError if unreadable or a `required` column is missing)."""
        if self.is_xml:
            return ssda903_xml.read_table(self.path, self.table)
        return read_raw(self.path, REQUIRED[self.table] if required is None else required, sheet=self.sheet)


@dataclass
class MergeReport:
    """What merging the years did: counts for the data-quality page."""

    episode_rows_read: int = 0
    episodes_kept: int = 0
    duplicates_merged: int = 0
    conflicts: int = 0
    conflict_examples: list[str] = field(default_factory=list)
    header_rows_read: int = 0
    children_kept: int = 0
    legacy_rec_mapped: int = 0

    def as_rows(self) -> list[tuple[str, int]]:
        """Plain-English lines for the data-quality page."""
        return [
            ("Episode rows read from the 903 files", self.episode_rows_read),
            ("Episodes kept after merging the years", self.episodes_kept),
            ("Repeated episodes merged (same child and start date)", self.duplicates_merged),
            ("Episodes with two different closed versions in one return", self.conflicts),
            ("Legacy reason-ceased codes mapped to current codes", self.legacy_rec_mapped),
            ("Header rows read", self.header_rows_read),
            ("Children kept after merging the years", self.children_kept),
        ]


def discover(folder: Path) -> list[ReturnFile]:
    """List the 903 tables: in `ssda903/<year>/` folders, else stacked in `ssda903/` itself.

    In each folder, in this order of preference (see data/README.md):
    - `*.xml`: DfE XML returns, one per file (each gives header, episodes and uasc); in a stacked
      folder each file's year comes from its episodes' dates (`ReturnFile.return_year`);
    - `*.xlsx`: a workbook with sheets header, episodes and (optional) uasc, or `header.xlsx` and
      `episodes.xlsx` with the table on the first sheet;
    - `header.csv`, `episodes.csv` and the optional `uasc.csv`.
    The header and episodes are required (InputError if absent). Files of a less preferred form
    beside a more preferred one are not read (validation warns about them).
    """
    if not folder.is_dir():
        raise InputError(folder, "the ssda903 folder is missing; see data/README.md")
    years = sorted((int(p.name), p) for p in folder.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name))
    places = years if years else [(None, folder)]
    found: list[ReturnFile] = []
    for year, place in places:
        files = sorted(p for p in place.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
        xml = [p for p in files if p.suffix.lower() == ".xml"]
        books = [p for p in files if p.suffix.lower() == ".xlsx"]
        if xml:
            found += [ReturnFile(table, year, path) for path in xml for table in ("header", "episodes", "uasc")]
        elif books:
            found += _workbook_tables(books, year)
        else:
            found += _csv_tables(place, year)
    return found


def _csv_tables(place: Path, year: int | None) -> list[ReturnFile]:
    found = []
    for table in ("header", "episodes", "uasc"):
        path = place / f"{table}.csv"
        if path.exists():
            found.append(ReturnFile(table, year, path))
        elif table != "uasc":
            raise InputError(path, f"the 903 {table} file is missing")
    return found


def _workbook_tables(books: list[Path], year: int | None) -> list[ReturnFile]:
    """The tables of 903 workbooks: one sheet per table (named as the CSV files), or one workbook per table."""
    found: list[ReturnFile] = []
    for path in books:
        if path.stem.lower() in REQUIRED:
            found.append(ReturnFile(path.stem.lower(), year, path))
            continue
        sheets = {name.strip().lower().removesuffix(".csv"): name for name in sheet_names(path)}
        found += [ReturnFile(table, year, path, sheets[table]) for table in REQUIRED if table in sheets]
    for table in ("header", "episodes"):
        if not any(f.table == table for f in found):
            raise InputError(
                books[0],
                f"no 903 {table} table: name a sheet '{table}' (sheets found: "
                f"{', '.join(sheet_names(books[0])) or 'none'})",
            )
    return found


def read_table(files: list[ReturnFile], table: str) -> pl.DataFrame:
    """All years of one table as text, with `_year`, `_file` and `_row` columns, whatever the files' form."""
    frames = [
        f.read()
        .select([*REQUIRED[table], ROW])
        .with_columns(pl.lit(f.return_year).alias(YEAR), pl.lit(str(f.path)).alias(FILE))
        for f in files
        if f.table == table
    ]
    if not frames:
        return pl.DataFrame(schema={c: pl.String for c in REQUIRED[table]})
    return pl.concat(frames, how="vertical")


def typed(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Parse the date columns of a raw 903 table, file by file so errors name the right file."""
    if frame.height == 0:
        return frame.with_columns(pl.col(c).cast(pl.Date) for c in DATE_COLUMNS[table])
    parts = [
        parse_dates(part, DATE_COLUMNS[table], Path(part[FILE][0]))
        for part in frame.partition_by(FILE, maintain_order=True)
    ]
    return pl.concat(parts, how="vertical")


def merge_episodes(episodes: pl.DataFrame, report: MergeReport) -> pl.DataFrame:
    """One row per episode (CHILD + DECOM), taking the latest return's version.

    Order of preference: later return year; then a closed version over an open one; then the
    later row in the file. Two different closed versions in the same return are a conflict:
    counted in `report` and resolved by keeping the later row.
    """
    report.episode_rows_read += episodes.height
    legacy = episodes.filter(pl.col("REC").is_in(list(LEGACY_REC))).height
    report.legacy_rec_mapped += legacy
    ranked = episodes.with_columns(
        pl.col("REC").replace(LEGACY_REC),
        pl.col("DEC").is_not_null().alias("_closed"),
        pl.int_range(pl.len()).alias("_order"),
    )
    closed = ranked.filter(pl.col("_closed"))
    versions = closed.group_by(["CHILD", "DECOM", YEAR]).agg(
        pl.struct(["DEC", "REC", "LS", "PLACE"]).n_unique().alias("n"),
        pl.col(FILE).first(),
        pl.col(ROW).sort().alias("rows"),
    )
    conflicts = versions.filter(pl.col("n") > 1)
    report.conflicts += conflicts.height
    report.conflict_examples += [
        f"{Path(r[FILE]).name} rows {', '.join(map(str, r['rows']))}" for r in conflicts.head(5).iter_rows(named=True)
    ]
    kept = (
        ranked.sort([YEAR, "_closed", "_order"])
        .group_by(["CHILD", "DECOM"], maintain_order=True)
        .last()
        .sort(["CHILD", "DECOM"])
        .drop("_closed", "_order")
    )
    report.duplicates_merged += episodes.height - kept.height
    report.episodes_kept += kept.height
    return kept


def latest_per_child(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per CHILD: the row from the latest return (the later row within a stacked file)."""
    return (
        frame.with_columns(pl.int_range(pl.len()).alias("_order"))
        .sort([YEAR, "_order"])
        .group_by("CHILD", maintain_order=True)
        .last()
        .sort("CHILD")
        .drop("_order")
    )


def merge_children(header: pl.DataFrame, report: MergeReport) -> pl.DataFrame:
    """One row per child, from the latest return, counted in `report`."""
    report.header_rows_read += header.height
    kept = latest_per_child(header)
    report.children_kept += kept.height
    return kept


def merge_uasc(uasc: pl.DataFrame) -> pl.DataFrame:
    """One row per UASC child, from the latest return."""
    return uasc if uasc.height == 0 else latest_per_child(uasc)


def coverage_start(episodes: pl.DataFrame) -> date | None:
    """The first day the returns cover completely: 1 April of the earliest collection year.

    A return holds only the episodes open at some time in its year, so before this date a
    child who had already left care is missing: counts and flows are not shown before it.
    With year folders it is 1 April before the earliest return's 31 March; for a stacked file
    without years, the 1 April on or before the earliest date an episode ceased.
    """
    if episodes.height == 0:
        return None
    years = episodes[YEAR].filter(episodes[YEAR] > 0) if YEAR in episodes.columns else pl.Series([], dtype=pl.Int32)
    if years.len():
        return date(int(years.min()) - 1, 4, 1)
    earliest = episodes["DEC"].min() or episodes["DECOM"].min()
    return date(earliest.year if earliest.month >= 4 else earliest.year - 1, 4, 1)
