"""Social worker stability: changes of worker, the 12-month measure, agency allocation, the permanence link.

Hand-made allocations with known answers. The month end is D = 31 March 2024, so the 12-month
window is (31 March 2023, 31 March 2024].

Each child, in care since 1 January 2020 unless said (allocations as worker, team, contract, start → end):

* A: W1 North permanent 2021-06-01 → (current, no end date): one worker all year.
* B: W2 North permanent 2022-01-01 → 2023-05-10; W3 North agency 2023-05-10 → 2023-08-01;
  W4 North agency 2023-08-01 → 2023-12-01; W5 North agency 2023-12-01 → current: three changes, 4 workers.
* C: W6 East permanent 2022-06-01 → 2023-09-05; W7 East permanent 2023-09-01 → current: a 4-day hand-over.
* D (in care since 1 October 2023): W1 North permanent 2023-10-01 → current: in care under 12 months.
* E: W8 East permanent 2022-01-01 → 2023-04-03; W9 East agency 2023-03-28 → current: a hand-over across
  the window start.
* F (left care 30 June 2023): W10 South permanent 2022-01-01 → 2023-06-30: South has no children at D.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from factories import episode, episodes_frame

from analysis.metrics import stability as st

D = date(2024, 3, 31)
DATES = pl.Series("date", [D])

ALLOCATIONS = [
    ("A", "W1", "North", "permanent", "2021-06-01", None),
    ("B", "W2", "North", "permanent", "2022-01-01", "2023-05-10"),
    ("B", "W3", "North", "agency", "2023-05-10", "2023-08-01"),
    ("B", "W4", "North", "agency", "2023-08-01", "2023-12-01"),
    ("B", "W5", "North", "agency", "2023-12-01", None),
    ("C", "W6", "East", "permanent", "2022-06-01", "2023-09-05"),
    ("C", "W7", "East", "permanent", "2023-09-01", None),
    ("D", "W1", "North", "permanent", "2023-10-01", None),
    ("E", "W8", "East", "permanent", "2022-01-01", "2023-04-03"),
    ("E", "W9", "East", "agency", "2023-03-28", None),
    ("F", "W10", "South", "permanent", "2022-01-01", "2023-06-30"),
]


def allocations(rows: list[tuple] = ALLOCATIONS) -> pl.DataFrame:
    frame = pl.DataFrame(
        rows,
        schema={c: pl.String for c in ["child_id", "worker_id", "team", "contract", "start_date", "end_date"]},
        orient="row",
    )
    return frame.with_columns(pl.col("start_date", "end_date").str.to_date("%Y-%m-%d"))


EPISODES = episodes_frame(
    [
        episode("A", "01/01/2020"),
        episode("B", "01/01/2020"),
        episode("C", "01/01/2020"),
        episode("D", "01/10/2023"),
        episode("E", "01/01/2020"),
        episode("F", "01/01/2020", "30/06/2023", rec="E4A"),
    ]
)


@pytest.fixture(scope="module")
def children() -> pl.DataFrame:
    return st.children_at(EPISODES, allocations(), DATES)


def _child(children: pl.DataFrame, child: str) -> dict:
    return children.filter(pl.col("child_id") == child).row(0, named=True)


def test_one_worker_all_year_is_the_same_worker(children: pl.DataFrame) -> None:
    a = _child(children, "A")
    # W1 from June 2021, no end date: allocated at 31 March 2023 and at 31 March 2024, no change.
    assert (a["changes"], a["workers"], a["worker_id"], a["same_worker"]) == (0, 1, "W1", True)


def test_three_changes_four_workers(children: pl.DataFrame) -> None:
    b = _child(children, "B")
    # Current at the window start: W2; then W3 (10 May), W4 (1 Aug), W5 (1 Dec): 3 changes, 4 workers.
    assert (b["changes"], b["workers"], b["worker_id"], b["contract"]) == (3, 4, "W5", "agency")
    assert b["same_worker"] is False


def test_hand_over_overlap_is_one_change_not_two(children: pl.DataFrame) -> None:
    c = _child(children, "C")
    # W6 to 5 Sep, W7 from 1 Sep: a 4-day hand-over; the change is W7 coming in, once.
    assert (c["changes"], c["workers"], c["worker_id"]) == (1, 2, "W7")


def test_during_a_hand_over_the_incoming_worker_is_the_childs_worker() -> None:
    on = pl.Series("date", [date(2023, 9, 3)])
    found = st.children_at(EPISODES, allocations(), on).filter(pl.col("child_id") == "C")
    assert found["worker_id"].to_list() == ["W7"]


def test_hand_over_across_the_window_start_is_no_change(children: pl.DataFrame) -> None:
    e = _child(children, "E")
    # At 31 March 2023 both W8 (to 3 Apr) and W9 (from 28 Mar) are open: W9, the later start, is the worker;
    # W8's last days are not a change, so W9 has been the worker for the whole 12 months.
    assert (e["changes"], e["worker_id"], e["same_worker"]) == (0, "W9", True)


def test_current_allocation_without_an_end_date_is_open_at_the_month_end(children: pl.DataFrame) -> None:
    # A, D and B's W5 have no end date: each is the child's worker at 31 March 2024.
    assert children.filter(pl.col("child_id").is_in(["A", "B", "D"]))["allocated"].to_list() == [True] * 3


def test_in_care_under_12_months_is_left_out_of_the_12_month_measure(children: pl.DataFrame) -> None:
    d = _child(children, "D")
    # In care since 1 October 2023 (after the window start): not in the denominator, not a change.
    assert (d["in_care_12m"], d["same_worker"], d["changes"]) == (False, None, 0)


def test_overall_measures(children: pl.DataFrame) -> None:
    row = st.stability(children).row(0, named=True)
    # In care at D: A, B, C, D, E (F left): 5. In care 12 months: A, B, C, E = 4; same worker A, E = 2 → 50%.
    # Changed: B, C = 2 of 5 = 40%. Three or more workers: B = 1 of 5 = 20%. Agency now: B (W5), E (W9) = 2 of 5.
    assert (row["children"], row["children_12m"], row["same_worker"]) == (5, 4, 2)
    assert row["same_worker_share"] == pytest.approx(50.0)
    assert row["changed_share"] == pytest.approx(40.0)
    assert row["three_or_more_workers_share"] == pytest.approx(20.0)
    assert row["agency_share"] == pytest.approx(40.0)


def test_the_metric_ids_read_these_columns(children: pl.DataFrame) -> None:
    # metrics.csv takes each id from a column of `stability`: the known answers above, by id.
    from analysis.sections.stability_section import METRIC_COLUMNS

    row = st.stability(children).row(0, named=True)
    expected = {
        "same_worker_12m_share": 50.0,  # A and E of A, B, C, E
        "stability_children_12m": 4,  # A, B, C, E in care for 12 months
        "changed_worker_12m_share": 40.0,  # B and C of 5
        "three_or_more_workers_12m_share": 20.0,  # B of 5
        "agency_allocated_share": 40.0,  # B and E of 5 with a worker
    }
    assert {metric: row[METRIC_COLUMNS[metric]] for metric in expected} == pytest.approx(expected)


def test_by_team_includes_a_team_with_no_children(children: pl.DataFrame) -> None:
    teams = st.by_team(children, teams=["South", "West"]).to_dicts()
    by = {r["team"]: r for r in teams}
    # North: A, B, D; in care 12 months A, B; same worker A → 50%; agency B → 1 of 3 = 33.3%.
    assert (by["North"]["children"], by["North"]["children_12m"], by["North"]["same_worker"]) == (3, 2, 1)
    assert by["North"]["agency_share"] == pytest.approx(100 / 3)
    # East: C, E; same worker E → 50%; agency E → 50%.
    assert by["East"]["same_worker_share"] == pytest.approx(50.0)
    # South's only child left care in June 2023; West has no allocations at all: zero children, no share.
    for team in ("South", "West"):
        assert by[team]["children"] == 0
        assert by[team]["same_worker_share"] is None and by[team]["agency_share"] is None


def test_changes_distribution_every_band(children: pl.DataFrame) -> None:
    dist = st.changes_distribution(children).sort("band")
    # 0: A, D, E; 1: C; 2: none; 3 or more: B.
    assert dict(dist.select("band", "children").iter_rows()) == {"0": 3, "1": 1, "2": 0, "3_or_more": 1}


def test_same_worker_again_after_another_is_two_changes_but_two_workers() -> None:
    rows = [
        ("A", "W1", "North", "permanent", "2023-01-01", "2023-06-01"),
        ("A", "W2", "North", "permanent", "2023-06-01", "2023-09-01"),
        ("A", "W1", "North", "permanent", "2023-09-01", None),
    ]
    spans = pl.DataFrame({"child_id": ["A"], "from": [date(2023, 3, 31)], "to": [D]})
    found = st.worker_changes(allocations(rows), spans).row(0, named=True)
    # W1 → W2 → W1: two changes, two different workers.
    assert (found["changes"], found["workers"]) == (2, 2)


def test_first_allocation_in_the_window_is_not_a_change() -> None:
    rows = [("A", "W1", "North", "permanent", "2023-07-01", None)]
    spans = pl.DataFrame({"child_id": ["A", "Z"], "from": [date(2023, 3, 31)] * 2, "to": [D] * 2})
    found = st.worker_changes(allocations(rows), spans)
    # A: first allocated in July, within the window: no change, not allocated at the start. Z: no allocation.
    assert found.select("changes", "allocated_at_start", "worker_id").rows() == [(0, False, "W1"), (0, False, None)]


def test_plan_to_order_by_changes_along_the_way() -> None:
    tracker = pl.DataFrame(
        {
            "child_id": ["B", "C", "A"],
            "route": ["special_guardianship_order", "discharge_to_parents", "special_guardianship_order"],
            "identified_date": [date(2023, 4, 1), date(2023, 6, 1), date(2023, 5, 1)],
            "outcome": ["order_made", "order_made", "refused"],
            "outcome_date": [date(2024, 1, 31), date(2023, 12, 1), date(2024, 1, 1)],
        }
    )
    orders = st.plan_to_order(tracker, allocations()).sort("child_id")
    # B: W2 current at 1 April 2023, then W3, W4, W5 by 31 January 2024: 3 changes; 305 days.
    # C: W6, then W7 (1 September): 1 change; 1 June to 1 December 2023 = 183 days. A was refused: left out.
    assert orders.select("child_id", "days", "changes", "band").rows() == [
        ("B", 305, 3, "3_or_more"),
        ("C", 183, 1, "1"),
    ]
    # Plans agreed before the allocations' coverage are left out.
    assert st.plan_to_order(tracker, allocations(), covered_from=date(2023, 5, 1))["child_id"].to_list() == ["C"]


def test_timeliness_hides_groups_under_five() -> None:
    orders = pl.DataFrame({"band": ["0"] * 5 + ["1"] * 2, "days": [100, 200, 300, 400, 500, 50, 60]})
    table = {r["band"]: r for r in st.timeliness_by_changes(orders).to_dicts()}
    # Band 0: 5 orders, median 300, quartiles 200 and 400. Band 1: only 2 orders: no median shown.
    assert (table["0"]["orders"], table["0"]["median_days"], table["0"]["q1_days"], table["0"]["q3_days"]) == (
        5, 300.0, 200.0, 400.0,
    )  # fmt: skip
    assert (table["1"]["orders"], table["1"]["median_days"]) == (2, None)
    assert (table["3_or_more"]["orders"], table["3_or_more"]["median_days"]) == (0, None)


def test_wilson_interval_known_answers() -> None:
    # Newcombe (1998), Statistics in Medicine 17: 857-872, example 81/263: Wilson 95% interval 0.2553 to 0.3662.
    low, high = st.wilson(81, 263)  # type: ignore[misc]
    assert (round(low / 100, 4), round(high / 100, 4)) == (0.2553, 0.3662)
    # 0 of 10: the interval runs from 0 to 27.75% (not 0 to 0, as the simple interval would say).
    low, high = st.wilson(0, 10)  # type: ignore[misc]
    assert low == 0.0 and high == pytest.approx(27.75, abs=0.01)
    assert st.wilson(0, 0) is None


def test_coverage_starts_at_the_earliest_end_date() -> None:
    assert st.coverage_start(allocations()) == date(2023, 4, 3)
    assert st.coverage_start(allocations([ALLOCATIONS[0]])) == date(2021, 6, 1)
