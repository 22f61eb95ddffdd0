"""The workforce page's column labels, decimal places and counts: shared by its charts' tables and its
`report.table` calls (see `workforce_figures`)."""

from __future__ import annotations

#: Column headings of the page's tables.
LABELS = {
    "date": "Snapshot",
    "team": "Team",
    "contract": "Contract",
    "fte": "Full-time equivalent (FTE)",
    "posts": "Posts",
    "agency_rate": "Agency rate (% of FTE)",
    "agency_rate_headcount": "Agency rate (% of workers)",
    "agency_rate_case_holding": "Agency rate, case-holding practitioners (% of FTE)",
    "agency_fte": "Agency FTE",
    "inpost_fte": "Directly employed FTE",
    "permanent_fte": "Permanent FTE",
    "fixed_term_fte": "Fixed-term FTE",
    "fixed_term_headcount": "Fixed-term posts",
    "vacant_fte": "Empty seats FTE",
    "vacancy_fte": "Vacancy FTE (empty or agency-covered)",
    "vacancy_rate": "Vacancy rate (%)",
    "vacancy_agency_cover_rate": "Vacancies covered by agency (%)",
    "posts_total": "Posts",
    "agency_headcount": "Agency workers",
    "inpost_headcount": "Directly employed workers",
    "agency_rate_1m": "Agency rate a month earlier (%)",
    "agency_rate_3m": "Agency rate three months earlier (%)",
    "change_1m": "Change over the month (percentage points)",
    "change_3m": "Change over three months (percentage points)",
    "team_manager_posts": "Team-manager posts",
    "permanent_team_managers": "Permanent",
    "agency_team_managers": "Agency",
    "fixed_term_team_managers": "Fixed-term",
    "vacant_team_manager_posts": "Vacant",
    "case_holders": "Case-holding workers",
    "cases": "Children allocated",
    "average_caseload": "Average caseload",
    "caseload_per_fte": "Caseload per FTE",
    "median_caseload": "Median caseload",
    "max_caseload": "Highest caseload",
    "over_threshold": "Workers over the threshold",
    "over_threshold_share": "Share over the threshold",
    "area_label": "Area",
    "value": "Agency rate (%)",
    "source": "Source",
    "target": "Target (%)",
    "actual": "Actual (%)",
    "projected": "Projected on the recent trend (%)",
    "lower": "Range: low (%)",
    "upper": "Range: high (%)",
    "status": "Assessment",
}

#: Columns shown to one decimal place (rates, FTE and caseloads).
RATE_DECIMALS = {
    c: 1
    for c in (
        "agency_rate",
        "agency_rate_headcount",
        "agency_rate_case_holding",
        "vacancy_rate",
        "vacancy_agency_cover_rate",
        "agency_rate_1m",
        "agency_rate_3m",
        "change_1m",
        "change_3m",
        "over_threshold_share",
        "value",
        "target",
        "actual",
        "projected",
        "lower",
        "upper",
        "fte",
        "agency_fte",
        "inpost_fte",
        "permanent_fte",
        "fixed_term_fte",
        "vacant_fte",
        "vacancy_fte",
        "average_caseload",
        "caseload_per_fte",
        "median_caseload",
    )
}
#: Columns that count people or posts, so are suppressed when small.
HEADCOUNTS = [
    "posts",
    "agency_headcount",
    "inpost_headcount",
    "fixed_term_headcount",
    "team_manager_posts",
    "permanent_team_managers",
    "agency_team_managers",
    "fixed_term_team_managers",
    "vacant_team_manager_posts",
    "case_holders",
    "cases",
    "max_caseload",
    "over_threshold",
]


def caseload_labels(threshold: int) -> dict[str, str]:
    """`LABELS` with the caseload threshold in the headings of the workers over it."""
    return {
        **LABELS,
        "over_threshold": f"Workers with more than {threshold}",
        "over_threshold_share": f"Share with more than {threshold} (%)",
    }
