"""Children looked after: who is in care on a date, how many, and the rate per 10,000.

Each figure is for one authority by default. `by` (the last argument) names columns that say
whose figures a row is, for example `("LA",)` for a stacked multi-authority file (see
`analysis.metrics.national`): the figures are then computed for each `by` group at once, and a child is
a (`by`…, CHILD) pair, so the same CHILD identifier in two groups is two children.

The work is done by LazyFrame builders (`_…_plan`), so that `national.national_metrics` can
chain them into queries that polars optimises as a whole and collect independent ones together.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from datetime import date

import polars as pl

from analysis.core.codes import SHORT_BREAK_LS
from analysis.core.grouping import each_group
from analysis.core.periods import month_ends
from analysis.load.ssda903 import coverage_start


def looked_after_on(
    episodes: pl.DataFrame,
    dates: pl.Series,
    by: Sequence[str] = (),
    *,
    where: pl.Expr | None = None,
    columns: Sequence[str] | None = None,
) -> pl.DataFrame:
    """One row per (date, CHILD) per `by` group for each child looked after at the end of each date.

    Definition (DfE, SSDA903 guidance; "Children looked after in England" methodology): a
    child is looked after at date D when they have an episode with DECOM ≤ D and (DEC empty
    or DEC > D). Episodes under an agreed series of short breaks (LS V3/V4) are left out,
    so a child looked after only under short breaks is not counted, as the DfE counts.
    An episode ceasing on D itself does not count on D.

    The row carries the columns of the episode open on D (LS, PLACE, DECOM, …); if a child
    had two overlapping episodes (a validation warning), the later-starting one is used.
    Rows are sorted by (`by`…, date, CHILD). `where`, an expression over the episode's columns,
    keeps only the rows whose chosen episode matches it (the same rows as filtering the result,
    without first making a row for every child at every date); `columns` names the episode columns
    to carry (default: all). For counts at many dates,
    `cla_counts`, `cla_mix.mix_at` and `cla_mix.uasc_counts_at` give the same figures from the
    episodes directly (`open_counts`).
    """
    by = list(by)
    keys = [*by, "date", "CHILD"]
    # (Whether any episode counts, without copying the counted ones: the spans below leave short breaks out.)
    if dates.len() == 0 or not episodes.select((~_short_break()).any()).item():
        empty = episodes.head(0).with_columns(pl.lit(None, pl.Date).alias("date"))
        empty = empty if where is None else empty.filter(where)
        return empty if columns is None else empty.select(c for c in empty.columns if c in {*keys, *columns})
    carried = episodes.columns if columns is None else [c for c in episodes.columns if c in columns]
    out = [*keys, *(c for c in [*carried, "date"] if c not in keys)]
    dates = dates.unique().sort().alias("date")  # a date given twice gives its rows once
    # The rows are found on the few columns the choice reads (and `where` reads), then gathered whole.
    needs = where.meta.root_names() if where is not None else []
    single, several = (_gathered(part, episodes, needs) for part in _split(episodes, dates, by))
    # A child with at most one episode open at each date has one row per date already; only the others need the
    # choice between episodes, and `where` applies after it.
    if where is not None:
        single = single.filter(where)
    found = [_exploded(single.lazy(), dates).select(*keys, "_ix")]
    if several.height:
        chosen = _chosen(_exploded(several.lazy(), dates), keys)
        found.append((chosen if where is None else chosen.filter(where)).select(*keys, "_ix"))
    found = pl.concat(found).sort(keys).collect()
    return episodes.select(c for c in out if c != "date")[found["_ix"]].with_columns(found["date"]).select(out)


def cla_counts(episodes: pl.DataFrame, dates: pl.Series, by: Sequence[str] = ()) -> pl.DataFrame:
    """Children looked after at each date: one row per date per `by` group, with `cla_count` (zero if none).

    Definition: the number of distinct children looked after at D (see `looked_after_on`).
    Every `by` group in `episodes` gets a row for every date.
    """
    return _cla_counts_plan(episodes, dates, list(by)).collect()


def _cla_counts_plan(episodes: pl.DataFrame, dates: pl.Series, by: list[str]) -> pl.LazyFrame:
    grid = each_group(episodes.lazy(), by, pl.DataFrame({"date": dates.sort().alias("date")}))
    if dates.len() == 0:
        return grid.with_columns(pl.lit(0, pl.Int64).alias("cla_count"))
    counts = open_counts(episodes, dates, by).rename({"open": "cla_count"})
    return grid.join(counts, on=[*by, "date"], how="left", maintain_order="left").with_columns(
        pl.col("cla_count").fill_null(0).cast(pl.Int64)
    )


def open_counts(
    episodes: pl.DataFrame,
    dates: pl.Series,
    by: list[str],
    key: pl.Expr | None = None,
    until: pl.Expr | None = None,
    children: pl.DataFrame | None = None,
) -> pl.LazyFrame:
    """Distinct children looked after at each date (`looked_after_on`), by sorted event arithmetic: no row per
    child and date. One row per (`by`…, [`_key`,] date) for each `by` group with a child looked after at one
    of the dates, and every distinct date (`dates` not empty): `open`, the number of children (Int64).

    `key` (an expression over the episode's columns) splits the count by the episode open at the date, as
    `looked_after_on` chooses it (grouped as `_key`). `children`, a frame with `by`…, CHILD (one row per
    child) and any other columns, counts only its children, with its columns joined to their episodes;
    `until`, a date expression over those columns, stops counting an episode from that date on (null: no stop).

    How: each episode counts +1 at the first date on or after DECOM and −1 at the first date on or after DEC
    (or `until`), and a running sum over the sorted dates gives every date at once. That counts children
    while each child has at most one episode open at each date; the few children with two (overlapping
    episodes: a validation warning) are counted from their `looked_after_on` rows instead.
    """
    dates = dates.unique().sort().alias("date")
    keys = [*by, *(["_key"] if key is not None else [])]
    needs = key.meta.root_names() if key is not None else []
    single, several = (_gathered(part, episodes, needs) for part in _split(episodes, dates, by))
    if children is not None:
        single = single.join(children, on=[*by, "CHILD"], how="inner")
        several = several.join(children, on=[*by, "CHILD"], how="inner")
    if key is not None:
        single, several = single.with_columns(key.alias("_key")), several.with_columns(key.alias("_key"))
    if until is not None:
        # (search_sorted puts a null first: an empty `until` is no stop, so it is set apart.)
        stop = pl.when(until.is_null()).then(dates.len()).otherwise(pl.lit(dates).search_sorted(until, side="left"))
        single = single.with_columns(pl.min_horizontal("_last", stop.cast(pl.Int64)).alias("_last")).filter(
            pl.col("_last") > pl.col("_first")
        )
    events = (
        pl.concat(
            [
                single.select(*keys, pl.col("_first").alias("_i"), pl.lit(1, pl.Int64).alias("_d")),
                single.select(*keys, pl.col("_last").alias("_i"), pl.lit(-1, pl.Int64).alias("_d")),
            ]
        )
        .lazy()
        .filter(pl.col("_i") < dates.len())
        .group_by([*keys, "_i"])
        .agg(pl.col("_d").sum())
    )
    # Every group with an event gets every date, so that the running sum passes each date in order.
    every = pl.LazyFrame({"_i": range(dates.len())})
    grid = events.select(keys).unique().join(every, how="cross") if keys else every
    running = (
        grid.join(events, on=[*keys, "_i"], how="left")
        .with_columns(pl.col("_d").fill_null(0))
        .sort([*keys, "_i"])
        .select(
            *keys,
            pl.lit(dates).gather(pl.col("_i")).alias("date"),
            (pl.col("_d").cum_sum().over(keys) if keys else pl.col("_d").cum_sum()).alias("open"),
        )
    )
    if several.height == 0:
        return running
    chosen = _chosen(_exploded(several.lazy(), dates), [*by, "date", "CHILD"])
    if until is not None:
        chosen = chosen.filter(until.is_null() | (until > pl.col("date")))
    counted = chosen.group_by([*keys, "date"]).agg(pl.len().cast(pl.Int64).alias("open"))
    return (
        pl.concat([running, counted.select(*keys, "date", "open")]).group_by([*keys, "date"]).agg(pl.col("open").sum())
    )


def _split(episodes: pl.DataFrame, dates: pl.Series, by: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(single, several): the counted episodes open at the end of at least one of `dates` (sorted, not empty),
    with `_ix` (the row in `episodes`) and their spans (`_spans_plan`), split by child: `single` holds the
    children with at most one episode open at each date (nearly all), `several` the children with two open at
    one of the dates (overlapping episodes). Only `by`, CHILD, DECOM, DEC and LS are carried (`_gathered` adds
    others).

    The last few results are kept, for as long as `episodes` itself lives: a section counts several breakdowns
    at the same month ends, and finding the spans is most of the work of each.
    """
    cache_key = (id(episodes), episodes.height, tuple(episodes.columns), tuple(dates.to_list()), tuple(by))
    kept = _SPLITS.get(cache_key)
    if kept is not None and kept[0]() is episodes:
        return kept[1]
    narrow = episodes.lazy().select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("_ix"), *dict.fromkeys([*by, "CHILD", "DECOM", "DEC", "LS"])
    )
    spans = _spans_plan(narrow, dates).collect()
    overlapping = _overlapping_plan(spans.lazy(), by).collect()
    if overlapping.height == 0:
        result = spans, spans.clear()
    else:
        child = [*by, "CHILD"]
        result = spans.join(overlapping, on=child, how="anti"), spans.join(overlapping, on=child, how="semi")
    while len(_SPLITS) >= _KEEP_SPLITS:
        del _SPLITS[next(iter(_SPLITS))]
    _SPLITS[cache_key] = (weakref.ref(episodes), result)
    weakref.finalize(episodes, _SPLITS.pop, cache_key, None)  # forgotten with the episodes
    return result


#: `_split`'s recent results: (episodes' id, height, columns, dates, by) → (a weak reference to the episodes, result).
_SPLITS: dict[tuple, tuple[weakref.ref, tuple[pl.DataFrame, pl.DataFrame]]] = {}
_KEEP_SPLITS = 4


def _gathered(spans: pl.DataFrame, episodes: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """`spans` (from `_split`) with `columns` of their episodes added, where they do not have them yet."""
    missing = [c for c in dict.fromkeys(columns) if c not in spans.columns]
    if not missing:
        return spans
    return spans.with_columns(episodes.select(missing)[spans["_ix"]])


def _spans_plan(episodes: pl.LazyFrame, dates: pl.Series) -> pl.LazyFrame:
    """The counted episodes open at the end of at least one of `dates` (not empty), each with `_first` and `_last`:
    the episode is open at the end of the sorted dates from index `_first` up to, not including, `_last`."""
    dates = dates.sort().alias("date")
    # Index of the first date ≥ DECOM, and of the first date ≥ DEC (dates before it are < DEC).
    first = pl.lit(dates).search_sorted(pl.col("DECOM"), side="left").cast(pl.Int64)
    last = pl.lit(dates).search_sorted(pl.col("DEC").fill_null(date.max), side="left").cast(pl.Int64)
    return (
        episodes.filter(~_short_break())
        .with_columns(first.alias("_first"), last.alias("_last"))
        .filter(pl.col("_last") > pl.col("_first"))  # most episodes span no date
    )


def _overlapping_plan(spans: pl.LazyFrame, by: list[str]) -> pl.LazyFrame:
    """(`by`…, CHILD) of each child with two episodes open at the end of one of the dates (see `_spans_plan`)."""
    child = [*by, "CHILD"]
    # Sorted by child and `_first`, a span overlaps an earlier one of its child when it starts before the latest
    # `_last` so far. That running maximum is taken over all rows at once (a window per child is far slower):
    # each child's rows are lifted above every earlier child's by numbering the children (`_child`) in order.
    new_child = pl.any_horizontal(pl.col(c).ne_missing(pl.col(c).shift(1)) for c in child)
    lifted = pl.col("_child") * _LIFT + pl.col("_last")
    return (
        spans.select(*child, "_first", "_last")
        .sort([*child, "_first"])
        .with_columns(new_child.cum_sum().cast(pl.Int64).alias("_child"))
        .filter(lifted.cum_max().shift(1) - pl.col("_child") * _LIFT > pl.col("_first"))
        .select(child)
        .unique()
    )


#: Above any `_last` (an index into the dates), so that `_overlapping_plan` can lift one child's spans above another's.
_LIFT = 1 << 31


def _exploded(spans: pl.LazyFrame, dates: pl.Series) -> pl.LazyFrame:
    """One row per (span, date) for each date the span is open at (see `_spans_plan`)."""
    dates = dates.sort().alias("date")
    return (
        spans.with_columns(pl.int_ranges("_first", "_last").alias("_i"))
        .explode("_i")
        .with_columns(pl.lit(dates).gather(pl.col("_i")).alias("date"))
        .drop("_first", "_last", "_i")
    )


def _chosen(exploded: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """One row per `keys` (…, date, CHILD): the later-starting episode where a child has two open on a date."""
    return exploded.sort([*keys, "DECOM"]).group_by(keys, maintain_order=True).last()


def _short_break() -> pl.Expr:
    """An episode under an agreed series of short breaks (LS V3/V4). A blank LS is not one: the child is
    counted as looked after (validation warns, RP03), as `care_periods` counts the same episode."""
    return pl.col("LS").is_in(list(SHORT_BREAK_LS)).fill_null(False)


def population_on(population: pl.DataFrame, dates: pl.Series, by: Sequence[str] = ()) -> pl.DataFrame:
    """The under-18 population that applies at each date: one row per date per `by` group.

    The DfE divides by the ONS mid-year estimate of 0 to 17 year olds; at date D it uses the
    latest mid-year (30 June) on or before D, so 31 March 2024 uses mid-2023. Dates before
    the first estimate get null (the rate is then not shown, never guessed).
    `population` has `mid_year`, `population_0_17` and the `by` columns (rename `la_code` to `LA`).
    """
    return _population_plan(population.lazy(), dates, list(by)).collect()


def _population_plan(population: pl.LazyFrame, dates: pl.Series, by: list[str]) -> pl.LazyFrame:
    estimates = population.select(
        *by, pl.date(pl.col("mid_year"), 6, 30).alias("date"), pl.col("population_0_17")
    ).sort("date")
    grid = each_group(population, by, pl.DataFrame({"date": dates.sort()})).sort("date", maintain_order=True)
    found = grid.join_asof(estimates, on="date", by=by or None, strategy="backward", check_sortedness=not by)
    return found.sort([*by, "date"], maintain_order=True) if by else found


def rate_per_10k(
    counts: pl.DataFrame, population: pl.DataFrame, count: str = "cla_count", by: Sequence[str] = ()
) -> pl.DataFrame:
    """Add `rate_per_10k` = count / under-18 population × 10,000 to a frame with a `date` column.

    Definition (DfE): children looked after / ONS mid-year population aged 0-17 × 10,000,
    published rounded to the nearest whole number; kept unrounded here and rounded on display.
    Also adds `population_0_17` (see `population_on`); with `by`, each row gets its own `by`
    group's population, so `counts` and `population` both have the `by` columns.
    """
    dates = counts["date"].unique(maintain_order=True)
    return _rate_plan(counts.lazy(), population.lazy(), dates, count, list(by)).collect()


def _rate_plan(
    counts: pl.LazyFrame, population: pl.LazyFrame, dates: pl.Series, count: str, by: list[str]
) -> pl.LazyFrame:
    pop = _population_plan(population, dates, by)
    return counts.join(pop, on=[*by, "date"], how="left", maintain_order="left").with_columns(
        (pl.col(count) / pl.col("population_0_17") * 10_000).alias("rate_per_10k")
    )


def review_window(episodes: pl.DataFrame, end: date, months: int) -> pl.Series:
    """The month ends to show: `months` up to `end`, none before the returns' coverage starts."""
    dates = month_ends(end, months)
    start = coverage_start(episodes)
    return dates if start is None else dates.filter(dates >= start)


def monthly_cla(episodes: pl.DataFrame, population: pl.DataFrame | None, end: date, months: int) -> pl.DataFrame:
    """Children looked after and the rate per 10,000 at each of `months` month ends up to `end`.

    One row per month end (none before the returns' coverage starts, see
    `ssda903.coverage_start`): date, cla_count, population_0_17, rate_per_10k (null without a
    population estimate for that date).
    """
    counts = cla_counts(episodes, review_window(episodes, end, months))
    if population is None:
        return counts.with_columns(
            pl.lit(None, pl.Float64).alias("population_0_17"),
            pl.lit(None, pl.Float64).alias("rate_per_10k"),
        )
    return rate_per_10k(counts, population)
