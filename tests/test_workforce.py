"""Workforce: agency and vacancy rates, team managers, caseloads, projection and headlines.

Hand-made snapshots with known answers (no synthetic data). The main snapshot, at 31 March 2024:

| team  | role            | contract   | fte | caseload |
|-------|-----------------|------------|-----|----------|
| North | service_manager | permanent  | 1.0 |          |
| North | team_manager    | permanent  | 1.0 |          |
| North | social_worker   | permanent  | 1.0 | 18       |
| North | social_worker   | permanent  | 0.5 | 10       |  part-time
| North | social_worker   | agency     | 1.0 | 22       |
| North | social_worker   | agency     | 0.8 | 20       |  exactly 20: not over 20
| North | social_worker   | fixed_term | 0.6 | 12       |
| North | social_worker   | vacant     | 1.0 |          |
| South | team_manager    | fixed_term | 1.0 |          |  a team with no agency staff
| South | social_worker   | permanent  | 1.0 | 15       |
| South | social_worker   | permanent  | 0.8 | 0        |  no cases: not a case holder
| South | social_worker   | vacant     | 0.5 |          |
| East  | team_manager    | vacant     | 1.0 |          |  an empty team: every post vacant
| East  | social_worker   | vacant     | 1.0 |          |

All roles: permanent 1+1+1+0.5+1+0.8 = 5.3 FTE, fixed-term 0.6+1 = 1.6, in post 6.9, agency 1.8,
empty seats 1+0.5+1+1 = 3.5, vacancy 3.5+1.8 = 5.3.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from factories import write_csv

from analysis.core import definitions
from analysis.core.errors import InputError
from analysis.core.periods import parse_period
from analysis.load.config import Authority
from analysis.load.inputs import WORKFORCE_COLUMNS, Inputs, load_inputs
from analysis.metrics import workforce as w
from analysis.sections import workforce_figures as wfig
from analysis.sections import workforce_section as ws

MAR, FEB, DEC = date(2024, 3, 31), date(2024, 2, 29), date(2023, 12, 31)

Row = tuple[str, str, str, float, int | None]

MAIN: list[Row] = [
    ("North", "service_manager", "permanent", 1.0, None),
    ("North", "team_manager", "permanent", 1.0, None),
    ("North", "social_worker", "permanent", 1.0, 18),
    ("North", "social_worker", "permanent", 0.5, 10),
    ("North", "social_worker", "agency", 1.0, 22),
    ("North", "social_worker", "agency", 0.8, 20),
    ("North", "social_worker", "fixed_term", 0.6, 12),
    ("North", "social_worker", "vacant", 1.0, None),
    ("South", "team_manager", "fixed_term", 1.0, None),
    ("South", "social_worker", "permanent", 1.0, 15),
    ("South", "social_worker", "permanent", 0.8, 0),
    ("South", "social_worker", "vacant", 0.5, None),
    ("East", "team_manager", "vacant", 1.0, None),
    ("East", "social_worker", "vacant", 1.0, None),
]


def snapshot(day: date, rows: list[Row]) -> pl.DataFrame:
    """Typed rows as `load_inputs` gives them (with `_row`, the CSV line)."""
    return pl.DataFrame(
        [(day, *r) for r in rows],
        schema={
            "snapshot_date": pl.Date,
            "team": pl.String,
            "role": pl.String,
            "contract": pl.String,
            "fte": pl.Float64,
            "caseload": pl.Int64,
        },
        orient="row",
    ).with_row_index("_row", offset=2)


def swap(rows: list[Row], index: int, contract: str) -> list[Row]:
    """The rows with one post's contract changed."""
    team, role, _, fte, load = rows[index]
    return [*rows[:index], (team, role, contract, fte, load), *rows[index + 1 :]]


def history() -> pl.DataFrame:
    """Three snapshots. February: North's 0.8 agency post was permanent, and South's empty 0.5 seat had an
    agency worker. December: North's vacant post and fixed-term post were both agency."""
    feb = swap(swap(MAIN, 5, "permanent"), 11, "agency")
    dec = swap(swap(MAIN, 7, "agency"), 6, "agency")
    return pl.concat([snapshot(DEC, dec), snapshot(FEB, feb), snapshot(MAR, MAIN)]).with_columns(
        pl.int_range(2, pl.len() + 2).alias("_row")
    )


def one(frame: pl.DataFrame, **where: object) -> dict:
    rows = frame.filter(**where)
    assert rows.height == 1, rows
    return rows.row(0, named=True)


@pytest.fixture
def registered() -> None:
    """The section's metric definitions are registered in analysis.core.definitions."""
    # The registry adds the functions that compute each metric (computed_by); everything else is the section's.
    registry = definitions.METRICS
    assert all(replace(registry[m.id], computed_by=m.computed_by) == m for m in definitions.WORKFORCE_METRICS)


# --- Agency rate -----------------------------------------------------------------------------------


def test_fte_by_contract_and_agency_rate_over_every_social_work_role() -> None:
    t = one(w.agency_rate(w.totals(snapshot(MAR, MAIN))))
    assert t["permanent_fte"] == pytest.approx(5.3)
    assert t["fixed_term_fte"] == pytest.approx(1.6)
    assert t["inpost_fte"] == pytest.approx(6.9)  # fixed-term staff are in post, as the DfE counts them
    assert t["agency_fte"] == pytest.approx(1.8)
    assert t["vacant_fte"] == pytest.approx(3.5)
    assert t["establishment_fte"] == pytest.approx(5.3 + 1.6 + 1.8 + 3.5)
    # DfE: agency / (agency + in post) = 1.8 / 8.7, not agency / in post (1.8 / 6.9 = 26.1%).
    assert t["agency_rate"] == pytest.approx(100 * 1.8 / 8.7)  # 20.69%
    # Headcount: 2 agency workers, 6 permanent + 2 fixed-term in post.
    assert (t["agency_headcount"], t["inpost_headcount"], t["vacant_posts"], t["posts"]) == (2, 8, 4, 14)
    assert t["agency_rate_headcount"] == pytest.approx(20.0)


def test_case_holding_variant_leaves_managers_out() -> None:
    t = one(w.agency_rate(w.totals(snapshot(MAR, MAIN), roles=w.CASE_HOLDING_ROLES)))
    # Practitioners only: permanent 1 + 0.5 + 1 + 0.8 = 3.3, fixed-term 0.6, agency 1.8.
    assert t["inpost_fte"] == pytest.approx(3.9)
    assert t["agency_rate"] == pytest.approx(100 * 1.8 / 5.7)  # 31.58%


def test_agency_rate_by_team_with_no_agency_team_and_empty_team() -> None:
    teams = w.agency_rate(w.totals(snapshot(MAR, MAIN), by=("team",)))
    north = one(teams, team="North")
    assert north["inpost_fte"] == pytest.approx(4.1)  # 1 + 1 + 1 + 0.5 + 0.6
    assert north["agency_rate"] == pytest.approx(100 * 1.8 / 5.9)  # 30.51%
    assert one(teams, team="South")["agency_rate"] == 0.0  # nobody from an agency: zero, not missing
    east = one(teams, team="East")  # every post vacant: no rate at all, rather than a made-up 0%
    assert east["agency_rate"] is None and east["agency_rate_headcount"] is None
    assert east["posts"] == 2 and east["vacant_fte"] == 2.0


def test_september_2020_published_figures_give_a_13_4_percent_agency_rate() -> None:
    # Herefordshire, 30 September 2020 ([HC-SCRUTINY-2020-12]): permanent 127.3, agency 20.6, fixed term 6.2,
    # empty seats 7.4 FTE. Expected agency rate = 20.6 / (20.6 + 127.3 + 6.2) = 20.6 / 154.1 = 13.37%: fixed-term
    # staff are directly employed, so they are in post. Vacancies = 20.6 + 7.4 = 28.0, matching the council's
    # "Permanent Vacancies 28" (the DfE counts a vacancy whether or not an agency worker covers it).
    rows: list[Row] = (
        [("Team", "social_worker", "permanent", 1.0, 15)] * 127
        + [("Team", "social_worker", "permanent", 0.3, 4)]
        + [("Team", "social_worker", "agency", 1.0, 15)] * 20
        + [("Team", "social_worker", "agency", 0.6, 8)]
        + [("Team", "social_worker", "fixed_term", 1.0, 15)] * 6
        + [("Team", "social_worker", "fixed_term", 0.2, 2)]
        + [("Team", "social_worker", "vacant", 1.0, None)] * 7
        + [("Team", "social_worker", "vacant", 0.4, None)]
    )
    t = one(w.vacancy_rate(w.agency_rate(w.totals(snapshot(date(2020, 9, 30), rows)))))
    assert (t["permanent_fte"], t["agency_fte"], t["fixed_term_fte"], t["vacant_fte"]) == (127.3, 20.6, 6.2, 7.4)
    assert t["agency_rate"] == pytest.approx(13.3679, abs=1e-4)
    assert t["vacancy_fte"] == 28.0
    assert t["vacancy_rate"] == pytest.approx(100 * 28.0 / 161.5)  # 17.34%
    assert t["vacancy_agency_cover_rate"] == pytest.approx(100 * 20.6 / 28.0)  # 73.6% of vacancies covered


# --- Vacancies, team managers, fixed-term posts ----------------------------------------------------


def test_vacancy_rate_counts_agency_covered_posts_as_vacancies() -> None:
    t = one(w.vacancy_rate(w.totals(snapshot(MAR, MAIN))))
    assert t["vacancy_fte"] == pytest.approx(5.3)  # 3.5 empty + 1.8 agency-covered
    assert t["vacancy_rate"] == pytest.approx(100 * 5.3 / 12.2)  # 43.44%
    assert t["vacancy_agency_cover_rate"] == pytest.approx(100 * 1.8 / 5.3)
    teams = w.vacancy_rate(w.totals(snapshot(MAR, MAIN), by=("team",)))
    assert one(teams, team="East")["vacancy_rate"] == 100.0
    assert one(teams, team="South")["vacancy_agency_cover_rate"] == 0.0


def test_vacancy_cover_rate_is_blank_without_vacancies() -> None:
    t = one(w.vacancy_rate(w.totals(snapshot(MAR, [("A", "social_worker", "permanent", 1.0, 10)]))))
    assert t["vacancy_rate"] == 0.0 and t["vacancy_agency_cover_rate"] is None


def test_team_managers_permanent_against_all_posts() -> None:
    t = one(w.team_managers(snapshot(MAR, MAIN)))
    assert t["team_manager_posts"] == 3  # North permanent, South fixed-term, East vacant
    assert t["permanent_team_managers"] == 1
    assert (t["fixed_term_team_managers"], t["agency_team_managers"], t["vacant_team_manager_posts"]) == (1, 0, 1)


def test_fixed_term_posts_and_fte() -> None:
    t = one(w.totals(snapshot(MAR, MAIN)))
    assert (t["fixed_term_headcount"], t["fixed_term_fte"]) == (2, pytest.approx(1.6))


# --- Caseloads -------------------------------------------------------------------------------------


def test_caseloads_over_all_case_holders() -> None:
    c = one(w.caseloads(snapshot(MAR, MAIN)))
    # Case holders: 18, 10, 22, 20, 12, 15 (South's worker with 0 cases holds none; vacant posts hold none).
    assert (c["case_holders"], c["cases"]) == (6, 97)
    assert c["average_caseload"] == pytest.approx(97 / 6)
    assert c["case_holding_fte"] == pytest.approx(4.9)
    assert c["caseload_per_fte"] == pytest.approx(97 / 4.9)
    assert (c["median_caseload"], c["max_caseload"]) == (16.5, 22)
    # Only 22 is over 20: exactly 20 is not "more than 20".
    assert c["over_threshold"] == 1
    assert c["over_threshold_share"] == pytest.approx(100 / 6)


def test_caseload_threshold_is_a_parameter() -> None:
    c = one(w.caseloads(snapshot(MAR, MAIN), threshold=15))
    assert c["over_threshold"] == 3  # 18, 22, 20; 15 itself is not over 15


def test_caseload_distribution_by_team() -> None:
    teams = w.caseloads(snapshot(MAR, MAIN), by=("team",))
    north = one(teams, team="North")
    assert (north["case_holders"], north["median_caseload"], north["max_caseload"]) == (5, 18.0, 22)
    assert one(teams, team="South")["case_holders"] == 1
    assert "East" not in teams["team"].to_list()  # nobody holds cases there


def test_caseload_recorded_on_a_vacant_post_is_not_counted() -> None:
    rows: list[Row] = [("A", "social_worker", "vacant", 1.0, 30), ("A", "social_worker", "agency", 1.0, 10)]
    c = one(w.caseloads(snapshot(MAR, rows)))
    assert (c["case_holders"], c["cases"], c["over_threshold"]) == (1, 10, 0)


# --- Change over time ------------------------------------------------------------------------------


def test_snapshot_before_is_the_previous_month_end() -> None:
    dates = pl.Series([DEC, date(2024, 1, 31), FEB, MAR])
    assert w.snapshot_before(dates, MAR, 1) == FEB
    assert w.snapshot_before(dates, MAR, 3) == DEC
    assert w.snapshot_before(dates, DEC, 1) is None
    # A missing month falls back to the latest snapshot before it.
    assert w.snapshot_before(pl.Series([DEC, MAR]), MAR, 1) == DEC


def test_teams_whose_agency_rate_rose() -> None:
    teams = w.agency_rate(w.totals(history(), by=("team",)))
    changes = w.team_changes(teams)
    north = one(changes, team="North")
    # February: North agency 1.0 of 5.9 FTE (16.95%); March: 1.8 of 5.9 (30.51%).
    assert north["agency_rate_1m"] == pytest.approx(100 / 5.9)
    assert north["change_1m"] == pytest.approx(100 * 0.8 / 5.9)
    # December: North agency 1.0 + 0.8 + 1.0 (vacant seat) + 0.6 (fixed-term post) = 3.4 of 6.9 FTE.
    assert north["agency_rate_3m"] == pytest.approx(100 * 3.4 / 6.9)
    # February: South agency 0.5 of 3.3 FTE (in post: 1.0 fixed-term manager + 1.0 + 0.8); March: none.
    assert one(changes, team="South")["change_1m"] == pytest.approx(-100 * 0.5 / 3.3)
    assert one(changes, team="East")["change_1m"] is None  # nobody in post either month
    assert w.rising_teams(changes, 1)["team"].to_list() == ["North"]
    assert w.rising_teams(changes, 3)["team"].to_list() == []  # North is lower than in December


def test_a_new_team_is_not_reported_as_rising() -> None:
    frame = pl.concat(
        [snapshot(FEB, MAIN[:2]), snapshot(MAR, [*MAIN[:2], ("West", "social_worker", "agency", 1.0, 5)])]
    )
    changes = w.team_changes(w.agency_rate(w.totals(frame, by=("team",))))
    assert one(changes, team="West")["change_1m"] is None
    assert w.rising_teams(changes)["team"].to_list() == []


# --- Projection ------------------------------------------------------------------------------------


def month_end(index: int) -> date:
    """The month end of month number `index` (year × 12 + month − 1)."""
    return parse_period(f"{index // 12}-{index % 12 + 1:02d}")


def monthly(values: list[float], last: date = MAR) -> pl.DataFrame:
    """An agency-rate series at consecutive month ends, ending at `last`."""
    first = last.year * 12 + last.month - len(values)
    return pl.DataFrame({"date": [month_end(first + i) for i in range(len(values))], "agency_rate": values})


def test_projection_of_a_perfectly_linear_series_is_the_line_itself() -> None:
    series = monthly([50 - 1.5 * i for i in range(12)])  # 50 in April 2023 ... 33.5 in March 2024
    p = w.project(series, months_ahead=6)
    assert p is not None
    assert p.slope == pytest.approx(-1.5)
    assert p.frame["date"].to_list() == [month_end(2024 * 12 + m) for m in range(3, 9)]  # April to September
    expected = [33.5 - 1.5 * k for k in range(1, 7)]  # 32.0 ... 24.5
    assert p.frame["projected"].to_list() == pytest.approx(expected)
    # No scatter about the line: the band collapses onto it.
    assert p.frame["lower"].to_list() == pytest.approx(expected)
    assert p.frame["upper"].to_list() == pytest.approx(expected)
    assert p.fitted["fitted"].to_list() == pytest.approx(series["agency_rate"].to_list())


def test_projection_uses_only_the_last_12_months() -> None:
    series = monthly([80.0] * 12 + [20 + 0.5 * i for i in range(12)])  # flat, then a clean rise
    p = w.project(series)
    assert p is not None and p.points == 12 and p.start == date(2023, 4, 30)
    assert p.frame["projected"][0] == pytest.approx(20 + 0.5 * 12)


def test_projection_band_is_the_80_percent_prediction_interval() -> None:
    import numpy as np

    values = [40.0, 42.0, 41.0, 44.0, 43.0, 46.0, 45.0, 47.0, 49.0, 48.0, 50.0, 51.0]
    p = w.project(monthly(values), months_ahead=3)
    assert p is not None
    # Independent check: numpy's least squares and the printed t-table value t(0.90, 10 df) = 1.372.
    x = np.arange(12.0)
    slope, intercept = np.polyfit(x, values, 1)
    s = np.sqrt(((np.array(values) - (intercept + slope * x)) ** 2).sum() / 10)
    x0 = 14.0  # three months after the last (x = 11)
    half = 1.372 * s * np.sqrt(1 + 1 / 12 + (x0 - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum())
    last = p.frame.row(-1, named=True)
    assert last["projected"] == pytest.approx(intercept + slope * x0)
    assert last["upper"] - last["projected"] == pytest.approx(half, rel=1e-3)
    assert last["projected"] - last["lower"] == pytest.approx(half, rel=1e-3)
    widths = (p.frame["upper"] - p.frame["lower"]).to_list()
    assert widths == sorted(widths)  # the band widens further ahead


def test_projection_is_kept_within_0_and_100_percent() -> None:
    p = w.project(monthly([30 - 5 * i for i in range(6)]), months_ahead=3)  # 30 ... 5, then below zero
    assert p is not None and p.frame["projected"].to_list() == [0.0, 0.0, 0.0]


def test_too_few_snapshots_give_no_projection() -> None:
    assert w.project(monthly([10, 11, 12, 13, 14])) is None
    six = w.project(monthly([10, 11, 12, 13, 14, 15]), months_ahead=2)
    # Six points on a line rising 1 a month (October 2023 to March 2024): fitted exactly, then 16 and 17.
    assert six is not None and (six.points, six.start, six.end) == (6, date(2023, 10, 31), MAR)
    assert six.slope == pytest.approx(1.0) and six.frame["projected"].to_list() == pytest.approx([16.0, 17.0])


@pytest.mark.parametrize(
    ("p", "df", "table"),
    [(0.9, 10, 1.3722), (0.975, 5, 2.5706), (0.9, 1, 3.0777), (0.95, 30, 1.6973), (0.995, 2, 9.9248)],
)
def test_t_quantile_matches_printed_tables(p: float, df: int, table: float) -> None:
    assert w.t_quantile(p, df) == pytest.approx(table, abs=1e-4)


# --- Targets ---------------------------------------------------------------------------------------


def fixed_projection(rows: list[tuple[date, float, float, float]]) -> w.Projection:
    frame = pl.DataFrame(rows, schema=["date", "projected", "lower", "upper"], orient="row")
    return w.Projection(MAR, MAR, 12, -1.0, 0.8, frame, pl.DataFrame({"date": [MAR], "fitted": [40.0]}))


def test_target_statuses() -> None:
    series = monthly([42.0, 40.0], last=MAR)  # February 42, March 40
    projection = fixed_projection(
        [
            (date(2024, 4, 30), 38.0, 36.0, 40.0),
            (date(2024, 5, 31), 37.0, 34.0, 40.0),
            (date(2024, 6, 30), 36.0, 32.0, 40.0),
            (date(2024, 7, 31), 35.0, 30.0, 40.0),
        ]
    )
    targets = {
        "2019-03": 20.0,  # no snapshot then
        "2024-02": 45.0,  # 42 <= 45: met
        "2024-03": 35.0,  # 40 > 35: missed
        "2024-04": 41.0,  # whole band (36-40) at or below: on track
        "2024-05": 30.0,  # whole band (34-40) above: off track
        "2024-06": 37.0,  # line 36 below, band reaches 40: likely but uncertain
        "2024-07": 33.0,  # line 35 above, band reaches 30: unlikely but possible
        "2024-12": 25.0,  # after the projection
    }
    table = w.target_table(series, targets, projection)
    assert table["status"].to_list() == [
        w.NO_FIGURE,
        w.MET,
        w.MISSED,
        w.ON_TRACK,
        w.OFF_TRACK,
        w.LIKELY,
        w.UNLIKELY,
        w.BEYOND,
    ]
    assert one(table, date=MAR)["actual"] == 40.0
    assert one(table, date=date(2024, 6, 30))["projected"] == 36.0


def test_a_target_equal_to_the_rate_is_met() -> None:
    table = w.target_table(monthly([35.0]), {"2024-03": 35.0}, None)
    assert table["status"].to_list() == [w.MET]


# --- Input checks ----------------------------------------------------------------------------------


GOOD = {
    "snapshot_date": "2024-03-31",
    "team": "North",
    "role": "social_worker",
    "contract": "permanent",
    "fte": "0.8",
    "caseload": "15",
}


def with_workforce(folder: Path, rows: list[dict], columns: list[str] = WORKFORCE_COLUMNS) -> Path:
    write_csv(folder / "workforce.csv", rows, columns)
    return folder


def test_unreadable_fte_names_file_column_and_row(folder: Path) -> None:
    with_workforce(folder, [GOOD, GOOD, {**GOOD, "fte": "full"}])
    with pytest.raises(InputError) as err:
        load_inputs(folder)
    assert err.value.file.endswith("workforce.csv")
    assert (err.value.column, err.value.rows) == ("fte", [4])
    assert "workforce.csv, row 4, column fte" in str(err.value) and "'full'" in str(err.value)


def test_unreadable_snapshot_date_names_file_column_and_row(folder: Path) -> None:
    with_workforce(folder, [GOOD, {**GOOD, "snapshot_date": "31/13/2024"}])
    with pytest.raises(InputError) as err:
        load_inputs(folder)
    assert (Path(err.value.file).name, err.value.column, err.value.rows) == ("workforce.csv", "snapshot_date", [3])


def test_missing_workforce_column_is_named(folder: Path) -> None:
    with_workforce(folder, [GOOD], [c for c in WORKFORCE_COLUMNS if c != "caseload"])
    with pytest.raises(InputError) as err:
        load_inputs(folder)
    assert Path(err.value.file).name == "workforce.csv" and err.value.column == "caseload"


@pytest.mark.parametrize(
    ("bad", "column"),
    [
        ({"contract": "locum"}, "contract"),
        ({"role": "wizard"}, "role"),
        ({"contract": None}, "contract"),
        ({"fte": "1.6"}, "fte"),
        ({"fte": None}, "fte"),
        ({"team": None}, "team"),
    ],
)
def test_codes_the_loader_lets_through_are_refused_before_any_figure(folder: Path, bad: dict, column: str) -> None:
    inputs = load_inputs(with_workforce(folder, [GOOD, GOOD, {**GOOD, **bad}]))
    with pytest.raises(InputError) as err:
        ws.prepare(inputs, "2024-03")
    assert Path(err.value.file).name == "workforce.csv"
    assert (err.value.column, err.value.rows) == (column, [4])


def test_no_workforce_file_means_the_section_is_not_shown(folder: Path, registered: None) -> None:
    inputs = load_inputs(folder)
    assert inputs.workforce is None
    assert ws.missing_input(inputs, "2024-03") == "a workforce snapshot (workforce.csv)"
    metrics = ws.section_metrics(inputs, "2024-03")
    assert metrics.height == 0 and metrics.columns == ["metric", "breakdown", "period", "value", "unit"]


def test_snapshots_only_after_the_period_mean_the_section_is_not_shown(folder: Path, registered: None) -> None:
    inputs = load_inputs(with_workforce(folder, [{**GOOD, "snapshot_date": "2024-04-30"}]))
    assert ws.missing_input(inputs, "2024-03") == "a workforce snapshot dated on or before 31 March 2024"
    assert ws.section_metrics(inputs, "2024-03").height == 0
    assert ws.missing_input(inputs, "2024-04") is None


# --- The section: prepare, headlines, metrics --------------------------------------------------------


def section_inputs(tmp_path: Path, workforce: pl.DataFrame, targets: dict[str, float] | None = None) -> Inputs:
    comparators = pl.DataFrame(
        {
            "metric": ["agency_rate", "agency_rate", "agency_rate", "cla_rate_per_10k"],
            "area": ["england", "england", "england", "england"],
            "period": [date(2022, 9, 30), date(2023, 9, 30), date(2024, 9, 30), date(2023, 3, 31)],
            "value": [17.6, 17.8, 16.2, 71.0],
            "source": ["DfE"] * 4,
        }
    )
    empty = pl.DataFrame()
    return Inputs(
        folder=tmp_path,
        authority=Authority("E0", "Testshire", targets={"agency_rate": targets or {}}),
        header=empty,
        episodes=empty,
        uasc=empty,
        population=None,
        comparators=comparators,
        workforce=workforce,
        permanence=None,
    )


def year_of_snapshots() -> pl.DataFrame:
    """Thirteen monthly snapshots, March 2023 to March 2024: MAIN, except that North's 1.0 agency post is
    permanent until the last month, so the all-role rate is 0.8/8.7 = 9.2% for 12 months and 1.8/8.7 in March."""
    calm = swap(MAIN, 4, "permanent")
    frames = [snapshot(month_end(2023 * 12 + 2 + i), calm) for i in range(12)]
    return pl.concat([*frames, snapshot(MAR, MAIN)]).with_columns(pl.int_range(2, pl.len() + 2).alias("_row"))


def test_prepare_and_headlines_from_known_numbers(tmp_path: Path) -> None:
    inputs = section_inputs(tmp_path, snapshot(MAR, MAIN), {"2024-03": 25.0, "2024-09": 15.0})
    wf = ws.prepare(inputs, "2024-03")
    assert wf.latest == MAR and wf.projection is None  # one snapshot: no trend to draw
    assert wf.comparator_rates["date"].to_list() == [date(2022, 9, 30), date(2023, 9, 30)]  # none after the period
    assert wf.team_latest["team"].to_list() == ["North", "South", "East"]  # highest rate first, empty team last
    assert wf.contracts["fte"].to_list() == pytest.approx([5.3, 1.6, 1.8, 3.5])
    assert ws.headlines(wf, "Testshire") == [
        "At 31 March 2024, agency workers made up 20.7% of Testshire's children's social workers, counted in "
        "full-time equivalents (FTE): 1.8 agency FTE against 6.9 FTE employed directly by the council.",
        "That compares with England (17.8% at 30 September 2023). The council's agency-rate target for March 2024 "
        "was 25.0%, which was met (the rate was 20.7%).",
        "There are too few recent monthly snapshots to project the agency rate, so whether the target will be met "
        "cannot be judged from the trend.",
        # Team-manager counts of 1 to 4 are suppressed, like every count in the pack.
        "c of c team-manager posts were filled by permanent managers, and the vacancy rate (posts without a "
        "directly employed worker, whether or not agency staff cover them) was 43.4%.",
        "Case-holding workers held 16.2 children each on average; 16.7% held more than 20.",
    ]


def test_headlines_compare_with_a_year_earlier_and_judge_the_next_target(tmp_path: Path) -> None:
    inputs = section_inputs(tmp_path, year_of_snapshots(), {"2024-09": 5.0})
    wf = ws.prepare(inputs, "2024-03")
    assert wf.projection is not None and wf.projection.points == 12
    sentences = ws.headlines(wf, "Testshire")
    assert sentences[0].endswith(", up 11.5 percentage points from 9.2% a year earlier.")
    # Fitted over the last 12 (April 2023 on): 11 flat months then a jump. The line rises, but a straight line
    # through a single jump stays below the latest figure, and the scatter makes the band wide.
    last = wf.projection.frame.row(-1, named=True)
    assert wf.projection.slope > 0 and 9.2 < last["projected"] < 20.7
    assert last["upper"] - last["lower"] > 10
    assert sentences[2] == (
        "On the recent trend (a straight line through the last 12 monthly snapshots), the agency rate would be about "
        f"{ws.pct(last['projected'])} by September 2024, with an 80% range of {ws.pct(last['lower'])} to "
        f"{ws.pct(last['upper'])}: the target of 5.0% by September 2024 would not be met on this trend, even at the "
        "bottom of the range."
    )


def test_projection_sentence_when_the_target_is_within_the_band(tmp_path: Path) -> None:
    inputs = section_inputs(tmp_path, year_of_snapshots())
    wf = ws.prepare(inputs, "2024-03")
    assert wf.projection is not None
    last = wf.projection.frame.row(-1, named=True)
    inside = (last["projected"] + last["upper"]) / 2  # above the line, below the top of the band
    wf = ws.prepare(section_inputs(tmp_path, year_of_snapshots(), {"2024-09": inside}), "2024-03")
    assert ws.projection_sentence(wf).endswith(
        "would just be met on this trend, but the range includes rates above it, so it is not certain."
    )
    wf = ws.prepare(section_inputs(tmp_path, year_of_snapshots(), {"2025-09": 10.0}), "2024-03")
    assert ws.projection_sentence(wf).endswith(
        "The next target, 10.0% by September 2025, is further ahead than the projection reaches."
    )


def test_rising_note_names_the_teams(tmp_path: Path) -> None:
    wf = ws.prepare(section_inputs(tmp_path, history()), "2024-03")
    assert ws.rising_note(wf).startswith(
        "Agency rate rose over the last month: North. Rose over the last three months: none."
    )
    assert wfig.rising_table(wf)["frame"]["team"].to_list() == ["North"]


def test_section_metrics(tmp_path: Path, registered: None) -> None:
    metrics = ws.section_metrics(section_inputs(tmp_path, history()), "2024-03")

    def value(metric: str, breakdown: str = "all", period: str = "2024-03-31") -> float | None:
        rows = metrics.filter(metric=metric, breakdown=breakdown, period=period)
        return rows["value"][0] if rows.height else None

    assert value("agency_rate") == pytest.approx(100 * 1.8 / 8.7)
    assert value("agency_rate", "team:North") == pytest.approx(100 * 1.8 / 5.9)
    assert value("agency_rate", "team:South") == 0.0
    assert value("agency_rate", "team:East") is None  # nobody in post: no rate written
    assert value("agency_rate", period="2024-02-29") == pytest.approx(100 * 1.5 / 9.2)  # 1.0 + 0.5 of 7.7 + 1.5
    assert value("agency_fte") == pytest.approx(1.8)
    assert value("permanent_fte") == pytest.approx(5.3)
    assert value("fixed_term_fte") == pytest.approx(1.6)
    assert value("fixed_term_posts") == 2
    assert value("vacancy_rate") == pytest.approx(100 * 5.3 / 12.2)
    assert value("vacancy_rate", "team:East") == 100.0
    assert value("permanent_team_managers") == 1
    assert value("team_manager_posts") == 3
    assert value("caseload_over_threshold_share") == pytest.approx(100 / 6)
    assert value("caseload_median", "team:North") == 18.0
    units = dict(metrics.select("metric", "unit").unique().iter_rows())
    assert units["agency_rate"] == "percent" and units["agency_fte"] == "fte"
    assert units["permanent_team_managers"] == "count"
    assert set(metrics["metric"]) == {m.id for m in definitions.WORKFORCE_METRICS}


def test_metric_entries_are_complete() -> None:
    ids = [m.id for m in definitions.WORKFORCE_METRICS]
    assert len(ids) == len(set(ids))
    registry = definitions.METRICS
    assert all(replace(registry[m.id], computed_by=m.computed_by) == m for m in definitions.WORKFORCE_METRICS)
    for m in definitions.WORKFORCE_METRICS:
        assert m.definition and m.source and m.period == "date" and m.better in {"lower", "higher", "neutral"}
    assert set(ws.DEFINED) <= set(ids)


def test_figures_build_with_text_alternatives(tmp_path: Path) -> None:
    wf = ws.prepare(section_inputs(tmp_path, year_of_snapshots(), {"2024-09": 5.0}), "2024-03")
    figures = [
        wfig.agency_rate_figure(wf, "Testshire"),
        wfig.projection_figure(wf),
        wfig.team_figure(wf),
        wfig.posts_figure(wf),
        wfig.contracts_figure(wf),
        wfig.team_managers_figure(wf),
        wfig.caseload_figure(wf),
        wfig.caseload_teams_figure(wf),
    ]
    for fig in figures:
        assert fig.alt and fig.chart.to_dict()
    assert "East: nobody in post" in figures[2].alt
    assert "North median 18, highest 22" in figures[7].alt


def test_notebook_without_workforce_says_so_and_runs_to_the_end(folder: Path, tmp_path: Path) -> None:
    import nbformat
    import papermill as pm

    from analysis.core import paths

    out = tmp_path / "out.ipynb"
    pm.execute_notebook(
        str(paths.NOTEBOOKS / "03_workforce.ipynb"),
        str(out),
        parameters={"data_dir": str(folder), "period": "2024-03"},
        kernel_name="python3",
        cwd=str(paths.NOTEBOOKS),
        progress_bar=False,
    )
    cells = nbformat.read(out, as_version=4).cells
    html = "".join(str(o.get("data", {}).get("text/html", "")) for c in cells for o in c.get("outputs", []))
    assert "The workforce section is not shown" in html
    assert "a workforce snapshot (workforce.csv)" in html
    assert "Headlines" not in html
