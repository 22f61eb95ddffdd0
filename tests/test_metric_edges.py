"""Known answers at the edges a mutation run found untested (docs/mutation.md lists each mutant these kill).

Small hand-made frames, the arithmetic in the comments: one date, one episode, no dates, an episode that spans
no count date, several authorities at once, and no population file.
"""

from __future__ import annotations

from datetime import date

import polars as pl
from factories import episode, episodes_frame

from analysis.load.ssda903 import YEAR
from analysis.metrics import discharges
from analysis.metrics.care_periods import (
    annual_ceased,
    annual_started,
    ceased_by_route,
    collection_years,
    periods_of_care,
)
from analysis.metrics.cla import cla_counts, looked_after_on, monthly_cla, population_on

D = date(2024, 3, 31)

# --- analysis.metrics.cla ---------------------------------------------------------------------------------------------


def test_looked_after_on_a_single_date_with_a_single_episode() -> None:
    # One date and one (counted) episode are not "nothing to count": A is in care on 31 March 2024.
    on = looked_after_on(episodes_frame([episode("A", "01/01/2024")]), pl.Series([D]))
    assert on.select("date", "CHILD").rows() == [(D, "A")]


def test_looked_after_on_no_dates_is_empty_with_a_date_column() -> None:
    on = looked_after_on(episodes_frame([episode("A", "01/01/2024")]), pl.Series([], dtype=pl.Date))
    assert on.height == 0 and on.schema["date"] == pl.Date


def test_looked_after_on_leaves_out_an_episode_that_spans_no_date() -> None:
    # B left on 15 January, before both dates; C starts after both: neither is in care on either date, so
    # neither gets a row (not even one with no date). A is in care on both: two rows, in date order.
    rows = [episode("A", "01/01/2024"), episode("B", "01/01/2024", "15/01/2024"), episode("C", "01/04/2024")]
    on = looked_after_on(episodes_frame(rows), pl.Series([date(2024, 2, 29), D]))
    assert on.select("date", "CHILD").rows() == [(date(2024, 2, 29), "A"), (D, "A")]


def test_looked_after_on_rows_come_in_date_then_child_order() -> None:
    # Episodes given in reverse order; the rows are sorted by date, then child (the order callers display).
    rows = [episode(c, "01/01/2024") for c in ("C", "B", "A")]
    on = looked_after_on(episodes_frame(rows), pl.Series([D, date(2024, 2, 29)]))
    assert on.select("date", "CHILD").rows() == [(date(2024, 2, 29), c) for c in "ABC"] + [(D, c) for c in "ABC"]


def test_cla_counts_with_no_dates_still_has_the_count_column() -> None:
    counts = cla_counts(episodes_frame([episode("A", "01/01/2024")]), pl.Series([], dtype=pl.Date))
    assert counts.height == 0 and counts.columns == ["date", "cla_count"]


def test_population_on_takes_each_authoritys_own_estimates() -> None:
    # Two authorities with different populations: at 31 March 2024 each takes its own mid-2023 figure
    # (X 10,000, Y 20,000), never the other's; at 31 March 2023 each takes its mid-2022 figure.
    population = pl.DataFrame(
        {"LA": ["X", "X", "Y", "Y"], "mid_year": [2022, 2023, 2022, 2023], "population_0_17": [9_000, 10_000,
         19_000, 20_000]}
    )  # fmt: skip
    found = population_on(population, pl.Series([D, date(2023, 3, 31)]), by=("LA",))
    assert found.select("LA", "date", "population_0_17").rows() == [
        ("X", date(2023, 3, 31), 9_000),
        ("X", D, 10_000),
        ("Y", date(2023, 3, 31), 19_000),
        ("Y", D, 20_000),
    ]


def test_monthly_cla_without_a_population_has_empty_rate_columns() -> None:
    # No population file: the counts are shown, the population and the rate are null (not guessed), in the
    # same columns as with a population.
    frame = monthly_cla(episodes_frame([episode("A", "01/01/2024")]), None, D, 2)
    assert frame.columns == ["date", "cla_count", "population_0_17", "rate_per_10k"]
    assert frame["cla_count"].to_list() == [1, 1]
    assert frame["population_0_17"].null_count() == frame["rate_per_10k"].null_count() == 2


# --- analysis.metrics.discharges --------------------------------------------------------------------------------------


def test_discharges_by_route_lists_every_route_with_its_label_and_zero_for_none() -> None:
    # One SGO from a care order in June 2023: the other two routes are listed with 0 (not 1, not missing).
    cods = discharges.care_order_discharges(
        periods_of_care(episodes_frame([episode("A", "01/01/2022", "15/06/2023", rec="E45")]))
    )
    table = discharges.discharges_by_route(cods, date(2023, 4, 1), date(2024, 3, 31))
    assert table.columns == ["route", "label", "discharges"]
    assert table.rows() == [
        ("reunification", "Reunification", 0),
        ("special_guardianship_order", "Special guardianship order", 1),
        ("child_arrangements_order", "Child arrangements order", 0),
    ]


def test_order_exits_keep_adoption_but_never_as_a_care_order_discharge() -> None:
    # An adoption (E11, placement order E1) is an exit the tracker follows, and not a care order discharge.
    rows = [episode("A", "01/01/2022", "15/06/2023", ls="E1", place="A5", rec="E11")]
    exits = discharges.order_exits(periods_of_care(episodes_frame(rows)))
    assert exits.select("CHILD", "route", "care_order").rows() == [("A", "adoption", False)]


def test_an_interim_order_ended_by_adoption_is_other() -> None:
    # Not a valid 903 combination (adoption needs a placement order), but if a return holds it, the interim order
    # ended for "any other reason": the interim table has no adoption route.
    rows = [episode("A", "01/01/2022", "15/06/2023", ls="C1", rec="E11")]
    ended = discharges.interim_orders_ended(periods_of_care(episodes_frame(rows)))
    assert ended.select("CHILD", "route").rows() == [("A", "other")]


def test_reentry_cohort_begins_on_the_first_day_of_the_twelve_months() -> None:
    # The cohort for 31 March 2024 is the children who left from 1 April 2023 to 31 March 2024: A (home on
    # 1 April 2023) is in it, B (home on 31 March 2023) is not; neither came back, and both have had 12 months.
    rows = [
        episode("A", "01/01/2022", "01/04/2023", rec="E4A"),
        episode("B", "01/01/2022", "31/03/2023", rec="E4A"),
    ]
    periods = periods_of_care(episodes_frame(rows))
    re = discharges.reentries(discharges.care_order_discharges(periods), periods, date(2024, 4, 30))
    series = discharges.reentry_cohorts(re, date(2024, 3, 31), 1)
    assert series.columns == ["date", "left", "re_entered", "stayed_out", "censored", "rate", "complete"]
    assert series.select("date", "left", "stayed_out").rows() == [(date(2024, 3, 31), 1, 1)]
    # No whole cohort yet (the returns start after the window's first day): no rows, the same columns.
    none = discharges.reentry_cohorts(re, date(2024, 3, 31), 1, start=date(2023, 5, 1))
    assert none.height == 0 and none.schema == series.schema
    # With the returns starting on 1 April 2023, the cohort for 31 March 2024 is the first whole one: it is shown.
    assert discharges.reentry_cohorts(re, date(2024, 3, 31), 1, start=date(2023, 4, 1)).height == 1


# --- analysis.metrics.care_periods ------------------------------------------------------------------------------------


def test_periods_are_numbered_per_child_and_count_their_episodes() -> None:
    # A: two periods (home in 2022, back in 2023), the first of two episodes (X1 change). B: the same shape.
    # Each child's periods are numbered 1, 2; the first period of each has 2 episodes, the second 1.
    rows = []
    for c in ("A", "B"):
        rows += [
            episode(c, "01/01/2022", "01/03/2022", rec="X1"),
            episode(c, "01/03/2022", "01/06/2022", rne="L", rec="E4A"),
            episode(c, "01/01/2023"),
        ]
    periods = periods_of_care(episodes_frame(rows))
    assert periods.select("CHILD", "period", "episodes").rows() == [
        ("A", 1, 2), ("A", 2, 1), ("B", 1, 2), ("B", 2, 1),
    ]  # fmt: skip


def test_ceased_by_route_counts_only_periods_that_ended_in_the_window() -> None:
    # In the window (September 2020): A. Before it: B. Still open: C. Only A counts.
    rows = [
        episode("A", "01/01/2019", "10/09/2020", rec="E45"),
        episode("B", "01/01/2019", "10/08/2020", rec="E45"),
        episode("C", "01/01/2019"),
    ]
    table = ceased_by_route(periods_of_care(episodes_frame(rows)), date(2020, 9, 1), date(2020, 9, 30))
    assert table.columns == ["route", "label", "ceased"]
    assert dict(zip(table["route"], table["ceased"], strict=True))["special_guardianship_order"] == 1
    assert table["ceased"].sum() == 1


def test_collection_years_start_with_the_first_whole_year() -> None:
    # Returns from 1 April 2019 cover 2019/20 wholly; from 2 April 2019 the first whole year is 2020/21.
    assert collection_years(date(2019, 4, 1), D) == [2020, 2021, 2022, 2023, 2024]
    assert collection_years(date(2019, 4, 2), D) == [2021, 2022, 2023, 2024]


def test_the_collection_year_runs_from_1_april_to_31_march() -> None:
    # 2023/24 is 1 April 2023 to 31 March 2024, both days included. A starts on 1 April 2023 (in 2023/24); B
    # ceases on 1 April 2023 (in 2023/24); C starts (1 May 2022) and ceases (31 March 2023) in 2022/23, so it is in
    # 2022/23's starts and in neither of 2023/24's counts.
    rows = [
        episode("A", "01/04/2023"),
        episode("B", "01/01/2022", "01/04/2023", rec="E45"),
        episode("C", "01/05/2022", "31/03/2023", rec="E4A"),
    ]
    periods = periods_of_care(episodes_frame(rows))
    started = annual_started(periods, [2023, 2024])
    assert started.rows() == [(date(2023, 3, 31), "2022/23", 1), (date(2024, 3, 31), "2023/24", 1)]
    ceased = annual_ceased(periods, [2024])
    assert ceased.columns == ["year_end", "period", "breakdown", "label", "ceased"]
    rows_2024 = {r[2]: r for r in ceased.rows()}
    assert rows_2024["all"] == (date(2024, 3, 31), "2023/24", "all", "All", 1)
    assert rows_2024["special_guardianship_order"][4] == 1 and rows_2024["returned_home"][4] == 0


def test_annual_ceased_with_no_years_has_the_columns() -> None:
    empty = annual_ceased(periods_of_care(episodes_frame([episode("A", "01/04/2023")])), [])
    assert empty.height == 0
    assert empty.schema == {"year_end": pl.Date, "period": pl.String, "breakdown": pl.String, "label": pl.String,
                            "ceased": pl.Int64}  # fmt: skip


# --- analysis.metrics.discharges: re-entry boundaries, the returns' last day, children placed with parents -------


def _reentry(rows: list[dict], observed_to: date) -> list[tuple[str, str, str | None]]:
    periods = periods_of_care(episodes_frame(rows))
    re = discharges.reentries(discharges.care_order_discharges(periods), periods, observed_to)
    return [(c, e.isoformat(), o) for c, e, o in re.sort("CHILD", "end").select("CHILD", "end", "outcome").iter_rows()]


def test_reentry_boundaries_are_inclusive_days() -> None:
    # Observed to 1 June 2023. A left on that very day: counted (censored: too soon). B came back exactly 12
    # months after leaving (1 June 2022 -> 1 June 2023, also the day observed): re-entered. C left on 1 June 2022
    # and was still out on 1 June 2023, the end of the follow-up and the day observed: stayed out.
    rows = [
        episode("A", "01/01/2022", "01/06/2023", rec="E4A"),
        episode("B", "01/01/2021", "01/06/2022", rec="E4A"),
        episode("B", "01/06/2023"),
        episode("C", "01/01/2021", "01/06/2022", rec="E4A"),
    ]
    assert _reentry(rows, date(2023, 6, 1)) == [
        ("A", "2023-06-01", "censored"),
        ("B", "2022-06-01", "re_entered"),
        ("C", "2022-06-01", "stayed_out"),
    ]


def test_a_period_starting_the_day_a_child_left_is_not_its_reentry() -> None:
    # A goes home on 1 June 2022 and a new period starts the same day (a new period, see the oracle tests) and
    # ends on 1 July 2022; the next one starts on 1 September 2022. The re-entry after the 1 June exit is the one
    # that began after it: 1 September, within 12 months.
    rows = [
        episode("A", "01/01/2021", "01/06/2022", rec="E4A"),
        episode("A", "01/06/2022", "01/07/2022", rec="E4A"),
        episode("A", "01/09/2022"),
    ]
    periods = periods_of_care(episodes_frame(rows))
    re = discharges.reentries(discharges.care_order_discharges(periods), periods, date(2024, 3, 31))
    first = re.filter(pl.col("end") == date(2022, 6, 1))
    assert first.select("reentry", "outcome").rows() == [(date(2022, 9, 1), "re_entered")]


def test_coverage_end_is_the_last_return_year_or_the_last_date_seen() -> None:
    frame = episodes_frame([episode("A", "01/01/2022", "15/06/2022", rec="E4A")])
    assert discharges.coverage_end(frame) == date(2022, 6, 15)  # no return years: the latest DECOM or DEC
    assert discharges.coverage_end(frame.with_columns(pl.lit(2023).alias(YEAR))) == date(2023, 3, 31)
    assert discharges.coverage_end(frame.with_columns(pl.lit(0).alias(YEAR))) == date(2022, 6, 15)  # year unknown
    assert discharges.coverage_end(frame.head(0)) is None
    open_only = episodes_frame([episode("A", "01/01/2022")])
    assert discharges.coverage_end(open_only) == date(2022, 1, 1)


def test_time_placed_with_parents_counts_whole_months_and_restarts_after_a_move() -> None:
    # A: home (P1) since 15 January 2023, through an X1 change of legal status: at 14 July 2023, 5 whole months;
    # at 15 July, 6. B: home, then foster care (U4), then home again from 1 March 2023: the run restarts there.
    rows = [
        episode("A", "15/01/2023", "01/03/2023", ls="C1", place="P1", rec="X1"),
        episode("A", "01/03/2023", None, rne="L", ls="C2", place="P1"),
        episode("B", "01/01/2022", "01/06/2022", place="P1", rec="X1"),
        episode("B", "01/06/2022", "01/03/2023", rne="P", place="U4", rec="X1"),
        episode("B", "01/03/2023", None, rne="P", place="P1"),
    ]
    dates = pl.Series("date", [date(2023, 7, 14), date(2023, 7, 15)])
    on = discharges.placed_with_parents(episodes_frame(rows), dates)
    assert sorted(on.select("CHILD", "date", "home_since", "months_home").rows()) == [
        ("A", date(2023, 7, 14), date(2023, 1, 15), 5),
        ("A", date(2023, 7, 15), date(2023, 1, 15), 6),
        ("B", date(2023, 7, 14), date(2023, 3, 1), 4),
        ("B", date(2023, 7, 15), date(2023, 3, 1), 4),
    ]
    # A date with nobody placed with parents is 0, not missing (or 1).
    counts = discharges.placed_with_parents_counts(on, pl.Series("date", [date(2023, 7, 15), date(2023, 1, 1)]))
    assert counts.rows() == [(date(2023, 7, 15), 2, 0), (date(2023, 1, 1), 0, 0)]


def test_time_at_home_groups_at_6_12_and_24_months() -> None:
    # Whole months 5, 6, 11, 12, 23 and 24: each boundary month belongs to the longer group.
    months = [5, 6, 11, 12, 23, 24]
    on = pl.DataFrame({"date": [D] * 6, "CHILD": list("ABCDEF"), "months_home": months})
    groups = dict(discharges.time_at_home(on, D).iter_rows())
    assert groups == {"Under 6 months": 1, "6 to 12 months": 2, "1 to 2 years": 2, "2 years or more": 1}
