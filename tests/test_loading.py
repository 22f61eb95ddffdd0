"""Loading inputs: typed frames, merging return years, and clear errors naming file, row, column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from factories import child, episode, write_csv, write_folder

from analysis.core.errors import InputError
from analysis.core.findings import ValidationReport
from analysis.load.inputs import load_inputs, load_population
from analysis.load.ssda903 import EPISODE_COLUMNS, HEADER_COLUMNS
from analysis.metrics.care_periods import periods_of_care
from analysis.metrics.cla import cla_counts
from analysis.pack.build import write_analyst_files
from analysis.pack.pages import data_quality_page


def test_loads_typed_frames(folder: Path) -> None:
    inputs = load_inputs(folder)
    assert inputs.episodes.schema["DECOM"].is_temporal()
    assert inputs.episodes["DEC"].to_list() == [None, date(2024, 1, 20)]
    assert inputs.header["DOB"][0] == date(2015, 1, 1)
    assert inputs.authority.name == "Testshire" and inputs.authority.synthetic
    assert inputs.workforce is None and inputs.permanence is None  # optional inputs absent


def test_open_episode_in_one_year_closed_in_the_next_is_kept_once(tmp_path: Path) -> None:
    root = write_folder(tmp_path, [child("A")], [episode("A", "01/02/2023")], year=2023)
    # The next return repeats the episode, now closed, and adds a new one.
    write_csv(root / "ssda903/2024/header.csv", [child("A")], HEADER_COLUMNS)
    write_csv(
        root / "ssda903/2024/episodes.csv",
        [episode("A", "01/02/2023", "01/06/2023", rec="E4A"), episode("A", "01/01/2024")],
        EPISODE_COLUMNS,
    )
    inputs = load_inputs(root)
    assert inputs.episodes.height == 2
    first = inputs.episodes.row(0, named=True)
    assert (first["DEC"], first["REC"], first["_year"]) == (date(2023, 6, 1), "E4A", 2024)
    # The 2024 return covers 2023/24, when the episode was open: its version replaces the 2023 return's.
    assert inputs.merge.superseded == 1 and inputs.merge.amended == 0  # closing an open episode is no amendment
    assert inputs.merge.duplicates_merged == 0 and inputs.merge.conflicts == 0
    assert inputs.merge.children_kept == 1


def _two_returns(root: Path, first: list[dict], second: list[dict], years: tuple[int, int] = (2023, 2024)) -> Path:
    """A folder with two yearly returns (header rows for every child in each)."""
    root = write_folder(root, [child(c) for c in sorted({r["CHILD"] for r in first})], first, year=years[0])
    write_csv(root / f"ssda903/{years[1]}/header.csv", [child(c) for c in sorted({r["CHILD"] for r in second})],
              HEADER_COLUMNS)  # fmt: skip
    write_csv(root / f"ssda903/{years[1]}/episodes.csv", second, EPISODE_COLUMNS)
    return root


def test_an_amended_episode_is_replaced_by_the_later_return(tmp_path: Path) -> None:
    # The example: the 2023 return has C from 01/05/2022, C2, open; the 2024 return corrects the start to
    # 03/05/2022 and closes it on 10/10/2023 (E4A). The DfE keeps only the corrected history (rules 502/503).
    root = _two_returns(
        tmp_path,
        [episode("C", "01/05/2022"), episode("K", "01/06/2021", "01/02/2023", rec="E4A")],
        [episode("C", "03/05/2022", "10/10/2023", rec="E4A"), episode("K", "01/01/2024")],
    )
    inputs = load_inputs(root)
    c = inputs.episodes.filter(pl.col("CHILD") == "C")
    assert c.select("DECOM", "DEC", "REC").rows() == [(date(2022, 5, 3), date(2023, 10, 10), "E4A")]
    # K's episode ended before 1 April 2023, so the 2024 return does not cover it: it is kept.
    assert inputs.episodes.filter(pl.col("CHILD") == "K").height == 2
    assert (inputs.merge.superseded, inputs.merge.amended) == (1, 1)
    assert inputs.merge.episode_rows_read == inputs.merge.episodes_kept + inputs.merge.superseded
    counts = cla_counts(inputs.episodes.filter(pl.col("CHILD") == "C"), pl.Series([date(2023, 10, 31)]))
    assert counts["cla_count"].to_list() == [0]  # not looked after after 10/10/2023
    assert periods_of_care(inputs.episodes.filter(pl.col("CHILD") == "C")).height == 1  # one start only
    # The child-level list (analyst only) names the replaced episode and says it was amended.
    changes = inputs.merge.changes
    assert changes.select("CHILD", "DECOM", "return_year", "replaced_by", "amended").rows() == [
        ("C", date(2022, 5, 1), 2023, 2024, True)
    ]
    assert not any("C" in w.split() for w in inputs.merge.warnings())  # no child identifier in a warning


@pytest.mark.parametrize(
    ("later", "amended"),
    [
        (episode("C", "01/05/2022", "10/10/2023", rec="E4A"), 0),  # closed: the normal update
        (episode("C", "01/05/2022", ls="C1"), 1),  # legal status changed
        (episode("C", "01/05/2022", place="K2"), 1),  # placement changed
        (episode("C", "01/05/2022", "10/10/2023", rec="E4A", ls="V2"), 1),
    ],
)
def test_what_counts_as_an_amendment(tmp_path: Path, later: dict, amended: int) -> None:
    inputs = load_inputs(_two_returns(tmp_path, [episode("C", "01/05/2022")], [later]))
    assert (inputs.merge.superseded, inputs.merge.amended) == (1, amended)


def test_a_closed_episode_given_a_new_end_date_is_amended(tmp_path: Path) -> None:
    first = [episode("C", "01/05/2022", "20/04/2023", rec="E4A")]  # ended after 1 April 2023: the 2024 return covers it
    inputs = load_inputs(_two_returns(tmp_path, first, [episode("C", "01/05/2022", "25/04/2023", rec="E4A")]))
    assert (inputs.merge.superseded, inputs.merge.amended) == (1, 1)
    assert inputs.episodes["DEC"].to_list() == [date(2023, 4, 25)]


def test_a_child_open_at_the_end_of_a_return_but_missing_from_the_next_is_a_warning(tmp_path: Path) -> None:
    first = [episode("D", "01/05/2022"), episode("E", "01/05/2022")]
    root = _two_returns(tmp_path, first, [episode("E", "01/05/2022")])
    inputs = load_inputs(root)
    assert inputs.episodes.filter(pl.col("CHILD") == "D").height == 1  # kept, never silently dropped
    assert inputs.merge.missing_from_next_return == 1
    assert any("1 child" in w and "2024" in w for w in inputs.merge.warnings())
    assert inputs.merge.changes.filter(pl.col("CHILD") == "D")["change"].to_list() == ["missing from the next return"]


def test_a_missing_return_year_is_named(tmp_path: Path) -> None:
    root = _two_returns(tmp_path, [episode("A", "01/05/2021")], [episode("A", "01/05/2021")], years=(2022, 2024))
    inputs = load_inputs(root)
    assert inputs.merge.missing_years == [2023]
    warning = next(w for w in inputs.merge.warnings() if "2023" in w)
    assert "1 April 2022 to 31 March 2023" in warning
    assert ("Return years missing", "2023") in [(k, str(v)) for k, v in inputs.merge.as_rows()]


def test_stacked_file_prefers_the_closed_version(tmp_path: Path) -> None:
    rows = [episode("A", "01/06/2023", "01/03/2024", rec="E4A"), episode("A", "01/06/2023")]
    inputs = load_inputs(write_folder(tmp_path, [child("A")], rows, year=None))
    assert inputs.episodes.height == 1
    assert inputs.episodes["REC"][0] == "E4A"
    assert inputs.merge.duplicates_merged == 1
    assert inputs.merge.stacked and any("amendments" in w for w in inputs.merge.warnings())


def test_two_different_closed_versions_are_a_counted_conflict(tmp_path: Path) -> None:
    rows = [
        episode("A", "01/06/2023", "01/03/2024", rec="E4A"),
        episode("A", "01/06/2023", "05/03/2024", rec="E8"),
    ]
    inputs = load_inputs(write_folder(tmp_path, [child("A")], rows))
    assert inputs.merge.conflicts == 1
    assert inputs.episodes["REC"].to_list() == ["E8"]  # the later row is kept
    assert "rows 2, 3" in inputs.merge.conflict_examples[0]


def test_legacy_rec_codes_are_counted_and_e4_is_mapped(tmp_path: Path) -> None:
    rows = [
        episode("A", "01/06/2020", "01/03/2021", rec="E43"),
        episode("B", "01/06/2020", "01/03/2021", rec="E4"),
    ]
    inputs = load_inputs(write_folder(tmp_path, [child("A"), child("B")], rows))
    # E43 stays E43: read as an SGO whose relationship to the child is not recorded (analysis.metrics.sgo),
    # never as E45.
    assert inputs.episodes["REC"].to_list() == ["E43", "E4A"]
    assert inputs.merge.legacy_rec_mapped == 2


def test_unreadable_date_names_file_row_and_column(tmp_path: Path) -> None:
    rows = [episode("A", "01/06/2023"), episode("B", "31/02/2023")]
    root = write_folder(tmp_path, [child("A"), child("B")], rows)
    with pytest.raises(InputError) as err:
        load_inputs(root)
    assert err.value.column == "DECOM" and err.value.rows == [3]
    assert "episodes.csv" in str(err.value) and "row 3" in str(err.value) and "31/02/2023" in str(err.value)


def test_missing_column_names_it(tmp_path: Path) -> None:
    root = write_folder(tmp_path)
    path = root / "ssda903/2024/episodes.csv"
    text = path.read_text().replace(",URN", "").splitlines()
    path.write_text("\n".join(line.rsplit(",", 1)[0] if i else line for i, line in enumerate(text)) + "\n")
    with pytest.raises(InputError, match=r"missing required column.*URN"):
        load_inputs(root)


def test_missing_episodes_file_is_an_error(tmp_path: Path) -> None:
    root = write_folder(tmp_path)
    (root / "ssda903/2024/episodes.csv").unlink()
    with pytest.raises(InputError, match="episodes file is missing"):
        load_inputs(root)


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    root = write_folder(tmp_path)
    (root / "ssda903/2024/header.csv").write_text("")
    with pytest.raises(InputError, match="empty"):
        load_inputs(root)


def test_cp1252_file_is_refused_with_the_line(tmp_path: Path) -> None:
    root = write_folder(tmp_path)
    path = root / "ssda903/2024/header.csv"
    path.write_bytes(path.read_bytes() + b"TST9,1,01/01/2015,WBRI,UN1,,\n" + "caf\xe9\n".encode("cp1252"))
    with pytest.raises(InputError, match="not UTF-8") as err:
        load_inputs(root)
    assert err.value.rows == [5]


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    root = write_folder(tmp_path)
    path = root / "ssda903/2024/header.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_inputs(root).header.height == 2


def test_without_la_toml_the_authority_is_unnamed(tmp_path: Path) -> None:
    inputs = load_inputs(write_folder(tmp_path, la_toml=False, population=None))
    assert inputs.authority.name == "the authority"
    assert (inputs.authority.configured, inputs.authority.targets, inputs.authority.region) == (False, {}, None)
    assert inputs.population is None and inputs.episodes.height == 2


def test_a_broken_la_toml_is_still_an_error(tmp_path: Path) -> None:
    root = write_folder(tmp_path)
    (root / "la.toml").write_text("[authority]\ncode = 'E06000019'\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"name"):
        load_inputs(root)


# --- The population file: one authority, one figure per mid-year -------------------------------------

POPULATION_HEADER = ["la_code", "mid_year", "population_0_17", "source"]


def population_rows(*rows: tuple[str, int, int]) -> list[dict]:
    return [{"la_code": c, "mid_year": str(y), "population_0_17": str(n), "source": "test"} for c, y, n in rows]


def test_a_population_file_holding_several_authorities_gives_each_its_own_figures(tmp_path: Path) -> None:
    root = write_folder(tmp_path)  # la.toml code E06000019
    write_csv(
        root / "context" / "population.csv",
        population_rows(
            ("E09000001", 2022, 1_000),
            ("E06000019", 2022, 36_100),
            ("E09000001", 2023, 1_100),
            ("E06000019", 2023, 36_400),
            ("E08000025", 2023, 250_000),
        ),
        POPULATION_HEADER,
    )
    population = load_inputs(root).population
    assert population is not None
    assert population.select("la_code", "mid_year", "population_0_17").rows() == [
        ("E06000019", 2022, 36_100.0),
        ("E06000019", 2023, 36_400.0),
    ]
    # And the rate the pack shows divides by this authority's figure: 1 child at 31/03/2024 / 36,400 x 10,000.
    from analysis.sections.children_in_care import prepare

    latest = prepare(load_inputs(root), "2024-03").series.row(-1, named=True)
    assert latest["cla_count"] == 1 and latest["rate_per_10k"] == pytest.approx(10_000 / 36_400)


def test_two_figures_for_one_mid_year_are_an_error_naming_the_rows(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "population.csv",
        population_rows(("E06000019", 2022, 36_100), ("E06000019", 2023, 36_400), ("E06000019", 2023, 36_500)),
        POPULATION_HEADER,
    )
    with pytest.raises(InputError) as raised:
        load_population(path, "E06000019")
    message = str(raised.value)
    assert "population.csv" in message and "rows 3, 4" in message and "column mid_year" in message
    assert "2023" in message


def test_a_population_file_without_the_authoritys_code_is_an_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "population.csv", population_rows(("E09000001", 2023, 1_000)), POPULATION_HEADER)
    with pytest.raises(InputError, match="E06000019") as raised:
        load_population(path, "E06000019")
    assert raised.value.column == "la_code"


def test_without_a_code_one_authority_is_accepted_and_several_refused(tmp_path: Path) -> None:
    one = write_csv(tmp_path / "one.csv", population_rows(("E09000001", 2023, 1_000)), POPULATION_HEADER)
    loaded = load_population(one)
    assert loaded is not None and loaded["population_0_17"].to_list() == [1_000.0]
    several = write_csv(
        tmp_path / "several.csv",
        population_rows(("E09000001", 2023, 1_000), ("E06000019", 2023, 36_400)),
        POPULATION_HEADER,
    )
    with pytest.raises(InputError, match="2 authorities") as raised:
        load_population(several)
    assert raised.value.column == "la_code"
def test_data_quality_page_shows_replaced_amended_and_missing_years_but_no_child(tmp_path: Path) -> None:
    # 2022 and 2024 returns, 2023 absent; child C amended by the 2024 return.
    root = _two_returns(
        tmp_path,
        [episode("CHILD901", "01/05/2021")],
        [episode("CHILD901", "03/05/2021", "10/10/2023", rec="E4A")],
        years=(2022, 2024),
    )
    inputs = load_inputs(root)
    page = data_quality_page(ValidationReport(folder=str(root)), inputs, nav=[], footer="")
    assert "The 2023 return (1 April 2022 to 31 March 2023) is missing" in page
    assert "Return years missing" in page and "amended" in page
    assert "CHILD901" not in page
    # The child-level list goes only to the analyst-only folder, marked in its first line.
    (tmp_path / "analyst").mkdir()
    write_analyst_files(tmp_path / "analyst", pl.DataFrame({"metric": ["x"]}), ValidationReport(folder=""),
                        inputs.merge.changes)  # fmt: skip
    listed = (tmp_path / "analyst" / "returns_merged.csv").read_text(encoding="utf-8")
    assert listed.startswith("# OFFICIAL-SENSITIVE, analyst only") and "CHILD901" in listed and "amended" in listed
