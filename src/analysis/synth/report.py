"""Recompute the calibration figures from a written folder (for tests and the data log).

This reads the files back with the standard library only, the way a consumer would: the
yearly 903 returns are de-duplicated on CHILD + DECOM keeping the latest return, and
short-break episodes (LS V3/V4) are left out of every count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from analysis.core.codes import LS_GROUP, PLACE_GROUP, SHORT_BREAK_LS

from . import calibration as cal
from ._util import month_end, read_csv

#: The pack's groupings (`analysis.core.codes`), so the calibration report counts what the pack counts.
RESIDENTIAL = tuple(code for code, group in PLACE_GROUP.items() if group == "residential")
SUPPORTED = tuple(code for code, group in PLACE_GROUP.items() if group == "semi_independent_or_supported")
KINSHIP = tuple(code for code, group in PLACE_GROUP.items() if group == "foster_kinship")
PLACEMENT_ORDER = tuple(code for code, group in LS_GROUP.items() if group == "placement_order")
SHORT_BREAKS = tuple(sorted(SHORT_BREAK_LS))


@dataclass(frozen=True)
class Ep:
    """A de-duplicated episode with parsed dates."""

    child: str
    decom: date
    dec: date | None
    rne: str
    ls: str
    place: str
    rec: str


def _dmy(text: str) -> date | None:
    return datetime.strptime(text, "%d/%m/%Y").date() if text else None


def _iso(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def load_episodes(root: Path) -> list[Ep]:
    """All episodes across the yearly returns, latest return winning, V3/V4 excluded."""
    latest: dict[tuple[str, str], dict[str, str]] = {}
    for year in cal.RETURN_YEARS:
        for row in read_csv(root / "ssda903" / str(year) / "episodes.csv"):
            latest[(row["CHILD"], row["DECOM"])] = row
    out = [
        Ep(r["CHILD"], _dmy(r["DECOM"]) or date.min, _dmy(r["DEC"]), r["RNE"], r["LS"], r["PLACE"], r["REC"])
        for r in latest.values()
        if r["LS"] not in SHORT_BREAKS
    ]
    return sorted(out, key=lambda e: (e.child, e.decom))


def uasc_children(root: Path) -> dict[str, date | None]:
    """UASC CHILD -> DUC (latest return)."""
    out: dict[str, date | None] = {}
    for year in cal.RETURN_YEARS:
        for row in read_csv(root / "ssda903" / str(year) / "uasc.csv"):
            out[row["CHILD"]] = _dmy(row["DUC"])
    return out


def open_at(episodes: list[Ep], day: date) -> list[Ep]:
    """Episodes open at the end of `day` (DECOM <= day < DEC)."""
    return [e for e in episodes if e.decom <= day and (e.dec is None or e.dec > day)]


def cla_at(episodes: list[Ep], day: date) -> int:
    """Children looked after at the end of `day`."""
    return len({e.child for e in open_at(episodes, day)})


def status_at(episodes: list[Ep], uasc: dict[str, date | None], day: date) -> dict[str, int]:
    """The 2020 child-status cohorts ([HC-SCRUTINY-2020-12]) at `day`."""
    now = open_at(episodes, day)
    return {
        "interim_care_order_C1": sum(e.ls == "C1" for e in now),
        "placement_order_E1": sum(e.ls in PLACEMENT_ORDER for e in now),
        "placed_with_parents_P1": sum(e.place == "P1" for e in now),
        "section_20_V2": sum(e.ls == "V2" for e in now),
        "uasc": sum(e.child in uasc and (uasc[e.child] is None or uasc[e.child] > day) for e in now),
        "residential": sum(e.place in RESIDENTIAL for e in now),
        "supported_accommodation": sum(e.place in SUPPORTED for e in now),
        "kinship_foster_U1_U3": sum(e.place in KINSHIP for e in now),
    }


def flows(episodes: list[Ep], first: date, last: date) -> tuple[int, Counter[str]]:
    """(starts, ceased by REC) with dates in [first, last]."""
    starts = sum(e.rne == "S" and first <= e.decom <= last for e in episodes)
    ceased = Counter(e.rec for e in episodes if e.dec is not None and e.rec != "X1" and first <= e.dec <= last)
    return starts, ceased


def reunified(episodes: list[Ep], first: date, last: date) -> int:
    """Care-order discharges home: E4A ending a C2 episode, DEC in [first, last]."""
    return sum(e.rec == "E4A" and e.ls == "C2" and e.dec is not None and first <= e.dec <= last for e in episodes)


def reentered_within_year(episodes: list[Ep], first: date, last: date) -> tuple[int, int]:
    """(returns home with REC E4A/E4B/E13 and DEC in [first, last], how many of those
    children started a new period of care within 365 days)."""
    left = back = 0
    for i, e in enumerate(episodes):
        if e.rec in ("E4A", "E4B", "E13") and e.dec is not None and first <= e.dec <= last:
            left += 1
            later = [n for n in episodes[i + 1 :] if n.child == e.child and n.rne == "S"]
            back += bool(later) and (later[0].decom - e.dec).days <= 365
    return left, back


def sgo_pipeline(root: Path, day: date) -> dict[str, int]:
    """SGO tracker position at `day` (compare [HC-SCRUTINY-2020-12])."""
    rows = [r for r in read_csv(root / "permanence.csv") if r["route"] == "special_guardianship_order"]
    live = [
        r
        for r in rows
        if (_iso(r["identified_date"]) or date.max) <= day
        and (not r["outcome_date"] or (_iso(r["outcome_date"]) or date.min) > day)
    ]

    def reached(r: dict[str, str], col: str) -> bool:
        value = _iso(r[col])
        return value is not None and value <= day

    return {
        "plan_for_sgo": len(live),
        "assessing": sum(reached(r, "assessing_date") and not reached(r, "assessment_complete_date") for r in live),
        "with_legal": sum(reached(r, "sent_to_legal_date") and not reached(r, "filed_with_court_date") for r in live),
        "filed_with_court": sum(reached(r, "filed_with_court_date") for r in live),
        "carers_unwilling": sum(reached(r, "assessment_complete_date") and r["carers_agree"] == "no" for r in live),
    }


def discharge_identified(root: Path, day: date) -> int:
    """Children identified for discharge home and not yet decided at `day` ([DFE-COMMISSIONER-2023-12])."""
    return sum(
        r["route"] == "discharge_to_parents"
        and (_iso(r["identified_date"]) or date.max) <= day
        and (not r["outcome_date"] or (_iso(r["outcome_date"]) or date.min) > day)
        for r in read_csv(root / "permanence.csv")
    )


def workforce_at(root: Path, day: date) -> dict[str, float]:
    """FTE by contract (all roles), mean caseload and share above 20 at a snapshot."""
    rows = [r for r in read_csv(root / "workforce.csv") if r["snapshot_date"] == day.isoformat()]
    out: dict[str, float] = {}
    for contract in ("permanent", "agency", "fixed_term", "vacant"):
        tenths = sum(round(float(r["fte"]) * 10) for r in rows if r["contract"] == contract)
        out[contract] = tenths / 10
    filled = out["permanent"] + out["agency"] + out["fixed_term"]
    out["agency_share_pct"] = round(100 * out["agency"] / filled, 1)
    loads = [int(r["caseload"]) for r in rows if r["caseload"]]
    out["mean_caseload"] = round(sum(loads) / len(loads), 1)
    out["over_20_pct"] = round(100 * sum(x > 20 for x in loads) / len(loads), 1)
    tms = [r for r in rows if r["role"] == "team_manager" and not r["team"].startswith("Locum")]
    out["team_managers"] = len(tms)
    out["team_managers_permanent"] = sum(r["contract"] == "permanent" for r in tms)
    return out


def _me(key: str) -> date:
    y, m = (int(x) for x in key.split("-"))
    return month_end(y, m)


def calibration_table(root: Path) -> list[tuple[str, str, str, str]]:
    """(measure, target, source, achieved) rows for docs/data_log.md."""
    eps = load_episodes(root)
    uasc = uasc_children(root)
    rows: list[tuple[str, str, str, str]] = []
    for point in cal.STOCK:
        if point.when >= "2019-03":
            rows.append(
                (f"CLA at {_me(point.when)}", f"{point.value:g}", point.source, str(cla_at(eps, _me(point.when))))
            )
    for label, first, last, target, source in (
        ("Starts Sep 2020", "2020-09", "2020-09", "2", "[HC-SCRUTINY-2020-12]"),
        ("Starts Oct 2020", "2020-10", "2020-10", "10", "[HC-SCRUTINY-2020-12]"),
        ("Starts 2020/21", "2020-04", "2021-03", "about 80", "[HSCP-2021-22]"),
        ("Starts 2021/22", "2021-04", "2022-03", "158", "[HSCP-2021-22]"),
        ("Starts Apr-Sep 2023", "2023-04", "2023-09", "42", "[DFE-COMMISSIONER-2023-12]"),
        ("Starts 2023/24", "2023-04", "2024-03", "96", "[DFE-CLA]"),
    ):
        n, _ = flows(eps, _me(first).replace(day=1), _me(last))
        rows.append((label, target, source, str(n)))
    for label, first, last, target, source in (
        ("Ceased Sep 2020", "2020-09", "2020-09", "8 (5 SGO, 1 CAO)", "[HC-SCRUTINY-2020-12]"),
        ("Ceased Oct 2020", "2020-10", "2020-10", "11 (3 SGO, 5 home)", "[HC-SCRUTINY-2020-12]"),
        ("Ceased 2021/22", "2021-04", "2022-03", "87 listed", "[HSCP-2021-22]"),
        ("Ceased Apr-Sep 2023", "2023-04", "2023-09", "51", "[DFE-COMMISSIONER-2023-12]"),
        ("Ceased 2023/24", "2023-04", "2024-03", "121", "[DFE-CLA]"),
    ):
        _, ceased = flows(eps, _me(first).replace(day=1), _me(last))
        sgo = sum(ceased[c] for c in ("E45", "E46", "E47", "E48"))
        detail = (
            f"{sum(ceased.values())} ({sgo} SGO, {ceased['E41']} CAO, "
            f"{reunified(eps, _me(first).replace(day=1), _me(last))} home from C2)"
        )
        rows.append((label, target, source, detail))
    for label, first, last, target, source, recs in (
        ("SGOs Nov 2019-Oct 2020", "2019-11", "2020-10", "21", "[HC-SCRUTINY-2020-12]", "SGO"),
        ("SGOs 2021/22", "2021-04", "2022-03", "10", "[HSCP-2021-22]", "SGO"),
        ("CAOs 2021/22", "2021-04", "2022-03", "3", "[HSCP-2021-22]", "E41"),
        (
            "Returned to parents/relatives 2021/22 (E4A, E4B, E13)",
            "2021-04",
            "2022-03",
            "23",
            "[HSCP-2021-22]",
            "HOME",
        ),
        ("Turned 18, stayed with carers 2021/22 (E17)", "2021-04", "2022-03", "21", "[HSCP-2021-22]", "E17"),
    ):
        _, ceased = flows(eps, _me(first).replace(day=1), _me(last))
        codes = {"SGO": ("E45", "E46", "E47", "E48"), "E41": ("E41",), "HOME": ("E4A", "E4B", "E13"), "E17": ("E17",)}[
            recs
        ]
        rows.append((label, target, source, str(sum(ceased[c] for c in codes))))
    for label, first, last, target, source in (
        ("Care orders discharged home Nov 2019-Oct 2020", "2019-11", "2020-10", "11", "[HC-SCRUTINY-2020-12]"),
        ("Care orders discharged home Jun-Nov 2023", "2023-06", "2023-11", "about 9", "[DFE-COMMISSIONER-2023-12]"),
        ("Care orders discharged home 2023/24", "2023-04", "2024-03", "22", "[HC-FAMILIES-2024-06]"),
    ):
        rows.append((label, target, source, str(reunified(eps, _me(first).replace(day=1), _me(last)))))
    left, back = reentered_within_year(eps, date(2019, 4, 1), date(2023, 3, 31))
    rows.append(("Returns home (E4A/E4B/E13) Apr 2019-Mar 2023 back in care within 12 months", "about 1 in 5",
                 "Goldacre et al. 2022 (see below)", f"{back} of {left} ({round(100 * back / left)}%)"))  # fmt: skip
    for i, key in enumerate(cal.STATUS_2020_MONTHS):
        got = status_at(eps, uasc, _me(key))
        for name, targets in cal.STATUS_2020.items():
            rows.append((f"{name} at {_me(key)}", str(targets[i]), "[HC-SCRUTINY-2020-12]", str(got[name])))
    for day, target, source in (
        (date(2019, 12, 31), "61", "[HC-SCRUTINY-2020-12]"),
        (date(2020, 9, 30), "71", "[HC-SCRUTINY-2020-12]"),
    ):
        rows.append(
            (f"Kinship foster U1-U3 at {day}", target, source, str(status_at(eps, uasc, day)["kinship_foster_U1_U3"]))
        )
    kin23 = status_at(eps, uasc, date(2023, 3, 31))["kinship_foster_U1_U3"]
    rows.append(("Kinship foster share at 2023-03-31", "about 13%", "[DFE-COMMISSIONER-2023-12]",
                 f"{round(100 * kin23 / cla_at(eps, date(2023, 3, 31)))}%"))  # fmt: skip
    rows.append(("Starts aged under 1, Apr 2019-Mar 2024", "15-20% (assumption)", "[DFE-CLA] (24 in 2021/22)",
                 f"{round(100 * _under_one(root, eps))}%"))  # fmt: skip
    uasc_jul23 = str(status_at(eps, uasc, date(2023, 7, 31))["uasc"])
    rows.append(("UASC at 2023-07-31", "29", "[DFE-COMMISSIONER-2023-12]", uasc_jul23))
    for day in (date(2023, 3, 31), date(2023, 10, 31)):
        rows.append(
            (
                f"Residential (K1, K2, R1, S1) at {day}",
                "40-60 (19% / FOI 24)",
                "[DFE-COMMISSIONER-2023-12]; [DFE-CLA]",
                str(status_at(eps, uasc, day)["residential"]),
            )
        )
    pipe = sgo_pipeline(root, date(2020, 10, 31))
    for name, target in (
        ("plan_for_sgo", "46"),
        ("assessing", "6"),
        ("with_legal", "5"),
        ("filed_with_court", "8"),
        ("carers_unwilling", "17"),
    ):
        rows.append((f"SGO tracker at 2020-10-31: {name}", target, "[HC-SCRUTINY-2020-12]", str(pipe[name])))
    rows.append(
        (
            "Identified for discharge home at 2023-11-30",
            "nearly 40",
            "[DFE-COMMISSIONER-2023-12]",
            str(discharge_identified(root, date(2023, 11, 30))),
        )
    )
    wf20 = workforce_at(root, date(2020, 9, 30))
    for contract in ("permanent", "agency", "fixed_term", "vacant"):
        rows.append(
            (
                f"Workforce FTE {contract} at 2020-09-30",
                f"{cal.WORKFORCE_SEP_2020[contract]}",
                "[HC-SCRUTINY-2020-12]",
                f"{wf20[contract]}",
            )
        )
    wf19 = workforce_at(root, date(2019, 9, 30))
    rows.append(
        (
            "Mean caseload / share >20 at 2019-09-30",
            "22 / 39%",
            "[HC-SCRUTINY-2020-12]",
            f"{wf19['mean_caseload']} / {wf19['over_20_pct']}%",
        )
    )
    rows.append(
        (
            "Mean caseload / share >20 at 2020-09-30",
            "16 / 14%",
            "[HC-SCRUTINY-2020-12]",
            f"{wf20['mean_caseload']} / {wf20['over_20_pct']}%",
        )
    )
    rows.append(
        ("Agency share of filled FTE at 2020-09-30", "12-13%", "[HC-SCRUTINY-2020-12]", f"{wf20['agency_share_pct']}%")
    )
    wf23 = workforce_at(root, date(2023, 11, 30))
    rows.append(
        (
            "Agency share of filled FTE at 2023-11-30",
            "nearly 50%",
            "[DFE-COMMISSIONER-2023-12]",
            f"{wf23['agency_share_pct']}%",
        )
    )
    rows.append(
        (
            "Permanent team managers at 2023-11-30",
            "13 of 19",
            "[DFE-COMMISSIONER-2023-12]",
            f"{wf23['team_managers_permanent']:g} of {wf23['team_managers']:g}",
        )
    )
    return rows


def _under_one(root: Path, eps: list[Ep]) -> float:
    dob = {}
    for year in cal.RETURN_YEARS:
        for row in read_csv(root / "ssda903" / str(year) / "header.csv"):
            dob[row["CHILD"]] = _dmy(row["DOB"])
    starts = [e for e in eps if e.rne == "S" and e.decom >= date(2019, 4, 1)]
    return sum((e.decom - (dob[e.child] or e.decom)).days < 365 for e in starts) / len(starts)


def markdown(rows: list[tuple[str, str, str, str]]) -> str:
    """The calibration table as Markdown."""
    lines = ["| Measure | Target | Source | Achieved |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines) + "\n"
