"""Pack-wide disclosure control (analysis.core.suppression): known answers on small hand-made tables.

Each case is one of the recoveries the disclosure review found, worked by hand.
"""

from __future__ import annotations

import polars as pl
import pytest

from analysis.core import disclosure, suppression
from analysis.core.suppression import Cells, Policy


def cells_of(values: list[float], counts: bool = True, zeros: bool = True) -> Cells:
    """Cells as the pack-wide decision makes them: zeros may be complements (`zeros=False`: a table's own)."""
    cells = Cells(zeros=zeros)
    for i, v in enumerate(values):
        cells.add(i, v, counts)
    return cells


def test_one_small_part_of_a_shown_total_takes_the_next_smallest_with_it() -> None:
    # Routes 12, 3, 20 of a total 35 that is shown: 3 is hidden (1-5), and 35 - 12 - 20 = 3 would give it
    # back, so the smallest other part (12) is hidden too.
    cells = cells_of([35, 12, 3, 20])
    hidden = suppression.protect(cells, [suppression.total(0, [1, 2, 3])])
    assert hidden == {2, 1}


def test_two_small_cells_and_a_total_need_no_third() -> None:
    # SGO = 1 and CAO = 1 hidden, reunification 30 and the total 32 shown: the two hidden cells sum to 2. A "c" may
    # be a zero hidden as a complement, so either could be 0, 1 or 2: nothing is disclosed and 30 stays shown (it
    # was hidden while the audit took a "c" to be at least 1).
    cells = cells_of([32, 30, 1, 1])
    relations = [suppression.total(0, [1, 2, 3])]
    assert suppression.disclosed(cells, relations, {2, 3}) == set()
    assert suppression.protect(cells, relations) == {2, 3}
    # A table protecting its own cells keeps zeros shown, so there a "c" is at least 1: each is 1, and the 30 goes.
    own = cells_of([32, 30, 1, 1], zeros=False)
    assert suppression.disclosed(own, relations, {2, 3}) == {2, 3}
    assert suppression.protect(own, relations) == {1, 2, 3}


def test_a_zero_is_the_complement_of_a_lone_small_cell() -> None:
    # Total 32 = 31 + 1 + 0: the 1 is the total minus the rest. The zero is the cheapest complement (not the 31);
    # then the two "c" sum to 1 and each could be 0 or 1.
    cells = cells_of([32, 31, 1, 0])
    relations = [suppression.total(0, [1, 2, 3])]
    assert suppression.disclosed(cells, relations, {2}) == {2}
    hidden = suppression.protect(cells, relations)
    assert hidden == {2, 3}
    assert suppression.disclosed(cells, relations, hidden) == set()
    assert suppression.protect(cells_of([32, 31, 1, 0], zeros=False), relations) == {1, 2}  # a table's own: the 31


def test_a_hidden_zero_that_can_be_worked_out_is_disclosed() -> None:
    # A zero hidden on its own beside a shown total and parts is pinned to 0: the audit counts it as disclosed.
    cells = cells_of([31, 31, 0])
    assert suppression.disclosed(cells, [suppression.total(0, [1, 2])], {2}) == {2}


def test_a_12_month_sum_of_ones_stays_shown() -> None:
    # SGOs each month: 4 months of 0 and 8 of 1, their 12-month sum 8 (a headline). While the audit took a "c" to
    # be at least 1, the 8 hidden months summing to 8 were each 1, so the sum was hidden. A "c" may be 0 now: the 8
    # months are hidden, the zeros and the sum shown.
    months = [1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1]
    cells = cells_of(months)
    summed = cells.add("sum", float(sum(months)), weight=suppression.HEADLINE)
    relations = [suppression.total(summed, list(range(12)))]
    hidden = suppression.protect(cells, relations)
    assert hidden == {m for m, v in enumerate(months) if v}
    assert summed not in hidden


def test_a_zero_12_months_before_is_hidden_rather_than_a_sum() -> None:
    # 13 months, two 12-month sums (headlines) shown. The 13th month (2) is sum(13) - sum(12) + month 1 (a zero),
    # and month 1 is in no relation with it: the attacker's proof names it, so it is the complement, not a sum.
    months = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 2]
    cells = cells_of(months)
    s12 = cells.add("s12", float(sum(months[:12])), weight=suppression.HEADLINE)
    s13 = cells.add("s13", float(sum(months[1:])), weight=suppression.HEADLINE)
    relations = [suppression.total(s12, list(range(12))), suppression.total(s13, list(range(1, 13)))]
    primary = {m for m, v in enumerate(months) if v}
    assert suppression.disclosed(cells, relations, primary) == {12}
    hidden = suppression.protect(cells, relations)
    assert hidden == primary | {0}
    assert suppression.disclosed(cells, relations, hidden) == set()


def test_headline_totals_are_hidden_last() -> None:
    # Total 40 = 3 + 37: the 3 is the total minus 37, so one more must go. The 37 costs 38 (value + 1), the headline
    # total 5 x 41: the part goes, the total stays shown.
    cells = Cells(zeros=True)
    total = cells.add("all", 40, weight=suppression.HEADLINE)
    small = cells.add("a", 3)
    big = cells.add("b", 37)
    relations = [suppression.total(total, [small, big])]
    assert suppression.protect(cells, relations) == {small, big}
    assert cells.cost(total) == 205 and cells.cost(big) == 38


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


def test_zeros_are_never_primary() -> None:
    cells = cells_of([3, 3, 0])
    assert suppression.protect(cells, [suppression.total(0, [1, 2])]) == {0, 1}
    assert suppression.protect(cells_of([0, 0]), []) == set()


def test_column_protection_uses_the_same_method() -> None:
    # A column of routes that adds up to a total shown elsewhere: 1 and 1 and 30 -> all three hidden. A table's own
    # protection keeps zeros shown (a "c" is at least 1 there), so the 1 and 1 would each be 1 without the 30.
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


def test_a_12_month_sum_hidden_early_is_shown_again_when_months_hidden_later_protect_enough(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 18 months and their 7 rolling sums. Choosing one complement at a time, the method hides the sum to month 17 when
    # nothing cheaper is left beside a month it protects; months it hides afterwards protect that month too, so the
    # sum is shown again at the end (`_release`) and more months hidden instead: no sum hidden, nothing disclosed.
    months = [10, 3, 7, 9, 1, 0, 7, 6, 0, 10, 9, 6, 1, 3, 10, 6, 6, 3]

    def build() -> tuple[Cells, list[suppression.Relation], list[int]]:
        cells = cells_of(months)
        cells.weights[:] = [suppression.HEADLINE] * len(months)
        sums = [cells.add(f"s{t}", float(sum(months[t - 11 : t + 1])), weight=suppression.SUM) for t in range(11, 18)]
        windows = [list(range(t - 11, t + 1)) for t in range(11, 18)]
        return cells, [suppression.total(s, w) for s, w in zip(sums, windows, strict=True)], sums

    monkeypatch.setattr(suppression, "RELEASE", False)
    cells, relations, sums = build()
    assert set(sums) & suppression.protect(cells, relations) == {sums[-2]}  # the sum to month 17
    monkeypatch.setattr(suppression, "RELEASE", True)
    cells, relations, sums = build()
    hidden = suppression.protect(cells, relations)
    assert not set(sums) & hidden and hidden == {0, 1, 2, 3, 4, 5, 12, 13, 14, 15, 16, 17}
    assert suppression.disclosed(cells, relations, hidden) == set()
