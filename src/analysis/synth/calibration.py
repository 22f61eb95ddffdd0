"""Calibration targets for the synthetic Herefordshire folder, as data.

Every published figure carries its source, by its key in docs/sources.md (for example
`[HC-SCRUTINY-2020-12]`, the December 2020 scrutiny pack; `[DFE-CLA]`, the DfE's children looked
after statistics for Herefordshire). Figures marked "assumption" are ours: they fill gaps
between published points so the series is smooth.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import NamedTuple


class Point(NamedTuple):
    """A dated target value and where it comes from."""

    when: str
    value: float
    source: str


class Window(NamedTuple):
    """A count over the months first..last (inclusive, 'YYYY-MM') and its source."""

    first: str
    last: str
    count: int
    source: str


# --- Simulation span -------------------------------------------------------------------
#: Burn-in starts here (empty care population, free-running dynamics) ...
BURN_IN_FIRST = "2004-04"
#: ... and the stock is steered to the target path from here on.
CONTROL_FIRST = "2014-04"
LAST_MONTH = "2024-03"
#: Return years written (the 31 March ending each collection year).
RETURN_YEARS = (2020, 2021, 2022, 2023, 2024)

# --- Children looked after at month ends (excluding V3/V4 short breaks) ----------------
STOCK: tuple[Point, ...] = (
    Point("2017-03", 300, "[DFE-CLA]: 2017 300 CLA, rate 84 (factsandfigures.herefordshire)"),
    Point("2018-03", 300, "[DFE-CLA]: Mar 2018 300 (understanding.herefordshire)"),
    Point("2019-03", 333, "[DFE-CLA]: 2019 333 CLA, rate 92 (Hereford Times 2019)"),
    Point("2019-10", 350, "[HC-SCRUTINY-2020-12]"),
    Point("2020-02", 356, "[HC-SCRUTINY-2020-12]"),
    Point("2020-08", 343, "[HC-SCRUTINY-2020-12]"),
    # 338 in the child-status table ([HC-SCRUTINY-2020-12]); 337 at [HC-SCRUTINY-2020-12].
    # 337 = 343 + 2 starts - 8 ceased, so the September flows agree with it.
    Point("2020-09", 337, "[HC-SCRUTINY-2020-12] / line 2203"),
    Point("2020-10", 336, "[HC-SCRUTINY-2020-12] (336 at 2 Nov, line 594)"),
    # No published figure: 378 - 158 starts + 87 listed ceases ([HSCP-2021-22]).
    Point("2021-03", 307, "assumption: derived from [HSCP-2021-22]"),
    Point("2022-03", 378, "[HSCP-2021-22] ('21 out of 378' at period end)"),
    Point("2022-12", 388, "[DFE-CLA]: Dec 2022 388 CLA"),
    Point("2023-03", 405, "[DFE-CLA] / [DFE-COMMISSIONER-2023-12] (rate 112)"),
    Point("2023-07", 405, "[DFE-COMMISSIONER-2023-12]"),
    Point("2023-09", 396, "[HC-SCRUTINY-2023-09] (396 at 18/9/23)"),
    Point("2023-10", 399, "[DFE-COMMISSIONER-2023-12]"),
    Point("2024-03", 380, "[DFE-CLA]: 96 entered, 121 left in 2023/24 from 405"),
)

# --- Starts (new periods of care), by window -----------------------------------------
#: Burn-in starts per year (free running, before CONTROL_FIRST): assumption.
BURN_IN_STARTS_PER_YEAR = 90

STARTS: tuple[Window, ...] = (
    Window("2014-04", "2015-03", 108, "assumption"),
    Window("2015-04", "2016-03", 112, "assumption"),
    Window("2016-04", "2017-03", 118, "assumption"),
    Window("2017-04", "2018-03", 112, "assumption"),
    Window("2018-04", "2019-03", 128, "assumption"),
    Window("2019-04", "2020-03", 120, "assumption (stock 333 -> 355)"),
    Window("2020-04", "2020-08", 36, "assumption: 2020/21 about 80 ([HSCP-2021-22])"),
    Window("2020-09", "2020-09", 2, "[HC-SCRUTINY-2020-12]"),
    Window("2020-10", "2020-10", 10, "[HC-SCRUTINY-2020-12]"),
    Window("2020-11", "2021-03", 32, "assumption: 2020/21 about 80 ([HSCP-2021-22])"),
    Window("2021-04", "2022-03", 158, "[HSCP-2021-22]"),
    Window("2022-04", "2023-03", 130, "assumption"),
    Window("2023-04", "2023-09", 42, "[DFE-COMMISSIONER-2023-12]"),
    Window("2023-10", "2024-03", 54, "[DFE-CLA]: 96 entered in 2023/24, minus 42"),
)

#: Unaccompanied asylum-seeking children among the starts, by financial year (first month).
#: Shaped so that the count is 6 / 1 / 2 / 2 at Feb / Aug / Sep / Oct 2020 ([HC-SCRUTINY-2020-12])
#: and about 29 by July 2023 ([DFE-COMMISSIONER-2023-12]).
UASC_STARTS: dict[str, int] = {
    "2014-04": 3, "2015-04": 6, "2016-04": 5, "2017-04": 4, "2018-04": 3,
    "2019-04": 6, "2020-04": 2, "2021-04": 13, "2022-04": 22, "2023-04": 12,
}  # fmt: skip
#: Before this month asylum-seeking children arrive aged 17, so that most of the 2019/20
#: arrivals have turned 18 by August 2020 ([HC-SCRUTINY-2020-12]: 6 in February, 1 in August).
UASC_OLDER_BEFORE = "2020-04"
#: In this period more children start with family and friends carers: permanence planning
#: meetings began and kinship care rose from 61 to 71 in 2020 ([HC-SCRUTINY-2020-12]); by 2023
#: only about 13% of children in care were with kinship carers ([DFE-COMMISSIONER-2023-12]).
KINSHIP_PUSH = (date(2020, 1, 1), date(2021, 3, 31))
#: Children moved from other foster carers to family and friends carers found by those
#: meetings, per month (61 kinship placements at Dec 2019 to 71 at Sep 2020, [HC-SCRUTINY-2020-12]).
KINSHIP_MOVES = {f"2020-{m:02d}": 2 for m in range(1, 10)}

# --- Exit routes (ceased periods of care), by window ----------------------------------
#: Windows for the routes the generator steers. Months not covered use DEFAULT_ROUTE_RATE.
ROUTES: dict[str, tuple[Window, ...]] = {
    "sgo": (
        Window("2019-04", "2019-10", 8, "assumption"),
        Window("2019-11", "2020-06", 11, "[HC-SCRUTINY-2020-12]: 21 in Nov 2019-Oct 2020, less Jul-Oct"),
        Window("2020-07", "2020-08", 2, "[HC-SCRUTINY-2020-12]: 7 SGOs in Q2 2020/21, less September"),
        Window("2020-09", "2020-09", 5, "[HC-SCRUTINY-2020-12]"),
        Window("2020-10", "2020-10", 3, "[HC-SCRUTINY-2020-12]"),
        Window("2020-11", "2021-03", 8, "assumption (planned applications, [HC-SCRUTINY-2020-12])"),
        Window("2021-04", "2022-03", 10, "[HSCP-2021-22]"),
        Window("2022-04", "2023-03", 9, "assumption"),
        Window("2023-04", "2024-03", 8, "assumption"),
    ),
    "reunify": (
        Window("2019-04", "2019-10", 6, "assumption"),
        Window("2019-11", "2020-06", 5, "[HC-SCRUTINY-2020-12]: 11 in Nov 2019-Oct 2020, less Jul-Oct"),
        Window("2020-07", "2020-08", 1, "[HC-SCRUTINY-2020-12]: 1 reunified in Q2 2020/21"),
        Window("2020-09", "2020-09", 0, "[HC-SCRUTINY-2020-12]"),
        Window("2020-10", "2020-10", 5, "[HC-SCRUTINY-2020-12]"),
        Window("2020-11", "2021-03", 8, "[HC-SCRUTINY-2020-12] (planned discharges)"),
        Window("2021-04", "2022-03", 18, "[HSCP-2021-22]: 23 returned to parents/relatives"),
        Window("2022-04", "2023-03", 10, "assumption"),
        Window("2023-04", "2023-05", 2, "assumption"),
        Window("2023-06", "2023-11", 9, "[DFE-COMMISSIONER-2023-12]: around 9 in recent months"),
        Window("2023-12", "2024-03", 11, "[HC-FAMILIES-2024-06]: 22 in 2023/24"),
    ),
    "cao": (
        Window("2020-09", "2020-09", 1, "[HC-SCRUTINY-2020-12]"),
        Window("2020-10", "2020-10", 0, "[HC-SCRUTINY-2020-12]"),
        Window("2021-04", "2022-03", 3, "[HSCP-2021-22]"),
    ),
    "adoption": (
        Window("2019-04", "2020-03", 14, "assumption"),
        Window("2020-04", "2020-08", 5, "assumption"),
        Window("2020-09", "2020-10", 0, "[HC-SCRUTINY-2020-12] list no adoptions"),
        Window("2020-11", "2021-03", 6, "assumption"),
        Window("2021-04", "2022-03", 14, "assumption (22 placed for adoption, [HSCP-2021-22])"),
        Window("2022-04", "2023-03", 12, "assumption"),
        Window("2023-04", "2024-03", 10, "assumption"),
    ),
}

#: Per-year rate for months no window covers (assumption).
DEFAULT_ROUTE_RATE: dict[str, float] = {"sgo": 14.0, "reunify": 12.0, "cao": 2.0, "adoption": 13.0}

#: Months whose every exit is pinned: at most `age18` children turn 18 in them (extra
#: 18th birthdays move to the month before as independent living at 17) and the rest of
#: the ceased count is independent living (E5).
EXACT_MONTHS: dict[str, dict[str, int]] = {
    "2020-09": {"age18": 2},  # [HC-SCRUTINY-2020-12]: 1 turned 18 (E17), 1 independent living
    "2020-10": {"age18": 3},  # [HC-SCRUTINY-2020-12]: 3 turned 18
}

# --- Cohort checks reported in docs/data_log.md ([HC-SCRUTINY-2020-12]) ----------------
STATUS_2020: dict[str, tuple[int, int, int, int]] = {
    # end of Feb / Aug / Sep / Oct 2020
    "interim_care_order_C1": (51, 38, 32, 35),
    "placement_order_E1": (18, 25, 26, 24),
    "placed_with_parents_P1": (23, 24, 23, 22),
    "section_20_V2": (22, 18, 19, 22),
    "uasc": (6, 1, 2, 2),
    "residential": (39, 41, 43, 43),
    "supported_accommodation": (10, 4, 4, 8),
}
STATUS_2020_MONTHS = ("2020-02", "2020-08", "2020-09", "2020-10")

# --- Workforce ([HC-SCRUTINY-2020-12]; [DFE-COMMISSIONER-2023-12]; [HC-SCRUTINY-2020-12]) ---
#: FTE at 30 September 2020, summed over every role (managers included).
WORKFORCE_SEP_2020 = {"permanent": 127.3, "agency": 20.6, "fixed_term": 6.2, "vacant": 7.4}
#: Agency share of filled case-holding FTE (agency / (agency + permanent + fixed term)).
AGENCY_SHARE: tuple[Point, ...] = (
    Point("2019-03", 0.16, "assumption"),
    Point("2019-09", 0.17, "assumption"),
    Point("2020-03", 0.15, "assumption"),
    Point("2020-09", 0.144, "[HC-SCRUTINY-2020-12] (fixed by the exact Sep 2020 totals)"),
    Point("2021-03", 0.18, "assumption"),
    Point("2021-09", 0.25, "assumption"),
    Point("2022-03", 0.34, "assumption"),
    Point("2022-09", 0.42, "assumption"),
    Point("2023-03", 0.49, "assumption"),
    Point("2023-11", 0.50, "[DFE-COMMISSIONER-2023-12]: nearly 50% agency"),
    Point("2024-03", 0.43, "assumption: falling a little ([DFE-COMMISSIONER-2023-12])"),
)
#: Vacant share of the establishment.
VACANCY_SHARE: tuple[Point, ...] = (
    Point("2019-03", 0.07, "assumption"),
    Point("2020-09", 0.046, "[HC-SCRUTINY-2020-12]: 7.4 empty seats"),
    Point("2021-09", 0.06, "assumption"),
    Point("2022-09", 0.07, "assumption"),
    Point("2023-09", 0.02, "[DFE-COMMISSIONER-2023-12]: all vacancies now filled"),
    Point("2024-03", 0.06, "[DFE-COMMISSIONER-2023-12]: holding more vacancies"),
)
#: Permanent team managers (of 19 core team-manager posts).
TM_PERMANENT: tuple[Point, ...] = (
    Point("2019-03", 15, "assumption"),
    Point("2020-09", 16, "assumption"),
    Point("2021-09", 14, "assumption"),
    Point("2022-09", 10, "assumption"),
    Point("2023-05", 11, "assumption"),
    Point("2023-11", 13, "[DFE-COMMISSIONER-2023-12]: 13 of 19 team managers permanent"),
    Point("2024-03", 14, "assumption"),
)
#: Mean caseload and share of case holders with more than 20 children.
CASELOAD: tuple[tuple[str, float, float, str], ...] = (
    ("2019-03", 21.0, 0.34, "assumption"),
    ("2019-09", 22.0, 0.39, "[HC-SCRUTINY-2020-12]"),
    ("2020-03", 19.0, 0.25, "assumption"),
    ("2020-09", 16.0, 0.14, "[HC-SCRUTINY-2020-12]"),
    ("2021-03", 16.0, 0.14, "assumption"),
    ("2022-03", 19.0, 0.28, "assumption (158 starts in 2021/22)"),
    ("2022-09", 18.0, 0.24, "assumption"),
    ("2023-03", 17.0, 0.19, "assumption"),
    ("2023-09", 16.0, 0.14, "assumption"),
    ("2024-03", 16.0, 0.12, "assumption"),
)

# --- Context ------------------------------------------------------------------------
#: Under-18 population by mid-year: approximate, derived from published count/rate pairs.
POPULATION: dict[int, tuple[int, str]] = {
    2014: (35300, "assumption: trend back from 2016"),
    2015: (35500, "assumption: trend back from 2016"),
    2016: (35700, "300 CLA at rate 84 in 2017 ([DFE-CLA])"),
    2017: (35900, "assumption: between 2016 and 2018"),
    2018: (36200, "333 CLA at rate 92 at 31 March 2019 ([DFE-CLA])"),
    2019: (36800, "350 CLA at rate 95 in Oct 2019 ([HC-SCRUTINY-2020-12])"),
    2020: (36100, "336 CLA at rate 93 in Nov 2020 ([HC-SCRUTINY-2020-12])"),
    2021: (36000, "'approximately 36,000' under-18s ([HSCP-2021-22])"),
    2022: (36100, "assumption: between 2021 and 2023"),
    2023: (36200, "405 CLA at rate 112 in Jul 2023 ([DFE-COMMISSIONER-2023-12])"),
}

DFE_CLA = "DfE, Children looked after in England including adoptions (as first published)"
DFE_WORKFORCE = "DfE, Children's social work workforce ([DFE-903-GUIDE] §4)"
COMPARATORS: tuple[tuple[str, str, str, float, str], ...] = (
    ("cla_rate_per_10k", "england", "2019-03-31", 65, DFE_CLA + " 2019"),
    ("cla_rate_per_10k", "england", "2020-03-31", 67, DFE_CLA + " 2020"),
    ("cla_rate_per_10k", "england", "2021-03-31", 67, DFE_CLA + " 2021"),
    ("cla_rate_per_10k", "england", "2022-03-31", 70, DFE_CLA + " 2022"),
    ("cla_rate_per_10k", "england", "2023-03-31", 71, DFE_CLA + " 2023"),
    ("cla_rate_per_10k", "england", "2024-03-31", 70, DFE_CLA + " 2024"),
    (
        "cla_rate_per_10k",
        "statistical_neighbours",
        "2019-03-31",
        54,
        "LAIT 2019 as quoted in the Dec 2020 scrutiny pack (54.44; [HC-SCRUTINY-2020-12])",
    ),
    (
        "cla_rate_per_10k",
        "statistical_neighbours",
        "2023-03-31",
        64,
        "Latest published, as quoted in the Dec 2023 commissioner report ([DFE-COMMISSIONER-2023-12])",
    ),
    (
        "cla_rate_per_10k",
        "region",
        "2019-03-31",
        82,
        "LAIT 2019, West Midlands, as quoted in the Dec 2020 scrutiny pack ([HC-SCRUTINY-2020-12])",
    ),
    ("agency_rate", "england", "2022-09-30", 17.6, DFE_WORKFORCE + ", 2022"),
    ("agency_rate", "england", "2023-09-30", 17.8, DFE_WORKFORCE + ", 2023 (revised 17.9 in 2024)"),
    ("agency_rate", "england", "2024-09-30", 16.2, DFE_WORKFORCE + ", 2024"),
)

#: Agency-rate trajectory set at review (la.toml [targets]).
AGENCY_RATE_TARGETS = {"2023-09": 45.0, "2024-03": 35.0, "2024-09": 25.0}


def interpolate(points: tuple[Point, ...], key: str) -> float:
    """Linear interpolation of a monthly series at 'YYYY-MM' (flat beyond the ends)."""

    def index(k: str) -> int:
        y, m = (int(x) for x in k.split("-"))
        return y * 12 + m

    at = index(key)
    if at <= index(points[0].when):
        return points[0].value
    for a, b in pairwise(points):
        ia, ib = index(a.when), index(b.when)
        if ia <= at <= ib:
            return a.value + (b.value - a.value) * (at - ia) / (ib - ia)
    return points[-1].value
