"""An attacker on a built pack, written apart from the suppression code (analysis.core.suppression).

It reads only what the pack publishes (every HTML table of every page, every sheet of tables.xlsx, metrics.csv)
and what anyone can read in docs/metrics.md and the captions about how the figures relate, then tries to
recover every hidden ("c") figure (`attack_pack`):

* the same figure across views is one unknown (`SAME_FIGURE`, `ROWS_SAME_FIGURE`): a figure shown in one
  view and hidden in another is disclosed outright;
* by constraint propagation: a relation `total = sum(parts)` with one unknown left gives it (metrics.csv's
  breakdowns and rolling sums, `relations`; each table's own parts, rolling sums and "All"/"Total" rows,
  `table_relations`); then by elimination over every relation at once, in exact fractions (`eliminate`: a month
  is sum12(t) - sum12(t-1) + month(t-12));
* by counting: as the pack's notes say, a "c" is a count from 1 to the threshold or any count hidden to protect
  one, a zero included (zeros are secondary suppressions, never primary): so a "c" is a whole number of at least
  0, and if the unknowns of a relation must sum to 0, each is 0. (Before zeros could be hidden, a "c" was at least
  1, and unknowns summing to their number were each 1: a rule the published policy no longer allows.)
* by rates: a rate published to four decimals beside its count gives the population, and with it
  any other count on the same population.

It uses plain Python and the standard library only (no numpy, no linear programming, its own xlsx reader), so
a bug in the package's method cannot hide itself here. A recovery of a metrics.csv figure only counts when it
equals the true value, which the test reads from the analyst's unsuppressed copy.
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
#: The least a "c" can be, by the published policy: 0, as a zero may be hidden as a complement.
FLOOR = 0

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
    "care_order_discharge_reentry_12m_count",
}
#: 12-month sums and the monthly metric they add up.
ROLLING = {"care_order_discharges_12m": "care_order_discharges"}
#: One figure under two names, as docs/metrics.md says (reunification is a route of the care order discharges).
SAME = [
    (("reunification_reentry_12m_count", "all"), ("care_order_discharge_reentry_12m_count", "reunification")),
    (("reunification_reentry_12m_rate", "all"), ("care_order_discharge_reentry_12m_rate", "reunification")),
]


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
    for (metric, breakdown, period) in list(published):
        for first, second in SAME:
            if (metric, breakdown) == first and (*second, period) in published:
                found.append(((metric, breakdown, period), [(*second, period)]))
    return found


def recover(published: dict[Key, str], rules: list[tuple[Key, list[Key]]]) -> dict[Key, Fraction]:
    """Every hidden figure the attacker can pin down exactly from the relations: by propagation (a relation with one
    unknown), then by elimination over all of them at once (`eliminate`: a month worked out from two overlapping
    12-month sums and the month that dropped out), until nothing more comes."""
    known: dict[Key, Fraction] = {}
    for key, text in published.items():
        value = number(text)
        if value is not None:
            known[key] = value
    recovered: dict[Key, Fraction] = {}
    while True:
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
                    if rest == FLOOR * len(unknown):  # each unknown is at least FLOOR and they sum to FLOOR each
                        for u in unknown:
                            known[u] = recovered[u] = Fraction(FLOOR)
                        changed = True
        found = eliminate(rules, known)
        if not found:
            return recovered
        known |= found
        recovered |= found


def eliminate(rules: list[tuple[Key, list[Key]]], known: dict[Key, Fraction]) -> dict[Key, Fraction]:
    """Unknowns pinned by the relations taken together: Gauss-Jordan elimination in exact fractions, one group of
    linked unknowns at a time. A reduced equation with one unknown gives it; one whose unknowns all have the same
    sign and leave FLOOR each (0 by the published policy) gives each of them FLOOR."""
    equations: list[tuple[dict[Key, Fraction], Fraction]] = []
    for total, parts in rules:
        row: dict[Key, Fraction] = defaultdict(Fraction)
        rhs = Fraction(0)
        for cell, sign in [(total, 1), *((p, -1) for p in parts)]:
            if cell in known:
                rhs -= sign * known[cell]
            else:
                row[cell] += sign
        row = {c: v for c, v in row.items() if v}
        if row:
            equations.append((row, rhs))
    found: dict[Key, Fraction] = {}
    for group in _linked(equations):
        pivots: dict[Key, tuple[dict[Key, Fraction], Fraction]] = {}
        for row, rhs in group:
            row = dict(row)
            for var in [v for v in row if v in pivots]:  # reduce by the pivots so far
                if var in row:
                    factor = row[var]
                    prow, prhs = pivots[var]
                    for c, v in prow.items():
                        row[c] = row.get(c, Fraction(0)) - factor * v
                        if not row[c]:
                            del row[c]
                    rhs -= factor * prhs
            if not row:
                continue
            var = min(row, key=str)
            scale = row[var]
            row = {c: v / scale for c, v in row.items()}
            rhs /= scale
            for other, (orow, orhs) in list(pivots.items()):  # and keep the earlier pivots reduced
                if var in orow:
                    factor = orow[var]
                    merged = dict(orow)
                    for c, v in row.items():
                        merged[c] = merged.get(c, Fraction(0)) - factor * v
                        if not merged[c]:
                            del merged[c]
                    pivots[other] = (merged, orhs - factor * rhs)
            pivots[var] = (row, rhs)
        for row, rhs in pivots.values():
            if len(row) == 1:
                ((var, coefficient),) = row.items()
                found[var] = rhs / coefficient
            elif _one_sign(row) and rhs == FLOOR * sum(row.values()):
                found |= {var: Fraction(FLOOR) for var in row}
    return found


def _one_sign(row: dict[Key, Fraction]) -> bool:
    return all(v > 0 for v in row.values()) or all(v < 0 for v in row.values())


def _linked(equations: list[tuple[dict[Key, Fraction], Fraction]]) -> list[list[tuple[dict[Key, Fraction], Fraction]]]:
    """The equations in groups that share no unknown."""
    parent: dict[Key, Key] = {}

    def find(x: Key) -> Key:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for row, _ in equations:
        first, *rest = list(row)
        for other in rest:
            parent[find(other)] = find(first)
    groups: dict[Key, list] = defaultdict(list)
    for equation in equations:
        groups[find(next(iter(equation[0])))].append(equation)
    return list(groups.values())


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


# --- The whole pack: every HTML table, every sheet of tables.xlsx and metrics.csv ------------------------------

TableKey = tuple[str, ...]


def read_xlsx(path: Path) -> list[dict]:
    """Every sheet of a workbook, read with the standard library: {"name", "rows"} with each cell as text
    (numbers as written: 12 or 3.5), in sheet order."""
    import zipfile
    from xml.etree import ElementTree

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as book:
        names = book.namelist()
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")) for si in root.findall("m:si", ns)]
        targets = {
            r.get("Id"): r.get("Target")
            for r in ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
        }
        sheets = []
        for sheet in ElementTree.fromstring(book.read("xl/workbook.xml")).iter(f"{{{ns['m']}}}sheet"):
            target = targets[sheet.get(rel)].lstrip("/")
            target = target if target.startswith("xl/") else f"xl/{target}"
            rows = []
            for row in ElementTree.fromstring(book.read(target)).iter(f"{{{ns['m']}}}row"):
                cells: dict[int, str] = {}
                for c in row.findall("m:c", ns):
                    column = _column(c.get("r", "A1"))
                    kind = c.get("t")
                    if kind == "inlineStr":
                        text = "".join(t.text or "" for t in c.iter(f"{{{ns['m']}}}t"))
                    else:
                        v = c.find("m:v", ns)
                        text = "" if v is None or v.text is None else v.text
                        if kind == "s" and text:
                            text = shared[int(text)]
                    cells[column] = text
                rows.append([cells.get(i, "") for i in range(max(cells, default=-1) + 1)])
            sheets.append({"name": sheet.get("name"), "rows": rows})
    return sheets


def _column(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref).group(0)  # type: ignore[union-attr]
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _day(text: str) -> str | None:
    """"31 March 2024" as 2024-03-31 (the first column of a table by date), else None."""
    from datetime import datetime

    try:
        return datetime.strptime(text.strip(), "%d %B %Y").date().isoformat()
    except ValueError:
        return None


#: What an outsider can read in docs/metrics.md and the captions: the figure behind a table column, as
#: (metric, breakdown), the period being the row's date (a month's flow: its month; a point in time: the date).
#: Keyed by the start of the caption; a metric written "{pipeline}" takes the page's pipeline.
_PIPE = "{pipeline}_pipeline_count"
SAME_FIGURE: dict[str, dict[str, tuple[str, str]]] = {
    "Children starting and leaving care each month": {
        "Started care": ("cla_starts", "all"),
        "Left care": ("cla_ceased", "all"),
    },
    "Children in care at each 31 March": {
        "Children in care": ("cla_count", "all"),
        "Unaccompanied asylum-seeking children": ("cla_uasc_count", "all"),
        "Per 10,000 children": ("cla_rate_per_10k", "all"),
        "Per 10,000, excluding UASC": ("cla_rate_excl_uasc_per_10k", "all"),
    },
    "Unaccompanied asylum-seeking children, last 13 month ends": {
        "Children in care": ("cla_count", "all"),
        "Unaccompanied asylum-seeking children": ("cla_uasc_count", "all"),
        "Per 10,000 children": ("cla_rate_per_10k", "all"),
        "Per 10,000, excluding UASC": ("cla_rate_excl_uasc_per_10k", "all"),
    },
    "Care order discharges each month, by route": {
        "All routes": ("care_order_discharges", "all"),
        "Reunification": ("care_order_discharges", "reunification"),
        "Special guardianship order": ("care_order_discharges", "special_guardianship_order"),
        "Child arrangements order": ("care_order_discharges", "child_arrangements_order"),
    },
    "SGOs granted each month, by who the special guardians are": {
        "All SGOs": ("sgo_granted", "all"),
        "To former foster carers": ("sgo_granted", "carer:former_foster_carer"),
        "To other carers": ("sgo_granted", "carer:other_carer"),
        "To relatives or friends": ("sgo_granted", "relationship:relative_or_friend"),
        "To others": ("sgo_granted", "relationship:other"),
        "Not recorded": ("sgo_granted", "relationship:not_recorded"),
    },
    "Open plans at each 31 March, 30 September and the review date": {
        "All open plans": (_PIPE, "all"),
        "Identified for discharge": (_PIPE, "identified"),
        "Plan for SGO agreed": (_PIPE, "identified"),
        "Assessing best interests": (_PIPE, "assessing"),
        "Assessment negative, plan not yet closed": (_PIPE, "assessment_negative"),
        "Assessment positive, parents or carers unwilling to proceed": (_PIPE, "carers_unwilling"),
        "Assessment positive, carers unwilling to proceed": (_PIPE, "carers_unwilling"),
        "Assessment positive, application not yet sent": (_PIPE, "assessment_complete"),
        "Application with legal services": (_PIPE, "with_legal"),
        "Application filed with the court": (_PIPE, "filed_with_court"),
    },
}
#: Tables by route whose cells are rolling 12-month figures of metrics.csv: caption start -> (metric, {column header:
#: months before the review month}, {row label: breakdown}).
ROWS_SAME_FIGURE: dict[str, tuple[str, dict[str, int], dict[str, str]]] = {
    "Care order discharges by route": (
        "care_order_discharges_12m",
        {"Last 12 months": 0, "The 12 months before": 12},
        {
            "Reunification": "reunification",
            "Special guardianship order": "special_guardianship_order",
            "Child arrangements order": "child_arrangements_order",
        },
    ),
}
#: Relations a table shows within itself, by caption start: ("row", total column, part columns): in each row the
#: parts add up to the total; ("rolling", 12-month column, monthly column): rows in date order.
WITHIN: dict[str, list[tuple[str, str, list[str]] | tuple[str, str, str]]] = {
    "Children starting and leaving care each month": [
        ("rolling", "Started care, last 12 months", "Started care"),
        ("rolling", "Left care, last 12 months", "Left care"),
    ],
    "Care order discharges each month, by route": [
        ("row", "All routes", ["Reunification", "Special guardianship order", "Child arrangements order"]),
    ],
    "SGOs granted each month, by who the special guardians are": [
        ("row", "All SGOs", ["To former foster carers", "To other carers"]),
        ("row", "All SGOs", ["To relatives or friends", "To others", "Not recorded"]),
    ],
    "SGOs in each 12 months by who the special guardians are": [
        ("row", "All SGOs", ["To former foster carers", "To other carers"]),
        ("row", "All SGOs", ["To relatives or friends", "To others", "Not recorded"]),
    ],
    "Open plans at each 31 March, 30 September and the review date": [("row", "All open plans", ["*"])],
    "Reunified children: what happened in the 12 months after they went home": [
        ("row", "Left care", ["Back in care within 12 months", "Stayed out 12 months", "Too soon to say"]),
    ],
    "Team-manager posts by contract": [("row", "Team-manager posts", ["Permanent", "Fixed-term", "Agency", "Vacant"])],
}
_TOTAL_ROW = re.compile(r"(all|total)\b", re.I)

#: Tables of one figure per row, as the pages label them (docs/metrics.md names the breakdowns): caption start ->
#: ({row label: (metric or None, breakdown)}, {column header start: (metric or None, when)}). The metric is the row's,
#: else the column's; "{pipeline}" is the page's pipeline. `when` gives the period: "caption" the date the caption
#: ends with ("... at 31 March 2024"); a whole number, the month end that many months before the review month (a
#: point in time); "year 0" or "year 1", the collection year ending with the review month, or the one before, when
#: the review month is March (the 12 months to it are that year).
_LEGAL = {
    "Full care order": "full_care_order",
    "Accommodated under section 20": "section_20",
    "Interim care order": "interim_care_order",
    "Placement order": "placement_order",
    "Other legal status": "other",
}
_PLACEMENT = {
    "Other foster care": "foster_other",
    "Foster care with relatives or friends": "foster_kinship",
    "Residential care": "residential",
    "Placed with parents": "placed_with_parents",
    "Placed for adoption": "adoption",
    "Semi-independent or supported accommodation": "semi_independent_or_supported",
    "Other placement": "other",
}
_POSITIONS = {
    "Identified for discharge": "identified",
    "Plan for SGO agreed": "identified",
    "Assessing best interests": "assessing",
    "Assessment negative, plan not yet closed": "assessment_negative",
    "Assessment positive, parents or carers unwilling to proceed": "carers_unwilling",
    "Assessment positive, carers unwilling to proceed": "carers_unwilling",
    "Assessment positive, application not yet sent": "assessment_complete",
    "Application with legal services": "with_legal",
    "Application filed with the court": "filed_with_court",
}
ROWS_FIGURE: dict[str, tuple[dict[str, tuple[str | None, str]], dict[str, tuple[str | None, object]]]] = {
    "Children in care by legal status at": (
        {label: (None, f"legal_status:{b}") for label, b in _LEGAL.items()},
        {"Children": ("cla_count", "caption")},
    ),
    "Children in care by placement type at": (
        {label: (None, f"placement_type:{b}") for label, b in _PLACEMENT.items()},
        {"Children": ("cla_count", "caption")},
    ),
    "Children leaving care by route": (
        {
            "Returned home": (None, "returned_home"),
            "Special guardianship order": (None, "special_guardianship_order"),
            "Child arrangements order": (None, "child_arrangements_order"),
            "Adoption": (None, "adoption"),
            "Turned 18 or independent living": (None, "turned_18_or_independent"),
            "Other": (None, "other"),
            "Not known (the return does not say)": (None, "unknown"),
        },
        {"Left care, last 12 months": ("cla_ceased_year", "year 0"),
         "Left care, the 12 months before": ("cla_ceased_year", "year 1")},
    ),
    "Open plans at": (
        {label: (None, b) for label, b in _POSITIONS.items()},
        {"Children": ("{pipeline}_pipeline_count", "caption"),
         "Of whom: more than": ("{pipeline}_pipeline_stuck", "caption")},
    ),
    "Children in care by changes of social worker in the 12 months to": (
        {"No change": (None, "0"), "One change": (None, "1"), "Two changes": (None, "2"),
         "Three or more changes": (None, "3_or_more")},
        {"Children in care": ("worker_changes_12m", "caption")},
    ),
    "Children in care by status now": (
        {
            "Number of children in care": ("cla_count", "all"),
            "Children subject of interim care orders": ("cla_count", "legal_status:interim_care_order"),
            "Children on placement orders": ("cla_count", "legal_status:placement_order"),
            "Children accommodated under section 20": ("cla_count", "legal_status:section_20"),
            "Children placed with parents": ("cla_count", "placement_type:placed_with_parents"),
            "Children fostered by relatives or friends": ("cla_count", "placement_type:foster_kinship"),
            "Children in residential care": ("cla_count", "placement_type:residential"),
            "Young people in semi-independent or supported accommodation": (
                "cla_count", "placement_type:semi_independent_or_supported"
            ),
            "Unaccompanied asylum-seeking children": ("cla_uasc_count", "all"),
        },
        {"Now": (None, 0), "A month earlier": (None, 1), "A year earlier": (None, 12)},
    ),
}  # fmt: skip


def pack_tables(pack: Path) -> list[dict]:
    """Every table of every HTML page: {"page", "index", "caption", "header", "rows"}."""
    found = []
    period = ""
    if (pack / "manifest.json").exists():  # the review month, printed on every page
        import json

        manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
        period = manifest.get("parameters", {}).get("period", "")
    for page in sorted(pack.glob("*.html")):
        for i, table in enumerate(page_tables(page.read_text(encoding="utf-8"))):
            if table["rows"]:
                found.append(
                    {"page": page.name, "index": i, "caption": table["caption"].strip(), "header": table["rows"][0],
                     "rows": table["rows"][1:], "period": period}
                )  # fmt: skip
    return found


def _rule(rules: dict, caption: str) -> object:
    return next((v for k, v in rules.items() if caption.startswith(k)), None)


def table_cell_key(table: dict, r: int, c: int, metrics: dict[Key, str]) -> TableKey:
    """The figure in a table cell: its metrics.csv key where an outsider can tell it is that figure (same metric,
    breakdown and period), else the cell's own place in the pack."""
    by_row = _rule(ROWS_SAME_FIGURE, table["caption"])
    if by_row is not None and table.get("period"):
        metric, back, labels = by_row  # type: ignore[misc]
        column, label = table["header"][c], table["rows"][r][0]
        if column in back and label in labels:
            key = (metric, labels[label], _months_back(table["period"], back[column]))
            if key in metrics:
                return key
    by_rows = _rule(ROWS_FIGURE, table["caption"])
    if by_rows is not None:
        key = _row_figure(table, r, c, by_rows)  # type: ignore[arg-type]
        if key is not None and key in metrics:
            return key
    columns = _rule(SAME_FIGURE, table["caption"]) or {}
    spec = columns.get(table["header"][c])  # type: ignore[union-attr]
    day = _day(table["rows"][r][0])
    if spec is not None and day is not None:
        metric = spec[0].replace("{pipeline}", "sgo" if "sgo" in table["page"] else "discharge")
        for period in (day, day[:7]):
            if (metric, spec[1], period) in metrics:
                return (metric, spec[1], period)
    return ("table", table["page"], str(table["index"]), str(r), str(c))


def _row_figure(table: dict, r: int, c: int, rule: tuple[dict, dict]) -> Key | None:
    """The metrics.csv key of a cell of a table of one figure per row (`ROWS_FIGURE`), or None."""
    rows, columns = rule
    label, header = table["rows"][r][0], table["header"][c]
    column = next((v for k, v in columns.items() if header.startswith(k)), None)
    if label not in rows or column is None:
        return None
    metric = rows[label][0] or column[0]
    metric = metric.replace("{pipeline}", "sgo" if "sgo" in table["page"] else "discharge")
    when, review = column[1], table.get("period", "")
    if when == "caption":
        found = re.search(r" (?:at|to) (\d{1,2} [A-Z][a-z]+ \d{4})", table["caption"])
        period = _day(found.group(1)) if found else None
    elif isinstance(when, int) and review:
        period = _month_end(_months_back(review, when))
    elif isinstance(when, str) and when.startswith("year") and review[5:7] == "03":
        end = int(review[:4]) - int(when.split()[1])
        period = f"{end - 1}/{end % 100:02d}"
    else:
        period = None
    return None if period is None else (metric, rows[label][1], period)


def _month_end(month: str) -> str:
    """"2024-02" as 2024-02-29."""
    import calendar

    y, m = int(month[:4]), int(month[5:7])
    return f"{month}-{calendar.monthrange(y, m)[1]:02d}"


def table_relations(table: dict, key: object) -> list[tuple[TableKey, list[TableKey]]]:
    """The `total = sum(parts)` relations a table shows: its declared ones (`WITHIN`) and any "All"/"Total" row
    that sums the count columns of the rows above it."""
    header, rows = table["header"], table["rows"]
    found: list[tuple[TableKey, list[TableKey]]] = []
    for rule in _rule(WITHIN, table["caption"]) or []:  # type: ignore[union-attr]
        kind, whole = rule[0], rule[1]
        if whole not in header:
            continue
        w = header.index(whole)
        if kind == "rolling":
            m = header.index(rule[2])  # type: ignore[arg-type]
            for r in range(11, len(rows)):
                found.append((key(r, w), [key(r - k, m) for k in range(12)]))  # type: ignore[operator]
        else:
            names = [h for h in header[1:] if h != whole] if rule[2] == ["*"] else [h for h in rule[2] if h in header]
            for r in range(len(rows)):
                found.append((key(r, w), [key(r, header.index(n)) for n in names]))  # type: ignore[operator]
    totals = [r for r, row in enumerate(rows) if _TOTAL_ROW.match(row[0])]
    if len(totals) == 1 and "%" not in table["caption"]:
        t = totals[0]
        for c in range(1, len(header)):
            column = [rows[r][c] for r in range(len(rows))]
            if "%" in header[c] or not all(_whole(x) or x == HIDDEN for x in column):
                continue
            found.append((key(t, c), [key(r, c) for r in range(len(rows)) if r != t]))
    return found


def _whole(text: str) -> bool:
    return re.fullmatch(r"\d[\d,]*", text.strip()) is not None


def attack_pack(pack: Path, truth: dict[Key, str]) -> dict[str, object]:
    """Every hidden figure an outsider can recover exactly from the whole pack, and every figure shown in one view
    and hidden in another. Returns {"leaks": {key: value}, "inconsistent": [...], "hidden": count, "relations": n}.

    The same figure across views is one unknown (`SAME_FIGURE`); relations are metrics.csv's (`relations`), each
    table's own (`table_relations`) and the UASC rates (`recover_uasc`). A recovery of a metrics.csv figure is a
    leak when it equals the truth (the analyst's unsuppressed copy); of a cell only a page shows, when the
    relations give it exactly (they hold by construction)."""
    metrics = read_metrics(pack / "metrics.csv")
    published: dict[object, str] = dict(metrics)
    hidden_anywhere = {k for k, v in metrics.items() if v == HIDDEN}
    inconsistent = []
    shown_elsewhere: dict[object, Fraction] = {}
    rules = list(relations(metrics))
    for table in pack_tables(pack):
        def key(r: int, c: int, table: dict = table) -> TableKey:
            return table_cell_key(table, r, c, metrics)

        for r, row in enumerate(table["rows"]):
            for c, text in enumerate(row[: len(table["header"])]):
                k = key(r, c)
                if k[0] != "table" and k in metrics:
                    other = metrics[k]
                    if (text == HIDDEN) != (other == HIDDEN):
                        inconsistent.append((table["caption"][:60], row[0], table["header"][c], text, other))
                    if text == HIDDEN:
                        hidden_anywhere.add(k)
                    elif other == HIDDEN and _whole(text):
                        published[k] = text  # a count the page shows where metrics.csv hides it: disclosed
                        shown_elsewhere[k] = Fraction(text.replace(",", ""))
                    continue
                published[k] = text
                if text == HIDDEN:
                    hidden_anywhere.add(k)
        rules += table_relations(table, key)
    recovered = recover(published, rules)  # type: ignore[arg-type]
    recovered |= recover_uasc(metrics) | shown_elsewhere
    leaks = {}
    for k, v in recovered.items():
        if k not in hidden_anywhere:
            continue
        if k[0] == "table" or (k in truth and Fraction(truth[k]) == v):
            leaks[k] = v
    return {"leaks": leaks, "inconsistent": inconsistent, "hidden": len(hidden_anywhere), "relations": len(rules)}


def workbook_hides_what_pages_hide(pack: Path) -> tuple[int, list[tuple]]:
    """Every sheet of tables.xlsx matched to the page table with its caption and row labels; every cell hidden on
    the page must be hidden in the sheet, and the reverse. Returns (cells compared, mismatches)."""
    tables: dict[str, list[dict]] = defaultdict(list)
    for table in pack_tables(pack):
        tables[table["caption"]].append(table)
    compared, bad = 0, []
    for sheet in read_xlsx(pack / "tables.xlsx")[1:]:
        rows = sheet["rows"]
        caption, body = rows[0][0].strip(), rows[2:]
        labels = [r[0] if r else "" for r in body]
        same = [t for t in tables.get(caption, []) if [r[0] for r in t["rows"]] == labels]
        if not same:
            bad.append((sheet["name"], caption, "no page table with this caption and these rows"))
            continue
        best = min(same, key=lambda t: _differences(t["rows"], body))
        for html_row, xlsx_row in zip(best["rows"], body, strict=True):
            for h, x in zip(html_row, xlsx_row, strict=False):
                compared += 1
                if (h == HIDDEN) != (x == HIDDEN):
                    bad.append((sheet["name"], caption[:60], html_row[0], h, x))
    return compared, bad


def _differences(html_rows: list[list[str]], xlsx_rows: list[list[str]]) -> int:
    return sum(
        _differ(h, x) for hr, xr in zip(html_rows, xlsx_rows, strict=False) for h, x in zip(hr, xr, strict=False)
    )


def _differ(html_text: str, xlsx_text: str) -> bool:
    a, b = number(html_text.replace("%", "")), number(xlsx_text)
    return a is not None and b is not None and a != b
