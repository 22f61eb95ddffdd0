"""Notebooks are committed clean and thin: no outputs, a parameters cell, no logic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis import paths
from analysis.sections import SECTIONS

NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("*.ipynb"))


def test_every_section_has_its_notebook_and_vice_versa() -> None:
    assert {p.name for p in NOTEBOOKS} == {s.notebook for s in SECTIONS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_and_with_parameters(path: Path) -> None:
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    tagged = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_stay_thin(path: Path) -> None:
    # Logic lives in src/analysis: no functions, classes, loops or raw polars in a notebook.
    for cell in json.loads(path.read_text())["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] != "code":
            continue
        for banned in ("def ", "class ", "for ", "while ", "import polars", "pl.col", "lambda"):
            assert banned not in source, f"{path.name}: '{banned.strip()}' belongs in src/analysis"
        assert len(source.splitlines()) <= 30
