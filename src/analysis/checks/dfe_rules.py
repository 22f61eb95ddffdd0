"""The DfE's full 903 rule set, from the validator council analysts already run before they submit.

Validation has two layers (docs/validation.md):
- the **contract** (Great Expectations suites and `analysis.checks.rules`): columns, types, code lists
  and the suite's own multi-row rules. Its errors stop the build.
- the **DfE rules**: the Data to Insight / Social Finance 903 validator (`csc-validator-be-903`,
  MIT), about 300 of the DfE's validation rules for each collection year. It pins pandas < 2 and
  numpy < 1.25, so it lives in its own environment (`.venv-dfe`, made by `make install`) and runs
  in a subprocess (`dfe_worker.py`), each year's return with the previous year's as "Prev year".

Its findings are merged with the suite's: one finding per rule and file, under the DfE's code
(the suite's own checks already use the DfE's numbers). They are warnings, except the rules in
`ERROR_RULES`, which break a figure the pack shows. Without the second environment (a conda
install, say) nothing stops: the data-quality page says the DfE rules were not checked and how to
add them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from analysis.core import paths
from analysis.core.findings import DfeCheck, Finding

#: Where the validator's Python is: this variable (the Makefile sets it), else `.venv-dfe/` in the checkout.
PYTHON_VARIABLE = "REVIEW_PACK_DFE_PYTHON"
#: "off" skips the DfE rules (the unit tests set it; `--no-dfe` on the command line does the same).
SWITCH_VARIABLE = "REVIEW_PACK_DFE"
WORKER = Path(__file__).with_name("dfe_worker.py")
TIMEOUT_SECONDS = 900

HOW_TO_ADD = (
    "Run `make install` in the repository (it creates .venv-dfe with Python 3.11), or by hand: "
    "`python3.11 -m venv .venv-dfe && .venv-dfe/bin/pip install -c requirements/dfe-constraints.txt "
    "csc-validator-be-903`."
)

#: DfE rules whose failure makes a figure in the pack wrong, so they stop the build like the suite's errors.
#: 502: last year's open episode has a start date that this year's return does not have. The years are
#: merged on child and start date, so last year's version stays open for ever: the child is counted in
#: care (and in every later 31 March count) after they left. Every other DfE rule is a warning: amended
#: codes are taken from the latest return (as the DfE does), and the rest concern fields no figure uses
#: (postcodes, distances, UPNs, URNs) or say the return disagrees with itself in ways the suite's own
#: rules already count.
ERROR_RULES = {"502"}

#: What to fix, for the rules a return most often fails; the rest get the rule's own message.
FIXES = {
    "502": "Give the first episode in this year's return the start date (DECOM) it had in last year's return, "
    "or correct last year's return.",
    "503B": "Make the legal status (LS) of this year's first episode match last year's open episode, or amend it.",
    "388": "Add the episode that continues this one (starting the day it ended), or correct REC.",
    "431": "A child who re-enters care the day they left continues the same period: use a continuation reason "
    "(RNE P, B, T or U) instead of S, or correct the dates.",
    "562": "Add the missing episode to last year's return, or correct the start date (DECOM).",
    "168": "Correct the UPN, or use the UN code that explains why it is not known.",
    "103": "Use an ethnicity code from the DfE's list.",
    "225": "Record the reason for the placement change (REASON_PLACE_CHANGE).",
    "222": "Leave URN blank for placement types that have no Ofsted URN.",
    "392c": "Correct the postcode: it is not in the ONS postcode directory.",
}
#: The two layers, for docs/validation.md (written by `review-pack docs`, through `suites.markdown`).
DOCS = """## Two layers: the contract, and the DfE's rules

1. **The contract: Great Expectations** (`expectations/*.json`, from `src/analysis/checks/suites.py`) and the
   suite's own multi-row rules (`src/analysis/checks/rules/`): the columns each file must have, that dates and
   numbers can be read, that codes are on the DfE's lists, and the checks across rows and tables that the
   figures rely on (tables below). Every input file, not only the 903, is checked this way. Its errors
   stop the build.
2. **The DfE's full rule set: the 903 validator** council analysts already run before they submit
   (Data to Insight's `csc-validator-be-903`, MIT, pinned in `requirements/dfe-constraints.txt`):
   about 300 of the DfE's validation rules for each collection year. `validate` and `build` run it on
   every `ssda903/<year>/` folder, as the validator reads them (CSV files, or the XML return), with
   the previous year's return as "Prev year" for the cross-year rules (502, 503A-H, 562, NoE and more).
   Years before 2022-23, which the validator has no rules for, are checked with its earliest (2022/23)
   rules; the data-quality page names the rule set used for each year.

The validator pins pandas < 2 and numpy < 1.25, so it has its own environment, `.venv-dfe` (Python
3.9 to 3.11), made by `make install` (and so by `make pack` and `make test`), and runs in a subprocess
(`src/analysis/checks/dfe_worker.py`, through the validator's ingress and `LacValidator`; its `rpc_main`
module, which writes a log file when imported, is never used). Without that environment (a conda
install, for example) the pack still builds and the data-quality page says the DfE's rules were not
checked and how to add them. `--no-dfe` (or `REVIEW_PACK_DFE=off`) leaves them out for one run.

**Merging.** The two layers' findings are merged: one finding per rule and file, under the DfE's rule
code (the contract's checks use the DfE's numbers too, so a malformed UPN is rule 168 in both). Where
both find the same rule in the same file, the rows are combined in the contract's finding and its
severity stands. `review-pack validate` prints each as `WARNING [168] file, rows …: message`.

**Errors and warnings.** The contract's errors stop the build. The validator's findings are warnings,
counted on the data-quality page with what to fix (the analyst-only report lists every row), except
the rules that break a figure the pack shows, which stop the build too:

- **502**: last year's open episode started on a date this year's return does not have. The years are
  merged on child and start date, so last year's version would stay open: the child would be counted
  in care after leaving.

Every other DfE rule is a warning: where a return amends last year's (503A-H, 562), the latest return's
version is used, as the DfE does; the rest concern fields no figure uses (postcodes, distances, UPNs,
URNs) or agree with the contract's own warnings.
"""
GENERIC_FIX = "Correct the rows listed, as the DfE's rule describes, then check again."


def dfe_python() -> Path | None:
    """The validator environment's Python, or None when it is not installed."""
    given = os.environ.get(PYTHON_VARIABLE)
    candidate = Path(given) if given else paths.ROOT / ".venv-dfe" / "bin" / "python"
    return candidate if candidate.exists() else None


def enabled() -> bool:
    """False when REVIEW_PACK_DFE=off (the unit tests, or `--no-dfe`)."""
    return os.environ.get(SWITCH_VARIABLE, "").lower() not in {"off", "0", "no", "false"}


def return_files(year_folder: Path) -> list[Path]:
    """The files the validator reads for one year: every CSV, or the XML return (it reads one per year)."""
    xml = sorted(p for p in year_folder.iterdir() if p.is_file() and p.suffix.lower() == ".xml")
    if xml:
        return xml[:1]
    return sorted(p for p in year_folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv")


def job(folder: Path, authority: str) -> dict:
    """The worker's job: each `ssda903/<year>/` folder, with the previous year's files where there are some."""
    root = folder / "ssda903"
    years = {int(p.name): p for p in root.iterdir() if p.is_dir() and p.name.isdigit() and len(p.name) == 4}
    items = []
    for year in sorted(years):
        files = return_files(years[year])
        if files:
            prev = return_files(years[year - 1]) if year - 1 in years else []
            items.append({"year": year, "files": [str(p) for p in files], "prev_files": [str(p) for p in prev]})
    return {"authority": authority, "years": items}


def run_worker(python: Path, spec: dict) -> dict:
    """Run the validator on `spec` in its own environment; RuntimeError with the reason if it fails."""
    with tempfile.TemporaryDirectory(prefix="review-pack-dfe-") as scratch:  # any stray file lands here
        try:
            done = subprocess.run(
                [str(python), "-I", str(WORKER)],
                input=json.dumps(spec),
                capture_output=True,
                text=True,
                cwd=scratch,
                timeout=TIMEOUT_SECONDS,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise RuntimeError(f"the validator did not run ({exc})") from exc
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise RuntimeError(f"the validator stopped: {last}")
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        raise RuntimeError("the validator's answer could not be read") from exc


def row_number(source: str, position: int) -> int:
    """The validator's 0-based row position as the suite numbers rows: CSV line (header is 1), XML record."""
    return position + (1 if source.lower().endswith(".xml") else 2)


def to_findings(result: dict) -> tuple[list[Finding], DfeCheck]:
    """The worker's answer as findings (one per rule and file) and the summary for the data-quality page."""
    per_key: dict[tuple[str, str], Finding] = {}
    checked: set[str] = set()
    crashed: set[str] = set()
    years: list[str] = []
    problems: list[Finding] = []
    for year in result["years"]:
        label = f"{year['year']} ({_rules_label(year['ruleset'])} rules)"
        if year.get("error"):
            problems.append(
                Finding(
                    file=str(Path(year.get("files", [""])[0]).parent) if year.get("files") else str(year["year"]),
                    rule="DfE",
                    title=f"The DfE's rules could be run on the {year['year']} return",
                    severity="warning",
                    failed=1,
                    checked=1,
                    examples=[year["error"]],
                    fix="Check the return opens in the DfE's validator; its files must have the DfE's exact columns.",
                )
            )
            continue
        years.append(label)
        checked |= set(year["run"])
        crashed |= set(year["crashed"])
        for failure in year["failures"]:
            rule, source = failure["rule"], failure["source"]
            rows = {row_number(source, i) for i in failure["rows"]}
            key = (rule, source)
            if key in per_key:
                found = per_key[key]
                found.rows = sorted(set(found.rows) | rows)
                found.failed = len(found.rows)
                continue
            per_key[key] = Finding(
                file=source,
                rule=rule,
                title=year["rules"].get(rule, "") or f"DfE rule {rule}",
                severity="error" if rule in ERROR_RULES else "warning",
                failed=len(rows),
                checked=int(year["rows"].get(failure["table"], 0)),
                column=", ".join(year["fields"].get(rule, [])) or None,
                rows=sorted(rows),
                fix=FIXES.get(rule, GENERIC_FIX),
            )
    findings = sorted(per_key.values(), key=lambda f: (f.file, _code_order(f.rule))) + problems
    summary = DfeCheck(
        status="checked" if years else "failed",
        version=result.get("version", ""),
        years=years,
        rules_checked=len(checked),
        rules_crashed=sorted(crashed, key=_code_order),
        note="" if years else "The validator could not read any year's return.",
    )
    return findings, summary


def _rules_label(ruleset: str) -> str:
    """'lac2023_24' → '2023/24'."""
    return f"{ruleset[3:7]}/{ruleset[8:10]}" if ruleset.startswith("lac") else ruleset


def _code_order(code: str) -> tuple[int, str]:
    digits = "".join(c for c in code if c.isdigit())
    return (int(digits) if digits else 10**6, code)


def _codes(rule: str) -> set[str]:
    """A suite rule's DfE codes: '433/388' is both 433 and 388."""
    return set(rule.split("/"))


def merge(suite: list[Finding], dfe: list[Finding]) -> list[Finding]:
    """The suite's findings plus the validator's, each rule reported once per file.

    Where the suite reports the same rule on the same file, the validator's rows are added to the
    suite's finding (the suite's severity and wording stand); otherwise the validator's finding is added.
    """
    merged = list(suite)
    for finding in dfe:
        same = next(
            (s for s in merged if s.file == finding.file and finding.rule in _codes(s.rule) and s is not finding),
            None,
        )
        if same is None:
            merged.append(finding)
            continue
        extra = set(finding.rows) - set(same.rows)
        if extra:
            complete = len(same.rows) == same.failed
            same.rows = sorted(set(same.rows) | extra)
            same.failed = len(same.rows) if complete else max(same.failed, finding.failed)
    return merged


def check(folder: Path, authority: str | None, suite: list[Finding]) -> tuple[list[Finding], DfeCheck]:
    """Run the DfE rules on `folder` and merge with `suite`; never raises (the pack builds without them)."""
    if not enabled():
        return suite, DfeCheck(status="off", note=f"They were switched off for this run ({SWITCH_VARIABLE}=off).")
    python = dfe_python()
    if python is None:
        return suite, DfeCheck(
            status="not installed",
            note="The validator's environment (.venv-dfe) is not installed.",
        )
    if authority is None:
        return suite, DfeCheck(status="not run", note="la.toml gives no authority code.")
    root = folder / "ssda903"
    spec = job(folder, authority) if root.is_dir() else {"years": []}
    if not spec["years"]:
        return suite, DfeCheck(
            status="not run",
            note="They check one collection year at a time, and the 903 here is not in year folders (ssda903/<year>/).",
        )
    try:
        result = run_worker(python, spec)
    except RuntimeError as exc:
        problem = Finding(
            file=str(root),
            rule="DfE",
            title="The DfE's rules could be run",
            severity="warning",
            failed=1,
            checked=1,
            examples=[str(exc)],
            fix=f"Reinstall the validator's environment. {HOW_TO_ADD}",
        )
        return [*suite, problem], DfeCheck(status="failed", note=f"The validator could not be run: {exc}.")
    findings, summary = to_findings(result)
    merged = merge(suite, findings)
    summary.failing = failing_rules(findings)
    return merged, summary


def failing_rules(findings: list[Finding]) -> list[dict]:
    """One line per failing DfE rule: its message, rows failing over every return, the returns, what to fix."""
    lines: dict[str, dict] = {}
    for f in findings:
        if f.rule == "DfE":
            continue
        line = lines.setdefault(
            f.rule, {"rule": f.rule, "title": f.title, "failed": 0, "files": [], "fix": f.fix, "severity": f.severity}
        )
        line["failed"] += f.failed
        line["files"].append(f.file)
    return [lines[code] for code in sorted(lines, key=_code_order)]


if __name__ == "__main__":  # pragma: no cover - a manual check: python -m analysis.checks.dfe_rules FOLDER CODE
    found, info = check(Path(sys.argv[1]), sys.argv[2], [])
    print(info)
    for f in found:
        print(f.message())
