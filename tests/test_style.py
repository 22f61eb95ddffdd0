"""The code is ruff-clean (the same check as `make lint`)."""

from __future__ import annotations

import subprocess
import sys

from analysis.core import paths


def test_ruff_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks"],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
