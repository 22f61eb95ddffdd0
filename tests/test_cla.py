"""Children looked after at a date, and the rate per 10,000: hand-made episodes, known answers."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from factories import episode, episodes_frame

from analysis.metrics.cla import cla_counts, looked_after_on, monthly_cla, population_on, rate_per_10k

D = date(2024, 3, 31)


def count_on(rows: list[dict], day: date = D) -> int:
    return cla_counts(episodes_frame(rows), pl.Series([day]))["cla_count"][0]


def test_open_episode_is_counted() -> None:
    assert count_on([episode("A", "01/01/2024")]) == 1


def test_episode_ceasing_on_the_count_date_is_not_counted() -> None:
    # DEC = D means the child left during D: not looked after at the end of D.
    assert count_on([episode("A", "01/01/2024", "31/03/2024")]) == 0


def test_episode_starting_on_the_count_date_is_counted() -> None:
    assert count_on([episode("A", "31/03/2024")]) == 1


def test_same_day_x1_change_counts_the_child_once() -> None:
    rows = [
        episode("A", "01/01/2024", "01/03/2024", rec="X1"),
        episode("A", "01/03/2024", rne="L", ls="C2"),
    ]
    on = looked_after_on(episodes_frame(rows), pl.Series([date(2024, 3, 1), D]))
    assert on.height == 2  # once on each date
    assert on["RNE"].to_list() == [
        "L",
        "L",
    ]  # the episode open at the end of 1 March is the new one


def test_short_breaks_only_are_excluded_but_other_care_is_not() -> None:
    rows = [
        episode("A", "01/01/2024", ls="V3"),  # short breaks only: excluded (DfE)
        episode("B", "01/01/2024", ls="V4"),
        episode("C", "01/01/2024", ls="V2"),  # section 20: counted
    ]
    assert count_on(rows) == 1


def test_blank_legal_status_is_counted_not_dropped() -> None:
    # A blank LS is not a short break: the child is looked after (validation warns about the blank).
    rows = [episode("A", "01/01/2024", ls=None), episode("B", "01/01/2024", ls="V3")]
    assert count_on(rows) == 1
    on = looked_after_on(episodes_frame(rows), pl.Series([D]))
    assert on["CHILD"].to_list() == ["A"]


def test_child_who_leaves_and_returns_is_counted_only_while_in_care() -> None:
    rows = [
        episode("A", "01/01/2023", "30/06/2023", rec="E4A"),
        episode("A", "01/02/2024"),
    ]
    frame = episodes_frame(rows)
    counts = cla_counts(frame, pl.Series([date(2023, 3, 31), date(2023, 9, 30), D]))
    assert counts["cla_count"].to_list() == [1, 0, 1]


def test_episode_ending_at_18th_birthday_is_not_counted_after_it() -> None:
    rows = [episode("A", "01/01/2020", "14/02/2024", rec="E17")]  # 18th birthday 14/02/2024
    frame = episodes_frame(rows)
    assert cla_counts(frame, pl.Series([date(2024, 1, 31), date(2024, 2, 29)]))["cla_count"].to_list() == [1, 0]


def test_months_with_nobody_in_care_are_zero_not_missing() -> None:
    frame = episodes_frame([episode("A", "15/02/2024")])
    counts = cla_counts(frame, pl.Series([date(2024, 1, 31), date(2024, 2, 29)]))
    assert counts["cla_count"].to_list() == [0, 1]


def test_population_uses_latest_mid_year_on_or_before_the_date() -> None:
    pop = pl.DataFrame({"mid_year": [2022, 2023], "population_0_17": [36_000.0, 36_200.0]})
    found = population_on(pop, pl.Series([date(2023, 3, 31), date(2023, 6, 30), date(2024, 3, 31)]))
    assert found["population_0_17"].to_list() == [36_000.0, 36_200.0, 36_200.0]


def test_rate_per_10k_known_answer_from_the_published_july_2023_figures() -> None:
    # Report of the Children's Services Commissioner in Herefordshire, December 2023 [DFE-COMMISSIONER-2023-12],
    # Performance: 405 children in care in July 2023, a rate of 112 per 10,000.
    counts = pl.DataFrame({"date": [date(2023, 7, 31)], "cla_count": [405]})
    pop = pl.DataFrame({"mid_year": [2023], "population_0_17": [36_160.0]})
    rate = rate_per_10k(counts, pop)["rate_per_10k"][0]
    assert round(rate) == 112
    assert rate == pytest.approx(405 / 36_160 * 10_000)


def test_rate_is_null_before_the_first_population_estimate() -> None:
    counts = pl.DataFrame({"date": [date(2019, 3, 31)], "cla_count": [300]})
    pop = pl.DataFrame({"mid_year": [2020], "population_0_17": [36_000.0]})
    assert rate_per_10k(counts, pop)["rate_per_10k"][0] is None


def test_monthly_cla_gives_one_row_per_month_end() -> None:
    frame = episodes_frame([episode("A", "01/01/2020")])
    series = monthly_cla(frame, None, D, 24)
    assert series.height == 24
    assert series["date"][0] == date(2022, 4, 30) and series["date"][-1] == D
    assert series["rate_per_10k"].null_count() == 24
