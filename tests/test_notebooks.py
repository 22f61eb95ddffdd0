"""Notebooks are committed clean and thin: no outputs, a parameters cell, no logic.

The pack's sections are the notebooks directly in notebooks/; notebooks/explore/ holds the analyst's
exploration example, which is not a section (`make lab` copies it to work/), but is committed clean
too and runs on the synthetic data here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.core import paths
from analysis.sections.registry import SECTIONS

NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("*.ipynb"))  # the sections: notebooks/explore/ is not searched
EXPLORE = paths.NOTEBOOKS / "explore" / "explore.ipynb"


def test_every_section_has_its_notebook_and_vice_versa() -> None:
    assert {p.name for p in NOTEBOOKS} == {s.notebook for s in SECTIONS}


@pytest.mark.parametrize("path", [*NOTEBOOKS, EXPLORE], ids=lambda p: p.name)
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


def test_every_notebook_under_notebooks_is_a_section_or_the_exploration_example() -> None:
    extra = {p for p in paths.NOTEBOOKS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts} - {*NOTEBOOKS, EXPLORE}
    assert not extra, (
        f"not a section (add it to analysis.sections.registry) nor notebooks/explore/explore.ipynb: {extra}"
    )
    assert EXPLORE.name not in {s.notebook for s in SECTIONS}


def test_the_exploration_notebook_answers_the_five_questions_without_showing_a_child(
    synthetic: Path, tmp_path: Path
) -> None:
    import papermill as pm

    from analysis.core.disclosure import identifiers_found, pack_identifiers
    from analysis.load.inputs import load_inputs

    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(
        str(EXPLORE), str(out), parameters={"data_dir": str(synthetic), "period": "2024-03"},
        cwd=str(EXPLORE.parent), kernel_name="python3", progress_bar=False,
    )  # fmt: skip
    nb = json.loads(out.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    outputs = [o for c in code for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error" or o.get("name") == "stderr"]
    charts = [o for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(charts) == 5  # one chart per question
    headings = [c for c in nb["cells"] if c["cell_type"] == "markdown" and "".join(c["source"]).startswith("## ")]
    assert len(headings) == 5
    shown = json.dumps(outputs)
    assert not identifiers_found(shown, pack_identifiers(load_inputs(synthetic)))
    assert "SYN0" not in shown  # the synthetic identifiers, whatever the check above decodes


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.notebook)
def test_every_parameter_the_build_passes_is_declared_in_the_parameters_cell(section: object) -> None:
    # A notebook run on its own in JupyterLab has only its parameters cell: a name the build injects but the cell
    # does not declare (say review_file) works in the build and fails with a NameError in Lab.
    import ast
    from dataclasses import fields

    from analysis.pack.build import Run
    from analysis.sections.review import Parameters

    nb = json.loads((paths.NOTEBOOKS / section.notebook).read_text())
    [cell] = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    declared = {t.id for node in ast.parse("".join(cell["source"])).body for t in getattr(node, "targets", [])}
    run = Run(*([Path(".")] * 3), "2024-03", [], "", Path("."), "", Path("r.pkl"), Parameters())
    assert set(run.parameters(section)) <= declared, section.notebook
    assert {f.name for f in fields(Parameters)} & set(section.extra_parameters) <= declared
