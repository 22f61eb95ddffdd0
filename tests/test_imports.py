"""What a notebook kernel and `review-pack metrics` import: nothing heavy that rendering or counting does not need.

Issue 16: a kernel renders the build's saved review, so it needs polars, altair and IPython, not Great
Expectations, papermill, nbconvert, openpyxl, scipy or pandas; and the CLI imports Great Expectations
only to validate. Each check runs in a fresh process (imports are process-wide). No timings here:
`benchmarks/bench_kernel.py` times the imports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.core import paths

HEAVY = [
    "great_expectations", "papermill", "nbconvert", "openpyxl", "scipy", "pandas",
    "rfc3987_syntax", "rfc3986_validator", "numpy",
]  # fmt: skip


def imported(script: str, cwd: Path = paths.ROOT) -> set[str]:
    """The HEAVY modules loaded after running `script` in a fresh interpreter (a module marked absent is not)."""
    probe = f"{script}\nimport sys\nprint(','.join(m for m in {HEAVY!r} if sys.modules.get(m) is not None))"
    env = {**os.environ, "PYTHONPATH": str(paths.ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", probe], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return {m for m in done.stdout.strip().split(",") if m}


def import_lines(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "\n".join(
        line.strip()
        for cell in cells
        if cell["cell_type"] == "code"
        for line in "".join(cell["source"]).splitlines()
        if line.strip().startswith(("import ", "from "))
    )


@pytest.mark.parametrize("notebook", sorted(p.name for p in paths.NOTEBOOKS.glob("[0-9]*.ipynb")))
def test_a_notebook_kernel_imports_nothing_heavy(notebook: str) -> None:
    script = import_lines(paths.NOTEBOOKS / notebook)
    assert "analysis" in script
    assert imported(script, cwd=paths.NOTEBOOKS) == set()


def test_the_cli_and_the_build_import_great_expectations_only_to_validate() -> None:
    assert "great_expectations" not in imported("import analysis.cli, analysis.pack.build, analysis.checks.validation")
    assert "great_expectations" in imported("from analysis.checks.validation import _suite\n_suite('ssda903_episodes')")
