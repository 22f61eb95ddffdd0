"""A straightforward pandas implementation of the national children-in-care metrics, for comparison.

Same definitions as `analysis.metrics.national` (and so `analysis.metrics.cla` and `analysis.metrics.care_periods`),
written the way an analyst would write them in pandas: a boolean mask per 31 March, groupby
shift/cumsum for periods of care, groupby sizes for starts, ceases and routes. It returns the
same two tables as `analysis.metrics.national.national_metrics`, and `bench_national.py` checks that
they are equal before it reports any timing.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import polars as pl

from analysis.core.codes import LEGACY_REC, REC_ROUTE, ROUTE_LABEL, SHORT_BREAK_LS

COLUMNS = ["LA", "CHILD", "DECOM", "DEC", "REC", "LS", "PLACE"]


def load(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Episodes (one row per LA, CHILD, DECOM; closed version kept) and population, with pandas."""
    episodes = pd.read_csv(folder / "ssda903" / "episodes.csv", usecols=lambda c: c in COLUMNS, dtype=str)
    if "LA" not in episodes.columns:  # one authority's folder: its population file names it
        code = pd.read_csv(folder / "context" / "population.csv", dtype={"la_code": str})["la_code"].iloc[0]
        episodes.insert(0, "LA", code)
    for column in ("DECOM", "DEC"):
        episodes[column] = pd.to_datetime(episodes[column], format="%d/%m/%Y")
    episodes["REC"] = episodes["REC"].replace(LEGACY_REC)
    episodes["_closed"] = episodes["DEC"].notna()
    episodes = (
        episodes.sort_values("_closed", kind="stable")
        .drop_duplicates(["LA", "CHILD", "DECOM"], keep="last")
        .sort_index()
        .drop(columns="_closed")
    )
    population = pd.read_csv(folder / "context" / "population.csv", dtype={"la_code": str})
    population = population.rename(columns={"la_code": "LA"})[["LA", "mid_year", "population_0_17"]]
    return episodes, population


def metrics(
    episodes: pd.DataFrame, population: pd.DataFrame, last_year: int, years: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(table, routes) as `analysis.metrics.national.national_metrics` returns them, as pandas frames."""
    dates = [pd.Timestamp(y, 3, 31) for y in range(last_year - years + 1, last_year + 1)]
    authorities = sorted(episodes["LA"].unique())
    grid = pd.MultiIndex.from_product([authorities, dates], names=["LA", "date"])

    # Looked after at each 31 March: DECOM <= D and (DEC empty or DEC > D), short breaks left out.
    counted = episodes[~episodes["LS"].isin(list(SHORT_BREAK_LS))]
    counts = []
    for day in dates:
        open_then = counted[(counted["DECOM"] <= day) & (counted["DEC"].isna() | (counted["DEC"] > day))]
        counts.append(open_then.groupby("LA")["CHILD"].nunique().rename(day))
    cla = pd.concat(counts, axis=1).stack().rename("cla_count").reindex(grid, fill_value=0).reset_index()

    # Rate: the latest mid-year (30 June) estimate on or before the date.
    pop = population.assign(date=pd.to_datetime(population["mid_year"].astype(str) + "-06-30"))
    cla = pd.merge_asof(
        cla.sort_values("date"), pop[["LA", "date", "population_0_17"]].sort_values("date"), on="date", by="LA"
    ).sort_values(["LA", "date"])
    cla["rate_per_10k"] = cla["cla_count"] / cla["population_0_17"] * 10_000

    # Periods of care: a new period when an episode does not start on the day the previous one ceased.
    ordered = episodes.sort_values(["LA", "CHILD", "DECOM"])
    previous_dec = ordered.groupby(["LA", "CHILD"])["DEC"].shift()
    new_period = previous_dec.isna() | (ordered["DECOM"] != previous_dec)
    ordered = ordered.assign(
        period=new_period.groupby([ordered["LA"], ordered["CHILD"]]).cumsum(),
        short_break=ordered["LS"].isin(list(SHORT_BREAK_LS)),
    )
    keys = ["LA", "CHILD", "period"]
    first = ordered.drop_duplicates(keys, keep="first").set_index(keys)
    last = ordered.drop_duplicates(keys, keep="last").set_index(keys)
    periods = pd.DataFrame(
        {
            "start": first["DECOM"],
            "DEC": last["DEC"],
            "REC": last["REC"],
            "short_breaks_only": ordered.groupby(keys)["short_break"].all(),
        }
    ).reset_index()
    ended = periods["REC"].notna() & (periods["REC"] != "X1")
    periods["end"] = periods["DEC"].where(ended)
    periods["route"] = periods["REC"].map(REC_ROUTE).fillna("other").where(ended)
    periods = periods[~periods["short_breaks_only"]]

    # Starts and ceases in each collection year (1 April to 31 March), and ceases by route.
    def year_ending(day: pd.Series) -> pd.Series:
        return day.dt.year + (day.dt.month >= 4)

    in_window = list(range(last_year - years + 1, last_year + 1))
    starts = periods.groupby(["LA", year_ending(periods["start"]).rename("year")]).size()
    closed = periods[periods["end"].notna()]
    ceases = closed.groupby(["LA", year_ending(closed["end"]).rename("year")]).size()
    index = pd.MultiIndex.from_product([authorities, in_window], names=["LA", "year"])
    flows = pd.DataFrame(
        {"starts": starts.reindex(index, fill_value=0), "ceases": ceases.reindex(index, fill_value=0)}
    ).reset_index()
    flows["date"] = pd.to_datetime(flows["year"].astype(str) + "-03-31")
    table = cla.merge(flows.drop(columns="year"), on=["LA", "date"], how="left").reset_index(drop=True)

    routes = closed.groupby(["LA", year_ending(closed["end"]).rename("year"), "route"]).size()
    route_index = pd.MultiIndex.from_product([authorities, in_window, list(ROUTE_LABEL)], names=["LA", "year", "route"])
    routes = routes.reindex(route_index, fill_value=0).rename("ceased").reset_index()
    routes["date"] = pd.to_datetime(routes["year"].astype(str) + "-03-31")
    routes["label"] = routes["route"].map(ROUTE_LABEL)
    return table, routes[["LA", "date", "route", "label", "ceased"]]


def to_polars(frame: pd.DataFrame) -> pl.DataFrame:
    """A result table as polars, typed as `analysis.metrics.national` types it (for comparing the two)."""
    out = pl.from_pandas(frame).with_columns(pl.col("date").cast(pl.Date))
    counts = [c for c in ("cla_count", "starts", "ceases", "ceased") if c in out.columns]
    floats = [c for c in ("population_0_17", "rate_per_10k") if c in out.columns]
    return out.with_columns(pl.col(counts).cast(pl.Int64), pl.col(floats).cast(pl.Float64))
