"""Disclosure control: small counts suppressed, identifiers found even inside SVG charts."""

from __future__ import annotations

import base64

import polars as pl
import pytest

from analysis.core.disclosure import (
    checkable_identifiers,
    hidden,
    identifiers_found,
    mask_small,
    protect,
    set_policy,
    show_count,
    suppress_columns,
)
from analysis.core.suppression import DEFAULT, Policy


@pytest.mark.parametrize(
    ("value", "shown"), [(0, "0"), (1, "c"), (5, "c"), (6, "6"), (1234, "1,234"), (None, "–")]
)
def test_show_count(value: int | None, shown: str) -> None:
    # The default policy hides 1 to 5 ("fewer than 6").
    assert show_count(value) == shown


def test_the_threshold_follows_the_policy() -> None:
    try:
        set_policy(Policy(threshold=4))
        assert (show_count(4), show_count(5)) == ("c", "5")
        set_policy(Policy(audience="internal", suppress=False))
        assert show_count(1) == "1"
    finally:
        set_policy(DEFAULT)


def test_suppress_columns_and_mask_small() -> None:
    frame = pl.DataFrame({"n": [0, 3, 12]})
    assert suppress_columns(frame, ["n"])["n"].to_list() == ["0", "c", "12"]
    assert mask_small(frame, ["n"])["n"].to_list() == [0, None, 12]


def test_identifier_inside_an_svg_chart_is_found() -> None:
    svg = "<svg><text>SYN000123</text></svg>"
    page = f'<img src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}">'
    assert "SYN000123" not in page
    assert identifiers_found(page, {"SYN000123", "SYN000999"}) == {"SYN000123"}


def test_identifier_must_be_a_whole_token() -> None:
    assert identifiers_found("<p>SYN0001234</p>", {"SYN000123"}) == set()
    assert identifiers_found("<p>child ABC-12/3 here</p>", {"ABC-12/3"}) == {"ABC-12/3"}


def test_short_numeric_identifiers_are_not_searched() -> None:
    assert checkable_identifiers({"336", "123456", "A12", ""}) == {"123456", "A12"}


def test_secondary_suppression_hides_the_next_smallest_cell() -> None:
    # Routes out of care: total 20 is shown elsewhere; the 3 could be recovered as 20 - 7 - 10. A table's own
    # protection never hides the zero (a rate of 0% beside it could give it away): the 7 goes.
    frame = pl.DataFrame({"route": ["a", "b", "c", "d"], "n": [3, 7, 10, 0]})
    assert hidden(frame, "n").to_list() == [True, True, False, False]
    shown = protect(frame, "n")
    assert shown["n_label"].to_list() == ["c", "c", "10", "0"]
    assert shown["n"].to_list() == [None, None, 10, 0]


def test_two_primary_cells_protect_each_other() -> None:
    frame = pl.DataFrame({"n": [2, 3, 10, 12]})
    assert hidden(frame, "n").to_list() == [True, True, False, False]


def test_secondary_suppression_within_groups() -> None:
    frame = pl.DataFrame({"month": [1, 1, 1, 2, 2, 2], "n": [4, 6, 9, 7, 6, 9]})
    assert hidden(frame, "n", by=["month"]).to_list() == [True, True, False, False, False, False]


def test_nothing_to_protect() -> None:
    frame = pl.DataFrame({"n": [0, 6, 9]})
    assert hidden(frame, "n").to_list() == [False, False, False]


# --- One pack-wide decision: every view asks it (analysis.core.disclosure.figure_hidden) ---------------------


def test_figure_hidden_answers_only_for_figures_of_the_decision() -> None:
    from analysis.core.disclosure import figure_hidden, set_figures
    from analysis.metrics.relations import Figures

    key, other = ("cla_starts", "all", "2024-03"), ("cla_starts", "all", "2024-02")
    assert figure_hidden(key) is None  # no decision: each table protects itself
    set_figures(lambda: Figures(frozenset({key, other}), frozenset({key})))  # computed on first use
    assert (figure_hidden(key), figure_hidden(other)) == (True, False)
    assert figure_hidden(("cla_starts", "all", "2019-01")) is None  # not a pack figure: the page's own rule
    set_policy(Policy(audience="internal", suppress=False))
    assert figure_hidden(key) is None  # an internal pack without suppression hides nothing


def test_mask_figures_follows_the_decision_and_else_the_threshold() -> None:
    from datetime import date

    from analysis.core.disclosure import mask_figures, set_figures
    from analysis.metrics.relations import Figures

    frame = pl.DataFrame({"date": [date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)], "n": [40, 3, 2]})
    published = frozenset({("cla_starts", "all", "2024-02"), ("cla_starts", "all", "2024-03")})
    set_figures(Figures(published, frozenset({("cla_starts", "all", "2024-02")})))
    masked = mask_figures(frame, {"n": ("cla_starts", "all")})
    # February: hidden by the decision (a complement, though 40); March: shown by this (hand-made) decision, and the
    # chart follows the decision, not the threshold; April: no pack figure, so the threshold hides the 2.
    assert masked["n"].to_list() == [None, 3, None]


def test_the_period_of_a_cell_is_written_as_metrics_csv_writes_it() -> None:
    from datetime import date

    from analysis.core.disclosure import figure_key

    row = {"date": date(2024, 3, 31)}
    assert figure_key(("cla_count", "all"), row) == ("cla_count", "all", "2024-03-31")  # a point in time
    assert figure_key(("cla_starts", "all"), row) == ("cla_starts", "all", "2024-03")  # a month's flow
    assert figure_key(("cla_starts:12m", "all"), row) == ("cla_starts:12m", "all", "2024-03")
    assert figure_key(("cla_count", "all"), {"label": "x"}) is None


def test_rolling_sums_shown_on_a_page_are_figures_of_the_decision() -> None:
    from analysis.metrics import relations

    # 24 months of starts across a year end; one small month. The pages show rolling 12-month sums, so the
    # decision holds them as figures and hides enough that the small month cannot be worked out from them.
    months = [f"{2022 + (m + 3) // 12}-{(m + 3) % 12 + 1:02d}" for m in range(24)]
    values = [10.0 + m % 3 for m in range(24)]
    values[20] = 2.0
    frame = pl.DataFrame(
        {"metric": "cla_starts", "breakdown": "all", "period": months, "value": values, "unit": "count"}
    )
    decision = relations.figures(frame, DEFAULT)
    rolling = {k for k in decision.published if k[0] == relations.rolling_name("cla_starts")}
    assert {k[2] for k in rolling} == set(months[11:])  # a sum wherever 12 months are known (across 2022/2023)
    assert ("cla_starts", "all", months[20]) in decision.hidden
    assert len(decision.hidden) > 1  # complements, or the month would be sum(t) - sum(t-1) + month(t-12)
    assert relations._month_back("2023-02", 12) == "2022-02" and relations._month_back("2023-01", 1) == "2022-12"


def test_reentry_rates_are_withheld_with_their_counts_and_one_figure_is_hidden_under_both_names() -> None:
    from analysis.metrics import relations

    # Reunified children back in care: 3 (hidden) in the cohort to March 2023, 7 in the one to February. The rate of
    # a hidden count is withheld; the reunification count by route is the same figure, so it is hidden too, and with
    # it, as a part of "all", the next smallest route.
    rows = []
    for period, reunified, sgo, cao, rate in [("2023-02", 7, 0, 9, 30.0), ("2023-03", 3, 8, 6, 12.5)]:
        rows += [
            ("reunification_reentry_12m_count", "all", period, reunified, "count"),
            ("reunification_reentry_12m_rate", "all", period, rate, "percent"),
            ("care_order_discharge_reentry_12m_count", "reunification", period, reunified, "count"),
            ("care_order_discharge_reentry_12m_count", "special_guardianship_order", period, sgo, "count"),
            ("care_order_discharge_reentry_12m_count", "child_arrangements_order", period, cao, "count"),
            ("care_order_discharge_reentry_12m_count", "all", period, reunified + sgo + cao, "count"),
            ("care_order_discharge_reentry_12m_rate", "reunification", period, rate, "percent"),
        ]
    frame = pl.DataFrame(rows, schema=["metric", "breakdown", "period", "value", "unit"], orient="row")
    hidden = relations.figures(frame, DEFAULT).hidden
    march = {(m, b) for m, b, p in hidden if p == "2023-03"}
    assert march == {
        ("reunification_reentry_12m_count", "all"),
        ("reunification_reentry_12m_rate", "all"),
        ("care_order_discharge_reentry_12m_count", "reunification"),
        ("care_order_discharge_reentry_12m_rate", "reunification"),
        ("care_order_discharge_reentry_12m_count", "child_arrangements_order"),
    }
    assert not {k for k in hidden if k[2] == "2023-02"}  # 7 and its rate are shown


def test_yearly_sums_by_breakdown_are_figures_only_for_whole_years_back() -> None:
    from analysis.metrics import relations

    months = [f"{2022 + (m + 3) // 12}-{(m + 3) % 12 + 1:02d}" for m in range(24)]  # 2022-04 .. 2024-03
    rows = [("sgo_granted", b, p, 3.0, "count") for p in months for b in ("all", "carer:former_foster_carer")]
    frame = pl.DataFrame(rows, schema=["metric", "breakdown", "period", "value", "unit"], orient="row")
    published = relations.figures(frame, DEFAULT).published
    name = relations.rolling_name("sgo_granted")
    assert {p for m, b, p in published if m == name and b == "all"} == set(months[11:])  # every month: sparklines
    assert {p for m, b, p in published if m == name and b != "all"} == {"2023-03", "2024-03"}  # the yearly table
    assert relations.summed_as("sgo_granted") == name
    assert relations.summed_as("care_order_discharges") == "care_order_discharges_12m"  # in metrics.csv already


def _decide(rows: list[tuple[str, str, str, float, str]]) -> set[tuple[str, str]]:
    from analysis.metrics import relations

    frame = pl.DataFrame(rows, schema=["metric", "breakdown", "period", "value", "unit"], orient="row")
    return {(m, b) for m, b, _ in relations.figures(frame, DEFAULT).hidden}


def test_a_zero_is_the_complement_of_a_small_part_in_the_pack_wide_decision() -> None:
    # Children leaving care in a year: 7 = 6 home + 1 SGO + 0 adopted. The 1 would be 7 - 6 - 0: the zero is hidden
    # with it (either "c" could be 0 or 1), and the 6 children who went home stay shown.
    rows = [("cla_ceased_year", b, "2023/24", v, "count") for b, v in
            [("all", 7.0), ("returned_home", 6.0), ("special_guardianship_order", 1.0), ("adoption", 0.0)]]  # fmt: skip
    assert _decide(rows) == {("cla_ceased_year", "special_guardianship_order"), ("cla_ceased_year", "adoption")}


def test_a_zero_a_page_gives_away_is_never_a_complement() -> None:
    # SGOs in a month: 7 = 6 to relatives or friends + 1 to others + 0 not recorded. The page leaves "not recorded"
    # out when it is 0 (it is only for legacy codes), so a reader knows that 0: the 6 is hidden instead.
    rows = [("sgo_granted", b, "2024-03", v, "count") for b, v in
            [("all", 7.0), ("relationship:relative_or_friend", 6.0), ("relationship:other", 1.0),
             ("relationship:not_recorded", 0.0)]]  # fmt: skip
    assert _decide(rows) == {("sgo_granted", "relationship:other"), ("sgo_granted", "relationship:relative_or_friend")}


def test_a_zero_count_with_no_share_is_known() -> None:
    # Re-entries within 12 months of care order discharges, by route: all 8 = reunification 0 + SGO 2 + CAO 6. The 2
    # needs a complement. With no child reunified there is no reunification rate (and the page shows that no child
    # went home), so that 0 is known: the 6 goes, with its rate. Had children been reunified (a rate of 0%), the
    # zero would be the complement, its rate withheld with it.
    metric, rate = "care_order_discharge_reentry_12m_count", "care_order_discharge_reentry_12m_rate"
    rows = [
        (metric, "all", "2023-03", 8.0, "count"),
        (metric, "reunification", "2023-03", 0.0, "count"),
        (metric, "special_guardianship_order", "2023-03", 2.0, "count"),
        (rate, "special_guardianship_order", "2023-03", 20.0, "percent"),
        (metric, "child_arrangements_order", "2023-03", 6.0, "count"),
        (rate, "child_arrangements_order", "2023-03", 30.0, "percent"),
    ]
    sgo = {(metric, "special_guardianship_order"), (rate, "special_guardianship_order")}
    assert _decide(rows) == sgo | {(metric, "child_arrangements_order"), (rate, "child_arrangements_order")}
    with_rate = [*rows, (rate, "reunification", "2023-03", 0.0, "percent")]
    assert _decide(with_rate) == sgo | {(metric, "reunification"), (rate, "reunification")}
