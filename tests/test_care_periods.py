"""Periods of care, starts, ceases and routes out: hand-made episodes with known answers."""

from __future__ import annotations

from datetime import date

import polars as pl
from factories import episode, episodes_frame

from analysis.metrics.care_periods import (
    ROUTES,
    annual_ceased,
    annual_started,
    ceased_by_route,
    children_ceased_by_route,
    collection_years,
    monthly_ceased_by_route,
    monthly_flows,
    periods_of_care,
)
from analysis.metrics.cla import cla_counts


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


def test_x1_followed_by_a_gap_ends_the_period_with_route_unknown() -> None:
    # Rule 433/388: X1 says the next episode starts the same day; when it starts later, the period is read as
    # ending at the gap (the child is not looked after in between), by a route the return does not give.
    rows = [episode("A", "01/01/2023", "30/06/2023", rec="X1"), episode("A", "02/07/2023")]
    periods = periods_of_care(episodes_frame(rows))
    assert periods.height == 2
    assert periods["end"].to_list() == [date(2023, 6, 30), None]
    assert periods["route"].to_list() == ["unknown", None]
    flows = monthly_flows(periods, date(2023, 7, 31), 2)
    assert flows.select("starts", "ceases").rows() == [(0, 1), (1, 0)]  # June: one cease; July: one start


def test_a_dec_with_no_rec_is_read_as_x1_would_be() -> None:
    # Rule 148 broken: DEC given, REC blank. Followed the same day, the period continues; otherwise it ends at DEC
    # by route unknown, the day the child leaves the counts (before, the period stayed open for ever).
    rows = [
        episode("A", "01/01/2023", "01/03/2023", REC=None),
        episode("A", "01/03/2023", "30/06/2023", rne="L", REC=None),
    ]
    periods = periods_of_care(episodes_frame(rows))
    assert periods.select("start", "end", "route", "episodes").rows() == [
        (date(2023, 1, 1), date(2023, 6, 30), "unknown", 2)
    ]
    assert cla_counts(episodes_frame(rows), pl.Series([date(2023, 7, 31)]))["cla_count"].to_list() == [0]


def test_a_ceased_episode_ends_its_period_even_when_the_next_starts_the_same_day() -> None:
    # Child E: ceases 01/09/2023 returned home (E4A), and a new episode starts that day (RNE S): two periods.
    rows = [
        episode("E", "01/01/2023", "01/09/2023", rec="E4A"),
        episode("E", "01/09/2023", "15/02/2024", ls="V2", rec="E8"),
    ]
    periods = periods_of_care(episodes_frame(rows))
    assert periods.select("start", "end", "route").rows() == [
        (date(2023, 1, 1), date(2023, 9, 1), "returned_home"),
        (date(2023, 9, 1), date(2024, 2, 15), "other"),
    ]


def test_same_day_short_break_after_a_return_home_keeps_the_return_home() -> None:
    # The example: E4A on 01/09/2023 then a V4 episode the same day. The short break is not care in the
    # DfE's counts, so the return home on 01/09/2023 is the cease, and the short break adds no start or cease.
    rows = [
        episode("E", "01/01/2023", "01/09/2023", rec="E4A"),
        episode("E", "01/09/2023", "15/02/2024", ls="V4", rec="E8"),
    ]
    periods = periods_of_care(episodes_frame(rows))
    assert periods.select("start", "end", "route").rows() == [(date(2023, 1, 1), date(2023, 9, 1), "returned_home")]
    flows = monthly_flows(periods, date(2024, 2, 29), 6)
    assert flows["ceases"].sum() == 1 and flows["starts"].sum() == 0


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
    periods = periods_of_care(episodes_frame(rows))
    assert periods["CHILD"].to_list() == ["B"]  # V3/V4 episodes are dropped before periods are built
    flows = monthly_flows(periods, date(2024, 3, 31), 1)
    assert flows.select("starts", "ceases").row(0) == (1, 0)


def test_short_breaks_inside_care_neither_end_nor_start_a_period_in_the_counts_and_flows_alike() -> None:
    # A child in care (V2) who moves to short breaks (V4) the same day and back into care (C2) later: the count
    # drops the child during the short breaks, and so do the flows: a cease when care ends, a start when it resumes.
    rows = [
        episode("A", "01/01/2023", "01/05/2023", ls="V2", rec="X1"),
        episode("A", "01/05/2023", "01/08/2023", ls="V4", rec="E8"),
        episode("A", "01/08/2023", ls="C2"),
    ]
    frame = episodes_frame(rows)
    periods = periods_of_care(frame)
    assert periods.select("start", "end", "route").rows() == [
        (date(2023, 1, 1), date(2023, 5, 1), "unknown"),  # care ended when short breaks began: route not given
        (date(2023, 8, 1), None, None),
    ]
    counted = cla_counts(frame, pl.Series([date(2023, 4, 30), date(2023, 6, 30), date(2023, 8, 31)]))
    assert counted["cla_count"].to_list() == [1, 0, 1]


def test_ceased_by_route_known_answer_from_the_published_september_2020_leavers() -> None:
    # Herefordshire Council, Children and Young People Scrutiny Committee agenda pack, 1 December 2020
    # [HC-SCRUTINY-2020-12], month-end scorecard: "Eight children ceased being Looked After in September. Five had a
    # Special Guardianship Order, one had a Child Arrangement Order granted, one turned 18 but remained with their
    # carer and one moved into independent living": E45-E48, E41, E17 and E5.
    recs = ["E45", "E47", "E48", "E45", "E46", "E41", "E17", "E5"]
    rows = [episode(f"C{i}", "01/01/2019", f"{10 + i}/09/2020", rec=r) for i, r in enumerate(recs)]
    table = ceased_by_route(periods_of_care(episodes_frame(rows)), date(2020, 9, 1), date(2020, 9, 30))
    counts = dict(zip(table["route"], table["ceased"], strict=True))
    assert counts["special_guardianship_order"] == 5 and sum(counts.values()) == 8
    assert counts["child_arrangements_order"] == 1 and counts["turned_18_or_independent"] == 2
    assert counts["adoption"] == 0  # every route listed, zero-filled


def test_monthly_ceased_by_route_is_zero_filled() -> None:
    rows = [episode("A", "01/01/2023", "15/03/2024", rec="E11")]
    frame = monthly_ceased_by_route(periods_of_care(episodes_frame(rows)), date(2024, 3, 31), 2)
    assert frame.height == 2 * len(ROUTES)  # every route each month, "unknown" included
    assert frame.filter(pl.col("ceased") > 0).select("date", "route").row(0) == (date(2024, 3, 31), "adoption")


# --- The DfE's annual measures: children, not periods ---------------------------------------------------------


def test_two_starts_and_two_ceases_in_one_year_count_the_child_once() -> None:
    # The DfE counts each child once: started at the first start in the year, ceased by the reason of the last.
    rows = [
        episode("A", "01/05/2023", "01/07/2023", rec="E4A"),
        episode("A", "01/09/2023", "01/12/2023", rec="E41"),
        episode("A", "01/02/2024"),
        episode("B", "01/06/2023", "01/03/2024", rec="E45"),
    ]
    periods = periods_of_care(episodes_frame(rows))
    assert periods.filter(pl.col("start") >= date(2023, 4, 1)).height == 4  # four periods started in 2023/24
    started = annual_started(periods, [2024])
    assert started.select("period", "started").rows() == [("2023/24", 2)]
    ceased = annual_ceased(periods, [2024])
    counts = dict(ceased.select("breakdown", "ceased").iter_rows())
    assert counts["all"] == 2  # three periods ended, by two children
    assert counts["child_arrangements_order"] == 1 and counts["returned_home"] == 0  # A's last cease: E41
    assert counts["special_guardianship_order"] == 1
    assert sum(v for k, v in counts.items() if k != "all") == counts["all"]


def test_children_ceased_by_route_counts_each_child_once_by_the_last_cease() -> None:
    rows = [episode("A", "01/05/2023", "01/07/2023", rec="E4A"), episode("A", "01/09/2023", "01/12/2023", rec="E11")]
    table = children_ceased_by_route(periods_of_care(episodes_frame(rows)), date(2023, 4, 1), date(2024, 3, 31))
    assert table.filter(pl.col("ceased") > 0).select("route", "ceased").rows() == [("adoption", 1)]


def test_the_amended_child_starts_once_and_ceases_once() -> None:
    # The amendment example after merging (see test_loading): one episode, DECOM 03/05/2022, ended E4A.
    rows = [episode("C", "03/05/2022", "10/10/2023", rec="E4A")]
    periods = periods_of_care(episodes_frame(rows))
    assert annual_started(periods, [2023, 2024])["started"].to_list() == [1, 0]
    assert annual_ceased(periods, [2024]).filter(pl.col("breakdown") == "returned_home")["ceased"].to_list() == [1]


def test_collection_years_are_whole_years_inside_the_returns() -> None:
    assert collection_years(date(2019, 4, 1), date(2024, 3, 31)) == [2020, 2021, 2022, 2023, 2024]
    assert collection_years(date(2019, 4, 1), date(2024, 2, 29)) == [2020, 2021, 2022, 2023]  # 2023/24 unfinished
    assert collection_years(None, date(2024, 3, 31)) == []  # no episodes
