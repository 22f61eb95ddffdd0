"""The pack's sections: which notebook, its title, and the function that gives its metrics.

The build runs the notebooks in this order and writes metrics.csv from the same functions
the notebooks call, so the pack and metrics.csv always agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from analysis import children_in_care, discharges_section, sgo_section, workforce_section
from analysis.inputs import Inputs
from analysis.metrics import combine


@dataclass(frozen=True)
class Section:
    """One page of the pack."""

    notebook: str
    title: str
    summary: str
    metrics: Callable[[Inputs, str], pl.DataFrame] | None = None
    #: Build parameters the notebook takes beyond data_dir and period: "outputs_dir" (where earlier
    #: packs are) and "analyst_dir" (the analyst-only folder for child-level files).
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
        children_in_care.section_metrics,
    ),
    Section(
        "02_care_order_discharges.ipynb",
        "Care order discharges and reunification",
        "How many children leave care when their care order is discharged, and by which route; whether "
        "reunification lasts; the children placed with parents; the discharge pipeline; and whether the "
        "permanence tracker agrees with the 903.",
        discharges_section.section_metrics,
        extra_parameters=("analyst_dir",),
    ),
    Section(
        "03_workforce.ipynb",
        "Social work workforce",
        "How far the council relies on agency social workers, by team and against England and the targets; "
        "vacancies, team managers and caseloads.",
        workforce_section.section_metrics,
    ),
    Section(
        "04_sgo_pipeline.ipynb",
        "Special guardianship: from plan to order",
        "How many special guardianship orders are granted and to whom; the pipeline from plan to order, how long "
        "children wait, where plans are lost and why; applications planned against made; support for guardians.",
        sgo_section.section_metrics,
    ),
]


def all_metrics(inputs: Inputs, period: str) -> pl.DataFrame:
    """Every section's metrics for one review, unsuppressed (for analysts)."""
    return combine([s.metrics(inputs, period) for s in SECTIONS if s.metrics is not None])
