"""The pack's copy of the metrics: every figure linked to the others it can be worked out from, and
hidden where a small count could otherwise be recovered (`analysis.core.suppression`).

The links are declared here, as data, from the metric definitions:

* `PARTS`: breakdowns that add up to the metric's `all` for the same period (routes, legal
  statuses, placement types, pipeline stages, carers). A family is the breakdowns sharing a
  prefix before ":" (or, for "", the breakdowns with no prefix).
* `ROLLING`: a 12-month sum and the monthly series it sums (same breakdown).
* `RATES`: a rate and the counts it is worked out from (same period), with its published
  rounding; the population is treated as known, as anyone can look it up.
* `WITHHELD`: a share whose numerator is hidden is withheld, even when its denominator is not
  published here (the page shows it beside it).

`pack_metrics` is what the build writes to the pack's metrics.csv; the same hidden cells are
shown as "c" wherever the pages show those figures.
"""

from __future__ import annotations

import polars as pl

from analysis.core import suppression
from analysis.core.suppression import Cells, Policy, Relation

PARTS: dict[str, tuple[str, ...]] = {
    "cla_count": ("legal_status", "placement_type"),
    "cla_ceased": ("",),
    "cla_ceased_year": ("",),
    "care_order_discharges": ("",),
    "care_order_discharges_12m": ("",),
    "sgo_granted": ("carer",),
    "discharge_pipeline_count": ("",),
    "discharge_pipeline_stuck": ("",),
    "sgo_pipeline_count": ("",),
    "sgo_pipeline_stuck": ("",),
    "worker_changes_12m": ("",),
}
ROLLING: dict[str, str] = {"care_order_discharges_12m": "care_order_discharges"}
#: rate metric -> ([(count metric, breakdown, coefficient)], decimals published)
RATES: dict[str, tuple[list[tuple[str, str, float]], int]] = {
    "cla_rate_per_10k": ([("cla_count", "all", 1.0)], 4),
    "cla_rate_excl_uasc_per_10k": ([("cla_count", "all", 1.0), ("cla_uasc_count", "all", -1.0)], 4),
}
#: numerator metric -> shares withheld when it is hidden (same breakdown and period)
WITHHELD: dict[str, tuple[str, ...]] = {
    "reunification_reentry_12m_count": ("reunification_reentry_12m_rate",),
    "cla_uasc_count": ("cla_rate_excl_uasc_per_10k",),
}
COUNT_UNITS = {"count"}


def _family(breakdown: str) -> str:
    return breakdown.split(":", 1)[0] if ":" in breakdown else ""


def _month_back(period: str, months: int) -> str:
    year, month = int(period[:4]), int(period[5:7])
    index = year * 12 + month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def links(metrics: pl.DataFrame) -> tuple[Cells, list[Relation], dict[int, list[int]]]:
    """The pack's figures as cells, with every relation between them and the withheld shares."""
    cells = Cells()
    rows = metrics.select("metric", "breakdown", "period", "value", "unit").iter_rows()
    at: dict[tuple[str, str, str], int] = {}
    for metric, breakdown, period, value, unit in rows:
        at[(metric, breakdown, period)] = cells.add((metric, breakdown, period), value, unit in COUNT_UNITS)
    relations: list[Relation] = []
    # Totals and their parts.
    groups: dict[tuple[str, str, str], list[int]] = {}
    for (metric, breakdown, period), i in at.items():
        if metric in PARTS and breakdown != "all" and _family(breakdown) in PARTS[metric]:
            groups.setdefault((metric, _family(breakdown), period), []).append(i)
    for (metric, _, period), parts in groups.items():
        whole = at.get((metric, "all", period))
        if whole is not None and len(parts) > 1:
            relations.append(suppression.total(whole, parts))
    # Rolling 12-month sums and their months.
    for (metric, breakdown, period), i in at.items():
        if metric in ROLLING:
            months = [at.get((ROLLING[metric], breakdown, _month_back(period[:7], k))) for k in range(12)]
            if all(m is not None for m in months):
                relations.append(suppression.total(i, [m for m in months if m is not None]))
    # Rates and their numerators (the population is known: scale = rate / numerator).
    for (metric, _, period), i in at.items():
        if metric in RATES:
            terms, decimals = RATES[metric]
            found = [(at.get((m, b, period)), k) for m, b, k in terms]
            numerator = sum((cells.values[c] or 0.0) * k for c, k in found if c is not None)
            rate = cells.values[i]
            if all(c is not None for c, _ in found) and numerator and rate is not None:
                terms_found = [(c, k) for c, k in found if c is not None]
                relations.append(suppression.rate(i, terms_found, rate / numerator, decimals))
    withheld: dict[int, list[int]] = {}
    for (metric, breakdown, period), i in at.items():
        for share in WITHHELD.get(metric, ()):
            j = at.get((share, breakdown, period))
            if j is not None:
                withheld.setdefault(i, []).append(j)
    return cells, relations, withheld


def hidden_keys(metrics: pl.DataFrame, policy: Policy) -> set[tuple[str, str, str]]:
    """The (metric, breakdown, period) figures the pack hides."""
    cells, relations, withheld = links(metrics)
    return suppression.keyed(suppression.protect(cells, relations, policy, withheld), cells)  # type: ignore[return-value]


def pack_metrics(
    metrics: pl.DataFrame, policy: Policy, hidden: set[tuple[str, str, str]] | None = None
) -> pl.DataFrame:
    """metrics.csv as the pack publishes it: hidden figures as "c", counts as whole numbers, others to 4 places."""
    hidden = hidden_keys(metrics, policy) if hidden is None else hidden
    flags = pl.Series(
        "_hidden", [(m, b, p) in hidden for m, b, p in metrics.select("metric", "breakdown", "period").iter_rows()]
    )
    return (
        metrics.with_columns(flags)
        .with_columns(
            pl.when(pl.col("_hidden"))
            .then(pl.lit(suppression_mark()))
            .when(pl.col("unit") == "count")
            .then(pl.col("value").round(0).cast(pl.Int64).cast(pl.String))
            .otherwise(pl.col("value").round(4).cast(pl.String))
            .alias("value")
        )
        .drop("_hidden")
    )


def suppression_mark() -> str:
    """What a hidden figure shows: "c", as the DfE publishes."""
    from analysis.core.disclosure import SUPPRESSED

    return SUPPRESSED
