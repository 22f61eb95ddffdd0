"""End to end: the pack built from the synthetic data, and what a failed build must not do."""

from __future__ import annotations

import base64
import itertools
import json
import re
from datetime import datetime
from fractions import Fraction
from pathlib import Path

import attack
import nbformat
import polars as pl
import pytest
from browser import axe_violations, offline_browser
from factories import write_folder

from analysis.core.disclosure import identifiers_found, pack_identifiers
from analysis.core.errors import BuildError, InvalidInputs
from analysis.load.inputs import load_inputs
from analysis.pack.build import build_pack
from analysis.sections.registry import SECTIONS, Section

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|import\s*\(|@import|url\(\s*["']?https?:""", re.I)


@pytest.fixture(scope="session")
def pack(synthetic: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole pack, built once from the synthetic data into a temporary outputs folder."""
    out = tmp_path_factory.mktemp("outputs")
    result = build_pack(synthetic, None, out)
    assert (out / "latest").resolve() == result.pack.resolve()
    return out / "latest"


@pytest.mark.e2e
def test_pack_has_every_page(pack: Path) -> None:
    names = {p.name for p in pack.iterdir()}
    expected = {"index.html", "data_quality.html", "metrics.csv", "manifest.json"}
    assert expected | {Path(s.notebook).with_suffix(".html").name for s in SECTIONS} <= names
    assert not any(n.endswith(".ipynb") for n in names)  # executed notebooks are analyst-only


@pytest.mark.e2e
def test_no_page_loads_anything_from_the_network(pack: Path) -> None:
    for page in pack.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not EXTERNAL.findall(text), page.name
        assert "cdn." not in text and "<script src" not in text


@pytest.mark.e2e
def test_charts_are_embedded_svg_with_text_alternatives(pack: Path) -> None:
    for section in SECTIONS:
        text = (pack / Path(section.notebook).with_suffix(".html").name).read_text(encoding="utf-8")
        images = re.findall(r"<img\s[^>]*>", text)
        assert images, section.notebook
        for tag in images:
            payload = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', tag).group(1)
            alt = re.search(r'alt="([^"]*)"', tag).group(1)
            assert base64.b64decode(payload).startswith(b"<svg")
            assert len(alt) > 40 and "No description" not in alt, alt


@pytest.mark.e2e
def test_pages_render_offline_in_a_real_browser(pack: Path) -> None:
    with offline_browser() as open_page:
        for path in sorted(pack.glob("*.html")):
            page, refused, errors = open_page(path)
            assert refused == [], f"{path.name} asked the network for {refused}"
            assert errors == [], f"{path.name} logged console errors: {errors}"
            sizes = page.evaluate("Array.from(document.images).map(i => i.complete ? i.naturalWidth : -1)")
            assert all(w > 100 for w in sizes), (path.name, sizes)
            # Every chart is an SVG image that the browser decoded.
            assert page.evaluate("Array.from(document.images).every(i => i.src.startsWith('data:image/svg+xml'))")
            assert page.evaluate("document.documentElement.lang").startswith("en")


@pytest.mark.e2e
def test_every_page_passes_the_accessibility_checker(pack: Path) -> None:
    # axe-core 4.14 (npm, pinned in package-lock.json), WCAG 2.0 to 2.2 A and AA rules.
    with offline_browser() as open_page:
        for path in sorted(pack.glob("*.html")):
            page, _, _ = open_page(path)
            assert axe_violations(page) == [], path.name


@pytest.mark.e2e
def test_one_h1_and_headings_in_order(pack: Path) -> None:
    for path in sorted(pack.glob("*.html")):
        levels = [int(h) for h in re.findall(r"<h([1-6])[\s>]", path.read_text(encoding="utf-8"))]
        assert levels.count(1) == 1 and levels[0] == 1, (path.name, levels)
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), (path.name, levels)


@pytest.mark.e2e
def test_every_link_in_the_index_resolves(pack: Path) -> None:
    html = (pack / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^"#]+)"', html))
    assert {"data_quality.html", "metrics.csv", "manifest.json"} <= links
    for link in links:
        assert (pack / link).is_file(), link
    assert not [link for link in links if "analyst" in link]  # the analyst-only folder is never linked


@pytest.mark.e2e
def test_analyst_files_are_separate_and_marked(pack: Path) -> None:
    published = pack.resolve()
    analyst = pack.parent / "analyst" / published.parent.name / published.name
    files = [p for p in analyst.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"README.txt", "metrics_unsuppressed.csv", "validation.json", "validation.html"}
    for path in files:
        if path.suffix in {".txt", ".csv", ".json", ".html"}:
            assert "OFFICIAL-SENSITIVE, analyst only" in path.read_text(encoding="utf-8").splitlines()[0], path.name
        if path.suffix == ".ipynb":
            assert (
                json.loads(path.read_text())["metadata"]["review_pack"]["marking"] == "OFFICIAL-SENSITIVE, analyst only"
            )
    unsuppressed = pl.read_csv(analyst / "metrics_unsuppressed.csv", comment_prefix="#")
    assert unsuppressed.filter(pl.col("unit") == "count")["value"].is_between(1, 4).any()  # small counts kept here


@pytest.mark.e2e
def test_every_page_says_the_data_is_synthetic(pack: Path) -> None:
    for page in pack.glob("*.html"):
        assert "Synthetic data." in page.read_text(encoding="utf-8"), page.name


@pytest.mark.e2e
def test_no_child_identifier_or_birth_date_anywhere_in_the_pack(pack: Path, synthetic: Path) -> None:
    inputs = load_inputs(synthetic)
    identifiers = pack_identifiers(inputs)
    assert len(identifiers) > 300
    # Dates of birth as the 903 writes them, and in ISO form unless they fall on a month end (pack periods do).
    dobs = inputs.header["DOB"].drop_nulls()
    birth_dates = set(dobs.dt.strftime("%d/%m/%Y")) | set(
        dobs.filter(dobs != dobs.dt.month_end()).dt.strftime("%Y-%m-%d")
    )
    for path in pack.iterdir():
        if path.suffix in {".html", ".csv", ".json"}:
            text = path.read_text(encoding="utf-8")
            assert identifiers_found(text, identifiers) == set(), path.name
            assert not [d for d in birth_dates if d in text], path.name


@pytest.mark.e2e
def test_metrics_csv_is_tidy_and_suppressed(pack: Path) -> None:
    metrics = pl.read_csv(pack / "metrics.csv", infer_schema=False)
    assert metrics.columns == ["metric", "breakdown", "period", "value", "unit"]
    assert {"cla_count", "cla_rate_per_10k"} <= set(metrics["metric"])
    counts = metrics.filter(pl.col("unit") == "count")
    numeric = counts.filter(pl.col("value") != "c")["value"].cast(pl.Float64)
    assert ((numeric == 0) | (numeric >= 5)).all()
    # Point-in-time metrics carry ISO dates.
    assert metrics.filter(pl.col("metric") == "cla_count")["period"].str.contains(r"^\d{4}-\d{2}-\d{2}$").all()


@pytest.mark.e2e
def test_pack_figures_match_the_published_calibration(pack: Path) -> None:
    # Seed 002 line 180 (405 in July 2023); [DFE-COMMISSIONER-2023-12] (~399 in October 2023).
    metrics = pl.read_csv(pack / "metrics.csv", infer_schema=False).filter(
        (pl.col("metric") == "cla_count") & (pl.col("breakdown") == "all")
    )
    value = dict(zip(metrics["period"], metrics["value"].cast(pl.Float64), strict=True))
    # The synthetic data is built to hit these counts: exactly, so a month's shift or one child more fails.
    assert value["2023-07-31"] == 405
    assert value["2023-10-31"] == 399


@pytest.mark.e2e
def test_manifest_records_inputs_parameters_and_timings(pack: Path, synthetic: Path) -> None:
    manifest = json.loads((pack / "manifest.json").read_text())
    assert manifest["parameters"]["period"] == "2024-03"
    assert manifest["synthetic"] is True
    assert {i["path"] for i in manifest["inputs"]} >= {"la.toml", "ssda903/2024/episodes.csv"}
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert [n["notebook"] for n in manifest["notebooks"]] == [s.notebook for s in SECTIONS]


@pytest.mark.e2e
def test_data_quality_page_shows_the_known_warnings(pack: Path) -> None:
    # The synthetic data carries exactly three planted faults (docs/data_log.md): two malformed UPNs
    # (DfE rule 168) and one unknown ethnicity code (rule 103), all in the 2024 header.
    text = (pack / "data_quality.html").read_text(encoding="utf-8")
    assert "No errors." in text
    rows = re.findall(
        r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>[^<]*</td><td>[^<]*</td><td class=\"num\">(\d+)</td>", text
    )
    assert sorted((rule, int(n)) for _, rule, n in rows) == [("103", 1), ("168", 2)]
    assert {file for file, _, _ in rows} == {"ssda903/2024/header.csv"}


# --- Failure: a bad build never touches the last good pack ---------------------------------


def _notebook(path: Path, source: str) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('data_dir = ""\nperiod = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)


@pytest.fixture
def good_then(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A small input folder, an outputs folder holding one good pack, and a notebooks folder."""
    data = write_folder(tmp_path / "in")
    out = tmp_path / "out"
    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    _notebook(
        notebooks / "ok.ipynb",
        "from IPython.display import HTML, display\ndisplay(HTML('<p>fine</p>'))",
    )
    build_pack(data, "2024-03", out, [Section("ok.ipynb", "OK", "")], notebooks)
    return data, out, notebooks


def _snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_failed_notebook_leaves_the_last_good_pack_untouched(
    good_then: tuple[Path, Path, Path],
) -> None:
    data, out, notebooks = good_then
    before, latest = _snapshot(out), (out / "latest").resolve()
    _notebook(notebooks / "bad.ipynb", "x = 1\nraise ValueError('the figures do not add up')")
    with pytest.raises(BuildError, match=r"bad\.ipynb failed at cell \d+ \(ValueError: the figures do not add up\)"):
        build_pack(
            data,
            "2024-03",
            out,
            [Section("ok.ipynb", "OK", ""), Section("bad.ipynb", "Bad", "")],
            notebooks,
        )
    assert (out / "latest").resolve() == latest
    after = _snapshot(out)
    assert {k: v for k, v in after.items() if not k.startswith("failed/")} == before
    assert any(k.startswith("failed/") and k.endswith("bad.ipynb") for k in after)
    assert not list(out.glob(".staging-*"))


def test_invalid_inputs_build_nothing(good_then: tuple[Path, Path, Path]) -> None:
    data, out, notebooks = good_then
    before = _snapshot(out)
    path = data / "ssda903/2024/episodes.csv"
    path.write_text(path.read_text().replace(",C2,", ",ZZ,", 1))
    with pytest.raises(InvalidInputs, match=r"episodes\.csv, row 2, column LS"):
        build_pack(data, "2024-03", out, [Section("ok.ipynb", "OK", "")], notebooks)
    assert _snapshot(out) == before


def test_a_child_identifier_in_a_page_stops_the_build(good_then: tuple[Path, Path, Path]) -> None:
    data, out, notebooks = good_then
    before = _snapshot(out)
    _notebook(notebooks / "leak.ipynb", "print('TST001')")
    with pytest.raises(BuildError, match=r"child identifier appears in leak\.html"):
        build_pack(data, "2024-03", out, [Section("leak.ipynb", "Leak", "")], notebooks)
    assert _snapshot(out) == before


def test_second_build_repoints_latest(good_then: tuple[Path, Path, Path]) -> None:
    data, out, notebooks = good_then
    first = (out / "latest").resolve()
    second = build_pack(data, "2024-03", out, [Section("ok.ipynb", "OK", "")], notebooks)
    assert second.pack != first and (out / "latest").resolve() == second.pack.resolve()
    assert first.exists()  # earlier packs are kept


@pytest.mark.e2e
def test_workbook_has_every_table_with_the_same_suppression(pack: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(pack / "tables.xlsx")
    assert book.sheetnames[0] == "Notes"
    assert {"Review summary 1", "Children in care 1"} <= set(book.sheetnames)
    notes = [row for row in book["Notes"].iter_rows(values_only=True)]
    assert ("Data", "SYNTHETIC DATA: made up, describes no real child", None) in notes
    # Known value in a known cell: the 31 March table of the children-in-care section holds, at 31 March 2023, the
    # figure metrics.csv gives for 2023-03-31 (the published 405 is for July 2023, checked in
    # test_pack_figures_match_the_published_calibration; no figure was published for 31 March 2023).
    [march] = [s for s in book if s["A1"].value == "Children in care at each 31 March"]
    assert march["A2"].value == "31 March" and march["B2"].value == "Children in care"
    rows = {r[0]: r[1] for r in march.iter_rows(min_row=3, values_only=True)}
    metrics = pl.read_csv(pack / "metrics.csv", infer_schema=False)
    [published] = metrics.filter(
        (pl.col("metric") == "cla_count") & (pl.col("breakdown") == "all") & (pl.col("period") == "2023-03-31")
    )["value"].to_list()
    assert rows["31 March 2023"] == int(published)
    assert rows["31 March 2024"] != rows["31 March 2023"]  # two different rows, not one value repeated
    # No count from 1 to 4 anywhere: every small number is a share or a rate, never a count column.
    for sheet in book.worksheets[1:]:
        header = [c.value for c in sheet[2]]
        for row in sheet.iter_rows(min_row=3, values_only=True):
            for name, value in zip(header, row, strict=False):
                if isinstance(value, int) and name and "children" in str(name).lower():
                    assert not 1 <= value <= 4, (sheet.title, name, value)


@pytest.mark.e2e
def test_pdf_has_a_contents_page_and_every_section(pack: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(pack / "review-pack.pdf")
    manifest = json.loads((pack / "manifest.json").read_text())
    assert manifest["pdf"] == f"written: {len(reader.pages)} pages"
    assert len(reader.pages) >= len(SECTIONS) + 2  # contents, each section, data quality
    contents = reader.pages[0].extract_text()
    assert "Contents" in contents and all(s.title in contents for s in SECTIONS)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Synthetic data." in text


@pytest.mark.e2e
def test_charts_for_slides_are_titled_and_sourced(pack: Path) -> None:
    charts = sorted((pack / "charts").iterdir())
    stems = {Path(s.notebook).stem for s in SECTIONS}
    assert {c.name.split("__")[0] for c in charts} == stems
    for chart in charts:
        if chart.suffix == ".png":
            assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert chart.with_suffix(".svg").exists()
    svg = (pack / "charts" / "01_children_in_care__children-in-care-per-10-000-children.svg").read_text()
    assert "Children in care per 10,000 children" in svg and "Source: Herefordshire review pack" in svg


@pytest.mark.e2e
def test_metrics_command_writes_the_same_figures_unsuppressed(pack: Path, synthetic: Path, tmp_path: Path) -> None:
    from analysis.cli import main

    out = tmp_path / "metrics.csv"
    assert main(["metrics", "--data", str(synthetic), "--period", "2024-03", "--out", str(out)]) == 0
    analyst = pl.read_csv(out)
    shown = pl.read_csv(pack / "metrics.csv", infer_schema=False)
    assert (
        analyst.select("metric", "breakdown", "period").rows() == shown.select("metric", "breakdown", "period").rows()
    )
    small = analyst.filter((pl.col("unit") == "count") & pl.col("value").is_between(1, 4))
    assert small.height > 0  # the analyst's copy keeps small counts …
    hidden = shown.join(small.select("metric", "breakdown", "period"), on=["metric", "breakdown", "period"])
    assert (hidden["value"] == "c").all()  # … which the pack's copy shows as "c"


# --- Disclosure: nothing hidden can be worked out (the attacker in tests/attack.py) ----------------------


def _truth(pack: Path) -> dict:
    published = pack.resolve()
    analyst = pack.parent / "analyst" / published.parent.name / published.name
    return attack.read_metrics(analyst / "metrics_unsuppressed.csv")


@pytest.mark.e2e
def test_no_hidden_figure_in_metrics_csv_can_be_worked_out(pack: Path) -> None:
    published = attack.read_metrics(pack / "metrics.csv")
    truth = _truth(pack)
    hidden = [k for k, v in published.items() if v == attack.HIDDEN]
    assert hidden, "the synthetic pack has small counts, so something must be hidden"
    recovered = attack.recover(published, attack.relations(published)) | attack.recover_uasc(published)
    leaks = {k: v for k, v in recovered.items() if published.get(k) == attack.HIDDEN and Fraction(truth[k]) == v}
    assert not leaks, sorted(leaks)[:10]


@pytest.mark.e2e
def test_no_hidden_figure_anywhere_in_the_pack_can_be_worked_out(pack: Path) -> None:
    # Every HTML table of every page and metrics.csv, the same figure across views as one unknown: totals and
    # their parts, rolling sums and their months, "All" rows, the UASC rates (tests/attack.py).
    found = attack.attack_pack(pack, _truth(pack))
    assert found["hidden"] > 100 and found["relations"] > 100  # a real test: much is hidden and linked
    assert found["inconsistent"] == [], found["inconsistent"][:5]  # hidden in one view, shown in another
    assert not found["leaks"], sorted(found["leaks"].items(), key=str)[:10]


@pytest.mark.e2e
def test_every_sheet_of_the_workbook_hides_what_its_page_table_hides(pack: Path) -> None:
    compared, mismatches = attack.workbook_hides_what_pages_hide(pack)
    assert compared > 1000 and mismatches == [], mismatches[:5]


@pytest.mark.e2e
def test_no_hidden_month_of_the_flows_table_can_be_worked_out(pack: Path) -> None:
    truth = _truth(pack)
    html = (pack / "01_children_in_care.html").read_text(encoding="utf-8")
    [flows] = [t for t in attack.page_tables(html) if t["caption"].startswith("Children starting and leaving care")]
    header, rows = flows["rows"][0], flows["rows"][1:]
    dates = [datetime.strptime(r[0], "%d %B %Y") for r in rows]
    hidden = 0
    for monthly, summed, metric in [
        ("Started care", "Started care, last 12 months", "cla_starts"),
        ("Left care", "Left care, last 12 months", "cla_ceased"),
    ]:
        found = attack.recover_rolling_table(rows, header.index(monthly), header.index(summed))
        hidden += sum(r[header.index(monthly)] == attack.HIDDEN for r in rows)
        leaks = {
            r: v
            for r, v in found.items()
            if rows[r][header.index(monthly)] == attack.HIDDEN
            and Fraction(truth[(metric, "all", f"{dates[r]:%Y-%m}")]) == v
        }
        assert not leaks, (metric, sorted(leaks)[:5])
    assert hidden, "some month has a small count, so the attack is a real test"


@pytest.mark.e2e
def _same_numbers(html_rows: list[list[str]], xlsx_rows: list[tuple]) -> bool:
    """True when every number the sheet holds is the one the page table shows in that cell."""
    for html_row, xlsx_row in zip(html_rows, xlsx_rows, strict=False):
        for text, value in zip(html_row, xlsx_row, strict=False):
            if isinstance(value, int | float) and attack.number(text.rstrip("%")) != Fraction(str(value)):
                return False
    return True


def test_the_workbook_hides_what_the_pages_hide(pack: Path) -> None:
    from openpyxl import load_workbook

    # Two pages can show tables with the same caption (the discharge and SGO pipelines): match each sheet to the
    # page table with its caption and its row labels.
    shown: dict[str, list[list[list[str]]]] = {}
    for page in sorted(pack.glob("*.html")):
        for table in attack.page_tables(page.read_text(encoding="utf-8")):
            shown.setdefault(table["caption"].strip(), []).append(table["rows"][1:])
    book = load_workbook(pack / "tables.xlsx", read_only=True)
    checked = 0
    for sheet in book.worksheets[1:]:
        rows = list(sheet.iter_rows(values_only=True))
        caption, body = str(rows[0][0]).strip(), rows[2:]
        labels = [str(r[0]) for r in body]
        same = shown.get(caption, [])
        candidates = [t for t in same if [r[0] for r in t] == labels and _same_numbers(t, body)] or (
            same if len(same) == 1 else []
        )
        assert candidates, caption
        for html_row, xlsx_row in zip(candidates[0], body, strict=True):
            for text, value in zip(html_row, xlsx_row, strict=False):
                if text == attack.HIDDEN:
                    assert value == attack.HIDDEN, (caption, html_row)
                    checked += 1
    assert checked, "some table hides a cell"
