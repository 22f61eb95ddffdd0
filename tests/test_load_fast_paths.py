"""The loader's fast paths give what the plain definitions give, row for row, message for message.

At scale the loader works on distinct values (dates parsed once per distinct text, codes' case matched
on the distinct codes), groups only the repeated CHILD + DECOM when merging, hands CSV bytes straight to
polars, and reads the XML return with lxml when it is installed. Each test here sets a fast path
beside the plain computation it replaced (written out in the test), on hand-made frames with
known answers and on random ones.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from analysis.core.codes import LEGACY_REC
from analysis.core.errors import InputError
from analysis.load import readers, ssda903, ssda903_xml, tidy_codes
from analysis.load.readers import ROW, date_expr, parse_dates, read_raw

FIXTURES = Path(__file__).parent / "fixtures" / "ssda903_xml"

# --- Dates: parsed once per distinct text --------------------------------------------------------------------


def _texts(rng: random.Random, n: int) -> list[str | None]:
    kinds = [
        lambda: f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1990, 2025)}",
        lambda: f"{rng.randint(1990, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        lambda: f"{rng.randint(1990, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 00:00:00",
        lambda: None,
    ]
    return [rng.choice(kinds)() for _ in range(n)]


def test_dates_parsed_per_distinct_text_are_those_of_every_row() -> None:
    rng = random.Random(903)
    frame = pl.DataFrame({"A": _texts(rng, 3000), "B": _texts(rng, 3000)}).with_row_index(ROW, offset=2)
    fast = parse_dates(frame, ["A", "B"], Path("episodes.csv"))
    plain = frame.with_columns(date_expr("A"), date_expr("B"))
    assert fast.equals(plain)
    assert fast.schema["A"] == pl.Date and fast["A"].null_count() == frame["A"].null_count()


@pytest.mark.parametrize("bad", ["31/02/2023", "01/06/23", "2023/06/01", "1 June 2023"])
def test_a_bad_date_in_row_n_names_that_row_and_value(bad: str) -> None:
    texts = ["01/04/2023"] * 5 + [bad] + ["01/04/2023", None]
    frame = pl.DataFrame({"DECOM": texts}).with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    with pytest.raises(InputError) as caught:
        parse_dates(frame, ["DECOM"], Path("episodes.csv"))
    assert str(caught.value) == (
        f"file episodes.csv, row 7, column DECOM: 1 date(s) could not be read, e.g. '{bad}' "
        "(expected dd/mm/yyyy or yyyy-mm-dd)"
    )


# --- Codes in another case: matched on the distinct codes -------------------------------------------------------


def _tidy_plain(frame: pl.DataFrame, suite: str) -> tuple[pl.DataFrame, list[int], dict[str, int]]:
    """The expression over every row that `tidy_codes.tidy` replaced."""
    flags, fixes = {}, {}
    for column, codes in tidy_codes.code_lists()[suite].items():
        if column not in frame.columns:
            continue
        by_case = {code.casefold(): code for code in codes}
        canonical = pl.col(column).str.to_lowercase().replace_strict(by_case, default=None, return_dtype=pl.String)
        flags[column] = (~pl.col(column).is_in(list(codes)) & canonical.is_not_null()).fill_null(False)
        fixes[column] = pl.when(flags[column]).then(canonical).otherwise(pl.col(column)).alias(column)
    marked = frame.with_columns(flag.alias(f"_f_{c}") for c, flag in flags.items())
    counts = {c: n for c in flags if (n := int(marked[f"_f_{c}"].sum()))}
    rows = marked.filter(pl.any_horizontal(f"_f_{c}" for c in flags))[ROW].to_list()
    return frame.with_columns(fixes[c] for c in counts), rows, counts


def test_codes_in_another_case_are_read_as_listed_with_their_rows() -> None:
    frame = pl.DataFrame(
        {"LS": ["C2", "c2", "V2", None, "zz", "v2"], "PLACE": ["U1", "U1", "u1", "R1", "U1", "U1"]}
    ).with_row_index(ROW, offset=2)
    tidied, done = tidy_codes.tidy(frame, "ssda903_episodes")
    assert tidied["LS"].to_list() == ["C2", "C2", "V2", None, "zz", "V2"]
    assert tidied["PLACE"].to_list() == ["U1", "U1", "U1", "R1", "U1", "U1"]
    assert done.rows == {"LS": 2, "PLACE": 1} and done.row_numbers == [3, 4, 7]
    assert done.examples == ["LS 'c2' read as 'C2'", "LS 'v2' read as 'V2'", "PLACE 'u1' read as 'U1'"]


def test_codes_matched_on_distinct_values_are_those_of_every_row() -> None:
    rng = random.Random(16)
    lists = tidy_codes.code_lists()["ssda903_episodes"]
    columns = {c: lists[c] for c in ("LS", "PLACE", "REC", "RNE")}
    rows = range(500)
    frame = pl.DataFrame(
        {
            c: [rng.choice([*codes, None, "??"]) if rng.random() < 0.9 else rng.choice(codes).lower() for _ in rows]
            for c, codes in columns.items()
        }
    ).with_row_index(ROW, offset=2)
    tidied, done = tidy_codes.tidy(frame, "ssda903_episodes")
    plain, rows, counts = _tidy_plain(frame, "ssda903_episodes")
    assert tidied.equals(plain)
    assert done.row_numbers == rows and done.rows == counts and done.changed > 0


# --- Merging: only the repeated CHILD + DECOM are grouped -------------------------------------------------------


def _merge_plain(episodes: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """The grouping over every row that `merge_episodes` replaced: (kept, conflicts)."""
    ranked = episodes.with_columns(
        pl.col("REC").replace(LEGACY_REC),
        pl.col("DEC").is_not_null().alias("_closed"),
        pl.int_range(pl.len()).alias("_order"),
    )
    versions = (
        ranked.filter(pl.col("_closed"))
        .group_by(["CHILD", "DECOM", ssda903.YEAR])
        .agg(pl.struct(["DEC", "REC", "LS", "PLACE"]).n_unique().alias("n"))
    )
    kept = (
        ranked.sort([ssda903.YEAR, "_closed", "_order"])
        .group_by(["CHILD", "DECOM"], maintain_order=True)
        .last()
        .sort(["CHILD", "DECOM"])
        .drop("_closed", "_order")
    )
    return kept, versions.filter(pl.col("n") > 1).height


def _stacked(rng: random.Random, children: int) -> pl.DataFrame:
    rows = []
    for c in range(children):
        for _ in range(rng.randint(1, 3)):
            start = date(2020, rng.randint(1, 12), rng.randint(1, 28))
            end = rng.choice([None, date(2023, rng.randint(1, 12), rng.randint(1, 28))])
            rows.append((f"C{c:03d}", start, end, rng.choice(["C2", "V2"]), rng.choice(["U1", "R1"]), end and "E4"))
    frame = pl.DataFrame(rows, schema=["CHILD", "DECOM", "DEC", "LS", "PLACE", "REC"], orient="row")
    return frame.with_columns(
        pl.lit(0, pl.Int32).alias(ssda903.YEAR),
        pl.lit("episodes.csv").alias(ssda903.FILE),
        pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias(ROW),
    )


@pytest.mark.parametrize("seed", range(6))
def test_merging_only_the_repeated_episodes_keeps_the_same_rows(seed: int) -> None:
    rng = random.Random(seed)
    episodes = _stacked(rng, 60)
    if seed % 2:  # out of order
        episodes = episodes.sample(fraction=1.0, shuffle=True, seed=seed)
    report = ssda903.MergeReport()
    kept = ssda903.merge_episodes(episodes, report)
    plain, conflicts = _merge_plain(episodes)
    assert kept.equals(plain)
    assert report.conflicts == conflicts
    assert report.duplicates_merged == episodes.height - plain.height


def test_a_sorted_file_with_each_episode_once_is_kept_as_it_is() -> None:
    episodes = _stacked(random.Random(1), 40).unique(["CHILD", "DECOM"]).sort("CHILD", "DECOM")
    report = ssda903.MergeReport()
    kept = ssda903.merge_episodes(episodes, report)
    assert kept.equals(_merge_plain(episodes)[0])
    assert report.duplicates_merged == 0 and report.conflicts == 0
    assert ssda903._sorted_by_child_and_start(episodes, strict=True)
    assert not ssda903._sorted_by_child_and_start(pl.concat([episodes, episodes.head(1)]).sort("CHILD"), strict=True)


# --- CSV bytes straight to polars --------------------------------------------------------------------------------


def test_a_csv_with_a_bom_accents_spaces_and_blanks(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_bytes("\ufeffCHILD , NAME\n A1 ,Zoë\n\"\",  \nB2,\"x, y\"\n".encode())
    frame = read_raw(path, ["CHILD"])
    assert frame.columns == [ROW, "CHILD", "NAME"]
    assert frame.rows() == [(2, "A1", "Zoë"), (3, None, None), (4, "B2", "x, y")]


def test_a_cp1252_file_names_the_line_of_its_first_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_bytes("CHILD,NAME\nA1,Zoe\nA2,Zoë\n".encode("cp1252"))
    with pytest.raises(InputError) as caught:
        readers.read_raw(path, ["CHILD"])
    assert str(caught.value) == f"file {path}, row 3: the file is not UTF-8 (byte 0xeb); save it as 'CSV UTF-8'"


# --- The XML return: lxml and ElementTree give the same --------------------------------------------------------

_ODD = """<?xml version="1.0" encoding="UTF-8"?>
<?stylesheet x?>
<EXPSSDA903 xmlns="urn:example">
  <!-- a comment -->
  <CHILD>
    <HEADER><CHILDID> A&amp;1 </CHILDID><SEX>1</SEX><DOB>01/01/2015</DOB><ETHNIC>WBRI</ETHNIC><UASC>1</UASC>
      <DUC>01/01/2033</DUC><AREVIEW><REVIEW>01/06/2023</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW>
      <SHOE_SIZE>4</SHOE_SIZE><SEX>2</SEX></HEADER>
    <EPISODE><DECOM><![CDATA[01/05/2023]]></DECOM><RNE>S</RNE><LS>C2</LS><!-- x --><CIN>N1</CIN><PL>U1</PL>
      <DEC/><REC></REC><DECOM>02/05/2023</DECOM><EXTRA>1</EXTRA></EPISODE>
    <PL>R1</PL>
  </CHILD>
  <CHILD><EPISODE><DECOM>01/07/2023</DECOM><CHILD><HEADER><CHILDID>B2</CHILDID></HEADER></CHILD></EPISODE>
    <HEADER><CHILDID>C3</CHILDID><UASC>7</UASC></HEADER></CHILD>
  <STRAY>1</STRAY>
</EXPSSDA903>
"""


def _both(path: Path) -> tuple[ssda903_xml.XmlReturn, ssda903_xml.XmlReturn]:
    pytest.importorskip("lxml")
    child_tag = ssda903_xml.check_prolog(path) + "CHILD"
    fast = ssda903_xml._parse(path, ssda903_xml._LxmlChildren(path, child_tag))
    plain = ssda903_xml._parse(path, ssda903_xml._EtChildren(path, child_tag))
    return fast, plain


@pytest.mark.parametrize("name", ["sample", "odd"])
def test_lxml_and_elementtree_read_the_same_tables_and_issues(name: str, tmp_path: Path) -> None:
    path = FIXTURES / "fake_903.xml"
    if name == "odd":
        path = tmp_path / "odd.xml"
        path.write_text(_ODD, encoding="utf-8")
    fast, plain = _both(path)
    assert fast.tables.keys() == plain.tables.keys()
    for table in plain.tables:
        assert fast.tables[table].equals(plain.tables[table]), table
    assert fast.issues == plain.issues
    if name == "odd":  # known answers, whichever parser read it
        assert plain.tables["episodes"]["DECOM"].to_list() == ["01/05/2023", "01/07/2023"]
        # The CHILD inside the second child's EPISODE ends first, so it is child 2 and the second child is 3.
        assert plain.tables["header"]["CHILD"].to_list() == ["A&1", "B2", "C3"]
        assert plain.tables["episodes"].select("CHILD", "DEC", ROW).rows() == [("A&1", None, 1), ("C3", None, 3)]
        assert plain.tables["uasc"]["CHILD"].to_list() == ["A&1"]
        assert plain.tables["reviews"].select("REVIEW", "REVIEW_CODE").rows() == [("01/06/2023", "PN1")]
        assert [(i.kind, i.element, i.child) for i in plain.issues] == [
            ("misplaced", "PL", 1),
            ("unknown", "SHOE_SIZE", 1),
            ("repeated", "SEX", 1),
            ("repeated", "DECOM", 1),
            ("unknown", "EXTRA", 1),
            ("order", "HEADER", 3),
            ("uasc_flag", "7", 3),
            ("misplaced", "CHILD", 3),
            ("unknown", "STRAY", 2),  # after the second CHILD at the root
        ]


def test_a_malformed_file_gives_the_expat_message_whichever_parser_is_installed(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(_ODD.replace("<RNE>S</RNE>", "<RNE>S</RN>"), encoding="utf-8")
    with pytest.raises(InputError, match=r"not well-formed XML: mismatched tag at line 9, column \d+$"):
        ssda903_xml.parse(path)


def _latest_plain(frame: pl.DataFrame) -> pl.DataFrame:
    """The grouping over every row that `latest_per_child` skips when each child is there once, in order."""
    return (
        frame.with_columns(pl.int_range(pl.len()).alias("_order"))
        .sort([ssda903.YEAR, "_order"])
        .group_by("CHILD", maintain_order=True)
        .last()
        .sort("CHILD")
        .drop("_order")
    )


@pytest.mark.parametrize("seed", range(12))
def test_the_latest_row_per_child_is_the_same_in_order_or_not(seed: int) -> None:
    rng = random.Random(seed)
    if seed % 3 == 0:  # each child once, in order: the fast path
        children: list[str | None] = sorted({f"C{rng.randint(0, 99):02d}" for _ in range(30)})
    else:
        children = [rng.choice(["A", "B", "C", "D", None]) for _ in range(30)]
    frame = pl.DataFrame(
        {
            "SEX": [str(rng.randint(1, 2)) for _ in children],
            "CHILD": pl.Series(children, dtype=pl.String),
            ssda903.YEAR: [rng.choice([0, 2023, 2024]) for _ in children],
        }
    )
    assert ssda903.latest_per_child(frame).equals(_latest_plain(frame))
