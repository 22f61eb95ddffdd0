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
    # Routes out of care: total 20 is shown elsewhere; the 3 could be recovered as 20 - 7 - 10.
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
