"""Every validation rule, each with a failing example; errors and warnings kept apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import child, episode, write_csv, write_folder

from analysis.checks.validation import validate_inputs
from analysis.core.findings import Finding


def findings(root: Path) -> list[Finding]:
    return validate_inputs(root).findings


def only(root: Path) -> Finding:
    found = findings(root)
    assert len(found) == 1, [f.message() for f in found]
    return found[0]


def test_valid_folder_has_no_findings(folder: Path) -> None:
    report = validate_inputs(folder)
    assert report.findings == []
    assert report.checks_run > 20


@pytest.mark.parametrize(
    ("field", "bad", "rule", "severity"),
    [
        ("RNE", "Q", "143", "error"),
        ("LS", "XX", "144", "error"),
        ("CIN", "N9", "145", "warning"),
        ("PLACE", "U9", "146", "error"),
        ("PLACE_PROVIDER", "PR9", "178", "warning"),
        ("REASON_PLACE_CHANGE", "MOVE", "1009", "warning"),
    ],
)
def test_unknown_episode_code(tmp_path: Path, field: str, bad: str, rule: str, severity: str) -> None:
    rows = [episode("A", "01/06/2023"), episode("B", "01/07/2023", **{field: bad})]
    found = only(write_folder(tmp_path, [child("A"), child("B")], rows))
    assert (found.rule, found.severity, found.column, found.rows, found.examples) == (
        rule,
        severity,
        field,
        [3],
        [bad],
    )


def test_unknown_rec_is_an_error(tmp_path: Path) -> None:
    rows = [episode("A", "01/06/2023", "01/07/2023", rec="E99")]
    found = only(write_folder(tmp_path, [child("A")], rows))
    assert (found.rule, found.severity, found.examples) == ("149", "error", ["E99"])


def test_dec_before_decom_is_an_error(tmp_path: Path) -> None:
    rows = [episode("A", "01/06/2023", "01/05/2023")]
    found = only(write_folder(tmp_path, [child("A")], rows))
    assert (found.rule, found.severity, found.column, found.rows) == ("356", "error", "DEC", [2])
    assert found.examples == ["01/05/2023 and 01/06/2023"]


def test_unreadable_date_is_an_error(tmp_path: Path) -> None:
    rows = [episode("A", "2023/06/01")]
    found = only(write_folder(tmp_path, [child("A")], rows))
    assert (found.rule, found.severity, found.column, found.examples) == (
        "RP02",
        "error",
        "DECOM",
        ["2023/06/01"],
    )


def test_missing_decom_is_an_error(tmp_path: Path) -> None:
    rows = [episode("A", "01/06/2023"), {**episode("B", "01/06/2023"), "DECOM": None}]
    found = only(write_folder(tmp_path, [child("A"), child("B")], rows))
    assert (found.rule, found.severity, found.rows) == ("141", "error", [3])


def test_missing_child_identifier_is_an_error(tmp_path: Path) -> None:
    rows = [episode("A", "01/06/2023"), {**episode("A", "01/08/2023"), "CHILD": None}]
    found = [f for f in findings(write_folder(tmp_path, [child("A")], rows)) if f.rule == "RP03"]
    assert len(found) == 1 and found[0].severity == "error" and found[0].rows == [3]


def test_missing_column_is_an_error(tmp_path: Path) -> None:
    root = write_folder(tmp_path)
    path = root / "ssda903/2024/header.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(",".join(line.split(",")[:-1]) for line in lines) + "\n")  # drop MC_DOB
    found = only(root)
    assert (found.rule, found.severity, found.column) == ("RP01", "error", "MC_DOB")


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    root = write_folder(tmp_path)
    (root / "ssda903/2024/header.csv").unlink()
    found = only(root)
    assert found.severity == "error" and "header" in found.examples[0]


def test_duplicate_child_in_header_is_an_error(tmp_path: Path) -> None:
    found = only(write_folder(tmp_path, [child("A"), child("A")], [episode("A", "01/06/2023")]))
    assert (found.rule, found.severity, found.rows) == ("INT32", "error", [2, 3])


def test_unknown_sex_and_ethnicity_are_warnings(tmp_path: Path) -> None:
    root = write_folder(tmp_path, [child("A", sex="3", ETHNIC="XXXX")], [episode("A", "01/06/2023")])
    assert sorted((f.rule, f.severity) for f in findings(root)) == [
        ("101", "warning"),
        ("103", "warning"),
    ]


def test_child_in_episodes_but_not_header_is_a_warning(tmp_path: Path) -> None:
    found = only(write_folder(tmp_path, [child("A")], [episode("A", "01/06/2023"), episode("B", "01/06/2023")]))
    assert (found.rule, found.severity, found.rows) == ("INT03", "warning", [3])


def test_dob_that_changes_between_returns_is_a_warning(tmp_path: Path) -> None:
    root = write_folder(tmp_path, [child("A", dob="01/01/2015")], [episode("A", "01/06/2022")], year=2023)
    write_csv(
        root / "ssda903/2024/header.csv",
        [child("A", dob="02/01/2015")],
        ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
    )
    write_csv(
        root / "ssda903/2024/episodes.csv",
        [episode("A", "01/06/2022")],
        list(episode("A", "x").keys()),
    )
    found = [f for f in findings(root) if f.rule == "203"]
    assert len(found) == 2 and all(f.severity == "warning" for f in found)


WORKFORCE = ["snapshot_date", "team", "role", "contract", "fte", "caseload"]


@pytest.mark.parametrize(
    ("row", "rule"),
    [
        ({"fte": "1.6"}, "RP12"),
        ({"contract": "locum"}, "RP11"),
        ({"role": "wizard"}, "RP10"),
        ({"fte": "full"}, "RP02"),
        ({"snapshot_date": "30/13/2020"}, "RP02"),
    ],
)
def test_workforce_errors(folder: Path, row: dict, rule: str) -> None:
    good = {
        "snapshot_date": "2020-09-30",
        "team": "CIC 1",
        "role": "social_worker",
        "contract": "permanent",
        "fte": "0.8",
        "caseload": "15",
    }
    write_csv(folder / "workforce.csv", [good, {**good, **row}], WORKFORCE)
    found = only(folder)
    assert (found.rule, found.severity, found.rows) == (rule, "error", [3])


def test_permanence_route_and_stage_order(folder: Path) -> None:
    from analysis.load.inputs import PERMANENCE_COLUMNS

    base = {c: None for c in PERMANENCE_COLUMNS}
    rows = [
        {
            **base,
            "child_id": "A",
            "route": "special_guardianship_order",
            "identified_date": "2023-01-01",
        },
        {**base, "child_id": "B", "route": "adoption", "identified_date": "2023-01-01"},
        {
            **base,
            "child_id": "C",
            "route": "special_guardianship_order",
            "identified_date": "2023-05-01",
            "assessing_date": "2023-04-01",
        },
    ]
    write_csv(folder / "permanence.csv", rows, PERMANENCE_COLUMNS)
    found = sorted((f.rule, f.severity, tuple(f.rows)) for f in findings(folder))
    assert found == [("RP20", "error", (3,)), ("RP23", "warning", (4,))]


def rule_findings(root: Path, rule: str) -> list[Finding]:
    return [f for f in findings(root) if f.rule == rule]


def test_overlapping_episodes_are_a_warning(tmp_path: Path) -> None:
    rows = [
        episode("A", "01/01/2023", "01/06/2023", rec="E4A"),
        episode("A", "01/05/2023"),  # starts before the previous one ended
    ]
    [found] = rule_findings(write_folder(tmp_path, [child("A")], rows), "501")
    assert (found.severity, found.rows) == ("warning", [3])


def test_gap_in_a_continuing_period_is_a_warning(tmp_path: Path) -> None:
    rows = [
        episode("A", "01/01/2023", "01/06/2023", rec="X1"),
        episode("A", "05/06/2023", rne="P", REASON_PLACE_CHANGE="CARPL"),  # RNE P says "stayed in care"
    ]
    [found] = rule_findings(write_folder(tmp_path, [child("A")], rows), "433/388")
    assert found.severity == "warning" and found.rows == [2, 3]  # X1 with no same-day successor, and the gap


def test_same_day_successor_needs_x1(tmp_path: Path) -> None:
    rows = [
        episode("A", "01/01/2023", "01/06/2023", rec="E8"),
        episode("A", "01/06/2023", rne="L"),
    ]
    [found] = rule_findings(write_folder(tmp_path, [child("A")], rows), "433/388")
    assert found.rows == [2]


def test_dec_without_rec_and_rec_without_dec_are_a_warning(tmp_path: Path) -> None:
    rows = [
        episode("A", "01/01/2023", "01/06/2023", REC=None),  # DEC, no REC
        episode("B", "01/01/2023", REC="E4A"),  # REC, no DEC
        episode("C", "01/01/2023", "01/06/2023", rec="E4A"),  # both: fine
    ]
    [found] = rule_findings(write_folder(tmp_path, [child("A"), child("B"), child("C")], rows), "148")
    assert (found.severity, found.rows, found.column) == ("warning", [2, 3], "REC")


def test_continuing_first_episode_before_the_returns_start_is_fine(tmp_path: Path) -> None:
    rows = [episode("A", "01/01/2020", rne="L")]  # began years before this 2023/24 return
    assert rule_findings(write_folder(tmp_path, [child("A")], rows), "433/388") == []


def test_episode_after_18th_birthday_is_a_warning(tmp_path: Path) -> None:
    header = [child("A", dob="10/05/2005"), child("B", dob="10/05/2005")]
    rows = [
        episode("A", "01/01/2023", "01/07/2023", rec="E17"),  # ends after 10/05/2023
        episode("B", "01/01/2023", "10/05/2023", rec="E17"),  # ends on the birthday: fine
    ]
    [found] = rule_findings(write_folder(tmp_path, header, rows), "352/359")
    assert (found.severity, found.rows) == ("warning", [2])


def test_dob_after_first_episode_is_a_warning(tmp_path: Path) -> None:
    [found] = rule_findings(write_folder(tmp_path, [child("A", dob="01/02/2024")], [episode("A", "01/01/2024")]), "302")
    assert (found.severity, found.column, found.rows) == ("warning", "DOB", [2])


def test_malformed_upn_is_a_warning(tmp_path: Path) -> None:
    header = [child("A", UPN="A123456789012"), child("B", UPN="12345")]
    found = only(write_folder(tmp_path, header, [episode("A", "01/06/2023"), episode("B", "01/06/2023")]))
    assert (found.rule, found.severity, found.rows) == ("168", "warning", [3])
