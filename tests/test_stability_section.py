"""The social worker stability section: its checks, its metrics, the pack without allocations, the synthetic data.

Hand-made checks with known answers, then the published shape on the synthetic data (Report of the
Children's Services Commissioner in Herefordshire, December 2023): 11.8% of children in care for a
year or more had had the same social worker for 12 months in January 2023, 19% in July 2023, and
over three-quarters of children in care had a change of social worker in the last year.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from factories import write_csv

from analysis.checks.rules import rp42_allocation_overlap, rp43_allocation_child_in_903
from analysis.checks.validation import validate_inputs
from analysis.core.disclosure import pack_identifiers
from analysis.load.inputs import ALLOCATION_COLUMNS, load_inputs
from analysis.load.ssda903 import FILE
from analysis.metrics.scorecard import MEASURES
from analysis.sections import stability_section as ss
from analysis.sections.review import Review


def _text(rows: list[tuple]) -> pl.DataFrame:
    """Allocations as validation reads them: text, with the file and row number."""
    frame = pl.DataFrame(rows, schema={c: pl.String for c in ALLOCATION_COLUMNS}, orient="row")
    return frame.with_columns(pl.lit("allocations.csv").alias(FILE), (pl.int_range(pl.len()) + 2).alias("_row"))


def test_overlap_beyond_a_hand_over_is_a_warning() -> None:
    rows = [
        # A: W2 starts 7 days before W1 ends (a hand-over): fine.
        ("A", "W1", "North", "permanent", "2023-01-01", "2023-03-08"),
        ("A", "W2", "North", "permanent", "2023-03-01", None),
        # B: W4 starts 8 days before W3 ends: beyond the hand-over (row 5).
        ("B", "W3", "North", "permanent", "2023-01-01", "2023-03-09"),
        ("B", "W4", "North", "agency", "2023-03-01", None),
        # C: W5 has no end date, yet W6 started after it (row 7).
        ("C", "W5", "North", "permanent", "2023-01-01", None),
        ("C", "W6", "North", "permanent", "2023-06-01", None),
    ]
    [finding] = rp42_allocation_overlap.check({"allocations": _text(rows)})
    assert (finding.rule, finding.severity, finding.failed, finding.rows) == ("RP42", "warning", 2, [5, 7])


def test_child_not_in_the_903_is_a_warning() -> None:
    allocations = _text(
        [("A", "W1", "North", "permanent", "2023-01-01", None), ("Z", "W1", "North", "agency", "2023-01-01", None)]
    )
    header = pl.DataFrame({"CHILD": ["A"]})
    [finding] = rp43_allocation_child_in_903.check({"allocations": allocations, "header": header})
    # Z is in no 903 table: one warning, on row 3.
    assert (finding.rule, finding.severity, finding.rows) == ("RP43", "warning", [3])


def test_end_before_start_is_an_error(folder: Path) -> None:
    write_csv(
        folder / "allocations.csv",
        [
            dict(
                zip(ALLOCATION_COLUMNS, ["TST001", "W1", "North", "permanent", "2023-05-01", "2023-04-30"], strict=True)
            ),
            dict(zip(ALLOCATION_COLUMNS, ["TST001", "W2", "North", "consultant", "2023-05-01", None], strict=True)),
        ],
        ALLOCATION_COLUMNS,
    )
    report = validate_inputs(folder)
    found = {(f.rule, f.severity, tuple(f.rows)) for f in report.findings if "allocations" in f.file}
    # Row 2 ends a day before it starts; row 3's contract is not permanent, fixed_term or agency.
    assert ("RP41", "error", (2,)) in found
    assert ("RP40", "error", (3,)) in found


def test_without_allocations_the_section_says_what_it_needs(folder: Path) -> None:
    review = Review(folder, "2024-03")
    assert ss.missing_input(review.inputs, "2024-03") == ss.FILE_NEEDED
    assert "allocations.csv" in ss.FILE_NEEDED and review.stability is None
    assert not review.metrics["metric"].str.contains("worker").any()


def test_worker_ids_are_searched_for(folder: Path) -> None:
    write_csv(
        folder / "allocations.csv",
        [dict(zip(ALLOCATION_COLUMNS, ["TST001", "SW12345", "North", "agency", "2023-05-01", None], strict=True))],
        ALLOCATION_COLUMNS,
    )
    assert {"SW12345", "TST001"} <= pack_identifiers(load_inputs(folder))


def test_scorecard_has_the_stability_measure() -> None:
    [measure] = [m for m in MEASURES if m.metric == "same_worker_12m_share"]
    assert measure.section == "Stability"


# --- The synthetic data ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def section(synthetic: Path) -> ss.StabilitySection:
    review = Review(synthetic, "2024-03")
    assert review.stability is not None
    return review.stability


def _at(s: ss.StabilitySection, day: date) -> dict:
    return s.series.filter(pl.col("date") == day).row(0, named=True)


def test_synthetic_same_worker_rises_as_published(section: ss.StabilitySection) -> None:
    jan, jul = _at(section, date(2023, 1, 31)), _at(section, date(2023, 7, 31))
    # Published: 11.8% in January 2023 and 19% in July 2023; the synthetic data is drawn at random around them.
    assert 10 <= jan["same_worker_share"] <= 15
    assert 17 <= jul["same_worker_share"] <= 22
    assert jul["same_worker_share"] - jan["same_worker_share"] >= 4


def test_synthetic_over_three_quarters_changed_worker(section: ss.StabilitySection) -> None:
    for day in (date(2023, 7, 31), date(2023, 12, 31)):
        assert _at(section, day)["changed_share"] > 75


def test_synthetic_some_children_had_four_workers_in_a_year(section: ss.StabilitySection) -> None:
    # The Families Commission follow-up (June 2024) found a young person with 4 social workers in 12 months.
    row = section.distribution.filter((pl.col("date") == section.end) & (pl.col("band") == "3_or_more")).row(
        0, named=True
    )
    assert row["children"] > 0


def test_synthetic_metrics(section: ss.StabilitySection) -> None:
    m = ss.metrics(section)
    shares = m.filter((pl.col("metric") == "same_worker_12m_share") & (pl.col("period") == "2024-03-31"))
    assert "all" in shares["breakdown"].to_list()
    assert any(b.startswith("team:Children in care") for b in shares["breakdown"].to_list())
    bands = m.filter((pl.col("metric") == "worker_changes_12m") & (pl.col("period") == "2024-03-31"))
    assert sorted(bands["breakdown"].to_list()) == ["0", "1", "2", "3_or_more"]
    # The bands add up to the children in care at the month end.
    assert bands["value"].sum() == _at(section, section.end)["children"]
    # A share built on 1 to 4 children is not written: no team share whose whole or part is that small.
    small = section.teams.filter(
        (pl.col("date") == section.end)
        & (pl.col("children_12m").is_between(1, 4) | pl.col("same_worker").is_between(1, 4))
    )
    assert not set("team:" + small["team"]) & set(shares["breakdown"].to_list())
    assert {"agency_allocated_share", "changed_worker_12m_share", "plan_to_order_days_by_worker_changes"} <= set(
        m["metric"].to_list()
    )
