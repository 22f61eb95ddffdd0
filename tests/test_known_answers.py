"""Every metric id with a known answer, on one small hand-made input folder, through metrics.csv's rows.

The folder (`answers`) holds two 903 returns (2023 and 2024: coverage from 1 April 2022), a UASC
table, a workforce snapshot and a permanence tracker, built from the children's histories below.
`sections.all_metrics` is run once for the review period 2024-03 and each test reads the rows one
metric gives, so the definition, the metric id, the breakdown and the period label are all checked.
The arithmetic is in the comments. `test_every_metric_id_is_named_by_a_test` fails when
`definitions.METRICS` gains an id that no test names.

The children (every episode is a full history; the returns are cut from them):

    RH01-RH06  C2, placed with parents (P1) from 01/01/2022; home by E4A on 15/06/2022; back in care
               (section 20, V2) on 15/09/2022, leaving again by E8 on 15/10/2022
    RS01-RS06  the same first period, and no return to care
    S1         C2 from 01/01/2023; SGO to former foster carers who are relatives (E45) on 10/06/2023
    S2         C1 (interim care order) from 01/02/2023; child arrangements order (E41) on 15/07/2023
    A1         C2 from 01/04/2022; placement order (E1) from 01/02/2023 (X1); adopted (E11) 01/11/2023
    H1         C2 placed with parents from 01/01/2023, still in care
    H2         C1 placed with parents from 01/10/2023, still in care
    U1         section 20 from 01/09/2023, still in care; an unaccompanied asylum-seeking child
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from factories import child, episode, write_csv

from analysis.core.definitions import METRICS
from analysis.core.disclosure import set_policy
from analysis.core.suppression import DEFAULT, Policy
from analysis.load.inputs import PERMANENCE_COLUMNS, WORKFORCE_COLUMNS, load_inputs
from analysis.load.ssda903 import EPISODE_COLUMNS, HEADER_COLUMNS, UASC_COLUMNS
from analysis.sections.registry import all_metrics

PERIOD = "2024-03"
def histories() -> list[dict]:
    rows = []
    for i in range(1, 7):
        for kind in ("RH", "RS"):
            name = f"{kind}{i:02d}"
            rows.append(episode(name, "01/01/2022", "15/06/2022", ls="C2", place="P1", rec="E4A"))
            if kind == "RH":
                rows.append(episode(name, "15/09/2022", "15/10/2022", ls="V2", place="U1", rec="E8"))
    rows += [
        episode("S1", "01/01/2023", "10/06/2023", ls="C2", place="U1", rec="E45"),
        episode("S2", "01/02/2023", "15/07/2023", ls="C1", place="U1", rec="E41"),
        episode("A1", "01/04/2022", "01/02/2023", ls="C2", place="U1", rec="X1"),
        episode("A1", "01/02/2023", "01/11/2023", rne="L", ls="E1", place="A4", rec="E11"),
        episode("H1", "01/01/2023", ls="C2", place="P1"),
        episode("H2", "01/10/2023", ls="C1", place="P1"),
        episode("U1", "01/09/2023", ls="V2", place="U1"),
    ]
    return rows


def cut_return(rows: list[dict], year: int) -> list[dict]:
    """The episodes a return for the year ending 31 March `year` holds, as it would hold them then."""
    first, last = date(year - 1, 4, 1), date(year, 3, 31)
    out = []
    for r in rows:
        decom = _day(r["DECOM"])
        dec = _day(r["DEC"]) if r["DEC"] else None
        if decom > last or (dec is not None and dec < first):
            continue
        out.append({**r, "DEC": None, "REC": None} if dec is not None and dec > last else r)
    return out


def _day(text: str) -> date:
    d, m, y = text.split("/")
    return date(int(y), int(m), int(d))


def workforce_rows() -> list[dict]:
    posts = [
        ("Children in care", "social_worker", "permanent", "1.0", "15"),
        ("Children in care", "social_worker", "agency", "0.8", "18"),
        ("Children in care", "senior_practitioner", "fixed_term", "0.6", "10"),
        ("Children in care", "team_manager", "agency", "1.0", ""),
        ("Children in care", "social_worker", "vacant", "1.0", ""),
    ]
    return [dict(zip(WORKFORCE_COLUMNS, ("2024-03-31", *p), strict=True)) for p in posts]


def tracker_rows() -> list[dict]:
    blank = dict.fromkeys(PERMANENCE_COLUMNS)
    rows = []
    for k in range(1, 11):  # ten SGOs made in July 2023, each through every stage
        rows.append(
            {
                **blank,
                "child_id": f"SO{k:02d}",
                "route": "special_guardianship_order",
                "identified_date": "2023-01-02",
                "assessing_date": "2023-02-01",
                "assessment_complete_date": "2023-04-03",
                "assessment_outcome": "positive",
                "carers_agree": "yes",
                "sent_to_legal_date": "2023-05-02",
                "filed_with_court_date": "2023-05-15",
                "outcome": "order_made",
                "outcome_date": f"2023-07-{k:02d}",
                "planned_application_month": "2023-04" if k <= 6 else "2023-05",
                "support_plan": "yes" if k <= 5 else "no",
            }
        )
    sgo = {**blank, "route": "special_guardianship_order"}
    home = {**blank, "route": "discharge_to_parents"}
    rows += [
        {**sgo, "child_id": "SO11", "identified_date": "2023-06-01", "assessing_date": "2023-07-01",
         "planned_application_month": "2024-05"},
        {**sgo, "child_id": "SO12", "identified_date": "2024-02-01"},
        {**home, "child_id": "H1", "identified_date": "2023-03-01", "assessing_date": "2023-04-01"},
        {**home, "child_id": "H2", "identified_date": "2024-03-01"},
    ]  # fmt: skip
    return rows


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("answers")
    from factories import LA_TOML

    (root / "la.toml").write_text(LA_TOML, encoding="utf-8")
    rows = histories()
    children = sorted({r["CHILD"] for r in rows})
    for year in (2023, 2024):
        cut = cut_return(rows, year)
        write_csv(root / f"ssda903/{year}/episodes.csv", cut, EPISODE_COLUMNS)
        write_csv(root / f"ssda903/{year}/header.csv", [child(c) for c in children], HEADER_COLUMNS)
    write_csv(
        root / "ssda903/2024/uasc.csv", [{"CHILD": "U1", "SEX": "1", "DOB": "01/01/2008", "DUC": None}], UASC_COLUMNS
    )
    population = [
        {"la_code": "E06000019", "mid_year": str(y), "population_0_17": "10000", "source": "test"}
        for y in range(2018, 2025)
    ]
    write_csv(root / "context/population.csv", population, ["la_code", "mid_year", "population_0_17", "source"])
    write_csv(root / "workforce.csv", workforce_rows(), WORKFORCE_COLUMNS)
    write_csv(root / "permanence.csv", tracker_rows(), PERMANENCE_COLUMNS)
    return root


@pytest.fixture(scope="module")
def rows(answers: Path) -> pl.DataFrame:
    return all_metrics(load_inputs(answers), PERIOD)


def values(rows: pl.DataFrame, metric: str, breakdown: str = "all") -> dict[str, float]:
    """{period: value} for one metric and breakdown, zero values left out."""
    found = rows.filter((pl.col("metric") == metric) & (pl.col("breakdown") == breakdown))
    return {p: v for p, v in found.select("period", "value").iter_rows() if v}


def test_every_metric_id_is_named_by_a_test() -> None:
    sources = "\n".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    named = set(re.findall(r"[\"']([a-z0-9_]+)[\"']", sources))
    assert sorted(set(METRICS) - named) == []


def test_the_returns_are_cut_as_a_council_would_submit_them(answers: Path) -> None:
    # A1's adoption (01/11/2023) is after the 2023 return: that return shows the E1 episode open.
    text = (answers / "ssda903/2023/episodes.csv").read_text()
    assert "A1,01/02/2023,L,E1,N1,A4,PR1,,," in text and "RH01,15/09/2022" in text
    assert "H2" not in text  # H2 came into care after 31 March 2023


# --- Children in care ----------------------------------------------------------------------------


def test_cla_rate_excl_uasc_per_10k(rows: pl.DataFrame) -> None:
    # At 31/03/2024 in care: H1, H2, U1 = 3; U1 is UASC; population 10,000.
    # cla_rate_per_10k = 3 / 10,000 x 10,000 = 3.0; excluding UASC = (3 - 1) / 10,000 x 10,000 = 2.0.
    assert values(rows, "cla_count")["2024-03-31"] == 3
    assert values(rows, "cla_uasc_count")["2024-03-31"] == 1
    assert values(rows, "cla_rate_per_10k")["2024-03-31"] == pytest.approx(3.0)
    assert values(rows, "cla_rate_excl_uasc_per_10k")["2024-03-31"] == pytest.approx(2.0)
    # At 31/08/2023, before U1 came: H1 and A1 = 2, no UASC, so both rates are 2.0.
    assert values(rows, "cla_rate_excl_uasc_per_10k")["2023-08-31"] == pytest.approx(2.0)
    assert values(rows, "cla_rate_per_10k")["2023-08-31"] == pytest.approx(2.0)


def test_cla_counts_flows_and_routes_at_their_months(rows: pl.DataFrame) -> None:
    # 31/05/2022: the twelve RH/RS children and A1 = 13. 30/06/2022: the twelve went home on 15 June: A1 = 1.
    counts = values(rows, "cla_count")
    assert (counts["2022-05-31"], counts["2022-06-30"], counts["2022-09-30"]) == (13, 1, 7)  # + RH01-06 in Sep
    # June 2022: 12 ceased, all returned home. September 2022: the six RH children start again.
    assert values(rows, "cla_ceased")["2022-06"] == 12 and values(rows, "cla_ceased", "returned_home")["2022-06"] == 12
    assert values(rows, "cla_starts")["2022-09"] == 6 and values(rows, "cla_ceased", "other")["2022-10"] == 6
    # 2023: S1 SGO in June, S2 CAO in July, A1 adopted in November.
    assert values(rows, "cla_ceased", "special_guardianship_order") == {"2023-06": 1}
    assert values(rows, "cla_ceased", "child_arrangements_order") == {"2023-07": 1}
    assert values(rows, "cla_ceased", "adoption") == {"2023-11": 1}


# --- Care order discharges ---------------------------------------------------------------------------


def test_care_order_discharges(rows: pl.DataFrame) -> None:
    # New definition: full care orders (C2) ending by reunification, SGO or CAO. June 2022: the twelve RH/RS (C2,
    # E4A); June 2023: S1 (C2, E45). Not S2 (C1 interim order, CAO) and not A1 (adoption from a placement order).
    assert values(rows, "care_order_discharges") == {"2022-06": 12, "2023-06": 1}
    assert values(rows, "care_order_discharges", "special_guardianship_order") == {"2023-06": 1}
    assert values(rows, "care_order_discharges", "child_arrangements_order") == {}
    assert values(rows, "interim_care_order_ended") == {"2023-07": 1}


def test_care_order_discharges_12m(rows: pl.DataFrame) -> None:
    # New definition: April 2023 to March 2024 holds S1 only (C2, SGO) = 1; S2 (C1) and A1 (adoption) are not counted.
    sums = values(rows, "care_order_discharges_12m")
    assert sums["2023-03"] == 12 and sums["2024-03"] == 1
    assert values(rows, "care_order_discharges_12m", "special_guardianship_order")["2024-03"] == 1
    assert "2024-03" not in values(rows, "care_order_discharges_12m", "child_arrangements_order")


def test_reunification_reentry_12m_count(rows: pl.DataFrame) -> None:
    # The twelve reunified on 15/06/2022 are in the 12-month cohorts ending 2023-03, 2023-04 and 2023-05 (earlier
    # cohorts would begin before the returns do). Six (RH) came back on 15/09/2022, within 12 months: 6.
    # Each of these cohorts is complete: every follow-up ended 15/06/2023, before the returns end (31/03/2024).
    expected = {"2023-03": 6, "2023-04": 6, "2023-05": 6}
    assert values(rows, "reunification_reentry_12m_count") == expected
    assert values(rows, "reunification_reentry_12m_count", "all_returns_home") == expected
    # The rate: 6 / (6 + 6) x 100 = 50%.
    assert values(rows, "reunification_reentry_12m_rate") == {"2023-03": 50.0, "2023-04": 50.0, "2023-05": 50.0}


def test_care_order_discharge_reentry_12m_rate(rows: pl.DataFrame) -> None:
    # The same twelve are every care order discharge in those cohorts: 6 back / 12 followed = 50%, all and
    # reunification. The cohort ending 2023-06 holds S1 (10/06/2023), still inside its 12 months at 31/03/2024:
    # not complete, so not written; SGO, CAO and adoption never have a complete cohort of 5 or more.
    expected = {"2023-03": 50.0, "2023-04": 50.0, "2023-05": 50.0}
    assert values(rows, "care_order_discharge_reentry_12m_rate") == expected
    assert values(rows, "care_order_discharge_reentry_12m_rate", "reunification") == expected
    assert values(rows, "care_order_discharge_reentry_12m_rate", "special_guardianship_order") == {}


def test_placed_with_parents_care_order(rows: pl.DataFrame) -> None:
    # 31/05/2022: the twelve RH/RS children, C2 and P1 since 01/01/2022 (4 months): 12, none 12 months or more.
    # 31/12/2023: H1 (C2, P1 since 01/01/2023: 11 months 30 days) and H2 (C1, since 01/10/2023): 2, none 12 months.
    # 31/01/2024: H1 has been home 12 months: 1. 31/03/2024: 2, and 1 home 12 months or more.
    at = values(rows, "placed_with_parents_care_order")
    longer = values(rows, "placed_with_parents_care_order", "home_12m_or_more")
    assert (at["2022-05-31"], at["2023-12-31"], at["2024-03-31"]) == (12, 2, 2)
    assert "2023-12-31" not in longer and longer["2024-01-31"] == 1 and longer["2024-03-31"] == 1
    assert "2022-05-31" not in longer


def test_discharge_pipeline_count_and_stuck(rows: pl.DataFrame) -> None:
    # At 31/03/2024: H1 assessing since 01/04/2023 (365 days > 180: stuck); H2 identified 01/03/2024 (30 days).
    assert values(rows, "discharge_pipeline_count")["2024-03-31"] == 2
    assert values(rows, "discharge_pipeline_count", "assessing")["2024-03-31"] == 1
    assert values(rows, "discharge_pipeline_stuck")["2024-03-31"] == 1
    assert values(rows, "discharge_pipeline_stuck", "assessing")["2024-03-31"] == 1
    assert "2024-03-31" not in values(rows, "discharge_pipeline_stuck", "identified")
    # 30/09/2023: H1 assessing since 01/04/2023 = 182 days: stuck already. 31/08/2023: 152 days, not stuck.
    assert values(rows, "discharge_pipeline_stuck")["2023-09-30"] == 1
    assert "2023-08-31" not in values(rows, "discharge_pipeline_stuck")


# --- Workforce ---------------------------------------------------------------------------------------


def test_agency_rate_case_holding(rows: pl.DataFrame) -> None:
    # Practitioners only: agency 0.8 / (0.8 agency + 1.0 permanent + 0.6 fixed-term) = 0.8 / 2.4 = 33.33%.
    # With the agency team manager (every role): 1.8 / (1.8 + 1.6) = 52.94%.
    assert values(rows, "agency_rate_case_holding")["2024-03-31"] == pytest.approx(100 * 0.8 / 2.4)
    assert values(rows, "agency_rate")["2024-03-31"] == pytest.approx(100 * 1.8 / 3.4)


# --- SGO pipeline ------------------------------------------------------------------------------------


def test_sgo_orders_tracker(rows: pl.DataFrame) -> None:
    # Ten orders made on 1-10 July 2023; months are written from the tracker's first plan (January 2023).
    orders = rows.filter(pl.col("metric") == "sgo_orders_tracker")
    assert values(rows, "sgo_orders_tracker") == {"2023-07": 10}
    assert orders["period"].min() == "2023-01" and orders["period"].max() == PERIOD


def test_sgo_pipeline_count_and_stuck(rows: pl.DataFrame) -> None:
    # At 31/03/2024: SO11 assessing since 01/07/2023 (274 days > 180: stuck), SO12 identified 01/02/2024 (59 days).
    assert values(rows, "sgo_pipeline_count")["2024-03-31"] == 2
    assert values(rows, "sgo_pipeline_count", "identified")["2024-03-31"] == 1
    assert values(rows, "sgo_pipeline_stuck")["2024-03-31"] == 1
    assert values(rows, "sgo_pipeline_stuck", "assessing")["2024-03-31"] == 1
    # 31/12/2023: SO11 assessing 183 days: stuck. 31/12/2023 is before SO12, so 1 open plan.
    assert (
        values(rows, "sgo_pipeline_count")["2023-12-31"] == 1 and values(rows, "sgo_pipeline_stuck")["2023-12-31"] == 1
    )
    # 30/04/2023: the ten at assessment_complete (since 03/04/2023, 27 days): 10 open, none stuck.
    assert values(rows, "sgo_pipeline_count", "assessment_complete")["2023-04-30"] == 10
    assert "2023-04-30" not in values(rows, "sgo_pipeline_stuck")


def test_sgo_stage_median_days(rows: pl.DataFrame) -> None:
    # Spells begun since 31/03/2022, open ones censored at 31/03/2024 (Kaplan-Meier):
    # identified: eleven finished at 30 days (SO01-SO10, SO11), SO12 open 59 days: median 30.
    # assessing: ten finished at 61 days (01/02 to 03/04/2023), SO11 open 274 days: after 61 days 1/11 wait: 61.
    # assessment_complete: 03/04 to 02/05/2023 = 29 days. with_legal: 02/05 to 15/05/2023 = 13 days.
    # filed_with_court: 15/05/2023 to the order on 1-10 July = 47..56 days: half have their order by 51.
    stages = rows.filter(pl.col("metric") == "sgo_stage_median_days")
    medians = dict(stages.select("breakdown", "value").iter_rows())
    assert medians == {
        "identified": 30, "assessing": 61, "assessment_complete": 29, "with_legal": 13, "filed_with_court": 51,
    }  # fmt: skip
    assert set(rows.filter(pl.col("metric") == "sgo_stage_median_days")["period"]) == {"2024-03-31"}


def test_sgo_plan_to_order_median_days(rows: pl.DataFrame) -> None:
    # Identified 02/01/2023, orders 1-10 July 2023: 180..189 days; median of ten = (184 + 185) / 2 = 184.5.
    # Written for the quarters whose four quarters hold the orders: to September 2023, December 2023, March 2024.
    assert values(rows, "sgo_plan_to_order_median_days") == {"2023-09": 184.5, "2023-12": 184.5, "2024-03": 184.5}


def test_sgo_applications_sent_and_planned(rows: pl.DataFrame) -> None:
    # Sent to legal: all ten on 02/05/2023. Planned: six for April 2023, four for May 2023, SO11 for May 2024 (ahead).
    assert values(rows, "sgo_applications_sent") == {"2023-05": 10}
    sent = rows.filter(pl.col("metric") == "sgo_applications_sent")["period"]
    assert sent.max() == PERIOD  # no application is written for a month after the review
    assert values(rows, "sgo_applications_planned") == {"2023-04": 6, "2023-05": 4, "2024-05": 1}


def test_sgo_support_plan_share(answers: Path, rows: pl.DataFrame) -> None:
    # Orders in the 12 months to March 2024 with an answer: 5 yes, 5 no: 5 / 10 x 100 = 50%. Under the default
    # disclosure policy (1 to 5 hidden) the share would reveal the 5s, so it is not written; with 1 to 4 it is.
    assert values(rows, "sgo_support_plan_share") == {}
    try:
        set_policy(Policy(threshold=4))
        assert values(all_metrics(load_inputs(answers), PERIOD), "sgo_support_plan_share") == {PERIOD: 50.0}
    finally:
        set_policy(DEFAULT)


# --- Labels: every row's period is written as its definition says, none after the review -----------------


def test_every_period_is_labelled_as_its_definition_says(rows: pl.DataFrame) -> None:
    for metric, period in rows.select("metric", "period").unique().iter_rows():
        pattern = {"date": r"\d{4}-\d{2}-\d{2}", "year": r"\d{4}/\d{2}"}.get(METRICS[metric].period, r"\d{4}-\d{2}")
        assert re.fullmatch(pattern, period), (metric, period)
        if METRICS[metric].period == "year":  # "2022/23" is the year to 31 March 2023
            assert int(period[:4]) + 1 == 2000 + int(period[5:]) or period[5:] == "00", (metric, period)
    yearly = pl.col("period").str.contains("/")
    looked_back = rows.filter(~pl.col("metric").is_in(["sgo_applications_planned"]) & ~yearly)
    assert looked_back["period"].str.slice(0, 7).max() == PERIOD
    # The review is March 2024: the latest whole collection year is 2023/24, none after it.
    assert rows.filter(yearly)["period"].max() == "2023/24"


def test_all_metrics_is_every_section_combined_and_sorted(rows: pl.DataFrame) -> None:
    assert rows.columns == ["metric", "breakdown", "period", "value", "unit"]
    assert rows.equals(rows.sort(["metric", "breakdown", "period"]))
    assert rows.select("metric", "breakdown", "period").is_duplicated().sum() == 0
    assert {m: u for m, u in rows.select("metric", "unit").unique().iter_rows()} == {
        m: METRICS[m].unit for m in rows["metric"].unique()
    }


# --- The functions the figures depend on -----------------------------------------------------------


def test_tidy_writes_dates_for_point_in_time_metrics_and_months_for_flows() -> None:
    from analysis.metrics.tidy import tidy

    frame = pl.DataFrame({"date": [date(2024, 2, 29), date(2024, 3, 31)], "n": [7, 8], "g": [1, 2]})
    point = tidy(frame, "cla_count", "n")
    assert point.rows() == [
        ("cla_count", "all", "2024-02-29", 7.0, "count"),
        ("cla_count", "all", "2024-03-31", 8.0, "count"),
    ]
    flow = tidy(frame, "cla_starts", "n", breakdown="g")
    assert flow["period"].to_list() == ["2024-02", "2024-03"] and flow["breakdown"].to_list() == ["1", "2"]
    assert tidy(frame, "cla_rate_per_10k", "n")["unit"].to_list() == ["per_10k", "per_10k"]
    text = pl.DataFrame({"quarter": ["2023-09"], "v": [1.5]})
    assert tidy(text, "sgo_plan_to_order_median_days", "v", period="quarter").row(0)[2:4] == ("2023-09", 1.5)
    with pytest.raises(KeyError):
        tidy(frame, "no_such_metric", "n")


def test_combine_stacks_and_sorts_and_an_empty_list_gives_the_columns() -> None:
    from analysis.metrics.tidy import SCHEMA, combine, tidy

    a = tidy(pl.DataFrame({"date": [date(2024, 3, 31)], "n": [2]}), "cla_count", "n")
    b = tidy(pl.DataFrame({"date": [date(2024, 1, 31), date(2023, 12, 31)], "n": [5, 4]}), "agency_fte", "n")
    both = combine([a, b])
    assert both.select("metric", "period").rows() == [
        ("agency_fte", "2023-12-31"),
        ("agency_fte", "2024-01-31"),
        ("cla_count", "2024-03-31"),
    ]
    empty = combine([])
    assert empty.height == 0 and empty.schema == pl.Schema(SCHEMA)


def _frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows)


def test_latest_per_child_takes_the_latest_return_then_the_later_row() -> None:
    from analysis.load.ssda903 import latest_per_child

    frame = _frame(
        [
            {"CHILD": "B", "SEX": "1", "_year": 2024},
            {"CHILD": "A", "SEX": "1", "_year": 2024},  # the 2024 return wins over 2023's, which comes later in order
            {"CHILD": "A", "SEX": "2", "_year": 2023},
            {"CHILD": "B", "SEX": "2", "_year": 2024},  # same return: the later row wins
        ]
    )
    assert latest_per_child(frame).select("CHILD", "SEX").rows() == [("A", "1"), ("B", "2")]


def test_merge_children_counts_rows_read_and_children_kept() -> None:
    from analysis.load.ssda903 import MergeReport, merge_children

    report = MergeReport()
    frame = _frame(
        [
            {"CHILD": "A", "DOB": "x", "_year": 2023},
            {"CHILD": "A", "DOB": "y", "_year": 2024},
            {"CHILD": "C", "DOB": "z", "_year": 2023},
        ]
    )
    kept = merge_children(frame, report)
    assert kept.select("CHILD", "DOB").rows() == [("A", "y"), ("C", "z")]
    assert (report.header_rows_read, report.children_kept) == (3, 2)
    merge_children(frame, report)  # a second call adds to the counts
    assert (report.header_rows_read, report.children_kept) == (6, 4)


def test_merge_uasc_keeps_one_row_per_child_and_passes_an_empty_table() -> None:
    from analysis.load.ssda903 import merge_uasc

    frame = _frame(
        [
            {"CHILD": "U", "DUC": None, "_year": 2023},
            {"CHILD": "U", "DUC": "2024-01-01", "_year": 2024},
        ]
    )
    assert merge_uasc(frame).rows() == [("U", "2024-01-01", 2024)]
    empty = frame.head(0)
    assert merge_uasc(empty).height == 0 and merge_uasc(empty).columns == frame.columns


def test_pipeline_and_stage_metrics(answers: Path) -> None:
    from analysis.sections.pipeline_section import pipeline_metrics, prepare_pipeline, stage_metrics

    tracker = load_inputs(answers).permanence
    p = prepare_pipeline(tracker, "special_guardianship_order", date(2024, 3, 31), threshold=180, months=3)
    out = pipeline_metrics(p, "sgo_pipeline_count", "sgo_pipeline_stuck")
    at_end = out.filter((pl.col("period") == "2024-03-31") & (pl.col("breakdown") == "all"))
    assert at_end.select("metric", "value").rows() == [("sgo_pipeline_count", 2.0), ("sgo_pipeline_stuck", 1.0)]
    assert sorted(out["period"].unique()) == ["2024-01-31", "2024-02-29", "2024-03-31"]
    # SO12 identified 01/02/2024: not open at 31/01/2024, so one open plan then (SO11).
    assert out.filter(
        (pl.col("period") == "2024-01-31") & (pl.col("breakdown") == "all") & (pl.col("metric") == "sgo_pipeline_count")
    )["value"].to_list() == [1.0]
    stages = stage_metrics(p, "sgo_stage_median_days")
    assert dict(stages.select("breakdown", "value").iter_rows())["assessing"] == 61
    assert set(stages["period"]) == {"2024-03-31"} and set(stages["unit"]) == {"days"}


def test_monthly_orders_counts_each_month_and_none_before_the_start() -> None:
    from analysis.metrics.permanence_applications import monthly_orders

    orders = pl.DataFrame({"order_date": [date(2024, 1, 5), date(2024, 1, 31), date(2024, 3, 1), date(2023, 6, 1)]})
    out = monthly_orders(orders, date(2024, 3, 31), 4, start=date(2024, 1, 15))
    # The months from January 2024 (the month holding the start) to March: 2, 0, 1; December 2023 is before it.
    assert out.rows() == [(date(2024, 1, 31), 2), (date(2024, 2, 29), 0), (date(2024, 3, 31), 1)]
    assert monthly_orders(orders, date(2024, 3, 31), 4)["orders"].to_list() == [0, 2, 0, 1]


def test_value_on_is_the_value_at_exactly_that_date() -> None:
    from analysis.metrics.scorecard import value_on

    frame = pl.DataFrame({"date": [date(2024, 1, 31), date(2024, 3, 31)], "value": [10.0, 12.0]})
    assert value_on(frame, date(2024, 3, 31)) == 12.0
    assert value_on(frame, date(2024, 2, 29)) is None  # no carrying forward of January
    assert value_on(frame, None) is None


def test_parse_dates_reads_both_formats_leap_days_and_names_the_bad_row(tmp_path: Path) -> None:
    from analysis.core.errors import InputError
    from analysis.load.readers import parse_dates

    raw = pl.DataFrame({"d": ["29/02/2024", "2023-12-31", None], "_row": [2, 3, 4]})
    assert parse_dates(raw, ["d"], tmp_path / "f.csv")["d"].to_list() == [date(2024, 2, 29), date(2023, 12, 31), None]
    for bad, why in [("29/02/2023", "not a leap year"), ("31/04/2024", "30 days"), ("01/06/23", "two-digit year"),
                     ("06/13/2024", "US order")]:  # fmt: skip
        frame = pl.DataFrame({"d": ["01/01/2024", bad], "_row": [2, 3]})
        with pytest.raises(InputError) as raised:
            parse_dates(frame, ["d"], tmp_path / "f.csv")
        assert raised.value.rows == [3] and raised.value.column == "d", why
        assert "f.csv" in str(raised.value) and bad in str(raised.value)
