"""Breakdowns of children in care: legal status, placement, UASC, age, time in care, status table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from factories import episode, episodes_frame, write_csv, write_folder

from analysis.load.ssda903 import YEAR, coverage_start
from analysis.metrics.care_periods import periods_of_care
from analysis.metrics.cla import looked_after_on
from analysis.metrics.cla_mix import (
    DURATION_GROUPS,
    STARTED_BEFORE,
    age_groups,
    direction,
    duration_groups,
    mix,
    status_table,
    uasc_counts,
)

D = date(2024, 3, 31)


def on(rows: list[dict], dates: list[date] | None = None) -> pl.DataFrame:
    return looked_after_on(episodes_frame(rows), pl.Series(dates or [D]))


def test_legal_status_mix_adds_up_and_is_zero_filled() -> None:
    rows = [
        episode("A", "01/01/2024", ls="C1"),
        episode("B", "01/01/2024", ls="C2"),
        episode("C", "01/01/2024", ls="J1"),
    ]
    counts = dict(mix(on(rows), "legal_status").select("group", "children").iter_rows())
    assert counts == {
        "interim_care_order": 1, "full_care_order": 1, "placement_order": 0, "section_20": 0, "other": 1,
    }  # fmt: skip


def test_placement_mix_separates_kinship_foster() -> None:
    rows = [
        episode("A", "01/01/2024", place="U1"),
        episode("B", "01/01/2024", place="U6"),
        episode("C", "01/01/2024", place="K2"),
        episode("D", "01/01/2024", place="P1"),
    ]
    counts = dict(mix(on(rows), "placement_type").select("group", "children").iter_rows())
    assert (counts["foster_kinship"], counts["foster_other"], counts["residential"], counts["placed_with_parents"]) == (
        1, 1, 1, 1,
    )  # fmt: skip
    assert sum(counts.values()) == 4


def test_uasc_status_ends_at_duc() -> None:
    rows = [episode("A", "01/01/2023", ls="V2"), episode("B", "01/01/2023")]
    uasc = pl.DataFrame({"CHILD": ["A"], "DUC": [date(2023, 12, 1)]})
    counts = uasc_counts(on(rows, [date(2023, 6, 30), D]), uasc)
    assert counts.select("uasc_count", "non_uasc_count").rows() == [(1, 1), (0, 2)]


def test_without_a_uasc_file_uasc_is_not_known_not_zero() -> None:
    rows = [episode("A", "01/01/2023", ls="V2"), episode("B", "01/01/2023")]
    counts = uasc_counts(on(rows, [date(2023, 6, 30), D]), None)
    assert counts.select("cla_count", "uasc_count", "non_uasc_count").rows() == [(2, None, None), (2, None, None)]
    # An empty uasc.csv is a return that says "no UASC": that is a known zero.
    empty = pl.DataFrame(schema={"CHILD": pl.String, "DUC": pl.Date})
    assert uasc_counts(on(rows), empty).select("uasc_count", "non_uasc_count").rows() == [(0, 2)]


def test_the_status_table_leaves_out_uasc_when_not_known() -> None:
    rows = [episode("A", "01/01/2023")]
    table = status_table(on(rows, [date(2023, 3, 31), date(2024, 2, 29), D]), None, D)
    assert "Unaccompanied asylum-seeking children" not in table["line"].to_list()
    assert table.filter(pl.col("line") == "Number of children in care")["now"].item() == 1


def test_age_groups_with_an_unknown_dob() -> None:
    rows = [episode("A", "01/01/2024"), episode("B", "01/01/2024"), episode("C", "01/01/2024")]
    header = pl.DataFrame({"CHILD": ["A", "B"], "DOB": [date(2023, 4, 1), date(2008, 3, 31)]})
    counts = dict(age_groups(on(rows), header).iter_rows())
    # A is 0 (first birthday tomorrow); B turned 16 on the count date; C has no header row.
    assert (counts["Under 1"], counts["16 and over"], counts["Age not known"]) == (1, 1, 1)
    assert sum(counts.values()) == 3


def test_duration_uses_the_current_period_not_the_first() -> None:
    rows = [
        episode("A", "01/01/2015", "01/01/2016", rec="E4A"),
        episode("A", "01/12/2023"),  # back in care four months ago
        episode("B", "15/01/2019", "01/01/2020", rec="X1"),
        episode("B", "01/01/2020", rne="L"),  # five years, two months in the same period
    ]
    frame = episodes_frame(rows)
    counts = dict(duration_groups(on(rows), periods_of_care(frame), frame).iter_rows())
    assert (counts["Under 6 months"], counts["5 years or more"]) == (1, 1)
    assert counts[STARTED_BEFORE] == 0


def test_a_period_that_began_before_the_first_return_is_its_own_group() -> None:
    rows = [
        # A: the 2023/24 return's first episode for A is a placement move in 2022; the period began before it,
        # in an episode that closed before the return's year, so how long A has been in care is not known.
        episode("A", "01/06/2022", rne="P"),
        # B: started to be looked after (RNE S) in 2015: the start is in the return, so the time is known.
        episode("B", "01/06/2015", rne="S"),
        # C: came into care within the return's year.
        episode("C", "01/10/2023", rne="S"),
        # D: like A, but the episode the return holds began over 5 years ago: 5 years or more, whatever came before.
        episode("D", "01/01/2019", rne="L"),
    ]
    frame = episodes_frame(rows).with_columns(pl.lit(2024, pl.Int32).alias(YEAR))  # all from the 2024 return
    assert coverage_start(frame) == date(2023, 4, 1)
    counts = dict(duration_groups(on(rows), periods_of_care(frame), frame).iter_rows())
    assert counts == {
        "Under 6 months": 1, "6 to 12 months": 0, "1 to 2 years": 0, "2 to 5 years": 0, "5 years or more": 2,
        STARTED_BEFORE: 1,
    }  # fmt: skip
    assert DURATION_GROUPS[-1] == STARTED_BEFORE


def test_direction_words() -> None:
    assert [direction(5, 3), direction(3, 5), direction(4, 4), direction(4, None)] == [
        "↑ Increase", "↓ Decrease", "→ No change", "–",
    ]  # fmt: skip


def test_status_table_against_last_month_and_last_year() -> None:
    rows = [
        episode("A", "01/01/2023", ls="C1", place="U6"),
        episode("B", "15/03/2024", ls="C1", place="P1"),  # new this month
    ]
    dates = [date(2023, 3, 31), date(2024, 2, 29), D]
    table = status_table(
        on(rows, dates), pl.DataFrame({"CHILD": [], "DUC": []}, schema={"CHILD": pl.String, "DUC": pl.Date}), D
    )
    first = table.row(0, named=True)
    assert first["line"] == "Number of children in care"
    assert (first["now"], first["month_before"], first["year_before"]) == (2, 1, 1)
    assert first["change_month"] == "↑ Increase"
    parents = table.filter(pl.col("line") == "Children placed with parents").row(0, named=True)
    assert (parents["now"], parents["month_before"]) == (1, 0)


def _group_of(dob: date, day: date) -> str:
    header = pl.DataFrame({"CHILD": ["A"], "DOB": [dob]})
    counts = dict(age_groups(on([episode("A", "01/01/2000")], [day]), header).iter_rows())
    [group] = [g for g, n in counts.items() if n]
    return group


@pytest.mark.parametrize(
    ("dob", "group"),
    [
        # Each DfE boundary (1, 5, 10, 16) on the birthday itself and on the day before it, at 31/03/2024.
        (date(2023, 4, 1), "Under 1"), (date(2023, 3, 31), "1 to 4"),
        (date(2019, 4, 1), "1 to 4"), (date(2019, 3, 31), "5 to 9"),
        (date(2014, 4, 1), "5 to 9"), (date(2014, 3, 31), "10 to 15"),
        (date(2008, 4, 1), "10 to 15"), (date(2008, 3, 31), "16 and over"),
        (date(2024, 3, 31), "Under 1"),  # born on the count date
    ],
)  # fmt: skip
def test_age_group_boundaries(dob: date, group: str) -> None:
    assert _group_of(dob, D) == group


@pytest.mark.parametrize(
    ("dob", "day", "group"),
    [
        # Born 29 February: in a common year the birthday is taken as 1 March (England and Wales), so the
        # child is still 4 on 28/02/2021 and 5 on 01/03/2021; in a leap year it is 29 February itself.
        (date(2016, 2, 29), date(2021, 2, 28), "1 to 4"),
        (date(2016, 2, 29), date(2021, 3, 1), "5 to 9"),
        (date(2008, 2, 29), date(2024, 2, 28), "10 to 15"),
        (date(2008, 2, 29), date(2024, 2, 29), "16 and over"),
        (date(2020, 2, 29), date(2021, 2, 28), "Under 1"),
        (date(2020, 2, 29), date(2021, 3, 1), "1 to 4"),
    ],
)
def test_age_groups_for_a_leap_day_birth(dob: date, day: date, group: str) -> None:
    assert _group_of(dob, day) == group


# --- The section, without a UASC file -------------------------------------------------------------------


def test_the_section_says_uasc_is_not_known_without_a_uasc_file(tmp_path: Path) -> None:
    from analysis.load.inputs import load_inputs
    from analysis.sections import children_in_care

    inputs = load_inputs(write_folder(tmp_path))
    assert inputs.uasc is None
    cic = children_in_care.prepare(inputs, "2024-03")
    latest = cic.series.sort("date").row(-1, named=True)
    assert latest["rate_per_10k"] is not None  # the rate is known (population given) ...
    assert latest["uasc_count"] is None and latest["rate_excl_uasc_per_10k"] is None  # ... UASC is not
    assert not cic.uasc_known
    sentences = children_in_care.headlines(cic, inputs.authority.name)
    assert any("not known" in s and "uasc.csv" in s for s in sentences)
    metrics = children_in_care.section_metrics(inputs, "2024-03")
    assert not set(metrics["metric"]) & {"cla_uasc_count", "cla_rate_excl_uasc_per_10k"}
    assert "not known" in children_in_care.UASC_NOT_KNOWN


def test_an_empty_uasc_file_is_a_known_zero(tmp_path: Path) -> None:
    from analysis.load.inputs import load_inputs
    from analysis.load.ssda903 import UASC_COLUMNS
    from analysis.sections import children_in_care

    root = write_folder(tmp_path)
    write_csv(root / "ssda903" / "2024" / "uasc.csv", [], UASC_COLUMNS)
    cic = children_in_care.prepare(load_inputs(root), "2024-03")
    latest = cic.series.sort("date").row(-1, named=True)
    assert cic.uasc_known and latest["uasc_count"] == 0
    assert latest["rate_excl_uasc_per_10k"] == latest["rate_per_10k"]


def test_the_child_status_lines_that_are_pack_figures() -> None:
    # A status line is a pack figure only when it counts exactly the codes of a legal status or placement type group:
    # placement orders (E1, D1) are; long-term foster (U1, U4) spans two groups and is not.
    from analysis.sections.children_in_care import _status_lines

    lines = _status_lines()
    assert lines["Children on placement orders"] == ("cla_count", "legal_status:placement_order")
    assert lines["Children fostered by relatives or friends"] == ("cla_count", "placement_type:foster_kinship")
    assert lines["Number of children in care"] == ("cla_count", "all")
    assert "Children in long-term foster placements" not in lines
    assert len(lines) == 9
