"""An attacker on a built pack, written apart from the suppression code (analysis.core.suppression).

It reads only what the pack publishes (metrics.csv, the HTML tables) and what anyone can read in
docs/metrics.md about how the figures relate, then tries to recover every hidden ("c") figure:

* by constraint propagation: a relation `total = sum(parts)` with one unknown left gives it;
* by counting: unknown counts are whole numbers of at least 1, so if the unknowns of a relation
  must sum to exactly their number, each is 1;
* by rates: a rate published to four decimals beside its count gives the population, and with it
  any other count on the same population.

It uses plain Python and the standard library only (no numpy, no linear programming), so a bug in
the package's method cannot hide itself here. A recovery only counts when it equals the true value,
which the test reads from the analyst's unsuppressed copy.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path

Key = tuple[str, str, str]
HIDDEN = "c"

#: Metrics whose breakdowns (grouped by the text before ":") add up to "all", as docs/metrics.md says.
ADDITIVE = {
    "cla_count",
    "cla_ceased",
    "cla_ceased_year",
    "care_order_discharges",
    "care_order_discharges_12m",
    "sgo_granted",
    "discharge_pipeline_count",
    "discharge_pipeline_stuck",
    "sgo_pipeline_count",
    "sgo_pipeline_stuck",
}
#: 12-month sums and the monthly metric they add up.
ROLLING = {"care_order_discharges_12m": "care_order_discharges"}


def read_metrics(path: Path) -> dict[Key, str]:
    """metrics.csv as published: (metric, breakdown, period) -> the text of its value."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return {(r["metric"], r["breakdown"], r["period"]): r["value"] for r in csv.DictReader(lines)}


def _months_back(period: str, k: int) -> str:
    y, m = int(period[:4]), int(period[5:7])
    i = y * 12 + m - 1 - k
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def relations(published: dict[Key, str]) -> list[tuple[Key, list[Key]]]:
    """Every `total = sum(parts)` an outsider can write down from the definitions."""
    found: list[tuple[Key, list[Key]]] = []
    families: dict[tuple[str, str, str], list[Key]] = defaultdict(list)
    for metric, breakdown, period in published:
        if metric in ADDITIVE and breakdown != "all":
            prefix = breakdown.split(":")[0] if ":" in breakdown else ""
            families[(metric, prefix, period)].append((metric, breakdown, period))
    for (metric, _, period), parts in families.items():
        if (metric, "all", period) in published and len(parts) > 1:
            found.append(((metric, "all", period), parts))
    for (metric, breakdown, period) in list(published):
        if metric in ROLLING:
            months = [(ROLLING[metric], breakdown, _months_back(period, k)) for k in range(12)]
            if all(m in published for m in months):
                found.append(((metric, breakdown, period), months))
    return found


def recover(published: dict[Key, str], rules: list[tuple[Key, list[Key]]]) -> dict[Key, Fraction]:
    """Every hidden figure the attacker can pin down exactly from the relations."""
    known: dict[Key, Fraction] = {}
    for key, text in published.items():
        value = number(text)
        if value is not None:
            known[key] = value
    recovered: dict[Key, Fraction] = {}
    changed = True
    while changed:
        changed = False
        for total, parts in rules:
            cells = [total, *parts]
            unknown = [c for c in cells if c not in known]
            if not unknown:
                continue
            if len(unknown) == 1:
                (u,) = unknown
                if u == total:
                    value = sum(known[p] for p in parts)
                else:
                    value = known[total] - sum(known[p] for p in parts if p != u)
                known[u] = recovered[u] = value
                changed = True
            elif total in known and all(u != total for u in unknown):
                rest = known[total] - sum(known[p] for p in parts if p in known)
                if rest == len(unknown):  # each unknown is at least 1 and they sum to their number
                    for u in unknown:
                        known[u] = recovered[u] = Fraction(1)
                    changed = True
    return recovered


def recover_uasc(published: dict[Key, str]) -> dict[Key, Fraction]:
    """UASC counts from the two rates and the count: uasc = count x (1 - rate_excl / rate)."""
    found = {}
    for metric, breakdown, period in published:
        if metric != "cla_uasc_count" or published[(metric, breakdown, period)] != HIDDEN:
            continue
        count = published.get(("cla_count", "all", period))
        rate = published.get(("cla_rate_per_10k", "all", period))
        excl = published.get(("cla_rate_excl_uasc_per_10k", "all", period))
        if HIDDEN in (count, rate, excl) or None in (count, rate, excl) or not float(rate):
            continue
        guess = round(float(count) * (1 - float(excl) / float(rate)))
        found[(metric, breakdown, period)] = Fraction(guess)
    return found


class _Tables(HTMLParser):
    """Every <table> of a page: caption, header and rows of cell text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._caption = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._caption = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._caption = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            self.tables[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._caption and self.tables:
            self.tables[-1]["caption"] += data
        elif self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> list[dict]:
    """The tables of an HTML page (charts are images; their figures are in these tables)."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def number(text: str) -> Fraction | None:
    """A shown cell as a number; None for "c", "–" or words."""
    clean = text.replace(",", "")
    return Fraction(clean) if re.fullmatch(r"-?\d+(\.\d+)?", clean) else None


def recover_rolling_table(rows: list[list[str]], monthly: int, summed: int) -> dict[int, Fraction]:
    """Hidden months of a table that shows a monthly column beside its rolling 12-month sum (rows in date
    order): month(t) = sum12(t) - sum12(t-1) + month(t-12), and month(t) = sum12(t) - the other 11 months."""
    months = {r: number(row[monthly]) for r, row in enumerate(rows)}
    sums = {r: number(row[summed]) for r, row in enumerate(rows)}
    rules: list[tuple[Key, list[Key]]] = []
    published: dict[Key, str] = {}
    for r in range(len(rows)):
        published[("m", "", str(r))] = rows[r][monthly]
        published[("s", "", str(r))] = rows[r][summed]
        if r >= 11 and (sums[r] is not None or rows[r][summed] == HIDDEN):
            rules.append((("s", "", str(r)), [("m", "", str(r - k)) for k in range(12)]))
    found = recover(published, rules)
    del months
    return {int(k[2]): v for k, v in found.items() if k[0] == "m"}
