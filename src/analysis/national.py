"""Children-in-care metrics for many authorities at once: the single-authority definitions, grouped.

Each function here is the general case of one in `analysis.cla` or `analysis.care_periods`,
with the same definition and one extra argument, `by`: the columns that say whose figures a
row is (by default `("LA",)`, the authority). With `by=()` each gives exactly what its
single-authority namesake gives, and filtered to one authority it gives exactly what the
single-authority function gives on that authority's episodes (`tests/test_national.py`
checks both). The definitions are documented where they live:

- looked after at a date, and the count: `cla.looked_after_on`, `cla.cla_counts`;
- the rate per 10,000 children: `cla.population_on`, `cla.rate_per_10k`;
- periods of care, starts and ceases: `care_periods.periods_of_care`, `care_periods.monthly_flows`;
- ceased by route: `care_periods.ceased_by_route`.

A child is a (`by`…, CHILD) pair, so the same CHILD identifier in two authorities is two
children, as it is in the DfE's national data.

`load_national(folder)` reads a stacked multi-authority folder (see
`analysis.synth.national`) lazily, reading only the columns the metrics use, and
`national_metrics(...)` computes every figure for every authority and collection year.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from analysis.care_periods import COLUMNS as PERIOD_COLUMNS
from analysis.care_periods import ROUTES
from analysis.codes import LEGACY_REC, LS, PLACE, REC, REC_ROUTE, ROUTE_LABEL, SHORT_BREAK_LS
from analysis.periods import month_ends
from analysis.readers import date_expr
from analysis.ssda903 import coverage_start

#: The default grouping: one authority (the `LA` column of a stacked national file).
BY: tuple[str, ...] = ("LA",)
#: The episode columns the metrics read.
METRIC_COLUMNS = ["CHILD", "DECOM", "DEC", "REC", "LS", "PLACE"]


# --- Children looked after and the rate (cla.py, grouped) -----------------------------------------------------
#
# Each public function takes and returns DataFrames, like its single-authority namesake; the work is done by a
# LazyFrame builder (`_…_plan`), so that `national_metrics` can chain them into queries that polars optimises as a
# whole (columns nobody reads are never computed) and collect independent ones together.


def looked_after_on(episodes: pl.DataFrame, dates: pl.Series, by: Sequence[str] = BY) -> pl.DataFrame:
    """One row per (`by`…, date, CHILD) for each child looked after at the end of each date.

    The definition of `cla.looked_after_on`: DECOM ≤ D and (DEC empty or DEC > D), short breaks
    (LS V3/V4) left out; a child with two overlapping episodes gets the later-starting one.
    """
    keys = [*by, "date", "CHILD"]
    if dates.len() == 0 or episodes.filter(~_short_break()).height == 0:
        return episodes.filter(~_short_break()).head(0).with_columns(pl.lit(None, pl.Date).alias("date"))
    on = _on_dates_plan(episodes.lazy(), dates)
    return on.sort([*keys, "DECOM"]).group_by(keys, maintain_order=True).last().collect()


def cla_counts(episodes: pl.DataFrame, dates: pl.Series, by: Sequence[str] = BY) -> pl.DataFrame:
    """Children looked after at each date: one row per (`by`…, date), with `cla_count` (zero if none).

    As `cla.cla_counts`: the number of distinct children looked after at D. Every group in
    `episodes` gets a row for every date.
    """
    return _cla_counts_plan(episodes.lazy(), dates, list(by)).collect()


def _cla_counts_plan(episodes: pl.LazyFrame, dates: pl.Series, by: list[str]) -> pl.LazyFrame:
    dates = dates.sort().alias("date")
    grid = _grid(episodes, by, pl.DataFrame({"date": dates}))
    if dates.len() == 0:
        return grid.with_columns(pl.lit(0, pl.Int64).alias("cla_count"))
    # Counting distinct children needs no choice between a child's overlapping episodes (looked_after_on's sort).
    counts = _on_dates_plan(episodes, dates).group_by([*by, "date"]).agg(pl.col("CHILD").n_unique().alias("cla_count"))
    return grid.join(counts, on=[*by, "date"], how="left", maintain_order="left").with_columns(
        pl.col("cla_count").fill_null(0).cast(pl.Int64)
    )


def _on_dates_plan(episodes: pl.LazyFrame, dates: pl.Series) -> pl.LazyFrame:
    """One row per (counted episode, date) for each episode open at the end of a date (`dates` not empty)."""
    dates = dates.sort().alias("date")
    # Index of the first date ≥ DECOM, and of the first date ≥ DEC (dates before it are < DEC): the episode is
    # open at the end of the dates from the first index up to, not including, the second.
    first = pl.lit(dates).search_sorted(pl.col("DECOM"), side="left").cast(pl.Int64)
    last = pl.lit(dates).search_sorted(pl.col("DEC").fill_null(date.max), side="left").cast(pl.Int64)
    return (
        episodes.filter(~_short_break())
        .with_columns(first.alias("_first"), last.alias("_last"))
        .filter(pl.col("_last") > pl.col("_first"))  # most episodes span no date: drop them before exploding
        .with_columns(pl.int_ranges("_first", "_last").alias("_i"))
        .explode("_i")
        .with_columns(pl.lit(dates).gather(pl.col("_i")).alias("date"))
        .drop("_first", "_last", "_i")
    )


def _short_break() -> pl.Expr:
    return pl.col("LS").is_in(list(SHORT_BREAK_LS))


def population_on(population: pl.DataFrame, dates: pl.Series, by: Sequence[str] = BY) -> pl.DataFrame:
    """The under-18 population that applies at each date: one row per (`by`…, date).

    As `cla.population_on`: the latest mid-year (30 June) estimate on or before D, null before the first.
    `population` has `by`… columns (rename `la_code` to `LA`), `mid_year` and `population_0_17`.
    """
    return _population_plan(population.lazy(), dates, list(by)).collect()


def _population_plan(population: pl.LazyFrame, dates: pl.Series, by: list[str]) -> pl.LazyFrame:
    estimates = population.select(
        *by, pl.date(pl.col("mid_year"), 6, 30).alias("date"), pl.col("population_0_17")
    ).sort("date")
    grid = _grid(population, by, pl.DataFrame({"date": dates.sort()})).sort("date", maintain_order=True)
    found = grid.join_asof(estimates, on="date", by=by or None, strategy="backward", check_sortedness=not by)
    return found.sort([*by, "date"], maintain_order=True) if by else found


def rate_per_10k(
    counts: pl.DataFrame, population: pl.DataFrame, count: str = "cla_count", by: Sequence[str] = BY
) -> pl.DataFrame:
    """Add `population_0_17` and `rate_per_10k` = count / population × 10,000 (as `cla.rate_per_10k`)."""
    dates = counts["date"].unique(maintain_order=True)
    return _rate_plan(counts.lazy(), population.lazy(), dates, count, list(by)).collect()


def _rate_plan(
    counts: pl.LazyFrame, population: pl.LazyFrame, dates: pl.Series, count: str, by: list[str]
) -> pl.LazyFrame:
    pop = _population_plan(population, dates, by)
    return counts.join(pop, on=[*by, "date"], how="left", maintain_order="left").with_columns(
        (pl.col(count) / pl.col("population_0_17") * 10_000).alias("rate_per_10k")
    )


# --- Periods of care, starts, ceases and routes (care_periods.py, grouped) ------------------------------------


def periods_of_care(episodes: pl.DataFrame, by: Sequence[str] = BY) -> pl.DataFrame:
    """One row per period of care: `by`… and the columns of `care_periods.periods_of_care`.

    As there: a new period starts when an episode does not begin on the day the child's previous
    episode ceased; a period ends when its last episode's REC is not X1.
    """
    by = list(by)
    return _periods_plan(episodes.lazy(), by, presorted=is_sorted(episodes, [*by, "CHILD", "DECOM"])).collect()


def _periods_plan(episodes: pl.LazyFrame, by: list[str], presorted: bool = False) -> pl.LazyFrame:
    """Periods of care, computed on runs of rows rather than with a hash group-by.

    Once the episodes are sorted by child and DECOM, a child's episodes and each period's
    episodes are consecutive rows: a period's first row is where a new one starts, its last row
    is the row before the next start. Sorting is skipped when the caller knows the rows are in
    order already (a 903 file usually is; `is_sorted` checks it).
    """
    child = [*by, "CHILD"]
    ordered = episodes if presorted else episodes.sort([*child, "DECOM"])
    new_child = pl.any_horizontal(pl.col(c).ne_missing(pl.col(c).shift(1)) for c in child)
    previous_dec = pl.col("DEC").shift(1)
    starts = (new_child | previous_dec.is_null() | (pl.col("DECOM") != previous_dec)).fill_null(True)
    runs = ordered.select(
        *child,
        "DECOM",
        "DEC",
        "REC",
        "LS",
        "PLACE",
        starts.alias("_new"),
        new_child.alias("_child"),
        _short_break().alias("_sb"),
    ).with_columns(
        pl.col("_new").shift(-1, fill_value=True).alias("_last"),
        pl.col("_new").cum_sum().alias("_pid"),
        (~pl.col("_sb")).cum_sum().alias("_others"),  # episodes so far that are not short breaks
        pl.int_range(pl.len()).alias("_row"),
    )
    runs = runs.with_columns(
        (pl.col("_pid") - pl.when(pl.col("_child")).then(pl.col("_pid") - 1).forward_fill())
        .cast(pl.UInt32)
        .alias("period")
    )
    firsts = runs.filter(pl.col("_new")).select(
        *child,
        "period",
        pl.col("DECOM").alias("start"),
        "_row",
        (pl.col("_others") - (~pl.col("_sb")).cast(pl.UInt32)).alias("_others_before"),
    )
    lasts = runs.filter(pl.col("_last")).select(
        pl.col("DEC").alias("_dec"),
        "REC",
        pl.col("LS").alias("last_ls"),
        pl.col("PLACE").alias("last_place"),
        pl.col("_row").alias("_last_row"),
        pl.col("_others").alias("_others_after"),
    )
    ended = pl.col("REC").is_not_null() & (pl.col("REC") != "X1")
    return (
        pl.concat([firsts, lasts], how="horizontal")
        .with_columns(
            (pl.col("_last_row") - pl.col("_row") + 1).cast(pl.UInt32).alias("episodes"),
            (pl.col("_others_after") == pl.col("_others_before")).alias("short_breaks_only"),
            pl.when(ended).then(pl.col("_dec")).alias("end"),
            pl.when(ended).then(pl.col("REC").replace_strict(REC_ROUTE, default="other")).alias("route"),
        )
        .select([*by, *PERIOD_COLUMNS])
    )


def is_sorted(frame: pl.DataFrame, columns: Sequence[str]) -> bool:
    """Whether the rows are in ascending order of `columns` (no nulls in them): one pass, no sort."""
    columns = list(columns)
    if frame.height < 2:
        return True
    ordered = pl.col(columns[-1]) >= pl.col(columns[-1]).shift(1)
    for c in reversed(columns[:-1]):
        ordered = (pl.col(c) > pl.col(c).shift(1)) | ((pl.col(c) == pl.col(c).shift(1)) & ordered)
    return bool(frame.select(ordered.slice(1).fill_null(False).all()).item())


def _per_month(periods: pl.LazyFrame, column: str, by: list[str], name: str) -> pl.LazyFrame:
    """How many periods have `column` in each month: one row per (`by`…, month end) with a count, `name`."""
    # Group on the month's first day and take month ends after counting: month_end on every row is slow.
    return (
        periods.group_by([*by, pl.col(column).dt.truncate("1mo").alias("date")])
        .agg(pl.len().alias(name))
        .with_columns(pl.col("date").dt.month_end())
    )


def monthly_flows(
    periods: pl.DataFrame, end: date, months: int, start: date | None = None, by: Sequence[str] = BY
) -> pl.DataFrame:
    """Starts and ceases of periods of care per month, with rolling 12-month sums, for each group.

    As `care_periods.monthly_flows`: one row per (`by`…, month end) for the `months` up to `end`
    (none before `start`); short-break-only periods left out; a rolling sum is null until 12
    months of data lie behind it.
    """
    return _flows_plan(periods.lazy(), end, months, start, list(by)).collect()


def _flows_plan(periods: pl.LazyFrame, end: date, months: int, start: date | None, by: list[str]) -> pl.LazyFrame:
    counted = periods.filter(~pl.col("short_breaks_only"))
    grid = month_ends(end, months + 11)
    starts = _per_month(counted, "start", by, "starts")
    ceases = _per_month(counted.drop_nulls("end"), "end", by, "ceases")
    flows = (
        _grid(periods, by, pl.DataFrame({"date": grid}))
        .join(starts, on=[*by, "date"], how="left", maintain_order="left")
        .join(ceases, on=[*by, "date"], how="left", maintain_order="left")
        .with_columns(pl.col("starts", "ceases").fill_null(0).cast(pl.Int64))
    )
    if start is not None:
        flows = flows.with_columns(
            pl.when(pl.col("date") >= pl.lit(start).dt.month_end()).then(pl.col(c)).alias(c)
            for c in ("starts", "ceases")
        )
    flows = flows.with_columns(
        _over(pl.col("starts").rolling_sum(12), by).alias("starts_12m"),
        _over(pl.col("ceases").rolling_sum(12), by).alias("ceases_12m"),
    )
    return flows.filter(pl.col("date") >= grid[11]).filter(pl.col("starts").is_not_null())


def ceased_by_route(periods: pl.DataFrame, first: date, last: date, by: Sequence[str] = BY) -> pl.DataFrame:
    """Periods of care that ended between `first` and `last` (inclusive), by route, for each group.

    As `care_periods.ceased_by_route`: one row per (`by`…, route), every route in a fixed order,
    zero if none; short-break-only periods left out.
    """
    return _routes_plan(periods.lazy(), first, last, list(by)).collect()


def _routes_plan(
    periods: pl.LazyFrame, first: date, last: date, by: list[str], groups: pl.LazyFrame | None = None
) -> pl.LazyFrame:
    """`groups`: the `by` values to give rows to (default: every group in `periods`)."""
    ended = periods.filter(~pl.col("short_breaks_only") & pl.col("end").is_between(first, last, closed="both"))
    counts = ended.group_by([*by, "route"]).agg(pl.len().alias("ceased"))
    routes = pl.DataFrame({"route": ROUTES, "label": [ROUTE_LABEL[r] for r in ROUTES]})
    if groups is None:
        grid = _grid(periods, by, routes)
    else:
        grid = groups.join(routes.lazy(), how="cross", maintain_order="left_right")
    return grid.join(counts, on=[*by, "route"], how="left", maintain_order="left").with_columns(
        pl.col("ceased").fill_null(0).cast(pl.Int64)
    )


def _grid(frame: pl.LazyFrame, by: list[str], rows: pl.DataFrame) -> pl.LazyFrame:
    """`rows` once for each group in `frame` (groups sorted), or `rows` itself when there is no grouping."""
    if not by:
        return rows.lazy()
    return frame.select(by).unique().sort(by).join(rows.lazy(), how="cross", maintain_order="left_right")


def _over(expr: pl.Expr, by: list[str]) -> pl.Expr:
    return expr.over(by) if by else expr


# --- Loading a national folder and every figure at once -------------------------------------------------------


@dataclass(frozen=True)
class National:
    """A stacked multi-authority 903 folder, typed: the episodes (one per LA, CHILD, DECOM) and the population."""

    episodes: pl.DataFrame  # LA + METRIC_COLUMNS, dates as dates
    population: pl.DataFrame | None  # LA, mid_year, population_0_17


def scan_episodes(path: Path | str, by: Sequence[str] = BY) -> pl.LazyFrame:
    """The stacked episodes file, lazily: only the columns the metrics use, dates parsed, one row per episode.

    Stacked returns repeat an episode open at 31 March in the next year's return: as
    `ssda903.merge_episodes` does for one authority, one row per (`by`…, CHILD, DECOM) is kept,
    a closed version over an open one, then the later row. Legacy REC codes are mapped.
    """
    by = list(by)
    return (
        pl.scan_csv(path, infer_schema=False)
        .select(*by, *METRIC_COLUMNS)
        .with_columns(
            pl.col(METRIC_COLUMNS).str.strip_chars().replace("", None),
        )
        .with_columns(date_expr("DECOM"), date_expr("DEC"), pl.col("REC").replace(LEGACY_REC))
        .with_row_index("_order")
        .sort(pl.col("DEC").is_not_null(), "_order")
        .group_by([*by, "CHILD", "DECOM"], maintain_order=True)
        .last()
        .sort("_order")  # back in the file's order (a 903 file is usually sorted by child: see is_sorted)
        .drop("_order")
    )


def load_national(folder: Path | str, by: Sequence[str] = BY, enums: bool = True) -> National:
    """Read `ssda903/episodes.csv` and `context/population.csv` of a stacked national folder.

    With `enums` (the default), the code columns (LS, PLACE, REC) and the `by` columns are typed
    as polars Enums: the same values, but compared, filtered and grouped as small integers, which
    makes the national figures about 1.7 times faster. The authority's categories are sorted, so
    rows sort as the text would. A code column holding a code outside the DfE list (which
    validation reports as an error) is left as text.
    """
    folder = Path(folder)
    episodes = scan_episodes(folder / "ssda903" / "episodes.csv", by).collect()
    path = folder / "context" / "population.csv"
    population = None
    if path.exists():
        population = pl.read_csv(
            path, schema_overrides={"la_code": pl.String, "mid_year": pl.Int32, "population_0_17": pl.Float64}
        ).select(pl.col("la_code").alias("LA"), "mid_year", "population_0_17")
    if enums:
        episodes, population = _as_enums(episodes, population, list(by))
    return National(episodes, population)


#: The code columns the metrics read, and every value each may hold (after legacy REC codes are mapped).
CODE_ENUMS = {"LS": list(LS), "PLACE": list(PLACE), "REC": list(REC)}


def _as_enums(
    episodes: pl.DataFrame, population: pl.DataFrame | None, by: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    for column, values in CODE_ENUMS.items():
        # An unknown code fails the cast: the column stays text (validation reports the code as an error).
        with contextlib.suppress(pl.exceptions.InvalidOperationError):
            episodes = episodes.with_columns(pl.col(column).cast(pl.Enum(values)))
    for column in by:
        if episodes.schema[column] != pl.String:
            continue
        values = set(episodes[column].drop_nulls().unique())
        if population is not None and column in population.columns:
            values |= set(population[column].drop_nulls().unique())
        enum = pl.Enum(sorted(values))
        episodes = episodes.with_columns(pl.col(column).cast(enum))
        if population is not None and column in population.columns:
            population = population.with_columns(pl.col(column).cast(enum))
    return episodes, population


@dataclass(frozen=True)
class NationalMetrics:
    """Every figure for every authority and collection year."""

    #: One row per (LA, 31 March): cla_count, population_0_17, rate_per_10k, starts, ceases (in the year to then).
    table: pl.DataFrame
    #: One row per (LA, 31 March, route): route, label, ceased (in the year to then).
    routes: pl.DataFrame


def march_dates(last_year: int, years: int) -> pl.Series:
    """31 March of each of the `years` collection years ending in `last_year`, oldest first."""
    return pl.Series("date", [date(y, 3, 31) for y in range(last_year - years + 1, last_year + 1)])


def national_metrics(
    episodes: pl.DataFrame,
    population: pl.DataFrame | None,
    last_year: int,
    years: int,
    by: Sequence[str] = BY,
) -> NationalMetrics:
    """Looked after at 31 March, the rate per 10,000, starts, ceases and ceased by route, per group and year.

    Starts and ceases in the year ending 31 March Y are `monthly_flows`' 12-month sums at that
    month end; routes are `ceased_by_route` over 1 April Y-1 to 31 March Y. The counts and the
    periods of care (only the columns the figures read) are one lazy query each, collected
    together; the flows and routes are then computed from the periods, also together.
    """
    by = list(by)
    dates = march_dates(last_year, years)
    lazy = episodes.lazy()
    cla = _cla_counts_plan(lazy, dates, by)
    if population is not None:
        cla = _rate_plan(cla, population.lazy(), dates, "cla_count", by)
    else:
        cla = cla.with_columns(pl.lit(None, pl.Float64).alias(c) for c in ("population_0_17", "rate_per_10k"))
    # The periods of care once, with only the columns the figures read, alongside the counts (one query each).
    needed = [*by, "start", "end", "route", "short_breaks_only"]
    periods = _periods_plan(lazy, by, presorted=is_sorted(episodes, [*by, "CHILD", "DECOM"])).select(needed)
    cla, periods = pl.collect_all([cla, periods], engine="in-memory")
    first_day = date(last_year - years, 4, 1)
    flows = _flows_plan(periods.lazy(), dates[-1], 12 * years, first_day, by)
    table = cla.lazy().join(
        flows.filter(pl.col("date").is_in(dates.implode())).select(
            *by, "date", pl.col("starts_12m").alias("starts"), pl.col("ceases_12m").alias("ceases")
        ),
        on=[*by, "date"],
        how="left",
        maintain_order="left",
    )
    # Ceased by route in each collection year: `ceased_by_route` over the whole window, grouped by authority and
    # by the 31 March that ends the year the period ended in (every authority gets every year).
    year_end = pl.date(pl.col("end").dt.year() + (pl.col("end").dt.month() >= 4).cast(pl.Int32), 3, 31)
    groups = _grid(lazy, by, pl.DataFrame({"date": dates}))
    routes = _routes_plan(
        periods.lazy().with_columns(year_end.alias("date")), first_day, dates[-1], [*by, "date"], groups
    ).select(*by, "date", "route", "label", "ceased")
    route_order = pl.col("route").replace_strict({r: i for i, r in enumerate(ROUTES)}, return_dtype=pl.Int32)
    table, routes = pl.collect_all(
        [table.sort([*by, "date"]), routes.sort([*by, pl.col("date"), route_order])], engine="in-memory"
    )
    as_text = [pl.col(c).cast(pl.String) for c in by if not table.schema[c].is_numeric()]
    return NationalMetrics(table=table.with_columns(as_text), routes=routes.with_columns(as_text))


def collection_years(episodes: pl.DataFrame) -> tuple[int, int]:
    """(last_year, years): the whole collection years the episodes cover, ending on the latest 31 March.

    The first is the year from 1 April of `ssda903.coverage_start` (for a stacked file, the 1 April
    on or before the earliest date an episode ceased); the last ends on the latest 31 March on or
    before the latest date in the episodes.
    """
    latest = episodes.select(pl.max_horizontal(pl.col("DECOM").max(), pl.col("DEC").max())).item()
    last_year = latest.year if (latest.month, latest.day) >= (3, 31) else latest.year - 1
    start = coverage_start(episodes)
    return last_year, max(1, last_year - (start.year if start else last_year - 1))


def main(argv: list[str] | None = None) -> int:
    """`python -m analysis.national --data DIR --out FILE.csv`: every figure, per authority and year, as CSV.

    Writes FILE.csv (one row per authority and 31 March) and FILE with `_routes` before the
    suffix (one row per authority, 31 March and route). Counts are unsuppressed: analyst use only.
    Exit codes: 0 written; 1 the folder could not be read.
    """
    parser = argparse.ArgumentParser(prog="python -m analysis.national", description=main.__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a stacked multi-authority folder (see analysis.synth.national)")
    parser.add_argument("--out", required=True, help="CSV file to write")
    parser.add_argument("--last-year", type=int, help="the last collection year (default: the latest in the data)")
    parser.add_argument("--years", type=int, help="how many collection years (default: all the data covers)")
    args = parser.parse_args(argv)
    try:
        data = load_national(args.data)
    except (OSError, pl.exceptions.PolarsError) as exc:
        print(f"national metrics failed: could not read {args.data}: {exc}", file=sys.stderr)
        return 1
    last_year, years = collection_years(data.episodes)
    last_year, years = args.last_year or last_year, args.years or years
    result = national_metrics(data.episodes, data.population, last_year, years)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    result.table.write_csv(out)
    routes = out.with_name(f"{out.stem}_routes{out.suffix}")
    result.routes.write_csv(routes)
    authorities = result.table["LA"].n_unique()
    print(f"wrote {out} and {routes}: {authorities} authorities, {years} years to 31 March {last_year}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
