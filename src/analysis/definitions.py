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
    unit: str  # count, per_10k, percent, fte, days
    period: str  # "date" (point in time, ISO date) or "month" (monthly flow, YYYY-MM)
    definition: str
    source: str
    better: str = "neutral"  # "lower", "higher" or "neutral"
    breakdowns: str = "all"


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
