"""The package against an independent recount (tests/oracle.py), exactly, at every month.

The oracle reads the 903 CSV files itself and counts with plain loops, following the DfE's
definitions as written. The package's figures are taken from metrics.csv's rows
(`children_in_care.section_metrics`), so a wrong period label (a value shifted by a month) fails
here as surely as a wrong count. Where the package differs only because of a definition that
issue 14 changes and that has not landed yet, the test is marked xfail(strict): it flips to a
failure the day the fix lands, and the mark is removed then.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import oracle
import pytest
from factories import child, episode, write_folder

from analysis.load.inputs import load_inputs
from analysis.sections.children_in_care import section_metrics

ISSUE_14 = "issue 14: {}"


def package(folder: Path, period: str) -> dict:
    """The package's figures from its metrics rows, keyed as the oracle keys them."""
    rows = section_metrics(load_inputs(folder), period, months=120).to_dicts()

    def month(text: str) -> dt.date:
        return oracle.month_end(dt.date(int(text[:4]), int(text[5:7]), 1))

    out: dict = {"cla_count": {}, "cla_starts": {}, "cla_ceased": {}, "cla_ceased_by_route": {}}
    for r in rows:
        if r["metric"] == "cla_count" and r["breakdown"] == "all":
            out["cla_count"][dt.date.fromisoformat(r["period"])] = int(r["value"])
        elif r["metric"] in ("cla_starts", "cla_ceased") and r["breakdown"] == "all" and r["value"] is not None:
            out[r["metric"]][month(r["period"])] = int(r["value"])
        elif r["metric"] == "cla_ceased" and r["value"]:
            out["cla_ceased_by_route"][(month(r["period"]), r["breakdown"])] = int(r["value"])
    return out


def differences(expected: dict, got: dict) -> dict:
    """{key: (oracle, package)} wherever the two differ (a missing month counts as a difference)."""
    return {k: (expected.get(k), got.get(k)) for k in sorted(set(expected) | set(got)) if expected.get(k) != got.get(k)}


def compare(folder: Path, period: str, figure: str) -> None:
    year, month = int(period[:4]), int(period[5:])
    last = oracle.month_end(dt.date(year, month, 1))
    expected = oracle.recount(folder, last)[figure]
    figures = package(folder, period)
    # The package may start later than the oracle (it takes coverage from the episodes it keeps, not from every
    # return read), never earlier, and both end at the review month: compare every month from its first.
    first = min(figures["cla_count"])
    assert first >= min(oracle.recount(folder, last)["cla_count"]) and max(figures["cla_count"]) == last
    expected = {k: v for k, v in expected.items() if (k[0] if isinstance(k, tuple) else k) >= first}
    got = figures[figure]
    assert expected, "the oracle found nothing to compare"
    assert differences(expected, got) == {}


# --- The synthetic data -----------------------------------------------------------------------

FIGURES = ["cla_count", "cla_starts", "cla_ceased", "cla_ceased_by_route"]


@pytest.mark.parametrize("figure", FIGURES)
def test_the_package_matches_the_recount_on_the_synthetic_data(synthetic: Path, figure: str) -> None:
    compare(synthetic, "2024-03", figure)


def test_the_recount_covers_every_month_of_the_synthetic_returns(synthetic: Path) -> None:
    counts = oracle.recount(synthetic, dt.date(2024, 3, 31))["cla_count"]
    assert min(counts) == dt.date(2019, 4, 30) and max(counts) == dt.date(2024, 3, 31) and len(counts) == 60


# --- Hand-made returns: each with the oracle's answer worked by hand, then the package against it -------


def two_returns(tmp_path: Path, episodes_2023: list[dict], episodes_2024: list[dict]) -> Path:
    """An input folder with the 2023 and 2024 returns (header rows for every child named)."""
    header = [child(c) for c in sorted({e["CHILD"] for e in episodes_2023 + episodes_2024})]
    write_folder(tmp_path / "in", header=header, episodes=episodes_2023, year=2023)
    return write_folder(tmp_path / "in", header=header, episodes=episodes_2024, year=2024)


def test_clean_returns_boundaries_x1_chains_and_a_gap(tmp_path: Path) -> None:
    folder = two_returns(
        tmp_path,
        [
            episode("A", "15/05/2022", "31/07/2022", rec="X1"),  # A: one period from May 2022, X1 chain
            episode("A", "31/07/2022", rne="P", ls="C2"),
            episode("B", "01/06/2022", "30/09/2022", rec="E4A"),  # B ceases on a month end: not counted at 30 Sep
            episode("B", "10/01/2023", rne="S"),  # B comes back after a gap: a second period, January
        ],
        [
            episode("A", "31/07/2022", "31/08/2023", rne="P", ls="C2", rec="E45"),  # A leaves by SGO, Aug 2023
            episode("B", "10/01/2023", rne="S"),
            episode("C", "01/03/2024", rne="S", ls="V2"),
        ],
    )
    r = oracle.recount(folder, dt.date(2024, 3, 31))
    # Month ends from April 2022: A from May 2022 to July 2023 (DEC 31/08/2023 = a month end, not counted then);
    # B in June-August 2022, out at 30 September, back from January 2023; C at March 2024.
    assert r["cla_count"][dt.date(2022, 4, 30)] == 0
    assert r["cla_count"][dt.date(2022, 6, 30)] == 2  # A and B
    assert r["cla_count"][dt.date(2022, 9, 30)] == 1  # A only: B ceased on the day
    assert r["cla_count"][dt.date(2023, 1, 31)] == 2
    assert r["cla_count"][dt.date(2023, 8, 31)] == 1  # A ceased on the day: B only
    assert r["cla_count"][dt.date(2024, 3, 31)] == 2  # B and C
    # Starts: A May 2022, B June 2022 and January 2023, C March 2024; the X1 in July is no start.
    assert {d: n for d, n in r["cla_starts"].items() if n} == {
        dt.date(2022, 5, 31): 1, dt.date(2022, 6, 30): 1, dt.date(2023, 1, 31): 1, dt.date(2024, 3, 31): 1,
    }  # fmt: skip
    assert r["cla_ceased_by_route"] == {
        (dt.date(2022, 9, 30), "returned_home"): 1,
        (dt.date(2023, 8, 31), "special_guardianship_order"): 1,
    }
    for figure in FIGURES:
        compare(folder, "2024-03", figure)


def _same_day_return_home_then_short_break(tmp_path: Path) -> Path:
    # Issue 14, example 2: E ceases 01/09/2023 by E4A and a V4 episode starts the same day.
    return two_returns(
        tmp_path,
        [episode("E", "10/10/2022", ls="C2", place="U4")],
        [
            episode("E", "10/10/2022", "01/09/2023", ls="C2", place="U4", rec="E4A"),
            episode("E", "01/09/2023", "20/02/2024", rne="S", ls="V4", rec="E13"),
        ],
    )


def test_the_recount_ends_a_period_at_a_return_home_even_when_an_episode_follows_the_same_day(
    tmp_path: Path,
) -> None:
    r = oracle.recount(_same_day_return_home_then_short_break(tmp_path), dt.date(2024, 3, 31))
    # The period runs October 2022 to 1 September 2023 and ends by return home; the V4 short break is
    # left out of everything, so there is no second period and no cease in February 2024.
    assert r["cla_ceased_by_route"] == {(dt.date(2023, 9, 30), "returned_home"): 1}
    assert sum(r["cla_starts"].values()) == 1
    assert r["cla_count"][dt.date(2023, 8, 31)] == 1 and r["cla_count"][dt.date(2023, 9, 30)] == 0


@pytest.mark.parametrize("figure", ["cla_ceased", "cla_ceased_by_route"])
def test_the_package_ends_a_period_at_a_return_home_followed_the_same_day(tmp_path: Path, figure: str) -> None:
    compare(_same_day_return_home_then_short_break(tmp_path), "2024-03", figure)


def _same_day_return_home_then_new_care(tmp_path: Path) -> Path:
    # F goes home by E4A on 01/09/2023 and a new section 20 episode starts that day (RNE S): two periods.
    return two_returns(
        tmp_path,
        [episode("F", "10/10/2022", ls="C2")],
        [
            episode("F", "10/10/2022", "01/09/2023", ls="C2", rec="E4A"),
            episode("F", "01/09/2023", rne="S", ls="V2"),
        ],
    )


def test_the_recount_starts_a_new_period_after_a_same_day_return_home(tmp_path: Path) -> None:
    r = oracle.recount(_same_day_return_home_then_new_care(tmp_path), dt.date(2024, 3, 31))
    assert r["cla_starts"][dt.date(2022, 10, 31)] == 1 and r["cla_starts"][dt.date(2023, 9, 30)] == 1
    assert r["cla_ceased_by_route"] == {(dt.date(2023, 9, 30), "returned_home"): 1}
    assert r["cla_count"][dt.date(2023, 9, 30)] == 1  # looked after again at the month end


@pytest.mark.parametrize("figure", ["cla_starts", "cla_ceased_by_route"])
def test_the_package_starts_a_new_period_after_a_same_day_return_home(tmp_path: Path, figure: str) -> None:
    compare(_same_day_return_home_then_new_care(tmp_path), "2024-03", figure)


def test_the_package_counts_a_same_day_return_home_child_at_each_month_end(tmp_path: Path) -> None:
    compare(_same_day_return_home_then_new_care(tmp_path), "2024-03", "cla_count")


def _care_then_short_breaks(tmp_path: Path) -> Path:
    # G is in care (C2) and goes on to short breaks after an X1: the V3 episodes are no care at all.
    return two_returns(
        tmp_path,
        [episode("G", "01/06/2022", ls="C2")],
        [
            episode("G", "01/06/2022", "15/07/2023", ls="C2", rec="X1"),
            episode("G", "15/07/2023", "17/07/2023", rne="P", ls="V3", rec="E13"),
        ],
    )


def test_the_recount_leaves_short_breaks_out_of_flows_as_well_as_counts(tmp_path: Path) -> None:
    r = oracle.recount(_care_then_short_breaks(tmp_path), dt.date(2024, 3, 31))
    # Without the V3 episode, the C2 episode ends with X1 and nothing follows: the period ends at the gap,
    # 15 July 2023, route unknown (rule 433), when G also leaves the count.
    assert r["cla_ceased_by_route"] == {(dt.date(2023, 7, 31), "unknown"): 1}
    assert r["cla_count"][dt.date(2023, 6, 30)] == 1 and r["cla_count"][dt.date(2023, 7, 31)] == 0


def test_the_package_leaves_short_breaks_out_of_flows(tmp_path: Path) -> None:
    # Today the package ends G's period on 17 July by E13 (other); the month is right, the route is not.
    compare(_care_then_short_breaks(tmp_path), "2024-03", "cla_ceased_by_route")


def _amended_return(tmp_path: Path) -> Path:
    # Issue 14, example 1: the 2024 return corrects C's DECOM (01/05/2022 -> 03/05/2022) and closes it.
    return two_returns(
        tmp_path,
        [episode("C", "01/05/2022", ls="C2")],
        [episode("C", "03/05/2022", "10/10/2023", ls="C2", rec="E4A")],
    )


def test_the_recount_keeps_only_the_corrected_history(tmp_path: Path) -> None:
    r = oracle.recount(_amended_return(tmp_path), dt.date(2024, 3, 31))
    # One period, May 2022 to 10 October 2023: looked after at 30 September, not at 31 October.
    assert r["cla_count"][dt.date(2023, 9, 30)] == 1 and r["cla_count"][dt.date(2023, 10, 31)] == 0
    assert sum(r["cla_starts"].values()) == 1 and sum(r["cla_ceased"].values()) == 1


@pytest.mark.parametrize("figure", ["cla_count", "cla_starts"])
def test_the_package_keeps_only_the_corrected_history(tmp_path: Path, figure: str) -> None:
    compare(_amended_return(tmp_path), "2024-03", figure)


def test_the_recount_counts_each_child_once_in_the_annual_figures(tmp_path: Path) -> None:
    folder = two_returns(
        tmp_path,
        [episode("H", "01/02/2023", "20/02/2023", rec="E4A")],
        [
            episode("H", "01/05/2023", "01/06/2023", rec="E4A"),  # H: two starts and two ceases in 2023/24
            episode("H", "01/08/2023", "01/12/2023", rec="E45"),
            episode("J", "01/07/2023"),
        ],
    )
    r = oracle.recount(folder, dt.date(2024, 3, 31))
    assert sum(n for d, n in r["cla_starts"].items() if d >= dt.date(2023, 4, 1)) == 3  # periods: H twice, J
    assert r["started_year"]["2023/24"] == 2  # children: H once, J
    assert r["ceased_year"][("2023/24", "all")] == 1  # H once, by the route of the last cease: SGO
    assert r["ceased_year"][("2023/24", "special_guardianship_order")] == 1
    assert ("2023/24", "returned_home") not in r["ceased_year"]
    assert r["started_year"]["2022/23"] == 1 and r["ceased_year"][("2022/23", "returned_home")] == 1


def test_the_recount_reads_a_stacked_file(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "in",
        header=[child("K")],
        episodes=[
            episode("K", "01/05/2023"),  # the open version, then the closed one: the closed one wins
            episode("K", "01/05/2023", "10/01/2024", rec="E11"),
        ],
        year=None,
    )
    r = oracle.recount(folder, dt.date(2024, 3, 31))
    assert min(r["cla_count"]) == dt.date(2023, 4, 30)  # 1 April on or before the first cease, 10/01/2024
    assert r["cla_count"][dt.date(2023, 12, 31)] == 1 and r["cla_count"][dt.date(2024, 1, 31)] == 0
    assert r["cla_ceased_by_route"] == {(dt.date(2024, 1, 31), "adoption"): 1}
    for figure in FIGURES:
        compare(folder, "2024-03", figure)


def test_the_annual_counts_of_children_match_the_recount(synthetic: Path) -> None:
    r = oracle.recount(synthetic, dt.date(2024, 3, 31))
    rows = section_metrics(load_inputs(synthetic), "2024-03").to_dicts()
    years = ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]
    started = {x["period"]: x["value"] for x in rows if x["metric"] == "cla_started_year" and x["breakdown"] == "all"}
    ceased = {
        (x["period"], x["breakdown"]): x["value"] for x in rows if x["metric"] == "cla_ceased_year" and x["value"]
    }
    assert started == {y: r["started_year"].get(y, 0) for y in years}
    assert ceased == {k: v for k, v in r["ceased_year"].items() if k[0] in years}
