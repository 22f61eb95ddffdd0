"""The children-in-care section on the synthetic data reproduces Herefordshire's published figures exactly.

The synthetic data (`analysis.synth`) is built to hit these figures (docs/data_log.md lists each target and what
the generator achieves), so each is asserted exactly, at the date it was published for, as the section's own
functions compute it. Where the documents disagree, or the generator does not aim at a figure exactly, the test
says so and why. Documents are cited by their keys in docs/sources.md:

- [HC-SCRUTINY-2020-12]: Herefordshire Council, *Children and Young People Scrutiny Committee agenda pack*,
  1 December 2020 (the looked after children reduction update, its child-status table in Appendix 1, the
  quarter 2 performance summary and the month-end scorecard);
- [HSCP-2021-22]: Herefordshire Safeguarding Children Partnership, *Annual report 2021/22*;
- [HC-SCRUTINY-2023-09]: Herefordshire Council, *Minutes of the Children and Young People Scrutiny Committee*,
  26 September 2023;
- [DFE-COMMISSIONER-2023-12]: Department for Education, *Report of the Children's Services Commissioner in
  Herefordshire*, December 2023.

The synthetic count of children in care moves by up to 6 a month, and the published flows differ from month to
month, so a period label one month out fails several of these tests (see docs/mutation.md).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from analysis.load.inputs import load_inputs
from analysis.sections import children_in_care


@pytest.fixture(scope="module")
def metrics(synthetic: Path) -> pl.DataFrame:
    return children_in_care.section_metrics(load_inputs(synthetic), "2024-03")


def value(metrics: pl.DataFrame, metric: str, period: str, breakdown: str = "all") -> float:
    rows = metrics.filter(
        (pl.col("metric") == metric) & (pl.col("period") == period) & (pl.col("breakdown") == breakdown)
    )
    assert rows.height == 1, (metric, period, breakdown)
    return rows["value"][0]


def total(metrics: pl.DataFrame, metric: str, first: str, last: str, breakdown: str = "all") -> float:
    rows = metrics.filter(
        (pl.col("metric") == metric)
        & (pl.col("breakdown") == breakdown)
        & (pl.col("period") >= first)
        & (pl.col("period") <= last)
    )
    months = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7]) + 1
    assert rows.height == months, (metric, first, last, breakdown)  # every month present, none twice
    return rows["value"].sum()


# --- Children in care at a date ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "published", "source"),
    [
        ("2019-10-31", 350, "[HC-SCRUTINY-2020-12], reduction update: 350 at the end of October 2019"),
        ("2020-02-29", 356, "[HC-SCRUTINY-2020-12], Appendix 1 child-status table: end of February 2020"),
        ("2020-08-31", 343, "[HC-SCRUTINY-2020-12], Appendix 1 child-status table: end of August 2020"),
        # The documents disagree by 1: the quarter 2 summary ("At the end of quarter 2 there were 337 children in
        # care") and the month-end scorecard give 337, the child-status table 338. The data follows 337, which is
        # also the end of August (343) plus September's 2 starts less its 8 ceased, all as published.
        ("2020-09-30", 337, "[HC-SCRUTINY-2020-12], quarter 2 summary and month-end scorecard: 337 (table: 338)"),
        ("2020-10-31", 336, "[HC-SCRUTINY-2020-12], Appendix 1 child-status table: end of October 2020"),
        ("2022-03-31", 378, "[HSCP-2021-22], Children Looked After: '21 out of 378 children' at 31 March 2022"),
        ("2023-07-31", 405, "[DFE-COMMISSIONER-2023-12], Performance: 405 children in care in July 2023"),
        ("2023-10-31", 399, "[DFE-COMMISSIONER-2023-12], key points from the Leeds report: 399 (about October)"),
    ],
)
def test_children_in_care_at_published_dates(metrics: pl.DataFrame, period: str, published: int, source: str) -> None:
    assert value(metrics, "cla_count", period) == published, source


def test_september_2023_count_is_the_published_figure_at_the_month_end(metrics: pl.DataFrame) -> None:
    # [HC-SCRUTINY-2023-09], public questions: "of the 396 children in care (at 18/9/23)". The generator steers
    # month ends only, so it takes this as its end-of-September target: 396 at 30 September 2023. On 18 September
    # itself the synthetic data has 399 (a day count inside a month is not calibrated).
    assert value(metrics, "cla_count", "2023-09-30") == 396


# --- The rate per 10,000 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "published", "source"),
    [
        ("2019-10-31", 95, "[HC-SCRUTINY-2020-12], reduction update: 350, 95 children per 10,000"),
        ("2020-09-30", 93, "[HC-SCRUTINY-2020-12], quarter 2 summary: 337, which equates to 93 per 10,000"),
        ("2023-07-31", 112, "[DFE-COMMISSIONER-2023-12], Performance: mostly static at 112 per 10,000"),
    ],
)
def test_rate_per_10k_rounds_to_the_published_rate(
    metrics: pl.DataFrame, period: str, published: int, source: str
) -> None:
    # The DfE publishes the rate rounded to a whole number; the synthetic population is derived from these pairs.
    assert round(value(metrics, "cla_rate_per_10k", period)) == published, source


def test_rate_in_october_2023_is_within_1_of_the_published_rate(metrics: pl.DataFrame) -> None:
    # [DFE-COMMISSIONER-2023-12], key points from the Leeds report: "399 Children Looked After ... a rate of 111 per
    # ten thousand". The two 2023 pairs disagree about the population: 405 at 112 implies about 36,160 under-18s,
    # 399 at 111 about 35,950. The synthetic mid-2023 population (36,200) follows the July pair, so 399 gives 110.2.
    rate = value(metrics, "cla_rate_per_10k", "2023-10-31")
    assert round(rate) == 110 and abs(rate - 111) <= 1


# --- Starts and ceases ------------------------------------------------------------------------------------


def test_starts_and_ceases_in_september_and_october_2020(metrics: pl.DataFrame) -> None:
    # [HC-SCRUTINY-2020-12], month-end scorecard: "During September two children aged 0-4 years became Looked
    # After"; "Eight children ceased being Looked After in September. Five had a Special Guardianship Order, one
    # had a Child Arrangement Order granted, one turned 18 but remained with their carer and one moved into
    # independent living."
    assert value(metrics, "cla_starts", "2020-09") == 2
    assert value(metrics, "cla_ceased", "2020-09") == 8
    assert value(metrics, "cla_ceased", "2020-09", "special_guardianship_order") == 5
    assert value(metrics, "cla_ceased", "2020-09", "child_arrangements_order") == 1
    assert value(metrics, "cla_ceased", "2020-09", "turned_18_or_independent") == 2
    # [HC-SCRUTINY-2020-12], reduction update: "Ten children became looked after during October"; "Eleven children
    # left care during October. Of these, 3 turned 18 years of age, 3 were made subject of a Special Guardianship
    # Order (SGO) and 5 had their care orders discharged following successful reunification to parents." The
    # generator pins the 11, the 3 SGOs and the 5 returns home; its 18th birthdays follow the simulated ages, so
    # 2 of the other 3 turn 18 (docs/data_log.md).
    assert value(metrics, "cla_starts", "2020-10") == 10
    assert value(metrics, "cla_ceased", "2020-10") == 11
    assert value(metrics, "cla_ceased", "2020-10", "special_guardianship_order") == 3
    assert value(metrics, "cla_ceased", "2020-10", "returned_home") == 5


def test_children_who_started_in_2021_22(metrics: pl.DataFrame) -> None:
    # [HSCP-2021-22], Children Looked After: "There were 158 new children brought into care over the course of the
    # year." An annual count of children, as the DfE counts them (each child once): cla_started_year. No child
    # starts twice in that year in the synthetic data, so the monthly starts (periods of care) sum to it too.
    assert value(metrics, "cla_started_year", "2021/22") == 158
    assert total(metrics, "cla_starts", "2021-04", "2022-03") == 158


def test_children_who_ceased_in_2021_22_by_route(metrics: pl.DataFrame) -> None:
    # [HSCP-2021-22], Leaving Care: "21 young people reached 18 and stayed with their carers; 25 children ceased to
    # be looked after; 23 children returned to parents or relatives; 10 children were made subject to special
    # guardianship orders; 3 Residence or Child Arrangement Orders; 30 children's care ceased for other reasons."
    # The generator pins the 10 SGOs and 3 CAOs (annual counts of children: cla_ceased_year).
    assert value(metrics, "cla_ceased_year", "2021/22", "special_guardianship_order") == 10
    assert value(metrics, "cla_ceased_year", "2021/22", "child_arrangements_order") == 3
    # The list disagrees with itself: "25 children ceased" is not the sum of the reasons, which, without that line,
    # is 21 + 23 + 10 + 3 + 30 = 87. The generator takes 87 as the year's ceased children (docs/data_log.md).
    assert value(metrics, "cla_ceased_year", "2021/22") == 87


def test_starts_and_ceases_april_to_september_2023(metrics: pl.DataFrame) -> None:
    # [DFE-COMMISSIONER-2023-12], key points from the Leeds report: "In the last six months 42 children became
    # looked after and 51 ceased to be looked after", taken as April to September 2023. A six-month count has no
    # annual measure; no child starts or ceases twice in these months, so the monthly counts sum to the children.
    assert total(metrics, "cla_starts", "2023-04", "2023-09") == 42
    assert total(metrics, "cla_ceased", "2023-04", "2023-09") == 51


def test_sgos_november_2019_to_october_2020(metrics: pl.DataFrame) -> None:
    # [HC-SCRUTINY-2020-12], reduction update, since November 2019: "21 Special Guardianship Orders have been
    # granted" (to the end of October 2020).
    assert total(metrics, "cla_ceased", "2019-11", "2020-10", "special_guardianship_order") == 21


# --- Figures the generator does not aim at exactly ----------------------------------------------------------


def test_uasc_in_july_2023(metrics: pl.DataFrame) -> None:
    # [DFE-COMMISSIONER-2023-12], Performance: "405, of which 29 were UASC". The generator sets asylum-seeking
    # arrivals per year ("about 29 by July 2023"), not the month-end count, and achieves 27 (docs/data_log.md):
    # the test holds that value, so a changed count or a shifted month (30 at the end of June, 29 of August) fails.
    assert value(metrics, "cla_uasc_count", "2023-07-31") == 27


# --- Consistency --------------------------------------------------------------------------------------------


def test_breakdowns_add_up_to_the_total(metrics: pl.DataFrame) -> None:
    for prefix in ("legal_status:", "placement_type:"):
        parts = metrics.filter(
            (pl.col("metric") == "cla_count")
            & pl.col("breakdown").str.starts_with(prefix)
            & (pl.col("period") == "2024-03-31")
        )["value"].sum()
        assert parts == value(metrics, "cla_count", "2024-03-31")


def test_ceased_routes_add_up_to_all_ceased(metrics: pl.DataFrame) -> None:
    routes = metrics.filter((pl.col("metric") == "cla_ceased") & (pl.col("breakdown") != "all"))
    by_month = routes.group_by("period").agg(pl.col("value").sum())
    all_ceased = metrics.filter((pl.col("metric") == "cla_ceased") & (pl.col("breakdown") == "all"))
    joined = by_month.join(all_ceased.select("period", pl.col("value").alias("all")), on="period")
    assert joined.height >= 24 and (joined["value"] == joined["all"]).all()


def test_review_window_starts_when_the_returns_do(metrics: pl.DataFrame) -> None:
    periods = metrics.filter(pl.col("metric") == "cla_count")["period"]
    assert periods.min() == date(2019, 4, 30).isoformat()
