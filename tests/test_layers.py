"""The package's stages follow the data's path (load → checks and metrics → sections → pack), enforced by
import-linter's layers contract in pyproject.toml: a stage imports only the stages below it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from analysis.core import paths

LINT = [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"]


def lint(src: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [*LINT, "--config", str(paths.ROOT / "pyproject.toml"), "--no-cache"],
        cwd=paths.ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_every_stage_imports_only_the_stages_below_it() -> None:
    result = lint(paths.ROOT / "src")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    # The same contract on a copy of the package where a core module imports the pack.
    package = paths.ROOT / "src" / "analysis"
    shutil.copytree(package, tmp_path / "analysis", ignore=shutil.ignore_patterns("__pycache__"))
    periods = tmp_path / "analysis" / "core" / "periods.py"
    periods.write_text(periods.read_text() + "\nfrom analysis.pack import build  # noqa: E402, F401\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "analysis.core is not allowed to import analysis.pack" in result.stdout
