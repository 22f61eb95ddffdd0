"""Safe with untidy inputs and unattended runs (issue 21): formulas stay text, periods outside the data are
input errors, codes in another case are read as listed (and counted), killed builds are cleaned up, old
packs are pruned, and a build's log holds only its own lines."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import polars as pl
import pytest
from openpyxl import load_workbook

from analysis.cli import _Format, _Quiet, main
from analysis.core.errors import InputError
from analysis.core.safe_text import neutralise, neutralise_frame, restore
from analysis.load import tidy_codes
from analysis.load.config import load_authority
from analysis.load.inputs import load_inputs
from analysis.load.ssda903 import check_period
from analysis.pack import build
from analysis.pack.workbook import write_workbook
from analysis.sections.registry import SECTIONS, all_metrics

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
HOSTILE_TEAM = '=HYPERLINK("http://x","Care leavers")'
#: A hostile value for every free-text input column the pack shows: (file, column, value).
HOSTILE = [
    ("workforce.csv", "team", HOSTILE_TEAM),
    ("permanence.csv", "blocker", "@SUM(1+1)*cmd|' /C calc'!A0"),
    ("context/indicators.csv", "label", "+1+2 conferences"),
    ("context/indicators.csv", "source", "-2+3 source"),
    ("context/comparators.csv", "source", "=1+1 source"),
]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(SRC), "REVIEW_PACK_DFE": "off", "GX_ANALYTICS_ENABLED": "false"}


# --- formulas -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        (HOSTILE_TEAM, "'" + HOSTILE_TEAM),
        ("+44 1432", "'+44 1432"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-3.5", "-3.5"),  # a number is not a formula
        ("+2", "+2"),
        ("1e5", "1e5"),
        ("Care leavers", "Care leavers"),
        ("c", "c"),
    ],
)
def test_a_value_that_starts_like_a_formula_gets_an_apostrophe(value: str, expected: str) -> None:
    assert neutralise(value) == expected
    frame = neutralise_frame(pl.DataFrame({"text": [value]}))
    assert frame["text"][0] == expected
    assert restore(expected) == value


def test_text_columns_are_neutralised_and_numbers_are_left_alone() -> None:
    frame = pl.DataFrame(
        {
            "metric": ["agency_rate", "agency_rate"],
            "breakdown": [HOSTILE_TEAM, "all"],
            "value": ["-3.5", "c"],  # the pack's value column is text ("c" beside numbers)
            "number": [-3.5, 2.0],
        }
    )
    safe = neutralise_frame(frame)
    assert safe["breakdown"].to_list() == ["'" + HOSTILE_TEAM, "all"]
    assert safe["value"].to_list() == ["-3.5", "c"]
    assert safe["number"].to_list() == [-3.5, 2.0] and safe.schema["number"] == pl.Float64


def test_workbook_cells_from_inputs_are_text_never_formulas(tmp_path: Path) -> None:
    table = {
        "caption": "=CAPTION()",
        "header": ["Team", "=Agency rate"],
        "rows": [[(HOSTILE_TEAM, None), ("12.5", 12.5)], [("@team", None), ("c", None)], [("-x", None), ("-3", -3)]],
    }
    path = tmp_path / "tables.xlsx"
    write_workbook(path, [("Workforce", [table])], [("Authority", "=Evil council")])
    book = load_workbook(path)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    by_value = {c.value: c for c in cells}
    for text in (HOSTILE_TEAM, "=CAPTION()", "=Agency rate", "@team", "=Evil council"):
        assert by_value[text].data_type == "s", text
    assert by_value[-3].data_type == "n" and by_value[12.5].data_type == "n"


# --- periods ------------------------------------------------------------------------------------


def test_a_period_outside_the_returns_names_their_coverage(folder: Path) -> None:
    episodes = load_inputs(folder).episodes
    for period, when in [("1999-03", "before the first return"), ("2031-03", "after the last return")]:
        with pytest.raises(InputError, match=rf"{when}: the returns cover April 2023 to March 2024") as caught:
            check_period(episodes, period, folder / "ssda903")
        assert "2023-04 to 2024-03" in str(caught.value)
    assert check_period(episodes, "2023-04", folder).isoformat() == "2023-04-30"
    assert check_period(episodes, "2024-03", folder).isoformat() == "2024-03-31"
    with pytest.raises(ValueError, match="YYYY-MM"):
        check_period(episodes, "2024-13", folder)


@pytest.mark.parametrize("period", ["2024-13", "abc", "2024-3", "24-03"])
@pytest.mark.parametrize("command", ["build", "metrics"])
def test_a_malformed_period_is_a_usage_error_with_one_line(
    command: str, period: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    argv = [command, "--data", str(tmp_path / "nowhere"), "--period", period]
    code = main([*argv, "--out", str(tmp_path / "out.csv")] if command == "metrics" else argv)
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().count("\n") == 0 and "--period" in err and repr(period) in err, err
    assert not (tmp_path / "nowhere").exists() and not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("period", ["1999-03", "2031-03"])
def test_build_refuses_a_period_outside_the_data_as_an_input_error(
    period: str, folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "out"
    code = main(["build", "--data", str(folder), "--period", period, "--out", str(out), "--no-pdf"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "the returns cover April 2023 to March 2024" in err and "Traceback" not in err
    assert not [p for p in out.rglob("*") if p.is_dir() and re.fullmatch(r"\d{4}-\d{2}", p.name)]


def test_metrics_refuses_a_period_outside_the_data(folder: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "m.csv"
    code = main(["metrics", "--data", str(folder), "--period", "1999-03", "--out", str(out), "--no-validate"])
    assert code == 1 and "the returns cover April 2023 to March 2024" in capsys.readouterr().err
    assert not out.exists()


# --- metrics validates first ----------------------------------------------------------------------


def _set(path: Path, column: str, row: int, value: str) -> None:
    """Set one cell of a CSV (row 2 = the first data row)."""
    frame = pl.read_csv(path, infer_schema=False)
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == row - 2).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
    )
    frame.write_csv(path)


def test_metrics_refuses_inputs_with_errors_unless_told_not_to_validate(folder: Path, tmp_path: Path, capsys) -> None:
    _set(folder / "ssda903/2024/episodes.csv", "LS", 2, "ZZ")
    out = tmp_path / "m.csv"
    assert main(["metrics", "--data", str(folder), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "ERROR [144]" in err and "no metrics were written" in err and not out.exists()
    assert main(["metrics", "--data", str(folder), "--out", str(out), "--no-validate"]) == 0
    assert "NOT validated (--no-validate)" in capsys.readouterr().out and out.exists()


def test_metrics_without_validation_never_imports_great_expectations(folder: Path, tmp_path: Path) -> None:
    script = (
        "import sys\nfrom analysis.cli import main\n"
        f"code = main(['metrics', '--data', {str(folder)!r}, '--out', {str(tmp_path / 'm.csv')!r}, '--no-validate'])\n"
        "print(code, any(m.split('.')[0] == 'great_expectations' for m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], env=_env(), capture_output=True, text=True, timeout=300)
    assert done.stdout.strip().splitlines()[-1] == "0 False", done.stdout + done.stderr


# --- codes in another case ------------------------------------------------------------------------


def test_codes_in_another_case_are_read_as_listed_and_counted(tmp_path: Path) -> None:
    folder, tidy = Path(__file__).parent / "bad_inputs" / "_base", tmp_path / "tidy"
    shutil.copytree(folder, tidy)
    episodes = tidy / "ssda903/2024/episodes.csv"
    frame = pl.read_csv(episodes, infer_schema=False)
    frame.with_columns(pl.col("LS").str.to_lowercase(), pl.col("RNE").str.to_lowercase()).write_csv(episodes)
    workforce = tidy / "workforce.csv"
    pl.read_csv(workforce, infer_schema=False).with_columns(pl.col("contract").str.to_titlecase()).write_csv(workforce)
    permanence = tidy / "permanence.csv"
    pl.read_csv(permanence, infer_schema=False).with_columns(pl.col("route").str.to_uppercase()).write_csv(permanence)

    from analysis.checks.validation import validate_inputs

    report = validate_inputs(tidy)
    assert not report.errors, [f.message() for f in report.errors]
    found = {Path(f.file).name: f for f in report.warnings if f.rule == tidy_codes.RULE}
    assert found["episodes.csv"].failed == frame.height and found["episodes.csv"].column == "RNE, LS"
    assert found["workforce.csv"].failed > 0 and "contract" in found["workforce.csv"].column
    assert found["permanence.csv"].column == "route"

    base, read = load_inputs(folder), load_inputs(tidy)
    assert read.episodes.select("LS", "RNE").equals(base.episodes.select("LS", "RNE"))
    assert read.workforce["contract"].equals(base.workforce["contract"])
    assert read.permanence["route"].equals(base.permanence["route"])
    assert any("episodes.csv" in note and f"{frame.height} rows" in note for note in read.notes)
    # the same figures: nobody is counted under "other" legal status for a lower-case c2
    assert all_metrics(read, "2024-03").equals(all_metrics(base, "2024-03"))


def test_a_code_that_matches_no_listed_code_is_never_re_mapped() -> None:
    frame = pl.DataFrame({"LS": ["c2", "C 2", "zz", None, "C2"], "_row": [2, 3, 4, 5, 6]})
    tidied, what = tidy_codes.tidy(frame, "ssda903_episodes")
    assert tidied["LS"].to_list() == ["C2", "C 2", "zz", None, "C2"]
    assert what.rows == {"LS": 1} and what.row_numbers == [2] and what.examples == ["LS 'c2' read as 'C2'"]


def test_the_code_lists_are_the_suites_value_sets() -> None:
    import great_expectations.expectations as gxe

    from analysis.checks.suites import SUITES

    for name, make in SUITES.items():
        suite = make()
        sets = {
            e.column: sorted(e.value_set) for e in suite.expectations if isinstance(e, gxe.ExpectColumnValuesToBeInSet)
        }
        assert {c: sorted(v) for c, v in tidy_codes.code_lists().get(name, {}).items()} == sets, name


# --- killed builds and old packs ----------------------------------------------------------------------


def _dead_pid() -> int:
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return done.pid


def test_staging_of_a_killed_build_is_removed_and_a_running_one_kept(tmp_path: Path, caplog) -> None:
    dead = tmp_path / f".staging-20240101T000000-{_dead_pid()}"
    (dead / "work").mkdir(parents=True)
    (dead / "work" / "review.pkl").write_bytes(b"child-level")
    running = tmp_path / f".staging-20240101T000001-{os.getppid()}"
    running.mkdir()
    link = tmp_path / f".latest-{_dead_pid()}"
    link.symlink_to("2024-03")
    other = tmp_path / ".staging-notes"
    other.mkdir()
    with caplog.at_level(logging.INFO, logger="review_pack"):
        removed = build.remove_stale_staging(tmp_path)
    assert sorted(removed) == sorted([dead, link])
    assert not dead.exists() and not link.is_symlink() and running.exists() and other.exists()
    assert f"removed {dead.name}, left by an interrupted build" in caplog.text


def _packs(out: Path, period: str, names: list[str]) -> list[Path]:
    made = []
    for name in names:
        (out / period / name).mkdir(parents=True)
        (out / "analyst" / period / name).mkdir(parents=True)
        made.append(out / period / name)
    return made


def test_only_the_newest_packs_of_each_period_are_kept_never_latest(tmp_path: Path) -> None:
    march = _packs(tmp_path, "2024-03", ["20240401T090000", "20240402T090000", "20240402T090000-2", "20240403T090000"])
    sept = _packs(tmp_path, "2023-09", ["20231001T090000", "20231002T090000"])
    (tmp_path / "latest").symlink_to(Path("2024-03") / "20240401T090000")  # a rebuild of an older period, say
    (tmp_path / "failed").mkdir()
    removed = build.prune_packs(tmp_path, 2)
    assert removed == [march[1]]  # the oldest is the one latest points to: kept
    assert [p.exists() for p in march] == [True, False, True, True] and all(p.exists() for p in sept)
    assert not (tmp_path / "analyst" / "2024-03" / "20240402T090000").exists()
    assert (tmp_path / "analyst" / "2024-03" / "20240402T090000-2").exists()
    assert sorted(build.prune_packs(tmp_path, 1)) == sorted([march[2], sept[0]])
    with pytest.raises(ValueError):
        build.prune_packs(tmp_path, 0)


def test_keep_comes_from_la_toml(tmp_path: Path) -> None:
    path = tmp_path / "la.toml"
    path.write_text('[authority]\ncode = "E06000019"\nname = "Testshire"\n', encoding="utf-8")
    assert load_authority(path).keep == 10
    path.write_text(path.read_text() + "\n[pack]\nkeep = 3\n", encoding="utf-8")
    assert load_authority(path).keep == 3
    for bad in ("0", '"3"', "2.5", "true"):
        path.write_text(f'[authority]\ncode = "E"\nname = "T"\n[pack]\nkeep = {bad}\n', encoding="utf-8")
        with pytest.raises(InputError, match=r"\[pack\] keep must be a whole number"):
            load_authority(path)


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_keep_on_the_command_line_is_at_least_one(value: str, capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["build", "--keep", value])
    assert caught.value.code == 2 and "--keep" in capsys.readouterr().err


def _notebook(path: Path, source: str) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('data_dir = ""\nperiod = ""\nreview_file = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def test_a_build_stopped_by_sigterm_leaves_no_staging_folder(folder: Path, tmp_path: Path) -> None:
    """A scheduler's timeout sends SIGTERM: the build unwinds, removes its staging folder (which holds the
    child-level review) and exits 143, publishing nothing."""
    notebooks, out = tmp_path / "nb", tmp_path / "out"
    notebooks.mkdir()
    _notebook(notebooks / "slow.ipynb", "import time\ntime.sleep(4)")
    script = (
        "import signal, sys\nfrom pathlib import Path\n"
        "from analysis.cli import _terminated, configure_logging\nfrom analysis.pack.build import build_pack\n"
        "from analysis.sections.registry import Section\n"
        "configure_logging()\nsignal.signal(signal.SIGTERM, _terminated)\n"
        f"build_pack(Path({str(folder)!r}), '2024-03', Path({str(out)!r}), [Section('slow.ipynb', 'Slow', '')], "
        f"Path({str(notebooks)!r}), pdf=False)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script], env=_env(), stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while not list(out.glob(".staging-*/work/review.pkl")) and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.2)
    assert list(out.glob(".staging-*/work/review.pkl")), "the build never reached its staging step"
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 128 + signal.SIGTERM, err
    assert not list(out.glob(".staging-*")) and not (out / "latest").exists()
    assert "nothing was published" in err


# --- quiet logs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_parameters_cells_parse_cleanly(path: Path, caplog) -> None:
    from papermill.inspection import inspect_notebook

    from analysis.sections.registry import SECTIONS

    with caplog.at_level(logging.WARNING, logger="papermill"):
        names = set(inspect_notebook(str(path)))
    assert not caplog.records, caplog.text
    section = next(s for s in SECTIONS if s.notebook == path.name)
    assert {"data_dir", "period", "review_file", *section.extra_parameters} <= names


def test_the_default_log_shows_our_lines_and_others_warnings_only() -> None:
    quiet, fmt = _Quiet(), _Format()

    def record(name: str, level: int, text: str) -> logging.LogRecord:
        return logging.LogRecord(name, level, __file__, 1, text, None, None)

    ours, chatter = record("review_pack", logging.INFO, "validated"), record("papermill", logging.INFO, "Executing")
    theirs = record("papermill", logging.WARNING, "Passed unknown parameter: x")
    assert quiet.filter(ours) and quiet.filter(theirs) and not quiet.filter(chatter)
    assert re.fullmatch(r"\d\d:\d\d:\d\d validated", fmt.format(ours))
    assert re.fullmatch(
        r"\d\d:\d\d:\d\d WARNING careful", fmt.format(record("review_pack", logging.WARNING, "careful"))
    )
    assert re.fullmatch(r"\d\d:\d\d:\d\d \[papermill\] WARNING Passed unknown parameter: x", fmt.format(theirs))


# --- end to end: a hostile input folder, built by the command line as a scheduler would ---------------------


@pytest.fixture(scope="module")
def hostile_build(synthetic: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The synthetic data with a formula in every free-text column, built by `review-pack build --no-pdf
    --keep 2` in a subprocess, into an outputs folder holding a killed build's staging and older packs."""
    root = tmp_path_factory.mktemp("hostile")
    data, out = root / "data", root / "outputs"
    shutil.copytree(synthetic, data)
    for rel, column, value in HOSTILE:
        frame = pl.read_csv(data / rel, infer_schema=False)
        first = frame[column].drop_nulls()[0]  # every row with the first value: a whole team, blocker, indicator
        frame = frame.with_columns(
            pl.when(pl.col(column) == first).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
        )
        frame.write_csv(data / rel)
    killed = out / f".staging-20240101T000000-{_dead_pid()}"
    (killed / "work").mkdir(parents=True)
    (killed / "work" / "review.pkl").write_bytes(b"child-level")
    older = _packs(out, "2024-03", ["20240101T000000", "20240102T000000"])
    done = subprocess.run(
        [sys.executable, "-m", "analysis.cli", "build", "--no-pdf", "--keep", "2", "--data", str(data), "--out",
         str(out)],
        env=_env(), capture_output=True, text=True, timeout=1200, cwd=root,
    )  # fmt: skip
    return {"done": done, "out": out, "killed": killed, "older": older}


@pytest.mark.e2e
def test_a_default_build_logs_only_its_own_lines(hostile_build: dict) -> None:
    done = hostile_build["done"]
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    foreign = [line for line in lines if not re.match(r"\d\d:\d\d:\d\d (?!\[)", line)]
    assert not foreign, "\n".join(foreign)
    for noise in ("without encryption", "Unable to parse", "Passed unknown parameter", "ephemeral docs site"):
        assert noise not in done.stderr
    stages = ["validated", "loaded the inputs", f"rendered {len(SECTIONS)} pages", "wrote metrics.csv", "published"]
    for stage in stages:
        assert any(stage in line for line in lines), f"no line for the stage '{stage}':\n{done.stderr}"
    assert len(lines) <= len(stages) + 3, done.stderr  # one line per stage, a removed staging folder, pruning


@pytest.mark.e2e
def test_the_killed_build_and_older_packs_are_gone_after_a_build(hostile_build: dict) -> None:
    out = hostile_build["out"]
    assert not hostile_build["killed"].exists() and hostile_build["killed"].name in hostile_build["done"].stderr
    assert not list(out.glob(".staging-*"))
    oldest, newer = hostile_build["older"]
    assert not oldest.exists() and newer.exists() and (out / "latest").resolve().parent == out / "2024-03"
    assert len(list((out / "2024-03").iterdir())) == 2
    assert not (out / "analyst" / "2024-03" / oldest.name).exists()


@pytest.mark.e2e
def test_a_hostile_team_name_is_a_text_cell_in_tables_xlsx(hostile_build: dict) -> None:
    book = load_workbook(hostile_build["out"] / "latest" / "tables.xlsx")
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [f"{c.parent.title}!{c.coordinate}" for c in cells if c.data_type == "f"]
    shown = [c for c in cells if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))]
    assert any(c.value == HOSTILE_TEAM for c in shown), "the hostile team is not in any table"
    assert all(c.data_type == "s" for c in shown)


@pytest.mark.e2e
def test_no_csv_of_the_build_starts_a_cell_with_a_formula(hostile_build: dict) -> None:
    out = hostile_build["out"]
    latest = (out / "latest").resolve()
    analyst = out / "analyst" / latest.parent.name / latest.name
    files = [latest / "metrics.csv", *analyst.rglob("*.csv")]
    assert len(files) >= 3
    seen = False
    for path in files:
        text = path.read_text(encoding="utf-8")
        frame = pl.read_csv(path, infer_schema=False, comment_prefix="#")
        for column in frame.columns:
            for value in frame[column].drop_nulls():
                assert neutralise(value) == value, f"{path.name}, column {column}: {value!r}"
        seen |= HOSTILE_TEAM.replace('"', '""') in text  # as "team:=HYPERLINK(…)": not at the start of a cell
    assert seen, "the hostile team is in no CSV"
    values = pl.read_csv(latest / "metrics.csv", infer_schema=False)["value"]
    assert values.cast(pl.Float64, strict=False).is_not_null().sum() == (values != "c").sum()  # numbers stay numbers
    manifest = json.loads((latest / "manifest.json").read_text())
    assert manifest["parameters"]["period"] == "2024-03"
