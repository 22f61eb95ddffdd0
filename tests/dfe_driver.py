"""Run the DfE 903 validator on a folder of yearly returns and print what fails, as JSON.

Runs in the validator's own environment (``csc-validator-be-903``, which pins pandas < 2),
never in the suite's: ``tests/test_synth_dfe.py`` calls it in a subprocess as

    <validator python> tests/dfe_driver.py <ssda903 folder> <authority code>

The folder holds one sub-folder per return year (``2024/`` = 1 April 2023 to 31 March
2024) with ``header.csv``, ``episodes.csv`` and ``uasc.csv``. Each year is checked with the
previous year's files as "Prev year", the collection year as the metadata (``"2024"``) and
the ruleset for that year; years before the validator's first ruleset (2022/23) use that
first ruleset, with their own collection dates. It imports the validator's Python API
(`LacValidator`) only: its ``rpc_main`` module writes a log file into the working directory.

Output: ``{"version", "rules_checked", "failed_to_run", "failures"}``, where ``failures``
is a list of ``{"year", "rule", "table", "rows", "children"}`` (row numbers from 0, and
the CHILD ids of those rows).
"""

from __future__ import annotations

import json
import logging
import sys
from importlib import import_module, metadata
from pathlib import Path

FILES = ("header.csv", "episodes.csv", "uasc.csv")
FIRST_RULESET_YEAR = 2023


def _files(folder: Path, description: str) -> list[dict]:
    return [
        {"name": str(folder / name), "description": description, "file_content": (folder / name).read_bytes()}
        for name in FILES
        if (folder / name).is_file()
    ]


def check(root: Path, authority: str) -> dict:
    """Validate every return year under `root`; see the module docstring for the result."""
    logging.disable(logging.CRITICAL)
    lac_validator = import_module("lac_validator.lac_validator")
    get_year_ruleset = import_module("lac_validator.rules.ruleset_utils").get_year_ruleset
    years = sorted(int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit())
    checked: set[str] = set()
    failed_to_run: list[dict] = []
    failures: list[dict] = []
    for year in years:
        files = _files(root / str(year), "This year") + _files(root / str(year - 1), "Prev year")
        registry = get_year_ruleset(str(max(year, FIRST_RULESET_YEAR)))
        checked |= {str(code) for code in registry}
        run = lac_validator.LacValidator(
            metadata={"collectionYear": str(year), "localAuthority": authority}, files=files, registry=registry
        )
        failed_to_run += [{"year": year, "rule": str(code)} for code in run.fails]
        for table, frame in run.ds_results.items():
            if table == "metadata":
                continue
            for column in sorted(c for c in frame.columns if c.startswith("ERR_")):
                flagged = frame[column].fillna(False).astype(bool)
                if flagged.any():
                    failures.append(
                        {
                            "year": year,
                            "rule": column[4:],
                            "table": table,
                            "rows": [int(i) for i in frame.index[flagged]],
                            "children": sorted(str(c) for c in frame.loc[flagged, "CHILD"]),
                        }
                    )
    return {
        "version": metadata.version("csc-validator-be-903"),
        "rules_checked": len(checked),
        "failed_to_run": failed_to_run,
        "failures": failures,
    }


if __name__ == "__main__":
    json.dump(check(Path(sys.argv[1]), sys.argv[2]), sys.stdout, indent=1)
    sys.stdout.write("\n")
