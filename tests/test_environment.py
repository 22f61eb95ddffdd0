"""environment.yml (conda) declares the same dependencies as pyproject.toml."""

from __future__ import annotations

import re
import tomllib

import yaml

from analysis.core import paths


def _norm(spec: str) -> tuple[str, str]:
    name, bounds = re.match(r"([A-Za-z0-9_.\-]+)\s*(.*)", spec.strip()).groups()
    return name.lower().replace("_", "-"), bounds.replace(" ", "")


def test_environment_yml_matches_pyproject() -> None:
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_norm(s) for s in project["dependencies"] + project["optional-dependencies"]["dev"])
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    conda = dict(_norm(s) for s in env["dependencies"] if isinstance(s, str))
    python = conda.pop("python")
    conda.pop("pip")
    assert conda == wanted
    assert python == project["requires-python"]
    pip_part = next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    assert pip_part == ["-e ."]


def test_constraints_pin_every_dependency() -> None:
    pins = {
        _norm(line.split("==")[0])[0]: line.split("==")[1].strip()
        for line in (paths.ROOT / "requirements" / "constraints.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    for spec in project["dependencies"] + project["optional-dependencies"]["dev"]:
        assert _norm(spec)[0] in pins, spec
