"""Run the DfE's 903 rules (the Data to Insight validator) on yearly returns: the script `dfe_rules` starts.

This file runs in the validator's own environment (`.venv-dfe`: pandas < 2, numpy < 1.25), as
`python -I dfe_worker.py`, never imported by the package: it uses only the standard library and
`lac_validator`. It reads a job from stdin (JSON):

    {"authority": "E06000019",
     "years": [{"year": 2024, "files": ["…/2024/header.csv", …], "prev_files": ["…/2023/…", …]}]}

and writes one JSON object to stdout: the validator's version and, per year, the rule set used,
the rules run, skipped (a table they need is absent) and crashed, and every failing rule with its
table, the file that table came from and the failing row positions (0-based, as the validator
reports them).

Each year runs through the validator's own ingress (`read_from_text`, CSV or XML) and its rule
engine (`LacValidator.validate`) with that year's return as "This year" and the previous year's as
"Prev year" (tables suffixed `_last`). The ingress is called once per year rather than through
`LacValidator.__init__`, because the validator reads only one XML file per run, so an XML return
could not otherwise be given its previous year. `rpc_main` is never imported (importing it writes
a log file into the working directory).

Speed: the validator merges every episode's postcodes with the ONS postcode lookup for every
first letter present (millions of rows). Before the rules run, the lookup is loaded once and cut
down to the postcodes that occur in the returns; a left merge on a subset holding every matching
key gives exactly the same result, in a fraction of the time.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
import warnings
from importlib import metadata as importlib_metadata
from pathlib import Path


def _ruleset(year: int, available: list[str]) -> str:
    """The validator's rule set for a collection year ('lac2023_24' for 2024), else the nearest one."""
    wanted = f"lac{year - 1}_{year % 100:02d}"
    if wanted in available:
        return wanted
    return available[0] if wanted < available[0] else available[-1]


def _tables(files: list[dict], column_names: dict) -> dict[str, str]:
    """Which file each table came from: CSV files by their columns (as the ingress matches them)."""
    import pandas as pd

    found: dict[str, str] = {}
    for f in files:
        name = f["name"]
        if name.lower().endswith(".xml"):
            return {table: name for table in column_names}
        columns = set(pd.read_csv(Path(name), nrows=0).columns)
        for table, expected in column_names.items():
            if columns == set(expected):
                found[table] = name
    return found


def _read(paths: list[str]) -> tuple[dict, dict, dict[str, str]]:
    """One return (CSV files or one XML file) through the validator's ingress: frames, metadata, sources."""
    from lac_validator.config import column_names
    from lac_validator.ingress import read_from_text

    files = [{"name": p, "file_content": Path(p).read_bytes(), "description": "This year"} for p in paths]
    frames, extras = read_from_text(raw_files=files)
    return frames, extras, _tables(files, column_names)


def _trim_postcodes(frames: list[dict]) -> None:
    """Load the ONS postcode lookup once, cut down to the postcodes in the returns (same merge results)."""
    from lac_validator import datastore

    wanted: set[str] = set()
    letters: set[str] = set()
    for tables in frames:
        for name in ("Episodes", "Episodes_last"):
            if name in tables:
                for field in ("HOME_POST", "PL_POST"):
                    if field in tables[name]:
                        values = tables[name][field].dropna().astype(str).str.upper()
                        wanted |= set(values.str.replace(" ", ""))
                        letters |= set(values.str[0])
    postcodes = datastore.postcodes
    postcodes.load_postcodes(sorted(letters))
    full = postcodes.dataframe
    postcodes._df = full[full["pcd_abbr"].isin(wanted)].reset_index(drop=True)
    postcodes._read = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")  # nothing more to load: every letter is "read"


def run(job: dict) -> dict:
    """Every year of `job` through the validator; see the module docstring for the shapes."""
    import lac_validator.rules as rules_package
    import pandas as pd
    from lac_validator.lac_validator import LacValidator

    folder = Path(next(iter(rules_package.__path__)))
    available = sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name.startswith("lac"))

    class _Validator(LacValidator):
        """The validator's rule engine on tables already read by its ingress."""

        def __init__(self, metadata: dict, dfs: dict, registry: dict) -> None:
            self.dfs, self.dones, self.skips, self.fails = dfs, [], [], []
            self.registry, self.metadata = registry, metadata
            self.validate(None)

    read: list[tuple[dict, dict, dict, str | None]] = []
    out_years: list[dict] = []
    for item in job["years"]:
        try:
            this, extras, sources = _read(item["files"])
            dfs = dict(this)
            if item.get("prev_files"):
                prev, _, prev_sources = _read(item["prev_files"])
                dfs |= {f"{t}_last": df for t, df in prev.items()}
                sources |= {f"{t}_last": s for t, s in prev_sources.items()}
            read.append((item, dfs, extras | {"sources": sources}, None))
        except Exception as exc:  # the validator's UploadError and friends: reported, not raised
            read.append((item, {}, {}, f"{type(exc).__name__}: {exc}"))
    _trim_postcodes([dfs for _, dfs, _, error in read if error is None])

    for item, dfs, extras, error in read:
        year = int(item["year"])
        ruleset = _ruleset(year, available)
        entry: dict = {"year": year, "ruleset": ruleset, "error": error, "failures": []}
        if error is None:
            registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
            sources = extras.pop("sources")
            meta = {"collectionYear": str(year), "localAuthority": job["authority"], **extras}
            try:
                v = _Validator(meta, dfs, registry)
            except Exception as exc:
                entry["error"] = f"{type(exc).__name__}: {exc}"
                out_years.append(entry)
                continue
            entry |= {
                "rules": {code: rule.message or "" for code, rule in registry.items()},
                "fields": {code: list(rule.affected_fields or []) for code, rule in registry.items()},
                "run": list(v.dones),
                "skipped": list(v.skips),
                "crashed": list(v.fails),
                "rows": {t: len(df) for t, df in v.dfs.items() if isinstance(df, pd.DataFrame)},
            }
            for table, frame in v.ds_results.items():
                if table == "metadata":
                    continue
                for column in frame.columns:
                    if str(column).startswith("ERR_"):
                        hits = frame.index[frame[column].eq(True)].tolist()
                        if hits:
                            entry["failures"].append(
                                {
                                    "rule": column[4:],
                                    "table": table,
                                    "source": sources.get(table, ""),
                                    "rows": [int(i) for i in hits],
                                }
                            )
        out_years.append(entry)
    return {"version": importlib_metadata.version("csc-validator-be-903"), "years": out_years}


def main() -> int:
    """Read the job from stdin, write the result to stdout; the validator's chatter goes to stderr."""
    os.environ.setdefault("QLACREF_PC_INSECURE", "True")
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    job = json.load(sys.stdin)
    stdout, sys.stdout = sys.stdout, sys.stderr  # a rule that prints must not corrupt the JSON
    try:
        result = run(job)
    finally:
        sys.stdout = stdout
    json.dump(result, stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
