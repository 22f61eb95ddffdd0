"""The SSDA903 return as the DfE XML file: mapping, the public sample, checks on the XML, and the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from factories import LA_TOML

from analysis.cli import main
from analysis.core.errors import InputError
from analysis.load import ssda903, ssda903_xml
from analysis.load.inputs import load_inputs

FIXTURES = Path(__file__).parent / "fixtures" / "ssda903_xml"
SAMPLE = FIXTURES / "fake_903.xml"

#: The made-up example of data/README.md: one child, two episodes, the second open.
EXAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER>
      <CHILDID>FAKE0001</CHILDID><UPN>UN1</UPN><SEX>2</SEX><DOB>15/02/2019</DOB>
      <ETHNIC>WBRI</ETHNIC><UASC>0</UASC>
    </HEADER>
    <EPISODE>
      <DECOM>01/05/2023</DECOM><RNE>S</RNE><LS>V2</LS><CIN>N1</CIN><PL>U1</PL>
      <PL_POST>ZZ99 1ZZ</PL_POST><HOME_POST>ZZ99 2ZZ</HOME_POST><URN>XXXXXXX</URN>
      <PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC>10/07/2023</DEC><REC>X1</REC>
    </EPISODE>
    <EPISODE>
      <DECOM>10/07/2023</DECOM><RNE>L</RNE><LS>C1</LS><CIN>N1</CIN><PL>U1</PL>
      <PL_POST>ZZ99 1ZZ</PL_POST><HOME_POST>ZZ99 2ZZ</HOME_POST><URN>XXXXXXX</URN>
      <PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC/><REC/>
    </EPISODE>
  </CHILD>
</EXPSSDA903>
"""


def child_xml(cid: str, *, uasc: str = "0", duc: str = "", episodes: str = "", extra: str = "") -> str:
    duc_element = f"<DUC>{duc}</DUC>" if duc else ""
    return (
        f"<CHILD><HEADER><CHILDID>{cid}</CHILDID><UPN>UN1</UPN><SEX>1</SEX><DOB>01/01/2015</DOB>"
        f"<ETHNIC>WBRI</ETHNIC><UASC>{uasc}</UASC>{duc_element}{extra}</HEADER>{episodes}</CHILD>"
    )


def episode_xml(decom: str = "01/05/2023", dec: str = "", rec: str = "", extra: str = "") -> str:
    return (
        f"<EPISODE><DECOM>{decom}</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U6</PL>"
        f"<URN>XXXXXXX</URN><PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC>{dec}</DEC><REC>{rec}</REC>{extra}</EPISODE>"
    )


def write_xml(path: Path, children: list[str] | str, encoding: str = "UTF-8", root: str = "EXPSSDA903") -> Path:
    body = children if isinstance(children, str) else "".join(children)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = f'<?xml version="1.0" encoding="{encoding}"?>\n<{root}>{body}</{root}>\n'
    path.write_bytes(text.encode(encoding))
    return path


def xml_folder(root: Path, files: dict[str, Path | str]) -> Path:
    """An input folder (la.toml and the 903 files given, by path under ssda903/)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "la.toml").write_text(LA_TOML, encoding="utf-8")
    for rel, source in files.items():
        target = root / "ssda903" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, Path):
            shutil.copy(source, target)
        else:
            target.write_text(source, encoding="utf-8")
    return root


# --- Mapping ---------------------------------------------------------------------------------------------------


def test_the_example_maps_to_the_csv_columns(tmp_path: Path) -> None:
    path = tmp_path / "return.xml"
    path.write_text(EXAMPLE, encoding="utf-8")
    xml = ssda903_xml.read_return(path)
    header, episodes = xml.tables["header"], xml.tables["episodes"]
    assert header.columns == [*ssda903.HEADER_COLUMNS, "_row"]
    assert episodes.columns == [*ssda903.EPISODE_COLUMNS, "_row"]
    assert header.row(0, named=True) == {
        "CHILD": "FAKE0001", "SEX": "2", "DOB": "15/02/2019", "ETHNIC": "WBRI", "UPN": "UN1",
        "MOTHER": None, "MC_DOB": None, "_row": 1,
    }  # fmt: skip
    assert episodes["CHILD"].to_list() == ["FAKE0001", "FAKE0001"]  # from the sibling HEADER
    assert episodes["PLACE"].to_list() == ["U1", "U1"]  # PL -> PLACE
    assert episodes["DEC"].to_list() == ["10/07/2023", None]  # <DEC/> is blank, as an empty CSV cell
    assert episodes["REASON_PLACE_CHANGE"].to_list() == [None, None]  # absent: blank
    assert xml.tables["uasc"].height == 0  # UASC 0 is not UASC
    assert xml.issues == []


def test_uasc_rows_come_only_from_a_flag_of_1(tmp_path: Path) -> None:
    path = write_xml(
        tmp_path / "r.xml",
        [
            child_xml("A", uasc="1", duc="01/02/2024"),
            child_xml("B", uasc="0"),
            child_xml("C", uasc=""),
            child_xml("D", uasc=" 1 "),
            child_xml("E", uasc="Y"),
        ],
    )
    xml = ssda903_xml.read_return(path)
    assert xml.tables["uasc"].select("CHILD", "DUC").rows() == [("A", "01/02/2024"), ("D", None)]
    assert [(i.kind, i.child) for i in xml.issues] == [("uasc_flag", 5)]


def test_whitespace_namespaces_and_attributes_are_ignored(tmp_path: Path) -> None:
    body = child_xml("  A1 ", episodes=episode_xml(decom=" 01/05/2023\n"))
    path = tmp_path / "r.xml"
    path.write_text(
        '<?xml version="1.0"?><EXPSSDA903 xmlns="urn:example" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="CLA.xsd">'
        f"{body}</EXPSSDA903>",
        encoding="utf-8",
    )
    xml = ssda903_xml.read_return(path)
    assert xml.tables["episodes"].select("CHILD", "DECOM").rows() == [("A1", "01/05/2023")]
    assert xml.issues == []


@pytest.mark.parametrize("encoding", ["us-ascii", "UTF-8", "UTF-16", "windows-1252", "utf-8-sig"])
def test_the_declared_encoding_is_honoured(tmp_path: Path, encoding: str) -> None:
    post = "HR1 1AA" if encoding == "us-ascii" else "HR1 1AÉ"
    body = child_xml("A", episodes=episode_xml(extra=f"<HOME_POST>{post}</HOME_POST>"))
    declared = "UTF-8" if encoding == "utf-8-sig" else encoding
    text = f'<?xml version="1.0" encoding="{declared}"?>\n<EXPSSDA903>{body}</EXPSSDA903>\n'
    path = tmp_path / "r.xml"
    path.write_bytes(text.encode(encoding))
    assert ssda903_xml.read_return(path).tables["episodes"]["HOME_POST"].to_list() == [post]


def test_the_other_tables_are_read_and_counted() -> None:
    xml = ssda903_xml.read_return(SAMPLE)
    counts = xml.counts()
    assert counts == {
        "header": 253, "episodes": 459, "uasc": 12, "missing": 6, "reviews": 1206, "previous_permanence": 253,
        "oc2": 253, "placed_for_adoption": 3, "oc3": 6, "ad1": 3, "skipped elements": 0,
    }  # fmt: skip
    reviews = xml.tables["reviews"]
    assert reviews.columns == ["CHILD", "DOB", "REVIEW", "REVIEW_CODE", "_row"]
    assert reviews.row(0) == ("907440", "28/07/2010", "27/09/2015", "PN0", 1)
    assert xml.tables["oc3"].columns == ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM", "_row"]


def test_writing_and_reading_again_gives_the_same_tables(tmp_path: Path) -> None:
    sample = ssda903_xml.read_return(SAMPLE)
    extra = {t: f for t, f in sample.tables.items() if t not in ssda903_xml.PACK_TABLES}
    t = sample.tables
    copy = ssda903_xml.read_return(
        ssda903_xml.write_return(tmp_path / "copy.xml", t["header"], t["episodes"], t["uasc"], extra)
    )
    for table, frame in sample.tables.items():
        assert copy.tables[table].equals(frame), table


# --- The public sample -----------------------------------------------------------------------------------------


def test_the_public_sample_loads_with_its_known_counts(tmp_path: Path) -> None:
    folder = xml_folder(tmp_path / "in", {"2018/fake_903.xml": SAMPLE})
    files = ssda903.discover(folder / "ssda903")
    assert {f.table for f in files} == {"header", "episodes", "uasc"}
    inputs = load_inputs(folder)
    assert inputs.header.height == 253
    assert inputs.episodes.height == 459
    assert inputs.episodes["DEC"].null_count() == 133  # open at 31 March 2018
    assert inputs.uasc.height == 12
    assert set(inputs.episodes["_year"].to_list()) == {2018}
    assert inputs.episodes.schema["DECOM"] == pl.Date
    other = ssda903_xml.other_tables(files)
    assert {t: f.height for t, f in other.items()} == {
        "missing": 6, "reviews": 1206, "previous_permanence": 253, "oc2": 253, "placed_for_adoption": 3,
        "oc3": 6, "ad1": 3,
    }  # fmt: skip
    assert set(other["reviews"]["_year"].to_list()) == {2018}


def test_a_stacked_file_takes_its_year_from_the_episodes_dates(tmp_path: Path) -> None:
    folder = xml_folder(tmp_path / "in", {"fake_903.xml": SAMPLE})
    files = ssda903.discover(folder / "ssda903")
    assert {f.year for f in files} == {None} and {f.return_year for f in files} == {2018}  # 2017/18
    assert set(load_inputs(folder).episodes["_year"].to_list()) == {2018}


def _metrics(folder: Path, period: str | None = None) -> pl.DataFrame:
    from analysis.pack.build import default_period
    from analysis.sections.registry import all_metrics

    inputs = load_inputs(folder)
    return all_metrics(inputs, period or default_period(inputs))


def _as_csv(xml_folder_: Path, into: Path) -> Path:
    """The same folder with each XML return written as the CSV files."""
    shutil.copytree(xml_folder_, into)
    for path in sorted((into / "ssda903").rglob("*.xml")):
        xml = ssda903_xml.read_return(path)
        for table in ssda903_xml.PACK_TABLES:
            xml.tables[table].drop("_row").write_csv(path.parent / f"{table}.csv")
        path.unlink()
    return into


def test_the_public_sample_gives_the_same_figures_as_xml_and_as_csv(tmp_path: Path) -> None:
    folder = xml_folder(tmp_path / "xml", {"2018/fake_903.xml": SAMPLE})
    csv = _as_csv(folder, tmp_path / "csv")
    assert not list((csv / "ssda903").rglob("*.xml"))
    from_xml, from_csv = _metrics(folder), _metrics(csv)
    assert from_xml.height > 100
    assert from_xml.equals(from_csv)


# --- The synthetic data as XML ---------------------------------------------------------------------------------


def test_synth_format_xml_gives_the_same_metrics_as_csv(synthetic: Path, tmp_path: Path) -> None:
    out = tmp_path / "xml"
    assert main(["synth", "--format", "xml", "--out", str(out)]) == 0
    files = sorted(p.relative_to(out).as_posix() for p in (out / "ssda903").rglob("*.*"))
    assert files == [f"ssda903/{year}/ssda903_{year}.xml" for year in range(2020, 2025)]
    assert _metrics(out).equals(_metrics(synthetic))


def test_a_stacked_folder_of_xml_years_gives_the_same_metrics(synthetic: Path, tmp_path: Path) -> None:
    from analysis.synth.xml_writer import write_xml_returns

    years = tmp_path / "years"
    shutil.copytree(synthetic, years)
    write_xml_returns(years)
    stacked = tmp_path / "stacked"
    shutil.copytree(years, stacked)
    for path in sorted((stacked / "ssda903").rglob("*.xml")):
        path.rename(stacked / "ssda903" / f"export {path.parent.name[::-1]}.xml")  # names do not give the year
        path.parent.rmdir()
    files = ssda903.discover(stacked / "ssda903")
    assert sorted({f.return_year for f in files}) == [2020, 2021, 2022, 2023, 2024]
    assert _metrics(stacked).equals(_metrics(years))


# --- Excel -----------------------------------------------------------------------------------------------------


def test_a_workbook_with_one_sheet_per_table_reads_as_the_csv_files(tmp_path: Path) -> None:
    csv = xml_folder(tmp_path / "csv", {})
    shutil.copytree(Path(__file__).parent / "bad_inputs" / "_base" / "ssda903", csv / "ssda903")
    book = xml_folder(tmp_path / "book", {})
    target = book / "ssda903" / "2024" / "return.xlsx"
    target.parent.mkdir(parents=True)
    import pandas as pd

    with pd.ExcelWriter(target) as writer:
        for table, sheet in [("header", "Header"), ("episodes", "episodes"), ("uasc", "uasc.csv")]:
            source = csv / "ssda903" / "2024" / f"{table}.csv"
            frame = (
                pl.read_csv(source, infer_schema=False)
                if source.exists()
                else pl.DataFrame(schema={c: pl.String for c in ssda903.UASC_COLUMNS})
            )
            frame.to_pandas().to_excel(writer, sheet_name=sheet, index=False)
    files = ssda903.discover(book / "ssda903")
    assert [(f.table, f.sheet) for f in files] == [("header", "Header"), ("episodes", "episodes"), ("uasc", "uasc.csv")]
    a, b = load_inputs(csv), load_inputs(book)
    for table in ("header", "episodes"):
        assert getattr(a, table).drop("_file").equals(getattr(b, table).drop("_file")), table


def test_a_workbook_without_an_episodes_sheet_is_a_clear_error(tmp_path: Path) -> None:
    folder = xml_folder(tmp_path / "in", {})
    target = folder / "ssda903" / "2024" / "return.xlsx"
    target.parent.mkdir(parents=True)
    pl.DataFrame({"CHILD": ["A"]}).to_pandas().to_excel(target, sheet_name="header", index=False)
    with pytest.raises(InputError, match="no 903 episodes table: name a sheet 'episodes'"):
        ssda903.discover(folder / "ssda903")


# --- Checks on the XML itself ----------------------------------------------------------------------------------


def test_a_doctype_is_refused_not_expanded(tmp_path: Path) -> None:
    path = tmp_path / "r.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE EXPSSDA903 [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
        "<EXPSSDA903>&b;</EXPSSDA903>\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"declares a DOCTYPE .* at line 2"):
        ssda903_xml.read_return(path)


def test_misplaced_and_unknown_elements_are_skipped_and_named_by_position(tmp_path: Path) -> None:
    path = write_xml(
        tmp_path / "r.xml",
        [
            child_xml("SECRET1", episodes=episode_xml()),
            child_xml("SECRET2", episodes=episode_xml(extra="<FAVOURITE_COLOUR>red</FAVOURITE_COLOUR>")) + "",
            child_xml("SECRET3", episodes="<DECOM>01/06/2023</DECOM>" + episode_xml(), extra="<EPISODE/>"),
        ],
    )
    xml = ssda903_xml.read_return(path)
    assert [(i.kind, i.element, i.parent, i.child) for i in xml.issues] == [
        ("unknown", "FAVOURITE_COLOUR", "EPISODE", 2),
        ("misplaced", "DECOM", "CHILD", 3),
        ("misplaced", "EPISODE", "HEADER", 3),
    ]
    assert xml.tables["episodes"].height == 3  # the well-placed episodes are all read
    described = " ".join(i.describe() for i in xml.issues)
    assert "child 3 in the file" in described and "SECRET" not in described
    assert xml.counts()["skipped elements"] == 3


# --- The command line: clear messages, no traceback ------------------------------------------------------------


def run(args: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str]:
    code = main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, err


def test_a_malformed_file_is_an_error_naming_the_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    text = EXAMPLE.replace("<RNE>L</RNE>", "<RNE>L</RN>")
    folder = xml_folder(tmp_path / "in", {"2024/return.xml": text})
    code, err = run(["validate", "--data", str(folder)], capsys)
    assert code == 1
    assert "ERROR [RP00]" in err and "return.xml" in err
    assert "not well-formed XML: mismatched tag at line 14, column 40" in err
    code, err = run(["metrics", "--data", str(folder), "--out", str(tmp_path / "m.csv")], capsys)
    assert code == 1 and "ERROR [RP00]" in err and "no metrics were written" in err  # validated first
    code, err = run(["metrics", "--data", str(folder), "--out", str(tmp_path / "m.csv"), "--no-validate"], capsys)
    assert code == 1 and "review-pack metrics failed: file" in err and "line 14" in err


def test_a_wrong_root_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    folder = xml_folder(tmp_path / "in", {"2024/return.xml": EXAMPLE.replace("EXPSSDA903", "CINCensus")})
    code, err = run(["validate", "--data", str(folder)], capsys)
    assert code == 1
    assert "the root element is CINCensus at line 2, not EXPSSDA903" in err


def test_a_misplaced_element_is_a_warning_naming_it_and_the_child(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    text = EXAMPLE.replace("<REC/>\n    </EPISODE>", "<REC/>\n    </EPISODE><PL>U1</PL>")
    folder = xml_folder(tmp_path / "in", {"2024/return.xml": text})
    code, err = run(["validate", "--data", str(folder)], capsys)
    assert code == 0
    warning = [line for line in err.splitlines() if line.startswith("WARNING [RPX2]")]
    assert len(warning) == 1, err
    assert "element PL in CHILD, where it belongs in EPISODE (child 1 in the file): not read" in warning[0]
    assert "FAKE0001" not in warning[0]


def test_a_bad_date_is_the_same_error_as_in_csv(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    text = EXAMPLE.replace("<DECOM>10/07/2023</DECOM>", "<DECOM>07/31/2023</DECOM>")
    folder = xml_folder(tmp_path / "xml", {"2024/return.xml": text})
    csv = _as_csv(folder, tmp_path / "csv")
    code, err = run(["validate", "--data", str(folder)], capsys)
    assert code == 1 and "return.xml (episodes)" in err and "column DECOM: DECOM is a real date" in err
    assert "07/31/2023" in err
    messages = []
    for where in (folder, csv):
        with pytest.raises(InputError) as caught:
            load_inputs(where)
        messages.append((caught.value.column, caught.value.detail))
        code, err = run(["metrics", "--data", str(where), "--out", str(tmp_path / "m.csv"), "--no-validate"], capsys)
        assert code == 1 and "column DECOM: 1 date(s) could not be read, e.g. '07/31/2023'" in err
    assert messages[0] == messages[1]


def test_xml_beside_csv_reads_the_xml_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    folder = xml_folder(tmp_path / "in", {"2024/return.xml": EXAMPLE})
    shutil.copytree(Path(__file__).parent / "bad_inputs" / "_base" / "ssda903", folder / "ssda903", dirs_exist_ok=True)
    assert {f.path.name for f in ssda903.discover(folder / "ssda903")} == {"return.xml"}
    code, err = run(["validate", "--data", str(folder)], capsys)
    assert code == 0
    unread = [line for line in err.splitlines() if line.startswith("WARNING [RPX6]")]
    assert len(unread) == 2 and all("return.xml in the same folder is read instead" in line for line in unread)


def test_the_readme_example_is_the_one_tested() -> None:
    readme = (Path(__file__).parents[1] / "data" / "README.md").read_text(encoding="utf-8")
    block = readme.split("```xml\n", 1)[1].split("```", 1)[0]
    assert block == EXAMPLE


def test_validate_says_which_year_a_stacked_file_was_read_as(
    tmp_path: Path, capsys: pytest.CaptureFixture, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="review_pack")
    folder = xml_folder(tmp_path / "in", {"fake_903.xml": SAMPLE})
    code, err = run(["validate", "--verbose", "--data", str(folder)], capsys)  # what was read: --verbose
    assert code == 0, err
    year = [line for line in err.splitlines() if line.startswith("WARNING [RPX4]")]
    assert len(year) == 1 and "read as the return for the year to 31 March 2018" in year[0], err
    assert "read fake_903.xml: 253 header, 459 episodes, 12 uasc, 6 missing, 1,206 reviews" in caplog.text
    assert "907440" not in err  # no child identifier (the sample's first CHILDID) in the messages
