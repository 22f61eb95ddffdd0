"""Periods of care, starts, ceases and routes out: hand-made episodes with known answers."""

from __future__ import annotations

from datetime import date

import polars as pl
from factories import episode, episodes_frame

from analysis.care_periods import ceased_by_route, monthly_ceased_by_route, monthly_flows, periods_of_care


def test_same_day_x1_change_is_not_a_new_period() -> None:
    rows = [
        episode("A", "01/01/2024", "01/02/2024", rec="X1"),
        episode("A", "01/02/2024", "15/03/2024", rne="P", rec="E4A"),
    ]
    periods = periods_of_care(episodes_frame(rows))
    assert periods.height == 1
    row = periods.row(0, named=True)
    assert (row["start"], row["end"], row["REC"], row["route"], row["episodes"]) == (
        date(2024, 1, 1), date(2024, 3, 15), "E4A", "returned_home", 2,
    )  # fmt: skip


def test_child_who_leaves_and_returns_has_two_periods() -> None:
    rows = [
        episode("A", "01/01/2023", "30/06/2023", rec="E4A"),
        episode("A", "01/02/2024"),
    ]
    periods = periods_of_care(episodes_frame(rows))
    assert periods["period"].to_list() == [1, 2]
    assert periods["end"].to_list() == [date(2023, 6, 30), None]
    assert periods["route"].to_list() == ["returned_home", None]


def test_return_on_a_later_day_is_a_new_period_even_after_x1() -> None:
    # The definition is about dates: an episode not starting on the day the last one ceased starts a period.
    rows = [episode("A", "01/01/2023", "30/06/2023", rec="X1"), episode("A", "02/07/2023")]
    periods = periods_of_care(episodes_frame(rows))
    assert periods.height == 2
    assert periods["end"].to_list() == [None, None]  # an X1 last episode does not end its period


def test_open_episode_gives_an_open_period() -> None:
    periods = periods_of_care(episodes_frame([episode("A", "01/01/2024")]))
    assert periods["end"].to_list() == [None] and periods["route"].to_list() == [None]


def test_turning_18_is_its_own_route() -> None:
    rows = [
        episode("A", "01/01/2020", "14/02/2024", rec="E17"),
        episode("B", "01/01/2020", "14/02/2024", rec="E5"),
        episode("C", "01/01/2020", "14/02/2024", rec="E46"),
        episode("D", "01/01/2020", "14/02/2024", rec="E41"),
        episode("E", "01/01/2020", "14/02/2024", rec="E12"),
        episode("F", "01/01/2020", "14/02/2024", rec="E13"),
    ]
    routes = periods_of_care(episodes_frame(rows))["route"].to_list()
    assert routes == [
        "turned_18_or_independent", "turned_18_or_independent", "special_guardianship_order",
        "child_arrangements_order", "adoption", "other",
    ]  # fmt: skip


def test_monthly_flows_and_rolling_sum() -> None:
    rows = [episode(f"C{i}", f"15/{m:02d}/2023") for i, m in enumerate(range(1, 13))]  # one start a month in 2023
    rows += [episode("X", "01/01/2022", "10/12/2023", rec="E4A")]
    flows = monthly_flows(periods_of_care(episodes_frame(rows)), date(2023, 12, 31), 3)
    assert flows["date"].to_list() == [date(2023, 10, 31), date(2023, 11, 30), date(2023, 12, 31)]
    assert flows["starts"].to_list() == [1, 1, 1]
    assert flows["ceases"].to_list() == [0, 0, 1]
    assert flows["starts_12m"].to_list() == [10, 11, 12]
    assert flows["ceases_12m"].to_list() == [0, 0, 1]


def test_rolling_sum_is_not_shown_for_a_partial_year() -> None:
    rows = [episode("A", "15/06/2023")]
    flows = monthly_flows(periods_of_care(episodes_frame(rows)), date(2023, 12, 31), 12, start=date(2023, 4, 1))
    assert flows["date"][0] == date(2023, 4, 30)  # nothing before the data starts
    assert flows["starts_12m"].null_count() == flows.height


def test_short_break_periods_are_not_starts_or_ceases() -> None:
    rows = [episode("A", "01/03/2024", "05/03/2024", ls="V3", rec="E8"), episode("B", "01/03/2024")]
    flows = monthly_flows(periods_of_care(episodes_frame(rows)), date(2024, 3, 31), 1)
    assert flows.select("starts", "ceases").row(0) == (1, 0)


def test_ceased_by_route_known_answer_from_the_seeds() -> None:
    # Seed 003 (Sept 2020): 8 children ceased to be looked after, 5 of them by SGO.
    recs = ["E45", "E47", "E48", "E45", "E46", "E4A", "E17", "E8"]
    rows = [episode(f"C{i}", "01/01/2019", f"{10 + i}/09/2020", rec=r) for i, r in enumerate(recs)]
    table = ceased_by_route(periods_of_care(episodes_frame(rows)), date(2020, 9, 1), date(2020, 9, 30))
    counts = dict(zip(table["route"], table["ceased"], strict=True))
    assert counts["special_guardianship_order"] == 5 and sum(counts.values()) == 8
    assert counts["adoption"] == 0  # every route listed, zero-filled


def test_monthly_ceased_by_route_is_zero_filled() -> None:
    rows = [episode("A", "01/01/2023", "15/03/2024", rec="E11")]
    frame = monthly_ceased_by_route(periods_of_care(episodes_frame(rows)), date(2024, 3, 31), 2)
    assert frame.height == 12
    assert frame.filter(pl.col("ceased") > 0).select("date", "route").row(0) == (date(2024, 3, 31), "adoption")
