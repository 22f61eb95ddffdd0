"""Scorecard logic: direction and RAG for both polarities, comparators, targets, sentences."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from analysis.metrics.scorecard import Measure, direction, rag, scorecard, series, target_for

COMMISSIONER = "[DFE-COMMISSIONER-2023-12]"


@pytest.mark.parametrize(
    ("now", "before", "better", "expected"),
    [
        (105, 112, "lower", ("↓", "improving")),  # CLA rate falling ([DFE-COMMISSIONER-2023-12]: 112) is good
        (115, 112, "lower", ("↑", "worse")),
        (40.2, 47.9, "lower", ("↓", "improving")),  # agency share falling
        (13, 10, "higher", ("↑", "improving")),  # permanent team managers ([DFE-COMMISSIONER-2023-12]: 13 of 19)
        (8, 10, "higher", ("↓", "worse")),
        (112.4, 112, "lower", ("→", "no real change")),  # within a point
        (120, 100, "neutral", ("↑", "up")),
        (100, None, "lower", ("–", "no earlier figure")),
    ],
)
def test_direction_both_polarities(now: float, before: float | None, better: str, expected: tuple[str, str]) -> None:
    unit = "per_10k" if better != "higher" else "count"
    assert direction(now, before, better, unit) == expected


@pytest.mark.parametrize(
    ("value", "target", "better", "expected"),
    [
        (30.0, 35.0, "lower", "Green"),  # agency rate under a 35% target
        (37.0, 35.0, "lower", "Amber"),  # within 10% of the target
        (40.2, 35.0, "lower", "Red"),
        (17.0, 17.0, "higher", "Green"),
        (16.0, 17.0, "higher", "Amber"),
        (13.0, 17.0, "higher", "Red"),
        (13.0, None, "higher", "Not rated"),
        (13.0, 17.0, "neutral", "Not rated"),
    ],
)
def test_rag_both_polarities(value: float, target: float | None, better: str, expected: str) -> None:
    assert rag(value, target, better) == expected


def test_target_for_takes_the_latest_target_due() -> None:
    trajectory = {"2023-09": 45.0, "2024-03": 35.0, "2024-09": 25.0}
    assert target_for(trajectory, "2024-03") == ("2024-03", 35.0)
    assert target_for(trajectory, "2024-01") == ("2023-09", 45.0)
    assert target_for(trajectory, "2023-01") is None


def _metrics(rows: list[tuple[str, str, str, float]]) -> pl.DataFrame:
    schema = {"metric": pl.String, "breakdown": pl.String, "period": pl.String, "value": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row").with_columns(pl.lit("x").alias("unit"))


def test_rolling_measure_needs_twelve_full_months() -> None:
    rows = [("cla_starts", "all", f"2023-{m:02d}", 10.0) for m in range(1, 13)]
    frame = series(_metrics(rows), Measure("cla_starts", "Starts", "CIC", rolling_12m=True))
    assert frame["value"].to_list() == [120.0]


def test_scorecard_first_review_with_no_previous_pack_and_no_comparator() -> None:
    rows = [("cla_rate_per_10k", "all", "2023-03-31", 112.0), ("cla_rate_per_10k", "all", "2024-03-31", 105.0)]
    card = scorecard(
        _metrics(rows), "2024-03", targets={"cla_rate_per_10k": {"2024-03": 100.0}},
        measures=[Measure("cla_rate_per_10k", "Children in care per 10,000 children", "CIC")],
    )  # fmt: skip
    row = card.row(0, named=True)
    assert (row["latest"], row["last_review"], row["year_ago"]) == ("105", "–", "112")
    assert row["direction"] == "↓ improving"
    assert row["comparator"] == "no published comparator"
    assert (row["target"], row["rag"]) == ("100 by March 2024", "Amber")  # 5 over a target of 100: within 10%
    assert row["sentence"] == (
        "Children in care per 10,000 children: 105 at 31 March 2024, improving compared with a year ago (112). "
        "Target 100 by March 2024: narrowly missed."
    )


def test_scorecard_compares_with_the_last_review_and_a_comparator() -> None:
    from datetime import date

    current = _metrics([("agency_rate", "all", "2024-03-31", 40.2), ("agency_rate", "all", "2023-03-31", 45.0)])
    previous = _metrics([("agency_rate", "all", "2023-12-31", 47.9)])
    comps = pl.DataFrame(
        {
            "metric": ["agency_rate"],
            "area": ["england"],
            "period": [date(2023, 9, 30)],
            "value": [17.8],
            "source": ["DfE"],
        }
    )
    card = scorecard(
        current, "2024-03", previous=previous, previous_period="2023-12", comparator_table=comps,
        measures=[Measure("agency_rate", "Agency share", "Workforce", decimals=1)],
    )  # fmt: skip
    row = card.row(0, named=True)
    assert (row["latest"], row["last_review"], row["direction"]) == ("40.2%", "47.9%", "↓ improving")
    assert row["comparator"] == "England 17.8% (30 September 2023)"
    assert "compared with the last review (47.9%)" in row["sentence"]


def test_missing_measure_says_not_available() -> None:
    card = scorecard(_metrics([]), "2024-03", measures=[Measure("sgo_granted", "SGOs", "SGO", rolling_12m=True)])
    assert card["latest"][0] == "–" and "not available" in card["sentence"][0]


def test_small_counts_are_suppressed_in_the_scorecard() -> None:
    rows = [("permanent_team_managers", "all", "2024-03-31", 3.0)]
    card = scorecard(_metrics(rows), "2024-03", measures=[Measure("permanent_team_managers", "TMs", "Workforce")])
    assert card["latest"][0] == "c" and " 3 " not in card["sentence"][0]


def test_indicator_table_known_answers_from_the_seeds() -> None:
    from analysis.metrics.indicators import indicator_table

    # Seed 002 line 178: children in care with the same social worker for 12 months, 11.8% (Jan 2023) → 19% (Jul 2023).
    rows = [
        ("same_social_worker_12m", "2022-07", 14.0, 40.0, COMMISSIONER, "Same social worker", "percent", "higher"),
        ("same_social_worker_12m", "2023-01", 11.8, 40.0, COMMISSIONER, "Same social worker", "percent", "higher"),
        ("same_social_worker_12m", "2023-07", 19.0, 40.0, COMMISSIONER, "Same social worker", "percent", "higher"),
        ("same_social_worker_12m", "2023-08", 99.0, 40.0, COMMISSIONER, "Same social worker", "percent", "higher"),
    ]
    frame = pl.DataFrame(
        rows, schema=["metric", "period", "value", "target", "source", "label", "unit", "better"], orient="row"
    )
    row = indicator_table(frame, "2023-07").row(0, named=True)
    assert row["latest"] == "19.0% (July 2023)"  # the August figure is after the review month
    assert (row["year_ago"], row["direction"], row["rag"]) == ("14.0%", "↑ improving", "Red")


def test_lagging_measure_uses_the_latest_complete_figure() -> None:
    # Re-entry within 12 months is final a year later: at March 2024 the latest complete month is March 2023.
    rows = [
        ("reunification_reentry_12m_rate", "all", "2022-03", 20.0),
        ("reunification_reentry_12m_rate", "all", "2023-03", 10.0),
    ]
    measure = Measure("reunification_reentry_12m_rate", "Back in care", "Discharges", decimals=1, latest_available=True)
    row = scorecard(_metrics(rows), "2024-03", measures=[measure]).row(0, named=True)
    assert (row["latest"], row["year_ago"], row["direction"]) == ("10.0%", "20.0%", "↓ improving")
    assert "at 31 March 2023" in row["sentence"]


def test_annual_measure_is_the_latest_whole_year_and_compares_with_the_year_before() -> None:
    # cla_started_year is written per collection year ("2023/24" ends on 31 March 2024); a pack for June 2024 shows
    # the latest whole year, and says which, rather than a partial year.
    rows = [("cla_started_year", "all", "2022/23", 130.0), ("cla_started_year", "all", "2023/24", 96.0)]
    measure = Measure("cla_started_year", "Children who started to be looked after", "CIC", latest_available=True)
    assert series(_metrics(rows), measure)["date"].to_list() == [date(2023, 3, 31), date(2024, 3, 31)]
    row = scorecard(_metrics(rows), "2024-06", measures=[measure]).row(0, named=True)
    assert (row["latest"], row["year_ago"]) == ("96", "130")
    assert row["sentence"].startswith("Children who started to be looked after: 96 at 31 March 2024, down")


# --- Every figure the summary shows follows the pack-wide decision (issue 17) ---------------------------------


def _decide(frame: pl.DataFrame) -> object:
    """The pack-wide decision on a hand-made metrics frame, in force for the views (as `Review.open` sets it)."""
    from analysis.core.disclosure import set_figures
    from analysis.core.suppression import DEFAULT
    from analysis.metrics import relations

    decision = relations.figures(frame, DEFAULT)
    set_figures(decision)
    return decision


def _tidy(rows: list[tuple[str, str, str, float, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["metric", "breakdown", "period", "value", "unit"], orient="row")


def test_a_count_hidden_as_a_complement_shows_c_with_no_direction_or_status() -> None:
    # 40 children in care: 3 (a small count) under one legal status, 37 under the other. The decision hides the 3
    # and, as its complement, the 37 (40 - 37 would give the 3). Before issue 17 the scorecard showed every count
    # from 6 up, so "37" (and "narrowly missed" against a target of 36) would have been printed.
    rows = [
        ("cla_count", "all", "2023-03-31", 44.0, "count"),
        ("cla_count", "all", "2024-03-31", 40.0, "count"),
        ("cla_count", "legal_status:C2", "2024-03-31", 37.0, "count"),
        ("cla_count", "legal_status:V2", "2024-03-31", 3.0, "count"),
    ]
    frame = _tidy(rows)
    decision = _decide(frame)
    assert ("cla_count", "legal_status:C2", "2024-03-31") in decision.hidden  # the complement of the 3
    measure = Measure("cla_count", "Children in care (C2)", "CIC", breakdown="legal_status:C2")
    card = scorecard(frame, "2024-03", targets={"cla_count": {"2024-03": 36.0}}, measures=[measure])
    row = card.row(0, named=True)
    assert row["latest"] == "c" and "37" not in row["sentence"]
    assert row["direction"] == "– not shown (a figure is hidden)"
    assert row["rag"] == "Not rated"  # "amber" would say the hidden count is within 10% over the target of 36
    shown = scorecard(frame, "2024-03", measures=[Measure("cla_count", "Children in care", "CIC")]).row(0, named=True)
    assert (shown["latest"], shown["year_ago"], shown["direction"]) == ("40", "44", "↓ improving")


def test_no_direction_from_a_hidden_year_ago_figure() -> None:
    # The latest figure (40) is shown; a year ago it was hidden (a complement): no "no real change" (it would say the
    # hidden figure was within 2% of 40), and the sentence says why.
    rows = [
        ("cla_count", "legal_status:C2", "2023-03-31", 39.0, "count"),
        ("cla_count", "legal_status:V2", "2023-03-31", 2.0, "count"),
        ("cla_count", "all", "2023-03-31", 41.0, "count"),
        ("cla_count", "legal_status:C2", "2024-03-31", 40.0, "count"),
    ]
    frame = _tidy(rows)
    decision = _decide(frame)
    assert ("cla_count", "legal_status:C2", "2023-03-31") in decision.hidden
    measure = Measure("cla_count", "C2", "CIC", breakdown="legal_status:C2")
    row = scorecard(frame, "2024-03", measures=[measure]).row(0, named=True)
    assert (row["latest"], row["year_ago"]) == ("40", "c")
    assert row["direction"] == "– not shown (a figure is hidden)"
    assert "39" not in row["sentence"] and "no direction is given" in row["sentence"]


def _sgo_months() -> pl.DataFrame:
    months = [f"{2022 + (m + 3) // 12}-{(m + 3) % 12 + 1:02d}" for m in range(24)]  # April 2022 to March 2024
    values = [2.0 if m == 20 else 1.0 * (m % 2) for m in range(24)]  # a few SGOs a month, November 2023 with 2
    return _tidy([("sgo_granted", "all", p, v, "count") for p, v in zip(months, values, strict=True)])


def test_rolling_sums_the_summary_shows_are_figures_of_the_decision() -> None:
    from analysis.core.disclosure import figure_hidden
    from analysis.metrics.relations import rolling_name
    from analysis.sections.summary import trends

    frame = _sgo_months()
    decision = _decide(frame)
    name = rolling_name("sgo_granted")
    sums = {k: k in decision.hidden for k in decision.published if k[0] == name}
    assert len(sums) == 13 and not any(sums.values())  # 12-month sums from March 2023, 6 to 8: every one shown
    measure = Measure("sgo_granted", "SGOs granted in the last 12 months", "SGO", rolling_12m=True)
    row = scorecard(frame, "2024-03", measures=[measure]).row(0, named=True)
    hidden_now = figure_hidden((name, "all", "2024-03"))
    assert not hidden_now and row["latest"] == "8"  # 5 months of 1 and December 2023 with 2
    drawn = trends(frame, "2024-03").filter(
        pl.col("measure") == "Special guardianship orders granted in the last 12 months"
    )
    for day, value in drawn.select("date", "value").iter_rows():
        key = (name, "all", f"{day:%Y-%m}")
        assert (value is None) == sums[key], key  # a sum is drawn exactly where the pack shows it
    assert drawn.height and drawn["value"].null_count() == 0
    # December 2023 (2) would be sum(t) - sum(t-1) + December 2022 (0): while a zero could not be hidden, sums had to
    # go instead (the sparkline lost sums of 6 and more); now the zero of December 2022 is hidden as a complement,
    # and it is the only zero hidden.
    zero_months = {p for m, _, p, v, _ in frame.iter_rows() if m == "sgo_granted" and v == 0}
    assert {k[2] for k in decision.hidden if k[0] == "sgo_granted"} & zero_months == {"2022-12"}


def test_reentry_shows_the_latest_complete_cohort_even_when_it_is_hidden() -> None:
    # Cohorts to March 2020 (none of 8 came back: 0.0%) and to March 2023 (3 came back: hidden, and its rate with
    # it). The scorecard shows "c" for 31 March 2023, never the 0.0% of 2020 (as it did when the small cohort's
    # rate was missing from the metrics themselves).
    rows = [
        ("reunification_reentry_12m_count", "all", "2020-03", 0.0, "count"),
        ("reunification_reentry_12m_rate", "all", "2020-03", 0.0, "percent"),
        ("reunification_reentry_12m_count", "all", "2023-03", 3.0, "count"),
        ("reunification_reentry_12m_rate", "all", "2023-03", 25.0, "percent"),
    ]
    frame = _tidy(rows)
    _decide(frame)
    from analysis.metrics.scorecard import MEASURES

    (measure,) = [m for m in MEASURES if m.metric == "reunification_reentry_12m_rate"]
    row = scorecard(frame, "2024-03", measures=[measure]).row(0, named=True)
    assert row["latest"] == "c" and "31 March 2023" in row["sentence"] and "0.0%" not in row["sentence"]
    assert "25" not in row["sentence"]


def test_reentry_with_no_child_in_the_latest_cohort_is_not_available_for_that_month() -> None:
    from analysis.metrics.scorecard import MEASURES

    rows = [
        ("reunification_reentry_12m_count", "all", "2022-03", 7.0, "count"),
        ("reunification_reentry_12m_rate", "all", "2022-03", 35.0, "percent"),
        ("reunification_reentry_12m_count", "all", "2023-03", 0.0, "count"),  # no child reunified: no rate
    ]
    (measure,) = [m for m in MEASURES if m.metric == "reunification_reentry_12m_rate"]
    row = scorecard(_tidy(rows), "2024-03", measures=[measure]).row(0, named=True)
    assert row["latest"] == "–" and row["sentence"].startswith(f"{measure.label}: not available for 31 March 2023")
