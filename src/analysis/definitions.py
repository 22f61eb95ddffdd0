"""Metric definitions as data: one entry per metric id in metrics.csv.

`docs/metrics.md` is generated from this table (`review-pack docs`), and
`tests/test_definitions.py` fails if the two drift apart or a metric in metrics.csv is
not defined here. Ids are stable snake_case names: never reuse one for a new definition.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    """One headline figure: what it is, how it is measured, and where the definition comes from."""

    id: str
    label: str
    unit: str  # count, per_10k, percent, fte, days, cases_per_worker
    period: str  # "date" (point in time, ISO date) or "month" (monthly flow, YYYY-MM)
    definition: str
    source: str
    better: str = "neutral"  # "lower", "higher" or "neutral"
    breakdowns: str = "all"


# --- Workforce (src/analysis/workforce.py) --------------------------------------------------------

_DFE = "DfE, Children's social work workforce (methodology and data set 'Indicators'), census at 30 September"
_ROLES = (
    "every social-work post in the establishment: social workers, senior and advanced practitioners, team managers "
    "and service managers (the DfE's 'children and family social workers' are every registered social worker in the "
    "department, managers included)"
)

WORKFORCE_METRICS: list[Metric] = [
    Metric(
        id="agency_rate",
        label="Agency rate (FTE)",
        unit="percent",
        period="date",
        definition=(
            "Agency FTE / (agency FTE + in-post FTE) x 100 at the snapshot, over "
            + _ROLES
            + ". In post = permanent + fixed-term (employed and paid directly by the authority, as the DfE counts "
            "them); agency = workers not paid directly by the authority. Blank when nobody is in post."
        ),
        source=_DFE + " (agency_rate_fte)",
        better="lower",
        breakdowns="all; team:<team name>",
    ),
    Metric(
        id="agency_rate_headcount",
        label="Agency rate (headcount)",
        unit="percent",
        period="date",
        definition=(
            "Agency workers / (agency workers + in-post workers) x 100 at the snapshot, counting filled posts "
            "(one worker per post), over the same roles as agency_rate."
        ),
        source=_DFE + " (agency_rate_headcount)",
        better="lower",
        breakdowns="all; team:<team name>",
    ),
    Metric(
        id="agency_rate_case_holding",
        label="Agency rate, case-holding practitioners (FTE)",
        unit="percent",
        period="date",
        definition=(
            "As agency_rate, over case-holding practitioner posts only (social workers, senior practitioners, "
            "advanced practitioners): managers left out."
        ),
        source=_DFE + " (agency_rate_fte, restricted to practitioners)",
        better="lower",
    ),
    Metric(
        id="agency_fte",
        label="Agency social workers (FTE)",
        unit="fte",
        period="date",
        definition="Full-time equivalent of the posts filled by agency workers at the snapshot, over " + _ROLES + ".",
        source=_DFE + " (agency_fte)",
        better="lower",
        breakdowns="all; team:<team name>",
    ),
    Metric(
        id="permanent_fte",
        label="Permanent social workers (FTE)",
        unit="fte",
        period="date",
        definition="Full-time equivalent of the posts filled on permanent contracts at the snapshot, over "
        + _ROLES
        + ".",
        source=_DFE + " (in post, permanent part); Herefordshire improvement plan 2020-21 ('Permanent 127.3')",
        better="higher",
        breakdowns="all; team:<team name>",
    ),
    Metric(
        id="fixed_term_fte",
        label="Fixed-term social workers (FTE)",
        unit="fte",
        period="date",
        definition="Full-time equivalent of the posts filled on fixed-term contracts at the snapshot, over "
        + _ROLES
        + ". Counted as in post in the agency and vacancy rates.",
        source=_DFE + " (in post); Herefordshire improvement plan 2020-21 ('Fixed Term 6.2')",
    ),
    Metric(
        id="fixed_term_posts",
        label="Fixed-term posts",
        unit="count",
        period="date",
        definition="Posts filled on fixed-term contracts at the snapshot (one worker per post), over " + _ROLES + ".",
        source="Workforce snapshot (data/README.md); Herefordshire improvement plan 2020-21",
    ),
    Metric(
        id="vacancy_fte",
        label="Vacancies (FTE)",
        unit="fte",
        period="date",
        definition=(
            "Full-time equivalent of the posts not filled by a directly employed worker at the snapshot: empty "
            "seats plus posts covered by agency workers, over " + _ROLES + "."
        ),
        source=_DFE + " (vacancy_fte: vacancies whether or not covered by agency workers)",
        better="lower",
    ),
    Metric(
        id="vacancy_rate",
        label="Vacancy rate (FTE)",
        unit="percent",
        period="date",
        definition=(
            "Vacancy FTE / (vacancy FTE + in-post FTE) x 100 at the snapshot, where vacancy FTE = empty seats + "
            "posts covered by agency workers and in post = permanent + fixed-term."
        ),
        source=_DFE + " (vacancy_rate_fte)",
        better="lower",
        breakdowns="all; team:<team name>",
    ),
    Metric(
        id="vacancy_agency_cover_rate",
        label="Vacancies covered by agency workers",
        unit="percent",
        period="date",
        definition="Agency FTE / vacancy FTE x 100 at the snapshot: the share of vacancies an agency worker covers.",
        source=_DFE + " (vacancy_agency_cover_rate_fte)",
    ),
    Metric(
        id="permanent_team_managers",
        label="Permanent team managers",
        unit="count",
        period="date",
        definition="Team-manager posts filled on a permanent contract at the snapshot.",
        source="DfE-appointed Commissioner's report, December 2023 ('13 of 19 team managers are now permanent')",
        better="higher",
    ),
    Metric(
        id="team_manager_posts",
        label="Team-manager posts",
        unit="count",
        period="date",
        definition="Team-manager posts in the establishment at the snapshot, filled or vacant.",
        source="DfE-appointed Commissioner's report, December 2023 ('13 of 19 team managers')",
    ),
    Metric(
        id="average_caseload",
        label="Average caseload per case-holding worker",
        unit="cases_per_worker",
        period="date",
        definition=(
            "Children allocated / case-holding workers at the snapshot. A case holder is a filled post with a "
            "caseload of 1 or more. (The DfE's caseload divides by case-holding FTE instead.)"
        ),
        source="Herefordshire scorecard ('average of 16 cases per worker'); DfE caseload_fte for the FTE version",
        better="lower",
    ),
    Metric(
        id="caseload_median",
        label="Median caseload",
        unit="cases_per_worker",
        period="date",
        definition="The median caseload of the case-holding workers (as average_caseload) at the snapshot.",
        source="Workforce snapshot (data/README.md)",
        better="lower",
        breakdowns="all; team:<team name>",
    ),
    Metric(
        id="caseload_over_20_share",
        label="Case-holding workers with more than 20 cases",
        unit="percent",
        period="date",
        definition=(
            "Case-holding workers with more than 20 children allocated / case-holding workers x 100 at the "
            "snapshot (exactly 20 is not over)."
        ),
        source="Herefordshire scorecard ('14% of workers holding more than 20 cases', September 2020)",
        better="lower",
    ),
]

METRICS: dict[str, Metric] = {
    m.id: m
    for m in [
        Metric(
            id="cla_count",
            label="Children looked after",
            unit="count",
            period="date",
            definition=(
                "Children with an episode of care open at the end of the day: DECOM on or "
                "before the date and DEC empty or after it. Children looked after only under "
                "an agreed series of short breaks (LS V3/V4) are excluded."
            ),
            source="DfE SSDA903 guidance; DfE 'Children looked after in England' methodology",
            better="lower",
            breakdowns=(
                "all; legal_status:<group> (interim_care_order, full_care_order, placement_order, section_20, "
                "other); placement_type:<group> (foster_kinship, foster_other, placed_with_parents, residential, "
                "semi_independent_or_supported, adoption, other) — groups in src/analysis/codes.py"
            ),
        ),
        Metric(
            id="cla_rate_per_10k",
            label="Children looked after per 10,000 children",
            unit="per_10k",
            period="date",
            definition=(
                "cla_count divided by the under-18 population (ONS mid-year estimate, latest "
                "mid-year on or before the date) times 10,000."
            ),
            source="DfE 'Children looked after in England': rate per 10,000 children aged under 18",
            better="lower",
        ),
        Metric(
            id="cla_uasc_count",
            label="Unaccompanied asylum-seeking children in care",
            unit="count",
            period="date",
            definition=(
                "Children looked after (as cla_count) who are in the 903 UASC table and whose UASC status had not "
                "ceased (DUC empty or after the date)."
            ),
            source="DfE SSDA903 guidance (UASC table: CHILD, DUC); DfE 'Children looked after in England'",
        ),
        Metric(
            id="cla_rate_excl_uasc_per_10k",
            label="Children looked after per 10,000 children, excluding UASC",
            unit="per_10k",
            period="date",
            definition="(cla_count - cla_uasc_count) / under-18 population x 10,000.",
            source="DfE 'Children looked after in England' (rates excluding UASC)",
            better="lower",
        ),
        Metric(
            id="cla_starts",
            label="Children starting a period of care",
            unit="count",
            period="month",
            definition=(
                "Periods of care starting in the month. A period starts when an episode does not begin on the day "
                "the child's previous episode ceased. Periods made up only of short breaks (LS V3/V4) are excluded."
            ),
            source="DfE SSDA903 guidance (RNE, rules 431-433); DfE 'started to be looked after'",
        ),
        Metric(
            id="cla_ceased",
            label="Children ceasing a period of care",
            unit="count",
            period="month",
            definition=(
                "Periods of care ending in the month: the last episode's REC is anything other than X1. By route: "
                "returned_home (REC E4A, E4B), special_guardianship_order (E45-E48; legacy E43/E44), "
                "child_arrangements_order (E41), adoption (E11, E12), turned_18_or_independent (E17, E5, E6, E7, "
                "E15), other (E13, E14, E16, E2, E3, E8, E9). Short-break-only periods are excluded."
            ),
            source="DfE SSDA903 guidance, REC code list (rule 149); DfE 'ceased to be looked after'",
            breakdowns="all; returned_home; special_guardianship_order; child_arrangements_order; adoption; "
            "turned_18_or_independent; other",
        ),
        *WORKFORCE_METRICS,
    ]
}


def markdown() -> str:
    """docs/metrics.md: every metric with its definition and source."""
    lines = [
        "# Metrics",
        "",
        "Generated from `src/analysis/definitions.py` by `review-pack docs`; do not edit by hand.",
        "",
        "Every figure in `metrics.csv` has the columns `metric, breakdown, period, value, unit`.",
        "`period` is an ISO date (`2024-03-31`) for counts at a point in time and `YYYY-MM` for",
        "monthly flows; `breakdown` is `all` for the total. In the pack's copy, counts from 1 to 4",
        'are shown as "c"; `review-pack metrics` writes them unsuppressed for analysts.',
        "",
    ]
    for m in METRICS.values():
        lines += [
            f"## `{m.id}`: {m.label}",
            "",
            f"- **Definition:** {m.definition}",
            f"- **Source:** {m.source}",
            f"- **Unit:** {m.unit}; **period:** {'ISO date' if m.period == 'date' else 'YYYY-MM'}; "
            f"**breakdowns:** {m.breakdowns}; **better when:** {m.better}",
            "",
        ]
    return "\n".join(lines)
