"""The bad-input corpus: every broken input folder in tests/bad_inputs/ gets its documented outcome.

Each folder holds one fault: `fault.toml` says what is wrong and what must happen, and the files
that differ from `_base/` (a small valid input folder). Errors must give a clear message naming
the file (and the row and column where there is one) and a non-zero exit, never a traceback, and
leave outputs/ untouched; warnings are reported and do not stop the build.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from analysis.cli import main

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_"))


def assemble(case: Path, into: Path) -> dict:
    """The base folder with this case's fault applied; returns the fault description."""
    fault = tomllib.loads((case / "fault.toml").read_text(encoding="utf-8"))
    shutil.copytree(CORPUS / "_base", into)
    for rel in fault.get("delete", []):
        (into / rel).unlink()
    for path in case.rglob("*"):
        if path.is_file() and path.name != "fault.toml":
            target = into / path.relative_to(case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    if "generate_mb" in fault:
        target = into / fault["file"]
        body = target.read_text(encoding="utf-8")
        header, rows = body.split("\n", 1)
        with target.open("w", encoding="utf-8") as handle:
            handle.write(header + "\n")
            while handle.tell() < fault["generate_mb"] * 1_000_000:
                handle.write(rows * 2000)
    return fault


def test_the_corpus_is_big_enough() -> None:
    assert len(CASES) >= 25
    outcomes = {tomllib.loads((c / "fault.toml").read_text())["outcome"] for c in CASES}
    assert outcomes == {"error", "warning", "ok"}


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_validate_gives_the_documented_outcome(case: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    fault = assemble(case, tmp_path / "inputs")
    code = main(["validate", "--data", str(tmp_path / "inputs")])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line.startswith(("ERROR", "WARNING"))]
    if fault["outcome"] == "ok":
        assert code == 0 and lines == [], err
        return
    kind = "ERROR" if fault["outcome"] == "error" else "WARNING"
    assert code == (1 if kind == "ERROR" else 0), err
    matching = [line for line in lines if line.startswith(kind) and fault["file"] in line]
    if "rule" in fault:
        matching = [line for line in matching if f"[{fault['rule']}]" in line]
    if "column" in fault:
        matching = [line for line in matching if f"column {fault['column']}" in line]
    if "row" in fault:
        matching = [line for line in matching if f" row {fault['row']}" in line or f" rows {fault['row']}" in line]
    if "message" in fault:
        matching = [line for line in matching if fault["message"] in line]
    assert matching, f"{fault['description']}: expected a {kind} naming {fault}, got:\n{err}"


ERRORS = [c for c in CASES if tomllib.loads((c / "fault.toml").read_text())["outcome"] == "error"]


@pytest.mark.parametrize("case", ERRORS, ids=lambda p: p.name)
def test_a_failed_build_changes_nothing_in_outputs(case: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assemble(case, tmp_path / "inputs")
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    (outputs / "earlier-pack.txt").write_text("the last good pack")
    code = main(["build", "--data", str(tmp_path / "inputs"), "--out", str(outputs), "--no-pdf"])
    _, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err
    assert sorted(p.name for p in outputs.iterdir()) == ["earlier-pack.txt"]


OK = [c for c in CASES if tomllib.loads((c / "fault.toml").read_text())["outcome"] == "ok"]


@pytest.mark.parametrize("case", OK, ids=lambda p: p.name)
def test_an_accepted_variant_is_read_as_the_same_values(case: Path, tmp_path: Path) -> None:
    """Not only exit 0: the variant (spaces, ISO dates, a byte-order mark, Excel) gives exactly the base's values."""
    from analysis.load.inputs import load_inputs

    variant = [p for p in case.rglob("*") if p.is_file() and p.name != "fault.toml"]
    assert variant and all(
        not (CORPUS / "_base" / p.relative_to(case)).exists()
        or (CORPUS / "_base" / p.relative_to(case)).read_bytes() != p.read_bytes()
        for p in variant
    ), "the case must differ from the base folder"
    assemble(case, tmp_path / "inputs")
    base, read = load_inputs(CORPUS / "_base"), load_inputs(tmp_path / "inputs")
    for table in ("header", "episodes", "uasc", "workforce", "permanence", "population"):
        expected, got = getattr(base, table), getattr(read, table)
        assert (expected is None) == (got is None), table
        if expected is not None:
            keep = [c for c in expected.columns if not c.startswith("_")]
            assert got.select(keep).equals(expected.select(keep)), table
    assert base.episodes.height > 0 and base.workforce is not None and base.workforce.height > 0
