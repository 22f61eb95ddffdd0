"""Two packs for consecutive periods: the second one's "what changed since the last review" is right."""

from __future__ import annotations

import shutil
from pathlib import Path

import attack
import polars as pl
import pytest

from analysis.load import provenance
from analysis.metrics import changes
from analysis.pack.build import build_pack
from analysis.sections.registry import SECTIONS

SUMMARY_AND_CARE = [s for s in SECTIONS if s.notebook in {"00_summary.ipynb", "01_children_in_care.ipynb"}]


@pytest.fixture(scope="module")
def two_packs(synthetic: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    data = tmp_path_factory.mktemp("late") / "inputs"
    shutil.copytree(synthetic, data)
    out = tmp_path_factory.mktemp("outputs")
    first = build_pack(data, "2024-02", out, SUMMARY_AND_CARE).pack
    # Late recording: a child who came into care on 15 January 2024 is entered after the February pack.
    header = data / "ssda903/2024/header.csv"
    episodes = data / "ssda903/2024/episodes.csv"
    header.write_text(header.read_text() + "SYN999001,1,01/06/2015,WBRI,UN1,,\n")
    episodes.write_text(episodes.read_text() + "SYN999001,15/01/2024,S,C1,N1,U6,PR1,,,,HR1 1AA,HR2 2BB,XXXXXXX\n")
    second = build_pack(data, "2024-03", out, SUMMARY_AND_CARE).pack
    return first, second, data


def test_second_pack_finds_the_first(two_packs: tuple[Path, Path, Path]) -> None:
    first, second, _ = two_packs
    assert changes.find_previous_pack(second.parent.parent, "2024-03") == first
    assert changes.find_previous_pack(second.parent.parent, "2024-02") is None  # the first review has none


def test_revisions_show_the_late_recorded_child(two_packs: tuple[Path, Path, Path]) -> None:
    first, second, _ = two_packs
    current = pl.read_csv(second / "metrics.csv", infer_schema=False).with_columns(
        pl.col("value").cast(pl.Float64, strict=False)
    )
    revised = changes.revisions(changes.read_pack(first), current)
    cla = revised.filter((pl.col("metric") == "cla_count") & (pl.col("breakdown") == "all")).row(0, named=True)
    # January and February 2024 each gain one child.
    assert cla["periods_revised"] == 2 and cla["now"] - cla["was"] == 1
    starts = revised.filter((pl.col("metric") == "cla_starts") & (pl.col("breakdown") == "all"))
    january = current.filter(
        (pl.col("metric") == "cla_starts") & (pl.col("breakdown") == "all") & (pl.col("period") == "2024-01")
    )["value"].item()
    was = changes.read_pack(first).metrics.filter(
        (pl.col("metric") == "cla_starts") & (pl.col("breakdown") == "all") & (pl.col("period") == "2024-01")
    )["value"].item()
    if january is None or was is None:
        # hidden ("c") in either pack: the months sit beside rolling 12-month sums (issue 17), and each pack's
        # decision is its own, so a month one pack hides may be shown in the other; no revision shows it
        assert starts.filter(pl.col("largest_at") == "2024-01").is_empty()
    else:
        row = starts.row(0, named=True)
        assert (row["largest_at"], row["now"] - row["was"]) == ("2024-01", 1)


def test_changed_inputs_and_definitions(two_packs: tuple[Path, Path, Path]) -> None:
    first, _, data = two_packs
    previous = changes.read_pack(first)
    changed = changes.input_changes(
        previous, provenance.input_hashes(data, sorted(p for p in data.rglob("*") if p.is_file()))
    )
    assert changed.rows() == [("ssda903/2024/episodes.csv", "changed"), ("ssda903/2024/header.csv", "changed")]
    assert changes.definition_changes(previous, provenance.definition_hashes()) == []


def test_the_summary_page_says_so(two_packs: tuple[Path, Path, Path]) -> None:
    first, second, _ = two_packs
    page = (second / "00_summary.html").read_text(encoding="utf-8")
    assert "Compared with the pack for February 2024" in page
    assert "<td>ssda903/2024/episodes.csv</td><td>changed</td>" in page
    assert "Revised figures for earlier months" in page and "<td>Children looked after</td><td>all</td>" in page
    assert "No measure changed its definition since the last pack." in page
    assert "first review" in (first / "00_summary.html").read_text(encoding="utf-8")


def test_a_changed_or_new_definition_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not only "nothing changed": a definition changed by one word, and a new metric, are both reported."""
    import dataclasses

    from analysis.core import definitions

    before = provenance.definition_hashes()
    previous = changes.Pack(
        folder=Path("."), period="2024-02", metrics=pl.DataFrame(), manifest={"definitions": before}
    )
    assert changes.definition_changes(previous, before) == []
    changed = dict(definitions.METRICS)
    changed["cla_starts"] = dataclasses.replace(
        changed["cla_starts"], definition=changed["cla_starts"].definition.replace("month", "quarter", 1)
    )
    changed["cla_started_year_test"] = dataclasses.replace(changed["cla_starts"], id="cla_started_year_test")
    monkeypatch.setattr(provenance, "METRICS", changed)
    now = provenance.definition_hashes()
    assert now["cla_starts"] != before["cla_starts"] and now["cla_count"] == before["cla_count"]
    assert changes.definition_changes(previous, now) == ["cla_started_year_test", "cla_starts"]
    # A change of unit or of period type is a change of meaning too.
    changed["cla_starts"] = dataclasses.replace(definitions.METRICS["cla_starts"], period="date")
    assert "cla_starts" in changes.definition_changes(previous, provenance.definition_hashes())


def test_neither_pack_lets_a_hidden_figure_be_worked_out(two_packs: tuple[Path, Path, Path]) -> None:
    for pack in two_packs[:2]:
        analyst = pack.parent.parent / "analyst" / pack.parent.name / pack.name
        found = attack.attack_pack(pack, attack.read_metrics(analyst / "metrics_unsuppressed.csv"))
        assert found["hidden"] and not found["inconsistent"] and not found["leaks"], (pack, found["leaks"])
