"""An independent recount of the children-in-care figures, for checking the package against.

Deliberately plain: the standard library only (csv, datetime), one loop per figure, and no import
from `analysis`. It reads the 903 CSV files of an input folder itself and follows the DfE's
definitions as written (SSDA903 guidance; "Children looked after in England" methodology), not
the package's code:

- Returns are merged by supersession: the latest return is authoritative for the collection year
  it covers (1 April to 31 March). For a child in a later return, an earlier return's episode that
  was open at, or ended on or after, 1 April of the later return's year is replaced by the later
  return's episodes. A stacked file (no year folders) keeps one row per CHILD + DECOM, a closed
  version over an open one.
- Episodes under an agreed series of short breaks (LS V3, V4) are left out of everything:
  counts and flows alike.
- A child is looked after at the end of day D if an episode has DECOM <= D and (DEC empty or
  DEC > D).
- A period of care starts at a child's first episode, after an episode whose REC is anything
  other than X1, or after a gap (DECOM not the day the previous episode ceased). It ends at an
  episode whose REC is anything other than X1; an X1 followed by a gap ends the period at the
  gap, route "unknown". A DEC with a blank REC (a rule 148 failure) is read as X1 would be.
- Routes out of care, from the REC code list (legacy E43/E44 read as SGOs, E4 as E4A).

It counts what the package shows: children looked after at each month end, and periods starting
and ceasing in each month (all and by route), from 1 April of the earliest return year.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path

SHORT_BREAKS = {"V3", "V4"}
#: REC values after which the next episode the same day continues the period: X1, and a blank REC
#: beside a DEC (a rule 148 failure), which is read as X1 would be.
CONTINUES = {"X1", None}

ROUTE_OF_REC = {
    "E4A": "returned_home", "E4B": "returned_home", "E4": "returned_home",
    "E45": "special_guardianship_order", "E46": "special_guardianship_order",
    "E47": "special_guardianship_order", "E48": "special_guardianship_order",
    "E43": "special_guardianship_order", "E44": "special_guardianship_order",
    "E41": "child_arrangements_order",
    "E11": "adoption", "E12": "adoption",
    "E17": "turned_18_or_independent", "E5": "turned_18_or_independent", "E6": "turned_18_or_independent",
    "E7": "turned_18_or_independent", "E15": "turned_18_or_independent",
    "E13": "other", "E14": "other", "E16": "other", "E2": "other", "E3": "other", "E8": "other", "E9": "other",
}  # fmt: skip


def day(text: str) -> dt.date | None:
    """A 903 date, dd/mm/yyyy (or an ISO date); None when blank."""
    text = (text or "").strip()
    if not text:
        return None
    if "/" in text:
        d, m, y = text.split("/")
        return dt.date(int(y), int(m), int(d))
    return dt.date.fromisoformat(text)


def month_end(d: dt.date) -> dt.date:
    first_of_next = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month end from the month of `first` to the month of `last`."""
    out, d = [], month_end(first)
    while d <= last:
        out.append(d)
        d = month_end(d + dt.timedelta(days=1))
    return out


def read_episodes(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    return [
        {
            "CHILD": r["CHILD"].strip(),
            "DECOM": day(r["DECOM"]),
            "DEC": day(r["DEC"]),
            "REC": (r["REC"] or "").strip() or None,
            "LS": (r["LS"] or "").strip(),
        }
        for r in rows
    ]


def load(folder: Path) -> tuple[list[dict], dt.date]:
    """(episodes after merging the returns, the first day the returns cover)."""
    root = Path(folder) / "ssda903"
    years = sorted(int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit() and len(p.name) == 4)
    if not years:
        stacked = read_episodes(root / "episodes.csv")
        best: dict[tuple, dict] = {}
        for e in stacked:  # a closed version wins over an open one; otherwise the later row
            key = (e["CHILD"], e["DECOM"])
            if key not in best or e["DEC"] is not None or best[key]["DEC"] is None:
                best[key] = e
        episodes = list(best.values())
        first_dec = min((e["DEC"] for e in episodes if e["DEC"]), default=min(e["DECOM"] for e in episodes))
        return episodes, dt.date(first_dec.year - (first_dec.month < 4), 4, 1)
    kept: list[dict] = []
    for year in years:
        later = read_episodes(root / str(year) / "episodes.csv")
        year_start = dt.date(year - 1, 4, 1)
        in_later = {e["CHILD"] for e in later}
        kept = [e for e in kept if e["CHILD"] not in in_later or (e["DEC"] is not None and e["DEC"] < year_start)]
        kept += later
    return kept, dt.date(years[0] - 1, 4, 1)


def periods(episodes: list[dict]) -> list[dict]:
    """Periods of care (short-break episodes left out): child, start, end (or None), route (or None)."""
    by_child: dict[str, list[dict]] = defaultdict(list)
    for e in episodes:
        if e["LS"] not in SHORT_BREAKS:
            by_child[e["CHILD"]].append(e)
    out = []
    for child, eps in by_child.items():
        eps.sort(key=lambda e: e["DECOM"])
        current = None
        previous = None
        for e in eps:
            new = previous is None or previous["REC"] not in CONTINUES or previous["DEC"] != e["DECOM"]
            if new:
                if current is not None and current["end"] is None and previous["REC"] in CONTINUES and previous["DEC"]:
                    # X1 followed by a gap: the period ends where the gap begins, route unknown.
                    current["end"], current["route"] = previous["DEC"], "unknown"
                current = {"CHILD": child, "start": e["DECOM"], "end": None, "route": None}
                out.append(current)
            if e["DEC"] is not None and e["REC"] not in (None, "X1"):
                current["end"], current["route"] = e["DEC"], ROUTE_OF_REC.get(e["REC"], "other")
            previous = e
        if previous is not None and previous["REC"] in CONTINUES and previous["DEC"] and current["end"] is None:
            current["end"], current["route"] = previous["DEC"], "unknown"
    return out


def recount(folder: Path, last: dt.date) -> dict:
    """Every figure the oracle checks, from the first month the returns cover to the month of `last`.

    Returns {"cla_count": {month end: n}, "cla_starts": {...}, "cla_ceased": {...},
    "cla_ceased_by_route": {(month end, route): n}, "started_year": {"2023/24": n},
    "ceased_year": {("2023/24", route or "all"): n}}.
    """
    episodes, start = load(folder)
    ends = month_ends(start, last)
    counted = [e for e in episodes if e["LS"] not in SHORT_BREAKS]
    cla = {}
    for d in ends:
        cla[d] = len({e["CHILD"] for e in counted if e["DECOM"] <= d and (e["DEC"] is None or e["DEC"] > d)})
    ps = periods(episodes)
    starts = Counter(month_end(p["start"]) for p in ps)
    ceases = Counter(month_end(p["end"]) for p in ps if p["end"] is not None)
    routes = Counter((month_end(p["end"]), p["route"]) for p in ps if p["end"] is not None)
    # Annual, children counted once: at their first start, and by the route of their last cease in the year.
    first_start: dict[tuple[str, str], dt.date] = {}
    last_cease: dict[tuple[str, str], tuple[dt.date, str]] = {}
    for p in ps:
        year = collection_year(p["start"])
        first_start[(year, p["CHILD"])] = min(p["start"], first_start.get((year, p["CHILD"]), p["start"]))
        if p["end"] is not None:
            key = (collection_year(p["end"]), p["CHILD"])
            if key not in last_cease or p["end"] >= last_cease[key][0]:
                last_cease[key] = (p["end"], p["route"])
    started_year = Counter(year for year, _ in first_start)
    ceased_year: Counter = Counter((year, "all") for year, _ in last_cease)
    ceased_year.update((year, route) for (year, _), (_, route) in last_cease.items())
    return {
        "cla_count": cla,
        "cla_starts": {d: starts.get(d, 0) for d in ends},
        "cla_ceased": {d: ceases.get(d, 0) for d in ends},
        "cla_ceased_by_route": {(d, r): n for (d, r), n in routes.items() if start <= d <= ends[-1]},
        "started_year": dict(started_year),
        "ceased_year": dict(ceased_year),
    }


def collection_year(d: dt.date) -> str:
    """The collection year of a date, written as the DfE writes it: 2023/24 runs 1 April 2023 to 31 March 2024."""
    first = d.year if d.month >= 4 else d.year - 1
    return f"{first}/{str(first + 1)[-2:]}"
