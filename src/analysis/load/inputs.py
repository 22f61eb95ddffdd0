"""Load a whole input folder (see data/README.md) into typed polars frames.

`load_inputs` is what the notebooks, the CLI and the tests call. It raises InputError (file,
row, column) for anything that would make the figures wrong; the fuller checks, including
warnings, are in `analysis.checks.validation`, which the build runs first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from analysis.core.errors import InputError
from analysis.load import ssda903, tidy_codes
from analysis.load.config import MISSING_LA_TOML, Authority, load_authority
from analysis.load.readers import DMY, ISO, ROW, find_table, parse_dates, parse_numbers, read_raw

WORKFORCE_COLUMNS = ["snapshot_date", "team", "role", "contract", "fte", "caseload"]
PERMANENCE_COLUMNS = [
    "child_id", "route", "identified_date", "assessing_date", "assessment_complete_date",
    "assessment_outcome", "carers_agree", "sent_to_legal_date", "filed_with_court_date",
    "outcome", "outcome_date", "planned_application_month", "blocker", "support_plan",
]  # fmt: skip
PERMANENCE_DATES = [c for c in PERMANENCE_COLUMNS if c.endswith("_date")]
POPULATION_COLUMNS = ["la_code", "mid_year", "population_0_17", "source"]
COMPARATOR_COLUMNS = ["metric", "area", "period", "value", "source"]
INDICATOR_COLUMNS = ["metric", "period", "value", "target", "source"]
INDICATOR_OPTIONAL = ["label", "unit", "better"]
ALLOCATION_COLUMNS = ["child_id", "worker_id", "team", "contract", "start_date", "end_date"]
ALLOCATION_DATES = ["start_date", "end_date"]

MISSING_POPULATION = (
    "There is no context/population.csv, so no rate per 10,000 children is shown: rates need the under-18 "
    "population by mid-year (see data/README.md). Counts are not affected."
)


@dataclass
class Inputs:
    """Everything one review reads, typed. Optional inputs are None when absent (`uasc` is None when no
    return has a uasc.csv: UASC is then not known, which is not the same as none)."""

    folder: Path
    authority: Authority
    header: pl.DataFrame
    episodes: pl.DataFrame
    uasc: pl.DataFrame | None
    population: pl.DataFrame | None
    comparators: pl.DataFrame | None
    workforce: pl.DataFrame | None
    permanence: pl.DataFrame | None
    indicators: pl.DataFrame | None = None
    allocations: pl.DataFrame | None = None
    merge: ssda903.MergeReport = field(default_factory=ssda903.MergeReport)
    files: list[Path] = field(default_factory=list)
    #: What the optional inputs that are absent would add, in plain words (for the CLI and the logs)
    notes: list[str] = field(default_factory=list)


def input_files(folder: Path) -> list[Path]:
    """Every input file present in the folder, sorted (for the manifest's hashes)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def load_inputs(folder: Path | str) -> Inputs:
    """Load and type every input in `folder`; raise InputError on anything unusable."""
    folder = Path(folder)
    authority = load_authority(folder / "la.toml")
    files = ssda903.discover(folder / "ssda903")
    merge = ssda903.MergeReport()
    tidied: list[str] = []
    header = ssda903.merge_children(ssda903.typed(ssda903.read_table(files, "header", tidied), "header"), merge)
    episodes = ssda903.merge_episodes(ssda903.typed(ssda903.read_table(files, "episodes", tidied), "episodes"), merge)
    uasc = None
    if any(f.table == "uasc" for f in files):
        uasc = ssda903.merge_uasc(ssda903.typed(ssda903.read_table(files, "uasc", tidied), "uasc"))
    population = load_population(folder / "context" / "population.csv", authority.code or None)
    comparators = load_comparators(folder / "context" / "comparators.csv", tidied)
    workforce = load_workforce(find_table(folder, "workforce"), tidied)
    permanence = load_permanence(find_table(folder, "permanence"), tidied)
    notes = [MISSING_LA_TOML] if not authority.configured else []
    notes += [MISSING_POPULATION] if population is None else []
    notes += tidied
    return Inputs(
        folder=folder,
        authority=authority,
        header=header,
        episodes=episodes,
        uasc=uasc,
        population=population,
        comparators=comparators,
        workforce=workforce,
        permanence=permanence,
        indicators=load_indicators(folder / "context" / "indicators.csv"),
        allocations=load_allocations(find_table(folder, "allocations")),
        merge=merge,
        files=input_files(folder),
        notes=notes,
    )


def load_population(path: Path, la_code: str | None = None) -> pl.DataFrame | None:
    """Under-18 population by mid-year for one authority: one row per mid_year.

    Rows are kept for `la_code` (the authority's code from la.toml) only, so a file holding every
    authority can be used as it is. Without a code the file must hold one authority. Two figures for
    one mid-year, or no row for the code, is an InputError naming the file, rows and column.
    """
    if not path.exists():
        return None
    raw = read_raw(path, POPULATION_COLUMNS)
    typed = parse_numbers(raw, {"mid_year": pl.Int32, "population_0_17": pl.Float64}, path)
    codes = typed["la_code"].drop_nulls().unique(maintain_order=True).to_list()
    if la_code is None:
        if len(codes) > 1:
            raise InputError(
                path,
                f"holds {len(codes)} authorities ({', '.join(codes[:5])}); give the authority's code in la.toml "
                "or keep its rows only",
                column="la_code",
            )
    else:
        typed = typed.filter(pl.col("la_code") == la_code)
        if typed.height == 0:
            raise InputError(
                path, f"no rows for the authority's code {la_code} (found {', '.join(codes[:5])})", column="la_code"
            )
    repeated = typed.filter(pl.col("mid_year").is_duplicated())
    if repeated.height:
        raise InputError(
            path,
            f"more than one population figure for mid-year {repeated['mid_year'][0]}; keep one per mid-year",
            column="mid_year",
            rows=repeated[ROW].to_list(),
        )
    return typed


def load_comparators(path: Path, notes: list[str] | None = None) -> pl.DataFrame | None:
    """Published comparator figures: one row per (metric, area, period)."""
    if not path.exists():
        return None
    raw = _tidy(read_raw(path, COMPARATOR_COLUMNS), "comparators", path, notes)
    typed = parse_numbers(raw, {"value": pl.Float64}, path)
    return parse_dates(typed, ["period"], path, (ISO, DMY))


def load_workforce(path: Path | None, notes: list[str] | None = None) -> pl.DataFrame | None:
    """The workforce snapshot: one row per post per snapshot date, FTE and caseload as numbers (role and
    contract codes in another case read as listed, and noted in `notes`)."""
    if path is None:
        return None
    raw = _tidy(read_raw(path, WORKFORCE_COLUMNS), "workforce", path, notes)
    typed = parse_numbers(raw, {"fte": pl.Float64, "caseload": pl.Int64}, path)
    return parse_dates(typed, ["snapshot_date"], path, (ISO, DMY)).select([*WORKFORCE_COLUMNS, ROW])


def load_permanence(path: Path | None, notes: list[str] | None = None) -> pl.DataFrame | None:
    """The permanence tracker: one row per child per route, stage dates as dates (route and outcome codes in
    another case read as listed, and noted in `notes`)."""
    if path is None:
        return None
    raw = _tidy(read_raw(path, PERMANENCE_COLUMNS), "permanence", path, notes)
    return parse_dates(raw, PERMANENCE_DATES, path, (ISO, DMY)).select([*PERMANENCE_COLUMNS, ROW])


def load_allocations(path: Path | None) -> pl.DataFrame | None:
    """Social worker allocations: one row per allocation of a child to a worker, dates as dates.

    end_date is blank while the allocation is current. Checked by the `allocations` suite and the
    rules RP42 and RP43 (analysis.checks.rules); the measures are in `analysis.metrics.stability`.
    """
    if path is None:
        return None
    raw = read_raw(path, ALLOCATION_COLUMNS)
    return parse_dates(raw, ALLOCATION_DATES, path, (ISO, DMY)).select([*ALLOCATION_COLUMNS, ROW])


def _tidy(raw: pl.DataFrame, suite: str, path: Path, notes: list[str] | None) -> pl.DataFrame:
    """`raw` with codes in another case read as the listed code (`analysis.load.tidy_codes`); a note if any were."""
    frame, tidied = tidy_codes.tidy(raw, suite)
    if tidied.changed and notes is not None:
        notes.append(tidied.message(str(path)))
    return frame


def load_indicators(path: Path) -> pl.DataFrame | None:
    """Other indicators the reviews track: one row per (metric, period YYYY-MM), value and target as numbers.

    Optional columns label, unit (percent, per_10k, count) and better (higher, lower, neutral)
    default to the metric id, "" and "neutral".
    """
    if not path.exists():
        return None
    raw = read_raw(path, INDICATOR_COLUMNS)
    for column, default in (("label", pl.col("metric")), ("unit", pl.lit("")), ("better", pl.lit("neutral"))):
        if column not in raw.columns:
            raw = raw.with_columns(default.alias(column))
    typed = parse_numbers(raw, {"value": pl.Float64, "target": pl.Float64}, path)
    return typed.select([*INDICATOR_COLUMNS, *INDICATOR_OPTIONAL, ROW])
