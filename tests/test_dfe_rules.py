"""The DfE's full 903 rule set (analysis.checks.dfe_rules): the validator run, its findings merged, and the
build without it.

Tests marked `needs_validator` run the real validator (csc-validator-be-903) in its own environment,
`.venv-dfe`, which `make install` creates. Without it they skip, except under `make test`, which sets
REVIEW_PACK_REQUIRE_DFE=1: there a missing environment is a failure.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from factories import child, episode, write_csv, write_folder

from analysis.checks import dfe_rules
from analysis.checks.validation import validate_inputs
from analysis.cli import main
from analysis.core.findings import DfeCheck, Finding, ValidationReport
from analysis.load.ssda903 import EPISODE_COLUMNS, HEADER_COLUMNS

HOME, PLACED = "HR4 0LE", "HR1 2PJ"  # real Herefordshire postcodes, so the postcode rules pass


def _python() -> Path:
    python = dfe_rules.dfe_python()
    if python is None:
        reason = "the DfE validator's environment (.venv-dfe) is not installed: run `make install`"
        if os.environ.get("REVIEW_PACK_REQUIRE_DFE") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return python


def _ep(*args: str | None, **kwargs: str | None) -> dict[str, str | None]:
    return episode(*args, HOME_POST=HOME, PL_POST=PLACED, URN=None, place="U1", **kwargs)


def amended_returns(root: Path) -> Path:
    """Two yearly returns where the 2024 return amends 2023, with a same-day re-entry.

    2023: A is open (C2 from 01/06/2022); B returns home on 10/01/2023 and re-enters care the same
    day as a new period (RNE S: rule 431); C's episode ends X1 with nothing after it (rule 388).
    2024: A's open episode comes back starting 15/06/2022 (rule 502) under C1 (rule 503B); D's
    episode started 01/03/2023, before the year, but is not in the 2023 return (rule 562).
    """
    write_folder(
        root,
        [child("A", UPN="A884222222222"), child("B", "01/01/2014"), child("C", "01/01/2013")],
        [
            _ep("A", "01/06/2022"),
            _ep("B", "01/09/2022", "10/01/2023", rec="E4A"),
            _ep("B", "10/01/2023"),
            _ep("C", "01/05/2022", "01/02/2023", rec="X1"),
        ],
        year=2023,
    )
    place = root / "ssda903" / "2024"
    write_csv(place / "header.csv", [child("A"), child("B", "01/01/2014"), child("D", "01/01/2012")], HEADER_COLUMNS)
    write_csv(
        place / "episodes.csv",
        [_ep("A", "15/06/2022", ls="C1"), _ep("B", "10/01/2023"), _ep("D", "01/03/2023")],
        EPISODE_COLUMNS,
    )
    return root


@pytest.fixture(scope="module")
def amended(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return amended_returns(tmp_path_factory.mktemp("amended") / "inputs")


@pytest.fixture(scope="module")
def validator_codes(amended: Path) -> dict[str, set[str]]:
    """What the validator itself finds on the amended returns: rule → files."""
    result = dfe_rules.run_worker(_python(), dfe_rules.job(amended, "E06000019"))
    found: dict[str, set[str]] = {}
    for year in result["years"]:
        assert year["error"] is None
        for failure in year["failures"]:
            found.setdefault(failure["rule"], set()).add(failure["source"])
    return found


@pytest.fixture(scope="module")
def report(amended: Path) -> ValidationReport:
    _python()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(dfe_rules.SWITCH_VARIABLE, "on")
        return validate_inputs(amended)


def _reported(report: ValidationReport, rule: str) -> list[Finding]:
    return [f for f in report.findings if rule in f.rule.split("/")]


# --- The real validator on returns with an amendment and a same-day re-entry ---------------------------------


def test_the_validator_finds_the_cross_year_rules(validator_codes: dict[str, set[str]]) -> None:
    assert {"388", "431", "502", "503B", "562"} <= set(validator_codes)


def test_validate_reports_every_rule_the_validator_finds(
    validator_codes: dict[str, set[str]], report: ValidationReport
) -> None:
    for rule, files in validator_codes.items():
        assert {f.file for f in _reported(report, rule)} >= files, rule
    assert report.dfe.status == "checked" and report.dfe.version == "0.1.17"
    assert report.dfe.rules_checked > 100
    assert {r["rule"] for r in report.dfe.failing} == set(validator_codes)


@pytest.mark.parametrize(
    ("rule", "year", "rows", "severity"),
    [
        ("388", "2023", {5}, "warning"),  # C's X1 with no continuation (merged into the suite's 433/388)
        ("431", "2023", {4}, "warning"),  # B's same-day re-entry as a new period
        ("502", "2024", {2}, "error"),  # A's open episode has a new start date: counted twice if not fixed
        ("503B", "2024", {2}, "warning"),  # A's legal status amended
        ("562", "2024", {4}, "warning"),  # D started before the year but is missing from 2023
    ],
)
def test_each_cross_year_rule_is_reported_with_its_rows(
    report: ValidationReport, amended: Path, rule: str, year: str, rows: set[int], severity: str
) -> None:
    [found] = _reported(report, rule)
    assert found.file == str(amended / "ssda903" / year / "episodes.csv")
    assert rows <= set(found.rows)
    assert found.severity == severity


def test_the_command_line_prints_each_rule_code_in_brackets(
    amended: Path, validator_codes: dict[str, set[str]], capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(dfe_rules.SWITCH_VARIABLE, "on")
    code = main(["validate", "--data", str(amended)])
    out, err = capsys.readouterr()
    printed = {part for c in re.findall(r"^(?:ERROR|WARNING) \[([^\]]+)\]", err, re.M) for part in c.split("/")}
    assert set(validator_codes) <= printed
    assert "DfE rules (csc-validator-be-903 0.1.17" in out
    assert code == 1  # rule 502 breaks the children-in-care figures


def test_a_folder_without_year_folders_is_not_sent_to_the_validator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(dfe_rules.SWITCH_VARIABLE, "on")
    monkeypatch.setenv(dfe_rules.PYTHON_VARIABLE, "/bin/false")  # present, and never run for a stacked file
    merged, info = dfe_rules.check(write_folder(tmp_path / "inputs", year=None), "E06000019", [])
    assert (merged, info.status) == ([], "not run")
    assert "year folders" in info.note


# --- Without the second environment the build still runs ------------------------------------------------


def test_without_the_validator_validate_still_works_and_says_how_to_add_it(
    amended: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv(dfe_rules.SWITCH_VARIABLE, "on")
    monkeypatch.setenv(dfe_rules.PYTHON_VARIABLE, str(tmp_path / "no-such-venv" / "bin" / "python"))
    report = validate_inputs(amended)
    assert report.dfe.status == "not installed"
    assert not [f for f in report.findings if f.rule in {"502", "503B", "562", "431", "DfE"}]
    code = main(["validate", "--data", str(amended)])
    out, _ = capsys.readouterr()
    assert code == 0  # only the suite's warnings: nothing stops
    assert "DfE rules not checked" in out and "make install" in out


def test_without_the_validator_the_data_quality_page_says_the_rules_were_not_checked() -> None:
    from analysis.pack.pages import dfe_block

    text = dfe_block(ValidationReport("x", dfe=DfeCheck(status="not installed", note="Not installed.")))
    assert "were not checked" in text and "make install" in text and "requirements/dfe-constraints.txt" in text


def test_the_data_quality_page_lists_failing_rules_with_counts_and_version() -> None:
    from analysis.pack.pages import dfe_block

    failing = [{"rule": "225", "title": "Reason for placement change must be recorded.", "failed": 426,
                "files": ["d/ssda903/2023/episodes.csv", "d/ssda903/2024/episodes.csv"], "fix": "Record it.",
                "severity": "warning"}]  # fmt: skip
    dfe = DfeCheck(status="checked", version="0.1.17", years=["2024 (2023/24 rules)"], rules_checked=148)
    dfe.failing = failing
    text = dfe_block(ValidationReport("d", dfe=dfe))
    assert "148 rules were checked and 1 rule found problems" in text
    assert "version 0.1.17" in text
    assert "<td>225</td>" in text and "426" in text and "2023, 2024" in text and "Record it." in text


def test_a_broken_validator_is_a_warning_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'ModuleNotFoundError: No module named lac_validator' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv(dfe_rules.SWITCH_VARIABLE, "on")
    monkeypatch.setenv(dfe_rules.PYTHON_VARIABLE, str(fake))
    folder = write_folder(tmp_path / "inputs")
    merged, info = dfe_rules.check(folder, "E06000019", [])
    assert info.status == "failed" and "lac_validator" in info.note
    assert [(f.rule, f.severity) for f in merged] == [("DfE", "warning")]


# --- Merging: one finding per rule and file, under the DfE's code ----------------------------------------------


def _finding(rule: str, rows: list[int], file: str = "r/ssda903/2024/header.csv", severity: str = "warning") -> Finding:
    return Finding(file, rule, f"rule {rule}", severity, len(rows), 10, "UPN", rows)


def test_the_suites_upn_check_is_the_dfes_rule_168(tmp_path: Path) -> None:
    header = [child("A", UPN="12345")]
    report = validate_inputs(write_folder(tmp_path / "inputs", header, [episode("A", "01/06/2023")]), dfe=False)
    assert [f.rule for f in report.findings] == ["168"]


def test_merge_reports_a_rule_both_layers_find_once() -> None:
    merged = dfe_rules.merge([_finding("168", [3])], [_finding("168", [3, 7])])
    assert [(f.rule, f.rows, f.failed) for f in merged] == [("168", [3, 7], 2)]
    assert "1001" not in {f.rule for f in merged}


def test_merge_keeps_the_suites_severity_and_combined_codes() -> None:
    suite = [_finding("433/388", [3], "r/e.csv", "warning"), _finding("356", [4], "r/e.csv", "error")]
    dfe = [_finding("388", [5], "r/e.csv"), _finding("356", [4], "r/e.csv")]
    merged = dfe_rules.merge(suite, dfe)
    assert [(f.rule, f.rows, f.severity) for f in merged] == [("433/388", [3, 5], "warning"), ("356", [4], "error")]


def test_merge_keeps_findings_on_different_files_apart() -> None:
    merged = dfe_rules.merge([_finding("168", [3])], [_finding("168", [2], "r/ssda903/2023/header.csv")])
    assert len(merged) == 2


def test_the_validators_answer_becomes_findings_with_file_row_numbers() -> None:
    year = {
        "year": 2024, "ruleset": "lac2023_24", "error": None, "run": ["168", "502", "562"], "skipped": [],
        "crashed": [], "rows": {"Episodes": 9, "Episodes_last": 8},
        "rules": {"502": "Last year's open episode…", "562": "Missing episode…"},
        "fields": {"502": ["DECOM"], "562": ["DECOM"]},
        "failures": [
            {"rule": "562", "table": "Episodes", "source": "r/2024/episodes.csv", "rows": [0, 3]},
            {"rule": "502", "table": "Episodes", "source": "r/2024/episodes.csv", "rows": [1]},
            {"rule": "502", "table": "Episodes_last", "source": "r/2023/episodes.xml", "rows": [0]},
        ],
    }  # fmt: skip
    earlier = {**year, "year": 2023, "ruleset": "lac2022_23", "failures": [
        {"rule": "502", "table": "Episodes", "source": "r/2023/episodes.xml", "rows": [0, 4]}]}  # fmt: skip
    findings, info = dfe_rules.to_findings({"version": "0.1.17", "years": [earlier, year]})
    got = {(f.rule, f.file): (f.rows, f.failed, f.severity, f.checked) for f in findings}
    assert got == {
        ("502", "r/2023/episodes.xml"): ([1, 5], 2, "error", 9),  # XML records count from 1, merged over runs
        ("502", "r/2024/episodes.csv"): ([3], 1, "error", 9),  # CSV rows count the header as row 1
        ("562", "r/2024/episodes.csv"): ([2, 5], 2, "warning", 9),
    }
    assert (info.status, info.rules_checked, info.years[0]) == ("checked", 3, "2023 (2022/23 rules)")
