"""Counts at many dates by event arithmetic give exactly what the plain definition gives, child by child.

`cla.looked_after_on`, `cla.cla_counts`, `cla_mix.mix_at`, `cla_mix.uasc_counts_at` and
`discharges.placed_with_parents` avoid a row per child and date, and `discharges.reentry_cohorts`
a pass per month end. Here each is set against the definition written out the slow way (one row per
episode and date, the later-starting episode chosen where a child has two open; one cohort per month
end) on random data full of the awkward cases: overlapping episodes, open episodes followed by
others, short breaks, episodes that cease the day they start, episodes ceasing on a count date,
children listed twice as UASC.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from analysis.core.codes import SHORT_BREAK_LS
from analysis.core.periods import month_ends
from analysis.metrics.cla import cla_counts, looked_after_on
from analysis.metrics.cla_mix import mix, mix_at, uasc_counts, uasc_counts_at
from analysis.metrics.discharges import PLACED_LS, placed_with_parents, reentry_cohort, reentry_cohorts

DATES = month_ends(date(2024, 3, 31), 30)
LS_CODES = ["C1", "C2", "E1", "V2", "V3", "V4", "J1", None]
PLACES = ["P1", "P1", "U1", "U4", "K2", "H5", "A4", None]


def random_episodes(seed: int, children: int = 300, las: tuple[str, ...] = ("",)) -> pl.DataFrame:
    """Episodes of `children` children per authority, about a third with overlapping episodes."""
    rng = random.Random(seed)
    rows = []
    for la in las:
        for c in range(children):
            day = date(2021, 6, 1) + timedelta(days=rng.randrange(0, 600))
            for _ in range(rng.randrange(1, 6)):
                length = rng.choice([0, 1, 20, 31, 90, 200, 400, None])
                dec = None if length is None else day + timedelta(days=length)
                if rng.random() < 0.1:  # ceasing exactly at a month end (not counted on it)
                    dec = DATES[rng.randrange(len(DATES))]
                rows.append(
                    {
                        "LA": la,
                        "CHILD": f"C{c}",
                        "DECOM": day,
                        "DEC": dec,
                        "LS": rng.choice(LS_CODES),
                        "PLACE": rng.choice(PLACES),
                        "REC": None if dec is None else "E8",
                    }
                )
                # The next episode: usually on the day this one ceased, sometimes inside it (overlap), or later.
                step = rng.choice(["next", "next", "overlap", "gap"])
                if dec is None or step == "overlap":
                    day = day + timedelta(days=rng.randrange(1, 60))
                elif step == "next":
                    day = dec
                else:
                    day = dec + timedelta(days=rng.randrange(1, 100))
    frame = pl.DataFrame(rows, schema_overrides={"DECOM": pl.Date, "DEC": pl.Date})
    frame = frame.unique(["LA", "CHILD", "DECOM"], keep="first", maintain_order=True)
    return frame.sample(fraction=1.0, shuffle=True, seed=seed)  # in no particular order


def definition(episodes: pl.DataFrame, dates: pl.Series, by: list[str]) -> pl.DataFrame:
    """Looked after at each date, the slow way: every (episode, date) with DECOM ≤ D < DEC, short breaks left out,
    the later-starting episode where a child has two."""
    keys = [*by, "date", "CHILD"]
    rows = (
        episodes.filter(~pl.col("LS").is_in(list(SHORT_BREAK_LS)).fill_null(False))  # a blank LS is counted
        .join(pl.DataFrame({"date": dates.unique()}), how="cross")
        .filter((pl.col("DECOM") <= pl.col("date")) & (pl.col("DEC").is_null() | (pl.col("DEC") > pl.col("date"))))
    )
    chosen = rows.sort([*keys, "DECOM"]).group_by(keys, maintain_order=True).last()
    return chosen.select(*keys, *(c for c in [*episodes.columns, "date"] if c not in keys))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_looked_after_on_is_the_definition(seed: int) -> None:
    episodes = random_episodes(seed).drop("LA")
    assert_frame_equal(looked_after_on(episodes, DATES), definition(episodes, DATES, []))


def test_looked_after_on_by_authority_is_the_definition() -> None:
    episodes = random_episodes(4, children=80, las=("E1", "E2", "E3"))
    assert_frame_equal(looked_after_on(episodes, DATES, by=["LA"]), definition(episodes, DATES, ["LA"]))


def test_the_random_episodes_overlap_often() -> None:
    """The comparison means something only if many children have two episodes open on a count date."""
    rows = (
        random_episodes(1)
        .filter(~pl.col("LS").is_in(list(SHORT_BREAK_LS)).fill_null(False))  # a blank LS is counted
        .join(pl.DataFrame({"date": DATES}), how="cross")
        .filter((pl.col("DECOM") <= pl.col("date")) & (pl.col("DEC").is_null() | (pl.col("DEC") > pl.col("date"))))
    )
    twice = rows.group_by("CHILD", "date").len().filter(pl.col("len") > 1)["CHILD"].n_unique()
    assert twice >= 30


def test_where_keeps_the_rows_whose_chosen_episode_matches() -> None:
    episodes = random_episodes(5).drop("LA")
    where = pl.col("PLACE") == "P1"
    assert_frame_equal(looked_after_on(episodes, DATES, where=where), definition(episodes, DATES, []).filter(where))


@pytest.mark.parametrize("by", [[], ["LA"]])
def test_cla_counts_are_the_distinct_children_of_the_definition(by: list[str]) -> None:
    episodes = random_episodes(6, children=150, las=("E1", "E2"))
    if not by:
        episodes = episodes.drop("LA").with_columns(pl.col("CHILD") + "x")
    expected = (
        definition(episodes, DATES, by)
        .group_by([*by, "date"])
        .agg(pl.col("CHILD").n_unique().cast(pl.Int64).alias("cla_count"))
    )
    got = cla_counts(episodes, DATES, by=by)
    assert got.height == DATES.len() * (2 if by else 1)
    assert_frame_equal(got.filter(pl.col("cla_count") > 0), expected, check_row_order=False, check_column_order=False)


@pytest.mark.parametrize("grouping", ["legal_status", "placement_type"])
@pytest.mark.parametrize("seed", [7, 8])
def test_mix_at_is_mix_of_looked_after_on(grouping: str, seed: int) -> None:
    episodes = random_episodes(seed).drop("LA")
    assert_frame_equal(mix_at(episodes, DATES, grouping), mix(definition(episodes, DATES, []), grouping))


def test_mix_at_leaves_out_dates_with_nobody_in_care_as_mix_does() -> None:
    episodes = random_episodes(9, children=3).drop("LA")
    dates = month_ends(date(2026, 3, 31), 60)  # reaches past every episode
    expected = mix(definition(episodes, dates, []), "legal_status")
    assert expected["date"].n_unique() < dates.len()
    assert_frame_equal(mix_at(episodes, dates, "legal_status"), expected)


def uasc_table(episodes: pl.DataFrame, seed: int) -> pl.DataFrame:
    """About a third of the children as UASC, some with a DUC, some listed twice (one row with DUC, one without)."""
    rng = random.Random(seed)
    rows = []
    for child in episodes["CHILD"].unique().sort():
        if rng.random() < 0.35:
            duc = rng.choice([None, date(2022, 6, 30), date(2023, 1, 15), date(2023, 9, 30)])
            rows.append({"CHILD": child, "SEX": "1", "DOB": date(2008, 1, 1), "DUC": duc})
            if rng.random() < 0.2:
                rows.append({"CHILD": child, "SEX": "1", "DOB": date(2008, 1, 1), "DUC": rng.choice([None, duc])})
    return pl.DataFrame(rows, schema={"CHILD": pl.String, "SEX": pl.String, "DOB": pl.Date, "DUC": pl.Date})


@pytest.mark.parametrize("seed", [10, 11])
def test_uasc_counts_at_is_uasc_counts_of_looked_after_on(seed: int) -> None:
    episodes = random_episodes(seed).drop("LA")
    on = definition(episodes, DATES, [])
    uasc = uasc_table(episodes, seed)
    assert uasc["CHILD"].is_duplicated().any()
    for table in (uasc, uasc.head(0), None):
        assert_frame_equal(uasc_counts_at(episodes, DATES, table), uasc_counts(on, table))


def placed_definition(episodes: pl.DataFrame, dates: pl.Series) -> pl.DataFrame:
    """`placed_with_parents` as first written: every child's rows at every date, then filtered."""
    runs = (
        episodes.sort("CHILD", "DECOM")
        .with_columns(
            (
                (pl.col("PLACE") != "P1")
                | (pl.col("PLACE").shift(1).over("CHILD") != "P1")
                | pl.col("PLACE").shift(1).over("CHILD").is_null()
                | (pl.col("DEC").shift(1).over("CHILD") != pl.col("DECOM"))
            )
            .cum_sum()
            .over("CHILD")
            .alias("_run")
        )
        .with_columns(pl.col("DECOM").min().over("CHILD", "_run").alias("home_since"))
        .select("CHILD", "DECOM", "home_since")
    )
    months = (
        (pl.col("date").dt.year() - pl.col("home_since").dt.year()) * 12
        + pl.col("date").dt.month()
        - pl.col("home_since").dt.month()
        - (pl.col("date").dt.day() < pl.col("home_since").dt.day()).cast(pl.Int32)
    )
    return (
        definition(episodes, dates, [])
        .filter((pl.col("PLACE") == "P1") & pl.col("LS").is_in(list(PLACED_LS)))
        .join(runs, on=["CHILD", "DECOM"], how="left")
        .with_columns(months.alias("months_home"))
        .select("date", "CHILD", "LS", "home_since", "months_home")
    )


@pytest.mark.parametrize("seed", [12, 13])
def test_placed_with_parents_is_the_definition(seed: int) -> None:
    episodes = random_episodes(seed).drop("LA")
    expected = placed_definition(episodes, DATES)
    assert expected.height > 100
    assert_frame_equal(placed_with_parents(episodes, DATES), expected, check_row_order=False)


@pytest.mark.parametrize("start", [None, date(2021, 4, 1)])
def test_reentry_cohorts_are_each_month_ends_cohort(start: date | None) -> None:
    rng = random.Random(14)
    outcomes = ["re_entered", "stayed_out", "censored"]
    reentry = pl.DataFrame(
        {
            "end": [date(2019, 1, 1) + timedelta(days=rng.randrange(0, 2000)) for _ in range(400)],
            "outcome": [rng.choice(outcomes) for _ in range(400)],
        }
    )
    end = date(2024, 3, 31)
    got = reentry_cohorts(reentry, end, 40, start)
    expected = []
    for day in month_ends(end, 40).to_list():
        first = pl.Series([day]).dt.offset_by("-12mo").dt.month_end().item() + timedelta(days=1)
        if start is None or first >= start:
            expected.append({"date": day, **reentry_cohort(reentry, first, day)})
    assert got.height == len(expected) > 0
    assert got.to_dicts() == expected
    empty = reentry_cohorts(reentry.head(0), end, 3)
    assert empty["left"].to_list() == [0, 0, 0] and empty["rate"].is_null().all() and empty["complete"].all()


def test_columns_carries_only_the_columns_named() -> None:
    episodes = random_episodes(15).drop("LA")
    got = looked_after_on(episodes, DATES, columns=["LS"])
    assert got.columns == ["date", "CHILD", "LS"]
    assert_frame_equal(got, definition(episodes, DATES, []).select("date", "CHILD", "LS"))


def test_counts_of_another_frame_of_the_same_shape_are_its_own() -> None:
    """The spans found for one frame are reused for that frame only (never for another of the same shape)."""
    first, second = random_episodes(16).drop("LA"), random_episodes(17).drop("LA")
    second = second.head(first.height) if second.height >= first.height else second
    first = first.head(second.height)
    for frame in (first, second, first):
        expected = definition(frame, DATES, []).group_by("date").agg(pl.len().cast(pl.Int64).alias("cla_count"))
        got = cla_counts(frame, DATES).filter(pl.col("cla_count") > 0)
        assert_frame_equal(got, expected, check_row_order=False)
