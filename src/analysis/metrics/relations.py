"""How the pack's figures are linked, declared as data, and the figures hidden pack-wide.

A published figure is linked to others it can be worked out from (`analysis.core.suppression`):

* `PARTS`: breakdowns that add up to the metric's `all` for the same period (routes, legal
  statuses, placement types, pipeline stages, carers). A family is the breakdowns sharing a
  prefix before ":" (or, for "", the breakdowns with no prefix).
* `ROLLING`: a 12-month sum in metrics.csv and the monthly series it sums (same breakdown).
* `SHOWN_ROLLING`: monthly series whose rolling 12-month sums the pages show beside them (the flows
  table, the summary's scorecard and sparklines) although metrics.csv does not hold them; `YEARLY_ROLLING`,
  those shown only for each 12 months back from the latest month (the SGO page's yearly table). Each sum
  is a figure of its own, keyed `(rolling_name(metric), breakdown, period)`, so it is hidden or shown by the
  same decision.
* `RATES`: a rate and the counts it is worked out from (same period), with its published
  rounding; the population is treated as known, as anyone can look it up.
* `WITHHELD`: a share whose numerator is hidden is withheld, even when its denominator is not
  published here (the page shows it beside it).
* `SAME`: two metrics (and breakdowns) that are one figure under two names, for the same period (reunified
  children back in care: a breakdown of both re-entry counts), so they are hidden or shown together.
* `OMITTED_WHEN_ZERO`: breakdowns a page leaves out when they are all 0: their zeros are known, never complements;
  so is a zero count of `WITHHELD` with no share published (no child to take a share of).

Zeros may be complements here (`Cells.zeros`): a zero is hidden to protect a small count beside it only where
nothing else published gives it away, which is why every link above is declared.

`figures` solves the whole set once (`Review.figures`): every page table, chart, tables.xlsx and
the pack's metrics.csv take the hidden flag of a figure from it (`analysis.core.disclosure.figure_hidden`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import polars as pl

from analysis.core import suppression
from analysis.core.periods import month_label, parse_period, shift_months
from analysis.core.suppression import Cells, Policy, Relation

Key = tuple[str, str, str]

PARTS: dict[str, tuple[str, ...]] = {
    "cla_count": ("legal_status", "placement_type"),
    "cla_ceased": ("",),
    "cla_ceased_year": ("",),
    "care_order_discharges": ("",),
    "care_order_discharges_12m": ("",),
    "interim_care_order_ended": ("",),
    "sgo_granted": ("carer", "relationship"),
    "discharge_pipeline_count": ("",),
    "discharge_pipeline_stuck": ("",),
    "sgo_pipeline_count": ("",),
    "sgo_pipeline_stuck": ("",),
    "worker_changes_12m": ("",),
    "care_order_discharge_reentry_12m_count": ("",),
}
ROLLING: dict[str, str] = {"care_order_discharges_12m": "care_order_discharges"}
#: monthly metric -> breakdowns whose rolling 12-month sums the pages show (not in metrics.csv)
SHOWN_ROLLING: dict[str, tuple[str, ...]] = {
    "cla_starts": ("all",),
    "cla_ceased": ("all",),
    "sgo_granted": ("all",),  # the summary's scorecard and sparklines, the SGO page's chart and yearly table
    "sgo_orders_tracker": ("all",),  # the SGO page's 903 and tracker side by side
}
#: monthly metric -> breakdowns whose 12-month sums the pages show only for each 12 months back from the metric's
#: latest month (the SGO page's table of each 12 months by who the special guardians are)
YEARLY_ROLLING: dict[str, tuple[str, ...]] = {
    "sgo_granted": (
        "carer:former_foster_carer",
        "carer:other_carer",
        "relationship:relative_or_friend",
        "relationship:other",
        "relationship:not_recorded",
    ),
}
#: rate metric -> ([(count metric, breakdown, coefficient)], decimals published)
RATES: dict[str, tuple[list[tuple[str, str, float]], int]] = {
    "cla_rate_per_10k": ([("cla_count", "all", 1.0)], 4),
    "cla_rate_excl_uasc_per_10k": ([("cla_count", "all", 1.0), ("cla_uasc_count", "all", -1.0)], 4),
}
#: numerator metric -> shares withheld when it is hidden (same breakdown and period)
WITHHELD: dict[str, tuple[str, ...]] = {
    "reunification_reentry_12m_count": ("reunification_reentry_12m_rate",),
    "cla_uasc_count": ("cla_rate_excl_uasc_per_10k",),
    "care_order_discharge_reentry_12m_count": ("care_order_discharge_reentry_12m_rate",),
}
#: metric -> breakdowns the pages leave out when the months they show are all 0 (the SGO page's "relationship not
#: recorded", only for legacy codes): a reader may then know a 0 is 0, so no 0 of them (nor a 12-month sum of 0)
#: protects another figure
OMITTED_WHEN_ZERO: dict[str, tuple[str, ...]] = {"sgo_granted": ("relationship:not_recorded",)}
#: one figure under two names (same period): hidden or shown together
SAME: list[tuple[tuple[str, str], tuple[str, str]]] = [
    (("reunification_reentry_12m_count", "all"), ("care_order_discharge_reentry_12m_count", "reunification")),
    (("reunification_reentry_12m_rate", "all"), ("care_order_discharge_reentry_12m_rate", "reunification")),
]
COUNT_UNITS = {"count"}


class Figures(NamedTuple):
    """The pack's figures: every (metric, breakdown, period) published, and those hidden ("c")."""

    published: frozenset[Key]
    hidden: frozenset[Key]


def rolling_name(metric: str) -> str:
    """The key under which a rolling 12-month sum of `metric` shown on a page is known (not in metrics.csv)."""
    return f"{metric}:12m"


def summed_as(metric: str) -> str:
    """The metric under which the pack publishes `metric`'s rolling 12-month sum: its metrics.csv 12-month metric
    (`ROLLING`) where there is one, else `rolling_name(metric)` (a sum only the pages show, `SHOWN_ROLLING`)."""
    return next((summed for summed, monthly in ROLLING.items() if monthly == metric), rolling_name(metric))


def _family(breakdown: str) -> str:
    return breakdown.split(":", 1)[0] if ":" in breakdown else ""


@lru_cache(maxsize=4096)
def _month_back(period: str, months: int) -> str:
    """The `YYYY-MM` period `months` months before `period` (`YYYY-MM`)."""
    return month_label(shift_months(parse_period(period[:7]), -months))


def _yearly(period: str, latest: str | None) -> bool:
    """Whether `period` is a whole number of years before `latest` (both `YYYY-MM`)."""
    return latest is not None and period[5:7] == latest[5:7]


def _weight(metric: str, breakdown: str) -> float:
    """Headline figures are the last hidden as complements: a metric's "all" (`analysis.core.suppression.HEADLINE`)
    and, last of all, a 12-month sum (`SUM`); a month or a part, a zero first, goes before them."""
    if metric in ROLLING:
        return suppression.SUM
    return suppression.HEADLINE if breakdown == "all" else 1.0


def links(metrics: pl.DataFrame) -> tuple[Cells, list[Relation], dict[int, list[int]], set[int]]:
    """The pack's figures as cells, with every relation between them and the withheld shares. Zeros may be
    complements (`Cells.zeros`): every relation that could give a hidden zero away is declared here."""
    cells = Cells(zeros=True)
    rows = metrics.select("metric", "breakdown", "period", "value", "unit").iter_rows()
    at: dict[Key, int] = {}
    for metric, breakdown, period, value, unit in rows:
        at[(metric, breakdown, period)] = cells.add(
            (metric, breakdown, period), value, unit in COUNT_UNITS, _weight(metric, breakdown)
        )
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
    # Rolling 12-month sums and their months: in metrics.csv, or shown only on a page.
    latest: dict[str, str] = {}
    for metric, _, period in at:
        if metric in YEARLY_ROLLING and period > latest.get(metric, ""):
            latest[metric] = period
    for (metric, breakdown, period), i in list(at.items()):
        if metric in ROLLING:
            months = [at.get((ROLLING[metric], breakdown, _month_back(period, k))) for k in range(12)]
            if all(m is not None for m in months):
                relations.append(suppression.total(i, [m for m in months if m is not None]))
        if breakdown in SHOWN_ROLLING.get(metric, ()) or (
            breakdown in YEARLY_ROLLING.get(metric, ()) and _yearly(period, latest.get(metric))
        ):
            months = [at.get((metric, breakdown, _month_back(period, k))) for k in range(12)]
            values = [cells.values[m] for m in months if m is not None]
            if len(values) == 12 and all(v is not None for v in values):
                summed = cells.add(
                    (rolling_name(metric), breakdown, period),
                    float(sum(values)),  # type: ignore[arg-type]
                    weight=suppression.SUM,
                )
                relations.append(suppression.total(summed, [m for m in months if m is not None]))
    # One figure under two names.
    for (metric, breakdown, period), i in at.items():
        for first, second in SAME:
            if (metric, breakdown) == first and (j := at.get((*second, period))) is not None:
                relations.append(suppression.total(i, [j]))
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
    # Zeros of breakdowns a page leaves out when all 0 (and 12-month sums of 0 of them): known, never hidden.
    omitted = {(name, b) for m, bs in OMITTED_WHEN_ZERO.items() for b in bs for name in (m, rolling_name(m))}
    known = {i for i, k in enumerate(cells.keys) if k[:2] in omitted and cells.values[i] == 0}  # type: ignore[index]
    # A zero count whose share is not published has no denominator (no child in the cohort, which its page shows):
    # it is known to be 0.
    for (metric, breakdown, period), i in at.items():
        shares = WITHHELD.get(metric, ())
        if shares and cells.values[i] == 0 and not any((s, breakdown, period) in at for s in shares):
            known.add(i)
    return cells, relations, withheld, known


def figures(metrics: pl.DataFrame, policy: Policy) -> Figures:
    """Every figure the pack publishes, and the ones it hides: primary and complementary, pack-wide."""
    cells, relations, withheld, known = links(metrics)
    hidden = suppression.keyed(suppression.protect(cells, relations, policy, withheld, shown=known), cells)
    return Figures(frozenset(cells.keys), frozenset(hidden))  # type: ignore[arg-type]


def hidden_keys(metrics: pl.DataFrame, policy: Policy) -> set[Key]:
    """The (metric, breakdown, period) figures the pack hides."""
    return set(figures(metrics, policy).hidden)
