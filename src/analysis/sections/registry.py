"""The pack's sections: which notebook, its title and summary, and the parameters it takes.

The figures themselves are computed once per build by `analysis.sections.review.Review`; every notebook
renders from that one result, and metrics.csv is written from it, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from analysis.load.inputs import Inputs


@dataclass(frozen=True)
class Section:
    """One page of the pack."""

    notebook: str
    title: str
    summary: str
    #: Build parameters the notebook takes beyond data_dir, period and review_file: "outputs_dir"
    #: (where earlier packs are) and "analyst_dir" (the analyst-only folder for child-level files).
    extra_parameters: tuple[str, ...] = ()


SECTIONS: list[Section] = [
    Section(
        "00_summary.ipynb",
        "Review summary",
        "Start here: every headline measure on one page, which way it is moving, and what changed since the last "
        "review.",
        extra_parameters=("outputs_dir",),
    ),
    Section(
        "01_children_in_care.ipynb",
        "Children in care",
        "How many children are in care and how that compares; who comes into care, who leaves and how.",
    ),
    Section(
        "02_care_order_discharges.ipynb",
        "Care order discharges and reunification",
        "How many children leave care when their care order is discharged, and by which route; whether "
        "reunification lasts; the children placed with parents; the discharge pipeline; and whether the "
        "permanence tracker agrees with the 903.",
        extra_parameters=("analyst_dir", "stuck_days"),
    ),
    Section(
        "03_workforce.ipynb",
        "Social work workforce",
        "How far the council relies on agency social workers, by team and against England and the targets; "
        "vacancies, team managers and caseloads.",
        extra_parameters=("caseload_threshold",),
    ),
    Section(
        "04_sgo_pipeline.ipynb",
        "Special guardianship: from plan to order",
        "How many special guardianship orders are granted and to whom; the pipeline from plan to order, how long "
        "children wait, where plans are lost and why; applications planned against made; support for guardians.",
        extra_parameters=("stuck_days",),
    ),
    Section(
        "05_social_worker_stability.ipynb",
        "Social worker stability",
        "How often children in care change social worker, how many have an agency worker, team by team, and how "
        "that goes with agency reliance and with the time from plan to order.",
    ),
]


def all_metrics(inputs: Inputs, period: str) -> pl.DataFrame:
    """Every section's metrics for one review, unsuppressed (for analysts): `Review.metrics` of these inputs."""
    from analysis.sections.review import Review

    return Review.from_inputs(inputs, period).metrics
