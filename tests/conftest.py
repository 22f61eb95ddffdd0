"""Shared fixtures. The end-to-end build is run once per test session and shared."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
# The DfE's rule set (analysis.checks.dfe_rules) runs in its own environment and takes seconds per folder: off for
# the hand-made folders, on in tests/test_dfe_rules.py, which switches it on itself.
os.environ.setdefault("REVIEW_PACK_DFE", "off")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A minimal valid input folder (see factories.write_folder)."""
    from factories import write_folder

    return write_folder(tmp_path / "inputs")


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic default data, generated once per test session."""
    from analysis import synth

    folder = tmp_path_factory.mktemp("synthetic")
    synth.generate(folder)
    return folder


@pytest.fixture(autouse=True)
def default_disclosure_policy() -> object:
    """Every test starts and ends under the default disclosure policy (1 to 5 hidden): a build sets the policy of
    its la.toml for the whole process, and must not leak it into the next test."""
    from analysis.core.disclosure import set_figures, set_policy
    from analysis.core.suppression import DEFAULT

    set_policy(DEFAULT)
    set_figures(None)
    yield
    set_policy(DEFAULT)
    set_figures(None)


@pytest.fixture
def threshold_4() -> object:
    """Tests whose hand-worked small counts were written for a 1-to-4 policy (la.toml `[disclosure] threshold = 4`)."""
    from analysis.core.disclosure import set_policy
    from analysis.core.suppression import Policy

    set_policy(Policy(threshold=4))
    yield
