"""Loading the SSDA903 return: one or more years, merged so each episode appears once.

Each year's return holds every episode open at some time in its collection year (1 April to
31 March), so an episode open at 31 March appears again in the next return, usually closed by
then, and councils correct earlier years when they submit the next return. `merge_episodes`
keeps the corrected history: the latest return is authoritative for the collection year it
covers (`supersede`), as the DfE keeps only the latest submission (903 rules 502/503). A stacked
file with no years falls back to one row per episode (CHILD + DECOM), the closed version over the
open one. Every replacement, amendment, missing return year and unresolved conflict is counted in
a `MergeReport`, never dropped silently.
"""

from __future__ import annotations

import calendar
import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from analysis.core.codes import EPISODE_COLUMNS, HEADER_COLUMNS, LEGACY_REC, UASC_COLUMNS
from analysis.core.errors import InputError
from analysis.core.periods import long_month, month_label, parse_period
from analysis.load import ssda903_xml, tidy_codes
from analysis.load.readers import ROW, parse_dates, read_raw, sheet_names

DATE_COLUMNS = {"header": ["DOB", "MC_DOB"], "episodes": ["DECOM", "DEC"], "uasc": ["DOB", "DUC"]}
REQUIRED = {"header": HEADER_COLUMNS, "episodes": EPISODE_COLUMNS, "uasc": UASC_COLUMNS}

#: Columns added by the loader: the return year (0 for a stacked file) and the source file.
YEAR, FILE = "_year", "_file"


@dataclass(frozen=True)
class ReturnFile:
    """One physical 903 table: which table, which return year (None if stacked), where.

    `path` is a CSV file, an Excel workbook (`sheet` names the table's sheet; None = the first
    sheet) or an XML return (`analysis.load.ssda903_xml`), which holds every table of one year.
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
    """What merging the years did: counts for the data-quality page.

    `changes` is child-level (CHILD, dates, codes): it goes only to the analyst-only folder,
    never to a page of the pack.
    """

    episode_rows_read: int = 0
    episodes_kept: int = 0
    duplicates_merged: int = 0
    superseded: int = 0
    amended: int = 0
    missing_from_next_return: int = 0
    missing_years: list[int] = field(default_factory=list)
    stacked: bool = False
    conflicts: int = 0
    conflict_examples: list[str] = field(default_factory=list)
    header_rows_read: int = 0
    children_kept: int = 0
    legacy_rec_mapped: int = 0
    changes: pl.DataFrame | None = None
    _missing_pairs: list[tuple[int, int, int]] = field(default_factory=list)

    def as_rows(self) -> list[tuple[str, int | str]]:
        """Plain-English lines for the data-quality page."""
        return [
            ("Episode rows read from the 903 files", self.episode_rows_read),
            ("Episodes kept after merging the years", self.episodes_kept),
            ("Episodes replaced by a later year's return (the latest return is used for its year)", self.superseded),
            ("Of those, episodes the later return amended (start date, legal status, placement or end date)",
             self.amended),
            ("Repeated episodes merged (same child and start date, same return)", self.duplicates_merged),
            ("Children with an episode open at the end of a return who are missing from the next return",
             self.missing_from_next_return),
            ("Return years missing", ", ".join(str(y) for y in self.missing_years) or "none"),
            ("Episodes with two different closed versions in one return", self.conflicts),
            ("Legacy reason-ceased codes mapped to current codes", self.legacy_rec_mapped),
            ("Header rows read", self.header_rows_read),
            ("Children kept after merging the years", self.children_kept),
        ]  # fmt: skip

    def warnings(self) -> list[str]:
        """Plain-English warnings about the returns as a whole, naming the years and the figures affected."""
        found = []
        if self.stacked:
            found.append(
                "The 903 episodes are one file with no return years, so amendments made in a later year's return "
                "cannot be detected: an episode whose start date was corrected would be counted twice. Supply the "
                "returns in year folders (ssda903/<year>/) to have the latest return replace earlier years."
            )
        for year in self.missing_years:
            found.append(
                f"The {year} return (1 April {year - 1} to 31 March {year}) is missing. Children who started and "
                f"left care within that year are not in the data, so children in care, starts and ceases from "
                f"April {year - 1} to March {year}, and 12-month figures up to March {year + 1}, are too low; "
                f"a child whose episode was open at 31 March {year - 1} and who is in no later return is counted "
                f"as still in care."
            )
        for year, following, children in self._missing_pairs:
            who = "1 child" if children == 1 else f"{children:,} children"
            verb = "was" if children == 1 else "were"
            found.append(
                f"{who} in care at the end of the {year} return {verb} not in the {following} return: their "
                f"episodes are kept open, so they are counted as still in care. Check whether they left care "
                f"(the analyst-only folder lists them)."
            )
        return found


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


def read_table(files: list[ReturnFile], table: str, notes: list[str] | None = None) -> pl.DataFrame:
    """All years of one table as text, with `_year`, `_file` and `_row` columns, whatever the files' form.

    Codes written in another case are read as the listed code (`analysis.load.tidy_codes`, as validation
    does); each file where that happened adds a warning to `notes`.
    """
    frames = []
    for f in files:
        if f.table != table:
            continue
        frame, tidied = tidy_codes.tidy(f.read().select([*REQUIRED[table], ROW]), f"ssda903_{table}")
        if tidied.changed and notes is not None:
            notes.append(tidied.message(f.label))
        frames.append(frame.with_columns(pl.lit(f.return_year).alias(YEAR), pl.lit(str(f.path)).alias(FILE)))
    if not frames:
        return pl.DataFrame(schema={c: pl.String for c in REQUIRED[table]})
    return pl.concat(frames, how="vertical")


def typed(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Parse the date columns of a raw 903 table, file by file so errors name the right file."""
    if frame.height == 0:
        return frame.with_columns(pl.col(c).cast(pl.Date) for c in DATE_COLUMNS[table])
    first = frame[FILE][0]
    if (frame[FILE] == first).all():  # one file: no need to split
        return parse_dates(frame, DATE_COLUMNS[table], Path(first))
    parts = [
        parse_dates(part, DATE_COLUMNS[table], Path(part[FILE][0]))
        for part in frame.partition_by(FILE, maintain_order=True)
    ]
    return pl.concat(parts, how="vertical")


def merge_episodes(episodes: pl.DataFrame, report: MergeReport) -> pl.DataFrame:
    """One row per episode, the latest return authoritative for its collection year.

    With return years (`_year` > 0), `supersede` first replaces every earlier return's episode that
    the child's next return covers. Then, within what is left, one row per CHILD + DECOM: later
    return year first; then a closed version over an open one; then the later row in the file. Two
    different closed versions in the same return are a conflict: counted in `report` and resolved
    by keeping the later row. A stacked file with no years (`_year` = 0 throughout) gets only the
    CHILD + DECOM rule, and `report` warns that amendments cannot be detected.
    """
    report.episode_rows_read += episodes.height
    legacy = episodes.filter(pl.col("REC").is_in(list(LEGACY_REC))).height
    report.legacy_rec_mapped += legacy
    ranked = episodes.with_columns(
        pl.col("REC").replace(LEGACY_REC),
        pl.col("DEC").is_not_null().alias("_closed"),
        pl.int_range(pl.len()).alias("_order"),
    )
    years = sorted(y for y in ranked[YEAR].unique().to_list() if y) if YEAR in ranked.columns else []
    if years:
        ranked, changes = supersede(ranked)
        replaced = changes.filter(pl.col("replaced_by").is_not_null())
        report.superseded += replaced.height
        report.amended += int(replaced["amended"].sum())
        missing = changes.filter(pl.col("replaced_by").is_null())
        pairs = (
            missing.group_by("return_year", "next_return")
            .agg(pl.col("CHILD").n_unique().alias("n"))
            .sort("return_year")
        )
        report._missing_pairs += [tuple(r) for r in pairs.iter_rows()]
        report.missing_from_next_return += int(pairs["n"].sum())
        report.missing_years = missing_years(years)
        report.changes = changes.drop("next_return")
    elif ranked.height:
        report.stacked = True
    # Only a CHILD + DECOM that occurs more than once can conflict or need ranking: those rows alone are grouped.
    if _sorted_by_child_and_start(ranked, strict=True):  # the usual stacked file: no key twice, in order
        repeated = pl.Series(dtype=pl.Boolean).extend_constant(False, ranked.height)
    else:
        repeated = ranked.select("CHILD", "DECOM").is_duplicated()
    closed = ranked.filter(repeated & ranked["_closed"])
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
    # One row per CHILD + DECOM, sorted: later return year, then closed over open, then the later row.
    columns = ["CHILD", "DECOM", *(c for c in ranked.columns if c not in ("CHILD", "DECOM"))]
    if repeated.any():
        chosen = (
            ranked.filter(repeated)
            .sort([YEAR, "_closed", "_order"])
            .group_by(["CHILD", "DECOM"], maintain_order=True)
            .last()
        )
        kept = pl.concat([ranked.filter(~repeated).select(columns), chosen.select(columns)], how="vertical")
    else:
        kept = ranked.select(columns)
    if not _sorted_by_child_and_start(kept):
        kept = kept.sort(["CHILD", "DECOM"])
    kept = kept.drop("_closed", "_order")
    report.duplicates_merged += ranked.height - kept.height
    report.episodes_kept += kept.height
    return kept


def _sorted_by_child_and_start(frame: pl.DataFrame, strict: bool = False) -> bool:
    """True when `frame` is already in CHILD, DECOM order with neither null (sorting it would change nothing);
    `strict`: and no CHILD + DECOM twice."""
    child, start = pl.col("CHILD"), pl.col("DECOM")
    later = start > start.shift() if strict else start >= start.shift()
    return bool(
        frame.select(
            child.is_not_null().all()
            & start.is_not_null().all()
            & ((child > child.shift()) | ((child == child.shift()) & later)).slice(1).all()
        ).item()
    )


#: The child-level list of what supersession changed (analyst only): one row per replaced episode, and one per
#: open episode whose child is missing from the next return.
CHANGE_COLUMNS = ["CHILD", "DECOM", "DEC", "LS", "PLACE", "REC", "return_year", "replaced_by", "amended", "change"]


def supersede(episodes: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Drop every episode a later return replaces; return (the episodes kept, the changes).

    Rule: return year Y covers 1 April Y-1 to 31 March Y. For each child, an episode from an earlier
    return that was open at, or ended on or after, 1 April before the child's next return's 31 March
    is replaced by that return's episodes for the child (it must report every episode open during
    its year, corrected). Episodes that ended before then are outside the later return and are kept.
    Only the child's own next return counts: a child absent from it keeps the earlier episodes.

    An episode is *amended* when the child's next return has no episode with the same start date
    (DECOM), legal status (LS) and placement (PLACE) and, if the earlier version had ended, the same
    end date (DEC). Closing an episode that was open is the normal update, not an amendment.

    The changes (columns `CHANGE_COLUMNS` plus next_return) also list each open episode at the end of a
    return whose child is not in the next return present (change "missing from the next return",
    replaced_by null); those episodes are kept.
    """
    child_years = (
        episodes.select("CHILD", YEAR)
        .unique()
        .sort("CHILD", YEAR)
        .with_columns(pl.col(YEAR).shift(-1).over("CHILD").alias("_next"))
    )
    returns = sorted(episodes[YEAR].unique().to_list())
    next_return = dict(itertools.pairwise(returns))
    marked = episodes.join(child_years, on=["CHILD", YEAR], how="left", maintain_order="left").with_columns(
        (
            pl.col("_next").is_not_null()
            & (pl.col("DEC").is_null() | (pl.col("DEC") >= pl.date(pl.col("_next") - 1, 4, 1))).fill_null(False)
        ).alias("_replaced"),
        pl.col(YEAR).replace_strict(next_return, default=None, return_dtype=pl.Int64).alias("_next_return"),
    )
    replaced = marked.filter(pl.col("_replaced"))
    later = episodes.select(
        "CHILD", pl.col(YEAR).alias("_next"), "DECOM", "LS", "PLACE", pl.col("DEC").alias("_later_dec")
    )
    same = (
        replaced.select("_order", "CHILD", "_next", "DECOM", "LS", "PLACE", "DEC")
        .join(later, on=["CHILD", "_next", "DECOM", "LS", "PLACE"], how="inner", nulls_equal=True)
        .filter(pl.col("DEC").is_null() | (pl.col("DEC") == pl.col("_later_dec")).fill_null(False))
        .select("_order")
        .unique()
    )
    replaced = replaced.with_columns(~pl.col("_order").is_in(same["_order"].implode()).alias("amended"))
    # Open at the end of its return (no DEC, or a DEC after that 31 March), and the child is not in the next return.
    open_at_end = pl.col("DEC").is_null() | (pl.col("DEC") > pl.date(pl.col(YEAR), 3, 31))
    present = episodes.select("CHILD", pl.col(YEAR).cast(pl.Int64).alias("_next_return")).unique()
    missing = (
        marked.filter(~pl.col("_replaced") & (pl.col(YEAR) > 0) & pl.col("_next_return").is_not_null() & open_at_end)
        .join(present, on=["CHILD", "_next_return"], how="anti")
        .with_columns(pl.lit(False).alias("amended"))
    )
    changes = pl.concat(
        [
            replaced.with_columns(
                pl.col("_next").alias("replaced_by"),
                pl.when("amended").then(pl.lit("amended")).otherwise(pl.lit("replaced")).alias("change"),
            ),
            missing.with_columns(
                pl.lit(None, pl.Int32).alias("replaced_by"), pl.lit("missing from the next return").alias("change")
            ),
        ],
        how="diagonal_relaxed",
    )
    changes = changes.select(
        "CHILD", "DECOM", "DEC", "LS", "PLACE", "REC",
        pl.col(YEAR).cast(pl.Int64).alias("return_year"),
        pl.col("replaced_by").cast(pl.Int64),
        "amended", "change",
        pl.col("_next_return").alias("next_return"),
    ).sort("CHILD", "DECOM", "return_year")  # fmt: skip
    kept = marked.filter(~pl.col("_replaced")).drop("_next", "_replaced", "_next_return")
    return kept, changes


def missing_years(years: list[int]) -> list[int]:
    """Return years absent between the earliest and the latest present (2022 and 2024 present: [2023])."""
    present = {y for y in years if y}
    return [y for y in range(min(present), max(present)) if y not in present] if present else []


def latest_per_child(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per CHILD: the row from the latest return (the later row within a stacked file)."""
    child = pl.col("CHILD")
    if frame.select(child.is_not_null().all() & (child > child.shift()).slice(1).all()).item():
        return frame.select("CHILD", pl.exclude("CHILD"))  # each child once, in order already: nothing to choose
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


def coverage_end(episodes: pl.DataFrame) -> date | None:
    """The last month end the returns cover: 31 March of the latest return year, or the month end of the
    latest date in the episodes if that is later (for a stacked file without years, that month end)."""
    if episodes.height == 0:
        return None
    latest = episodes.select(pl.max_horizontal(pl.col("DECOM").max(), pl.col("DEC").max())).item()
    ends = [date(latest.year, latest.month, calendar.monthrange(latest.year, latest.month)[1])] if latest else []
    years = episodes[YEAR].filter(episodes[YEAR] > 0) if YEAR in episodes.columns else pl.Series([], dtype=pl.Int32)
    if years.len():
        ends.append(date(int(years.max()), 3, 31))
    return max(ends) if ends else None


def check_period(episodes: pl.DataFrame, period: str, where: Path | str) -> date:
    """The month end of `period` (YYYY-MM), if the returns cover it; else an InputError naming their coverage.

    A malformed period is a ValueError (a usage error, not an input error). `where` is the 903 folder,
    named in the message.
    """
    end = parse_period(period)
    first, last = coverage_start(episodes), coverage_end(episodes)
    if first is None or last is None:
        raise InputError(where, "the 903 returns hold no episodes, so there is no period to review")
    if not first <= end <= last:
        when = "before the first return" if end < first else "after the last return"
        raise InputError(
            where,
            f"the review period {period} is {when}: the returns cover {long_month(first)} to {long_month(last)}. "
            f"Give a period from {month_label(first)} to {month_label(last)}",
        )
    return end
