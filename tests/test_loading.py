"""Loading inputs: typed frames, merging return years, and clear errors naming file, row, column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from factories import child, episode, write_csv, write_folder

from analysis.errors import InputError
from analysis.inputs import load_inputs
from analysis.ssda903 import EPISODE_COLUMNS, HEADER_COLUMNS


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
    assert inputs.merge.duplicates_merged == 1 and inputs.merge.conflicts == 0
    assert inputs.merge.children_kept == 1


def test_stacked_file_prefers_the_closed_version(tmp_path: Path) -> None:
    rows = [episode("A", "01/06/2023", "01/03/2024", rec="E4A"), episode("A", "01/06/2023")]
    inputs = load_inputs(write_folder(tmp_path, [child("A")], rows, year=None))
    assert inputs.episodes.height == 1
    assert inputs.episodes["REC"][0] == "E4A"
    assert inputs.merge.duplicates_merged == 1


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
    # E43 stays E43: read as an SGO whose relationship to the child is not recorded (analysis.sgo), never as E45.
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
