"""The synthetic returns are valid DfE returns, apart from the planted warnings.

Runs the field's 903 validator (`csc-validator-be-903`, in its own environment because it
pins pandas < 2) on the five synthetic returns, each with the previous year as "Prev year",
through `tests/dfe_driver.py`, and asserts that exactly the documented planted rules fail
(docs/data_log.md, "Planted warnings"): 168 (UPN not valid) on the two malformed UPNs and
103 (ethnicity not valid) on the unknown ethnicity, all in the latest return.

The validator's python comes from `REVIEW_PACK_DFE_PYTHON` (default `.venv-dfe/bin/python`
in the repository). Without it the test is skipped, unless `REVIEW_PACK_REQUIRE_DFE=1`,
when it fails.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from analysis.synth import planted_faults

ROOT = Path(__file__).resolve().parent.parent
DRIVER = Path(__file__).resolve().parent / "dfe_driver.py"
AUTHORITY = "E06000019"  # Herefordshire: the code the validator compares placement areas with


def validator_python() -> Path:
    """The validator environment's python, or skip (fail when it is required)."""
    python = Path(os.environ.get("REVIEW_PACK_DFE_PYTHON", ".venv-dfe/bin/python"))
    python = python if python.is_absolute() else ROOT / python
    if not python.exists():
        message = f"the DfE validator environment is not installed ({python}); run the make install step"
        if os.environ.get("REVIEW_PACK_REQUIRE_DFE") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return python


@pytest.fixture(scope="module")
def dfe_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict[str, list[str]]]:
    python = validator_python()
    folder = tmp_path_factory.mktemp("synth-dfe")
    faults = planted_faults(folder / "inputs")
    done = subprocess.run(
        [str(python), str(DRIVER), str(folder / "inputs" / "ssda903"), AUTHORITY],
        cwd=folder,  # anything the validator writes stays out of the repository
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout), faults


def test_only_the_planted_rules_fail(dfe_run: tuple[dict, dict[str, list[str]]]) -> None:
    result, faults = dfe_run
    children: dict[str, set[str]] = defaultdict(set)
    for failure in result["failures"]:
        assert failure["year"] == 2024, failure  # the earlier returns are clean
        children[failure["rule"]] |= set(failure["children"])
    assert dict(children) == {"168": set(faults["malformed_upn"]), "103": set(faults["unknown_ethnic"])}


def test_every_rule_ran(dfe_run: tuple[dict, dict[str, list[str]]]) -> None:
    result, _ = dfe_run
    assert result["failed_to_run"] == []
    assert result["rules_checked"] >= 250  # the 2022/23 and 2023/24 rulesets
