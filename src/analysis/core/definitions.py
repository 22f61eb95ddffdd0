"""Metric definitions as data: one entry per metric id in metrics.csv.

`docs/metrics.md` is generated from this table (`review-pack docs`), and
`tests/test_definitions.py` fails if the two drift apart or a metric in metrics.csv is
not defined here. Ids are stable snake_case names: never reuse one for a new definition.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from analysis.core import codes


def _codes_by_group(grouping: dict[str, str]) -> dict[str, list[str]]:
    """{group: its codes}, groups and codes in the grouping's order (from `analysis.core.codes`)."""
    out: dict[str, list[str]] = {}
    for code, group in grouping.items():
        out.setdefault(group, []).append(code)
    return out


def _code_list(found: list[str]) -> str:
    """Codes as the docs write them: "E45, E46", with legacy codes last ("E45, E46; legacy E43")."""
    current = [c for c in found if c not in codes.LEGACY_REC]
    legacy = [c for c in found if c in codes.LEGACY_REC]
    return ", ".join(current) + (f"; legacy {', '.join(legacy)}" if legacy else "")


@dataclass(frozen=True)
class Metric:
    """One headline figure: what it is, how it is measured, and where the definition comes from."""

    id: str
    label: str
    unit: str  # count, per_10k, percent, fte, days, cases_per_worker
    period: str  # "date" (point in time, ISO date), "month" (monthly flow, YYYY-MM), "year" (collection year, 2023/24)
    definition: str
    source: str
    better: str = "neutral"  # "lower", "higher" or "neutral"
    breakdowns: str = "all"
    #: The functions that compute it, as dotted paths ("analysis.metrics.cla.cla_counts"); filled from `COMPUTED_BY`.
    computed_by: tuple[str, ...] = ()


# --- Workforce (src/analysis/metrics/workforce.py) --------------------------------------------------------

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
        id="caseload_over_threshold_share",
        label="Case-holding workers above the caseload threshold",
        unit="percent",
        period="date",
        definition=(
            "Case-holding workers with more children allocated than the caseload threshold / case-holding "
            "workers x 100 at the snapshot (exactly the threshold is not over). The threshold is the build "
            "parameter caseload_threshold, 20 unless set otherwise; the value used is in manifest.json."
        ),
        source="Herefordshire scorecard ('14% of workers holding more than 20 cases', September 2020)",
        better="lower",
    ),
]

# --- Care order discharges (src/analysis/metrics/discharges.py, permanence.py, reconciliation.py) -----------

_REC = "DfE SSDA903 guidance, REC code list (rule 149)"
_INFERRED = "; 'care order discharge' is inferred from the codes, not a DfE code or measure"
_COUNCIL = (
    "; counted as the council counts them: 'From November 2019 to end October 2020, 32 children have had their "
    "care order discharged' (11 reunified, 21 SGOs), Herefordshire Council, Children and Young People Scrutiny "
    "Committee agenda pack, 1 December 2020"
)
_TRACKER = (
    "The council's permanence tracker (permanence.csv, data/README.md), stages as in the December 2020 "
    "scrutiny pack ([HC-SCRUTINY-2020-12])"
)
_POSITIONS = (
    "identified; assessing; assessment_negative; carers_unwilling; assessment_complete (positive, application not "
    "yet sent); with_legal; filed_with_court"
)
#: Who the special guardians are, by REC, from `codes.SGO_CARER` and `codes.SGO_RELATIONSHIP` (the last
#: relationship's parenthesis is closed by the text that follows it).
_SGO_CARER = " or ".join(f"{group} ({', '.join(found)})" for group, found in _codes_by_group(codes.SGO_CARER).items())
_SGO_PARTS = [f"{group} ({', '.join(found)}" for group, found in _codes_by_group(codes.SGO_RELATIONSHIP).items()]
_SGO_RELATIONSHIP = ", ".join(part + ")" for part in _SGO_PARTS[:-1]) + " or " + _SGO_PARTS[-1]
_SMALL_RATE = (
    " Written for every complete cohort; the pack shows it as \"c\" where the number coming back is hidden (the "
    "rate would reveal it)."
)

DISCHARGE_METRICS: list[Metric] = [
    Metric(
        id="care_order_discharges",
        label="Care order discharges",
        unit="count",
        period="month",
        definition=(
            "Periods of care ending in the month whose last episode was under a full care order (LS C2) and ended "
            "by: reunification (REC E4A/E4B, returned home to parents or others with parental responsibility), "
            "special_guardianship_order (E45-E48, legacy E43/E44) or child_arrangements_order (E41); all is the "
            "sum of the three. Not counted: interim care orders (LS C1) ending as the child leaves care (they "
            "lapse rather than being discharged: interim_care_order_ended), adoption (E11/E12 ends the placement "
            "order: cla_ceased, route adoption), returns home from section 20, care orders discharged while the "
            "child stays looked after, and short breaks."
        ),
        source=_REC + _INFERRED + _COUNCIL,
        better="neutral",
        breakdowns="all; reunification; special_guardianship_order; child_arrangements_order",
    ),
    Metric(
        id="interim_care_order_ended",
        label="Children leaving care as an interim care order ends",
        unit="count",
        period="month",
        definition=(
            "Periods of care ending in the month whose last episode was under an interim care order (LS C1), "
            "whatever the reason: reunification (REC E4A/E4B), special_guardianship_order (E45-E48, E43/E44), "
            "child_arrangements_order (E41) or other (any other reason, for example E13 or E8). The interim "
            "order lapses at the final hearing, so these are not care order discharges. Short breaks are not "
            "counted."
        ),
        source=_REC + "; LS C1 interim care order",
        breakdowns="all; reunification; special_guardianship_order; child_arrangements_order; other",
    ),
    Metric(
        id="care_order_discharges_12m",
        label="Care order discharges, last 12 months",
        unit="count",
        period="month",
        definition=(
            "care_order_discharges summed over the 12 months to the end of the month; not written until 12 months "
            "of returns lie behind it."
        ),
        source=_REC + _INFERRED,
        breakdowns="all; reunification; special_guardianship_order; child_arrangements_order",
    ),
    Metric(
        id="reunification_reentry_12m_rate",
        label="Reunified children back in care within 12 months",
        unit="percent",
        period="month",
        definition=(
            "Of the children reunified (care order discharge by REC E4A/E4B) in the 12 months to the end of the "
            "period month, the share who started a new period of care within 12 months of leaving: re-entered / "
            "(re-entered + stayed out 12 months) x 100. Each discharge counts, so a child reunified twice counts "
            "twice. Written only once every child in the window has had 12 months' follow-up, so the latest value "
            "is 12 months behind the review period; children still inside their 12 months are censored (not "
            "counted as successes) and shown in the pack. Breakdown all_returns_home: every return home (E4A/E4B), "
            "section 20 included." + _SMALL_RATE
        ),
        source=_REC + "; periods of care as in cla_starts (rules 388, 431-433)",
        better="lower",
        breakdowns="all (reunification from a care order); all_returns_home",
    ),
    Metric(
        id="reunification_reentry_12m_count",
        label="Reunified children back in care within 12 months (count)",
        unit="count",
        period="month",
        definition=(
            "The numerator of reunification_reentry_12m_rate: children reunified in the 12 months to the period "
            "month who started a new period of care within 12 months; written for every complete cohort (0 when no "
            "child was reunified in those 12 months)."
        ),
        source=_REC,
        better="lower",
        breakdowns="all; all_returns_home",
    ),
    Metric(
        id="care_order_discharge_reentry_12m_rate",
        label="Children back in care within 12 months of a care order discharge",
        unit="percent",
        period="month",
        definition=(
            "As reunification_reentry_12m_rate, for every care order discharge and by route: of the discharges in "
            "the 12 months to the period month, the share followed by a new period of care within 12 months. "
            "Written only for complete follow-up." + _SMALL_RATE
        ),
        source=_REC + _INFERRED,
        better="lower",
        breakdowns="all; reunification; special_guardianship_order; child_arrangements_order",
    ),
    Metric(
        id="care_order_discharge_reentry_12m_count",
        label="Children back in care within 12 months of a care order discharge (count)",
        unit="count",
        period="month",
        definition=(
            "The numerator of care_order_discharge_reentry_12m_rate: care order discharges in the 12 months to the "
            "period month followed by a new period of care within 12 months; written for every complete cohort (0 "
            "when there was no discharge). The routes add up to all; reunification is reunification_reentry_12m_count."
        ),
        source=_REC + _INFERRED,
        better="lower",
        breakdowns="all; reunification; special_guardianship_order; child_arrangements_order",
    ),
    Metric(
        id="placed_with_parents_care_order",
        label="Children placed with parents under a care order",
        unit="count",
        period="date",
        definition=(
            "Children looked after at the date in an episode with PLACE P1 (placed with own parents or others with "
            "parental responsibility) and LS C1 or C2: the main candidates for a care order discharge. Breakdown "
            "home_12m_or_more: those whose unbroken run of P1 episodes began 12 or more months before."
        ),
        source=(
            "DfE SSDA903 guidance (PLACE P1, LS C1/C2); [HC-SCRUTINY-2020-12] child-status table "
            "('Children placed with parents')"
        ),
        breakdowns="all; home_12m_or_more",
    ),
    Metric(
        id="discharge_pipeline_count",
        label="Children in the discharge-to-parents pipeline",
        unit="count",
        period="date",
        definition=(
            "Open discharge_to_parents plans in the tracker at the date (identified on or before it, no outcome by "
            "it), by where each stands: the stage of its latest stage date on or before the date (a repeated "
            "assessment puts a child back at assessing)."
        ),
        source=_TRACKER,
        breakdowns="all; " + _POSITIONS,
    ),
    Metric(
        id="discharge_pipeline_stuck",
        label="Children stuck in the discharge-to-parents pipeline",
        unit="count",
        period="date",
        definition="Of discharge_pipeline_count, the children at their current stage for more than 180 days.",
        source=_TRACKER,
        better="lower",
        breakdowns="all; " + _POSITIONS,
    ),
    Metric(
        id="tracker_903_reconciliation",
        label="Tracker orders against 903 exits",
        unit="count",
        period="date",
        definition=(
            "Tracker 'order made' rows paired with the 903 exits the tracker follows (reunification from a full "
            "care order, LS C2; SGO and CAO whatever the legal status), child by child, closest dates first, from "
            "the later of the returns' start and the tracker's first order on the route up to the period date. "
            "Status matched (dates within 31 days), date_differs, route_differs, no_tracker_row, no_903_exit, "
            "order_date_missing."
        ),
        source=_TRACKER + "; " + _REC,
        breakdowns="<route>:<status>, route reunification, special_guardianship_order or child_arrangements_order",
    ),
]

# --- SGO pipeline (src/analysis/metrics/sgo.py, permanence.py) ---------------------------------------------

SGO_METRICS: list[Metric] = [
    Metric(
        id="sgo_granted",
        label="Special guardianship orders granted (903)",
        unit="count",
        period="month",
        definition=(
            "Periods of care ending in the month with REC E45-E48 or the legacy E43/E44, any legal status. carer: "
            + _SGO_CARER
            + "; relationship: "
            + _SGO_RELATIONSHIP
            + ": the legacy codes do not say whether the special guardians are relatives or friends, so no "
            "relationship is assumed)."
        ),
        source=_REC + "; legacy E43/E44 as in earlier SSDA903 guides",
        better="higher",
        breakdowns="all; carer:former_foster_carer; carer:other_carer; relationship:relative_or_friend; "
        "relationship:other; relationship:not_recorded",
    ),
    Metric(
        id="sgo_orders_tracker",
        label="Special guardianship orders made (tracker)",
        unit="count",
        period="month",
        definition="special_guardianship_order rows of the tracker with outcome order_made dated in the month.",
        source=_TRACKER,
        better="higher",
    ),
    Metric(
        id="sgo_pipeline_count",
        label="Children with an open plan for special guardianship",
        unit="count",
        period="date",
        definition=(
            "Open special_guardianship_order plans in the tracker at the date (identified on or before it, no "
            "outcome by it; 'plan for SGO' in the scrutiny pack), by where each stands: the stage of its latest "
            "stage date on or before the date. carers_unwilling = assessment positive, carers_agree no."
        ),
        source=_TRACKER,
        breakdowns="all; " + _POSITIONS,
    ),
    Metric(
        id="sgo_pipeline_stuck",
        label="Children stuck in the SGO pipeline",
        unit="count",
        period="date",
        definition="Of sgo_pipeline_count, the children at their current stage for more than 180 days.",
        source=_TRACKER,
        better="lower",
        breakdowns="all; " + _POSITIONS,
    ),
    Metric(
        id="sgo_stage_median_days",
        label="Median days at each SGO stage",
        unit="days",
        period="date",
        definition=(
            "Kaplan-Meier median of days at each stage, over the stage spells that began in the 24 months to the "
            "date; a spell still open at the date is censored there (the child has waited at least that long). "
            "Not written when more than half are still waiting (the median is not reached yet)."
        ),
        source=_TRACKER,
        better="lower",
        breakdowns="identified; assessing; assessment_complete; with_legal; filed_with_court",
    ),
    Metric(
        id="sgo_plan_to_order_median_days",
        label="Median days from plan to special guardianship order",
        unit="days",
        period="month",
        definition=(
            "Median of outcome_date - identified_date over the tracker's SGOs made in the four quarters to the "
            "quarter ending in the period month; not written for fewer than 5 orders."
        ),
        source=_TRACKER,
        better="lower",
    ),
    Metric(
        id="sgo_applications_sent",
        label="SGO applications sent to legal services",
        unit="count",
        period="month",
        definition="special_guardianship_order rows whose sent_to_legal_date falls in the month.",
        source=_TRACKER + " ('applications sent to legal')",
        better="higher",
    ),
    Metric(
        id="sgo_applications_planned",
        label="SGO applications planned",
        unit="count",
        period="month",
        definition="special_guardianship_order rows whose planned_application_month is the month.",
        source=_TRACKER + " ('planned applications for the next 3 months')",
    ),
    Metric(
        id="sgo_support_plan_share",
        label="New special guardians with a support plan or allowance",
        unit="percent",
        period="month",
        definition=(
            "Of the tracker's SGOs made in the 12 months to the end of the month with support_plan recorded, the "
            "share with 'yes' x 100 (rows with no answer are left out). Not written where the yes or no count is "
            "a small count."
        ),
        source=_TRACKER,
        better="higher",
    ),
]

# --- Social worker stability (src/analysis/metrics/stability.py) -------------------------------------------

_STABILITY = (
    "Local measure from the allocations file (allocations.csv); quoted in the Report of the Children's Services "
    "Commissioner in Herefordshire, December 2023"
)
_CHANGES = (
    "A change is each newly allocated worker after the first one in the 12 months (or the one allocated at the "
    "start of them) whose worker_id differs from the previous worker's; a hand-over overlap of the outgoing and "
    "incoming allocations is not a change in itself, and the same worker allocated again after a gap is not a change"
)
_WORKER_AT = (
    "The child's worker at a month end is the allocation open then (start_date on or before it, end_date blank or "
    "after it); during a hand-over, the one that started later"
)
_SHOWN = (
    "Written only where neither the count nor its whole is a small count (1 to the disclosure threshold, 5 by "
    "default)."
)
_TEAMS = "all; team:<team of the child's worker at the month end>"

STABILITY_METRICS: list[Metric] = [
    Metric(
        id="same_worker_12m_share",
        label="Children in care with the same social worker for the previous 12 months",
        unit="percent",
        period="date",
        definition=(
            "Of children looked after at the month end (903, short breaks excluded) whose current period of care "
            "started on or before the same day 12 months earlier, the percentage with an allocated worker at both "
            "ends of the 12 months and no change of worker between. " + _CHANGES + ". " + _WORKER_AT + ". " + _SHOWN
        ),
        source=_STABILITY,
        better="higher",
        breakdowns=_TEAMS,
    ),
    Metric(
        id="stability_children_12m",
        label="Children in care for 12 months or more (the same-worker measure's whole)",
        unit="count",
        period="date",
        definition=(
            "Children looked after at the month end whose current period of care started on or before the same day "
            "12 months earlier: the denominator of same_worker_12m_share."
        ),
        source="DfE SSDA903 guidance (periods of care, rules 431-433)",
    ),
    Metric(
        id="worker_changes_12m",
        label="Children in care by changes of social worker in the last 12 months",
        unit="count",
        period="date",
        definition=(
            "Children looked after at the month end by the number of changes of social worker in the 12 months "
            "before it (or since the first allocation, for children in care for less than that). " + _CHANGES + "."
        ),
        source=_STABILITY,
        breakdowns="0; 1; 2; 3_or_more",
    ),
    Metric(
        id="changed_worker_12m_share",
        label="Children in care with a change of social worker in the last 12 months",
        unit="percent",
        period="date",
        definition="Children with one change or more (worker_changes_12m) / children looked after x 100. " + _SHOWN,
        source=_STABILITY,
        better="lower",
        breakdowns=_TEAMS,
    ),
    Metric(
        id="three_or_more_workers_12m_share",
        label="Children in care with three or more social workers in the last 12 months",
        unit="percent",
        period="date",
        definition=(
            "Children who had three or more different worker_ids allocated in the 12 months to the month end / "
            "children looked after x 100. " + _SHOWN
        ),
        source="Local measure from the allocations file; the Families Commission follow-up (June 2024) found one "
        "young person with four social workers in 12 months",
        better="lower",
        breakdowns=_TEAMS,
    ),
    Metric(
        id="agency_allocated_share",
        label="Children in care whose social worker is agency staff",
        unit="percent",
        period="date",
        definition=(
            "Of children looked after at the month end with an allocated worker, the percentage whose worker's "
            "allocation has contract agency. " + _WORKER_AT + ". " + _SHOWN
        ),
        source="Local measure from the allocations file (contract as in the DfE workforce census: agency workers "
        "are not paid directly by the authority)",
        better="lower",
        breakdowns=_TEAMS,
    ),
    Metric(
        id="plan_to_order_days_by_worker_changes",
        label="Days from plan to order, by changes of social worker along the way (median)",
        unit="days",
        period="date",
        definition=(
            "Orders made on the permanence tracker's special_guardianship_order and discharge_to_parents routes, "
            "with the plan (identified_date) on or after the allocations' coverage start (their earliest end date): "
            "the median of outcome_date - identified_date, by the changes of worker between the two dates. "
            "Period: the review date. Not written for a group of fewer than 5 orders. An association, not a cause."
        ),
        source="Local measure: the permanence tracker and the allocations file",
        breakdowns="0; 1; 2; 3_or_more",
    ),
]


# --- Children in care (src/analysis/metrics/cla.py, care_periods.py) -----------------------------------------------

_CLA_METHOD = "DfE 'Children looked after in England including adoptions' methodology"
_PERIODS = (
    "A period of care starts at a child's first episode, after an episode whose REC is anything other than X1, or "
    "after a gap (an episode not starting on the day the previous one ceased); it ends at any REC other than X1, "
    "even when a new episode starts the same day. An X1 not followed by an episode the same day (rule 433/388) "
    "ends the period there, by route unknown. Episodes under an agreed series of short breaks (LS V3/V4) are "
    "dropped first, as for cla_count ('children looked after under an agreed series of short-term placements are "
    "excluded')."
)
#: The routes out of care with their REC codes, from `codes.REC_ROUTE`.
_ROUTES = (
    ", ".join(
        f"{route} ({'REC ' if i == 0 else ''}{_code_list(found)})"
        for i, (route, found) in enumerate(_codes_by_group(codes.REC_ROUTE).items())
    )
    + f", {codes.UNKNOWN_ROUTE} (X1 followed by a gap: the return does not say)."
)
_ROUTE_BREAKDOWNS = "; ".join(["all", *codes.ROUTE_LABEL])

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
                "semi_independent_or_supported, adoption, other) — groups in src/analysis/core/codes.py"
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
                "ceased (DUC empty or after the date). Not written when no return has a UASC table (uasc.csv): "
                "UASC is then not known, and the pack says so rather than showing 0. An empty UASC table is a "
                "known 0."
            ),
            source="DfE SSDA903 guidance (UASC table: CHILD, DUC); DfE 'Children looked after in England'",
        ),
        Metric(
            id="cla_rate_excl_uasc_per_10k",
            label="Children looked after per 10,000 children, excluding UASC",
            unit="per_10k",
            period="date",
            definition=(
                "(cla_count - cla_uasc_count) / under-18 population x 10,000. Not written without a UASC table "
                "(not known: never the full rate) or without the population."
            ),
            source="DfE 'Children looked after in England' (rates excluding UASC)",
            better="lower",
        ),
        Metric(
            id="cla_starts",
            label="Periods of care starting",
            unit="count",
            period="month",
            definition=(
                "Periods of care starting in the month: this counts periods, not children (a child who comes into "
                "care twice counts twice; the DfE's count of children is cla_started_year). " + _PERIODS
            ),
            source="DfE SSDA903 guidance (RNE, REC, rules 388 and 431-433); " + _CLA_METHOD,
        ),
        Metric(
            id="cla_ceased",
            label="Periods of care ending",
            unit="count",
            period="month",
            definition=(
                "Periods of care ending in the month: this counts periods, not children (the DfE's count of children "
                "is cla_ceased_year). " + _PERIODS + " By route of the period's last episode: " + _ROUTES
            ),
            source="DfE SSDA903 guidance, REC code list (rule 149); " + _CLA_METHOD,
            breakdowns=_ROUTE_BREAKDOWNS,
        ),
        Metric(
            id="cla_started_year",
            label="Children who started to be looked after in the year",
            unit="count",
            period="year",
            definition=(
                "Children who started a period of care in the collection year (1 April to 31 March), each child "
                "counted once however many periods they started: the DfE's 'children who started to be looked "
                "after during the year'. Periods as in cla_starts; children looked after only under an agreed "
                "series of short breaks (LS V3/V4) are excluded. Written only for whole years the returns cover."
            ),
            source=_CLA_METHOD + " (children starting to be looked after during the year ending 31 March)",
        ),
        Metric(
            id="cla_ceased_year",
            label="Children who ceased to be looked after in the year",
            unit="count",
            period="year",
            definition=(
                "Children who ceased to be looked after in the collection year (1 April to 31 March), each child "
                "counted once, by the route of the last period of care that ended in the year (so the routes add "
                "up to all): the DfE's 'children who ceased to be looked after during the year'. Periods as in "
                "cla_starts; short breaks (LS V3/V4) excluded. Routes: " + _ROUTES + " Written only for whole "
                "years the returns cover."
            ),
            source=_CLA_METHOD + " (children ceasing to be looked after during the year, by reason episode ceased); "
            "DfE SSDA903 guidance, REC code list (rule 149)",
            breakdowns=_ROUTE_BREAKDOWNS,
        ),
        *DISCHARGE_METRICS,
        *WORKFORCE_METRICS,
        *SGO_METRICS,
        *STABILITY_METRICS,
    ]
}


PERIOD_FORMAT = {"date": "ISO date", "month": "YYYY-MM", "year": "collection year, 2023/24"}

#: The function(s) computing each metric, by id (docs/metrics.md links each to the API reference, docs/api/).
#: The explore module (`analysis.sections.explore`) offers the child-level frames behind them.
COMPUTED_BY: dict[str, tuple[str, ...]] = {
    "cla_count": ("analysis.metrics.cla.cla_counts", "analysis.metrics.cla_mix.mix"),
    "cla_rate_per_10k": ("analysis.metrics.cla.rate_per_10k",),
    "cla_uasc_count": ("analysis.metrics.cla_mix.uasc_counts",),
    "cla_rate_excl_uasc_per_10k": ("analysis.metrics.cla_mix.uasc_counts", "analysis.metrics.cla.rate_per_10k"),
    "cla_starts": ("analysis.metrics.care_periods.monthly_flows",),
    "cla_ceased": (
        "analysis.metrics.care_periods.monthly_flows",
        "analysis.metrics.care_periods.monthly_ceased_by_route",
    ),
    "agency_rate": ("analysis.metrics.workforce.agency_rate",),
    "agency_rate_headcount": ("analysis.metrics.workforce.agency_rate",),
    "agency_rate_case_holding": ("analysis.metrics.workforce.agency_rate",),
    "agency_fte": ("analysis.metrics.workforce.totals",),
    "permanent_fte": ("analysis.metrics.workforce.totals",),
    "fixed_term_fte": ("analysis.metrics.workforce.totals",),
    "fixed_term_posts": ("analysis.metrics.workforce.totals",),
    "vacancy_fte": ("analysis.metrics.workforce.totals",),
    "vacancy_rate": ("analysis.metrics.workforce.vacancy_rate",),
    "vacancy_agency_cover_rate": ("analysis.metrics.workforce.vacancy_rate",),
    "permanent_team_managers": ("analysis.metrics.workforce.team_managers",),
    "team_manager_posts": ("analysis.metrics.workforce.team_managers",),
    "average_caseload": ("analysis.metrics.workforce.caseloads",),
    "caseload_median": ("analysis.metrics.workforce.caseloads",),
    "caseload_over_threshold_share": ("analysis.metrics.workforce.caseloads",),
    "care_order_discharges": (
        "analysis.metrics.discharges.care_order_discharges",
        "analysis.metrics.discharges.monthly_discharges",
    ),
    "care_order_discharges_12m": ("analysis.metrics.discharges.monthly_discharges",),
    "reunification_reentry_12m_rate": (
        "analysis.metrics.discharges.reentries",
        "analysis.metrics.discharges.reentry_cohorts",
    ),
    "reunification_reentry_12m_count": (
        "analysis.metrics.discharges.reentries",
        "analysis.metrics.discharges.reentry_cohorts",
    ),
    "care_order_discharge_reentry_12m_rate": (
        "analysis.metrics.discharges.reentries",
        "analysis.metrics.discharges.reentry_cohorts",
    ),
    "care_order_discharge_reentry_12m_count": (
        "analysis.metrics.discharges.reentries",
        "analysis.metrics.discharges.reentry_cohorts",
    ),
    "placed_with_parents_care_order": (
        "analysis.metrics.discharges.placed_with_parents",
        "analysis.metrics.discharges.placed_with_parents_counts",
    ),
    "discharge_pipeline_count": ("analysis.metrics.permanence.status_on", "analysis.metrics.permanence.snapshots"),
    "discharge_pipeline_stuck": ("analysis.metrics.permanence.status_on", "analysis.metrics.permanence.snapshots"),
    "tracker_903_reconciliation": (
        "analysis.metrics.reconciliation.reconcile",
        "analysis.metrics.reconciliation.counts",
    ),
    "sgo_granted": ("analysis.metrics.sgo.sgo_exits", "analysis.metrics.sgo.monthly_sgos"),
    "sgo_orders_tracker": (
        "analysis.metrics.permanence_applications.orders",
        "analysis.metrics.permanence_applications.monthly_orders",
    ),
    "sgo_pipeline_count": ("analysis.metrics.permanence.status_on", "analysis.metrics.permanence.snapshots"),
    "sgo_pipeline_stuck": ("analysis.metrics.permanence.status_on", "analysis.metrics.permanence.snapshots"),
    "sgo_stage_median_days": ("analysis.metrics.permanence.stage_events", "analysis.metrics.permanence_ageing.ageing"),
    "sgo_plan_to_order_median_days": ("analysis.metrics.permanence_ageing.plan_to_order_by_quarter",),
    "sgo_applications_sent": ("analysis.metrics.permanence_applications.applications_by_month",),
    "sgo_applications_planned": ("analysis.metrics.permanence_applications.applications_by_month",),
    "sgo_support_plan_share": ("analysis.metrics.sgo.support_plans", "analysis.sections.sgo_section.support_share"),
    "cla_started_year": ("analysis.metrics.care_periods.annual_started",),
    "cla_ceased_year": ("analysis.metrics.care_periods.annual_ceased",),
    "interim_care_order_ended": ("analysis.metrics.discharges.interim_orders_ended",),
    "same_worker_12m_share": ("analysis.metrics.stability.stability", "analysis.metrics.stability.children_at"),
    "stability_children_12m": ("analysis.metrics.stability.stability", "analysis.metrics.stability.children_at"),
    "worker_changes_12m": ("analysis.metrics.stability.stability", "analysis.metrics.stability.children_at"),
    "changed_worker_12m_share": ("analysis.metrics.stability.stability", "analysis.metrics.stability.children_at"),
    "three_or_more_workers_12m_share": (
        "analysis.metrics.stability.stability",
        "analysis.metrics.stability.children_at",
    ),
    "agency_allocated_share": ("analysis.metrics.stability.stability", "analysis.metrics.stability.children_at"),
    "plan_to_order_days_by_worker_changes": (
        "analysis.metrics.stability.plan_to_order",
        "analysis.metrics.stability.timeliness_by_changes",
    ),
}
METRICS = {k: replace(m, computed_by=m.computed_by or COMPUTED_BY.get(k, ())) for k, m in METRICS.items()}


def api_link(dotted: str) -> str:
    """A Markdown link from docs/metrics.md to a function's entry in the API reference (pdoc, docs/api/)."""
    module, _, name = dotted.rpartition(".")
    return f"[`{module.removeprefix('analysis.')}.{name}`](api/{module.replace('.', '/')}.html#{name})"


def markdown() -> str:
    """docs/metrics.md: every metric with its definition and source."""
    lines = [
        "# Metrics",
        "",
        "Generated from `src/analysis/core/definitions.py` by `review-pack docs`; do not edit by hand.",
        "",
        "Every figure in `metrics.csv` has the columns `metric, breakdown, period, value, unit`.",
        "`period` is an ISO date (`2024-03-31`) for counts at a point in time, `YYYY-MM` for",
        "monthly flows and `2023/24` for a collection year (1 April 2023 to 31 March 2024);",
        "`breakdown` is `all` for the total. In the pack's copy, small counts (1 to the disclosure",
        'threshold, 5 unless la.toml says otherwise) are shown as "c", with the further figures that would give',
        "them away (totals, rolling sums, rates: see `analysis.core.suppression`); `review-pack metrics` writes every",
        "figure unsuppressed for analysts.",
        "Each metric links to the functions that compute it in the API reference (`docs/api/`, `make docs`).",
        "",
    ]
    for m in METRICS.values():
        lines += [
            f"## `{m.id}`: {m.label}",
            "",
            f"- **Definition:** {m.definition}",
            f"- **Source:** {m.source}",
            f"- **Unit:** {m.unit}; **period:** {PERIOD_FORMAT[m.period]}; "
            f"**breakdowns:** {m.breakdowns}; **better when:** {m.better}",
            f"- **Computed by:** {', '.join(api_link(f) for f in m.computed_by) or 'not yet linked'}",
            "",
        ]
    return "\n".join(lines)
