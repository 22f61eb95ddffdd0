"""Pack-wide disclosure control (analysis.core.suppression): known answers on small hand-made tables.

Each case is one of the recoveries the disclosure review found, worked by hand.
"""

from __future__ import annotations

import polars as pl
import pytest

from analysis.core import disclosure, suppression
from analysis.core.suppression import Cells, Policy


def cells_of(values: list[float], counts: bool = True) -> Cells:
    cells = Cells()
    for i, v in enumerate(values):
        cells.add(i, v, counts)
    return cells


def test_one_small_part_of_a_shown_total_takes_the_next_smallest_with_it() -> None:
    # Routes 12, 3, 20 of a total 35 that is shown: 3 is hidden (1-5), and 35 - 12 - 20 = 3 would give it
    # back, so the smallest other part (12) is hidden too.
    cells = cells_of([35, 12, 3, 20])
    hidden = suppression.protect(cells, [suppression.total(0, [1, 2, 3])])
    assert hidden == {2, 1}


def test_two_small_cells_and_a_total_are_not_enough() -> None:
    # SGO = 1 and CAO = 1 hidden, reunification 30 and the total 32 shown: the two hidden cells sum to 2, and a
    # "c" is at least 1, so each is 1. The audit sees it and hides reunification as well.
    cells = cells_of([32, 30, 1, 1])
    relations = [suppression.total(0, [1, 2, 3])]
    assert suppression.disclosed(cells, relations, {2, 3}) == {2, 3}
    hidden = suppression.protect(cells, relations)
    assert hidden == {1, 2, 3}
    assert suppression.disclosed(cells, relations, hidden) == set()


def test_a_month_cannot_be_worked_out_from_two_rolling_sums() -> None:
    # Thirteen months of starts, the 13th (index 12) is 3, hidden. Rolling sums for months 12 and 13 are shown:
    # starts(13) = sum12(13) - sum12(12) + starts(1), so one of the sums must go too.
    months = [10, 9, 8, 11, 12, 10, 9, 8, 7, 10, 11, 12, 3]
    cells = cells_of(months)
    s12 = cells.add("s12", float(sum(months[:12])))
    s13 = cells.add("s13", float(sum(months[1:])))
    relations = [suppression.total(s12, list(range(12))), suppression.total(s13, list(range(1, 13)))]
    assert suppression.disclosed(cells, relations, {12}) == {12}
    hidden = suppression.protect(cells, relations)
    assert 12 in hidden and suppression.disclosed(cells, relations, hidden) == set()
    assert {s12, s13} & hidden or len(hidden & set(range(1, 12))) >= 1


def test_a_rate_with_four_decimals_gives_back_its_numerator() -> None:
    # 350 in care, 3 UASC; the rate excluding UASC is (350 - 3) / 36,100 x 10,000 = 96.1219 (4 places), beside
    # the full rate: UASC = 350 - rate_excl x 3.61 exactly. The rate excluding UASC is withheld.
    cells = Cells()
    count = cells.add("cla", 350)
    uasc = cells.add("uasc", 3)
    excl = cells.add("excl", round((350 - 3) / 36_100 * 10_000, 4), count=False)
    relations = [suppression.rate(excl, [(count, 1.0), (uasc, -1.0)], 10_000 / 36_100, 4)]
    assert suppression.disclosed(cells, relations, {uasc}) == {uasc}
    assert suppression.protect(cells, relations) == {uasc, excl}


def test_rates_are_withheld_with_their_numerator_even_without_a_relation() -> None:
    cells = Cells()
    came_back = cells.add("count", 2)
    rate = cells.add("rate", 15.3846, count=False)
    assert suppression.protect(cells, [], withheld_with={came_back: [rate]}) == {came_back, rate}


def test_the_threshold_is_the_policy_s() -> None:
    cells = cells_of([5, 6, 0])
    assert suppression.protect(cells, [], Policy(threshold=5)) == {0}
    assert suppression.protect(cells, [], Policy(threshold=4)) == set()
    assert suppression.protect(cells, [], Policy(threshold=5, audience="internal", suppress=False)) == set()


def test_only_an_internal_pack_may_switch_suppression_off() -> None:
    with pytest.raises(ValueError, match="internal"):
        Policy(suppress=False)
    with pytest.raises(ValueError):
        Policy(threshold=0)


def test_zeros_are_shown_and_never_used_to_protect() -> None:
    cells = cells_of([3, 3, 0])
    assert suppression.protect(cells, [suppression.total(0, [1, 2])]) == {0, 1}


def test_column_protection_uses_the_same_method() -> None:
    # A column of routes that adds up to a total shown elsewhere: 1 and 1 and 30 -> all three hidden.
    frame = pl.DataFrame({"n": [1, 1, 30, 0]})
    try:
        disclosure.set_policy(Policy(threshold=5))
        assert disclosure.hidden(frame, "n").to_list() == [True, True, True, False]
    finally:
        disclosure.set_policy(suppression.DEFAULT)


def test_a_large_decision_shared_with_a_second_process_hides_the_same_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    # Forty independent groups (a shown total, one small part, larger parts): split between two processes,
    # the decision must be exactly the one made in a single process, and the second process must have run.
    cells = Cells()
    relations = []
    for g in range(40):
        parts = [cells.add((g, p), float(v)) for p, v in enumerate([2 + g % 4, 7 + g, 9, 11 + g % 3])]
        whole = cells.add((g, "total"), float(sum(cells.values[p] or 0 for p in parts)))
        relations.append(suppression.total(whole, parts))
    hidden = {i for i, v in enumerate(cells.values) if v is not None and 1 <= v <= 5}
    alone = suppression._protect_from(cells, relations, hidden, set(), parallel_from=10**9)
    suppression.SPLIT[0] = ""
    monkeypatch.setattr(suppression, "_cores", lambda: 2)  # as on a machine with a second core
    shared = suppression._protect_from(cells, relations, hidden, set(), parallel_from=1)
    assert suppression.SPLIT[0] == "two processes"
    assert shared == alone and len(alone) == 80  # each group: the small part and the next smallest
