"""Where things live in a checkout of the repository."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root: src/analysis/core/paths.py → two levels up from the package.
ROOT = Path(os.environ.get("REVIEW_PACK_ROOT", Path(__file__).resolve().parents[3]))
NOTEBOOKS = ROOT / "notebooks"
EXPECTATIONS = ROOT / "expectations"
OUTPUTS = ROOT / "outputs"
SYNTHETIC_DATA = ROOT / "data" / "synthetic"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
