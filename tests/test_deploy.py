"""The scheduled-deployment examples in deploy/: the Airflow DAG, the Dagster definitions, run_all.py and cron.

Neither Airflow nor Dagster is a dependency of this project (both are heavy), so the DAG and the
Dagster file are parsed with `ast` and imported with small stand-in `airflow` / `dagster`
modules that record what the files ask for. The commands they build are checked against the
real `review-pack` command line, and run where that is quick.
"""

from __future__ import annotations

import ast
import importlib.util
import shlex
import subprocess
import sys
import types
from datetime import datetime
from pathlib import Path

import jinja2
import pytest
from factories import write_folder

from analysis import cli
from analysis.core import paths

DEPLOY = paths.ROOT / "deploy"
DAG_FILE = DEPLOY / "airflow" / "review_pack_dag.py"
DAGSTER_FILE = DEPLOY / "dagster" / "review_pack_dagster.py"
REVIEW_PACK = Path(sys.executable).with_name("review-pack")

#: A stand-in for `review-pack`: exits 0, 1 or 2 according to the name of the --data folder, as the real one would.
STUB = """#!{python}
import sys
from pathlib import Path
args = sys.argv[1:]
data = Path(args[args.index("--data") + 1]).name
print("stub review-pack", " ".join(args))
sys.exit({{"ok": 0, "bad": 1, "broken": 2}}.get(data, 3))
"""


def _config(tmp_path: Path, review_pack: Path, names: dict[str, str], national: Path | None = None) -> Path:
    lines = ["[defaults]", f'review_pack = "{review_pack}"', f'outputs = "{tmp_path / "outputs"}"', ""]
    for name, data in names.items():
        lines += [f"[authorities.{name}]", f'data = "{tmp_path / data}"', ""]
    if national is not None:
        lines += ["[national]", f'data = "{national}"', f'outputs = "{tmp_path / "outputs" / "national"}"']
    path = tmp_path / "authorities.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def stub(tmp_path: Path) -> Path:
    """bin/review-pack (the stand-in) next to bin/python (this interpreter), as in a project's .venv/bin."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    command = bin_dir / "review-pack"
    command.write_text(STUB.format(python=sys.executable), encoding="utf-8")
    command.chmod(0o755)
    python = bin_dir / "python"  # a wrapper, not a symlink: a venv's python finds its packages from where it lives
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    python.chmod(0o755)
    return command


def _import(path: Path, name: str, modules: dict[str, types.ModuleType], monkeypatch: pytest.MonkeyPatch):
    for module_name, module in modules.items():
        monkeypatch.setitem(sys.modules, module_name, module)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- Airflow --------------------------------------------------------------------------------------------------


class FakeDAG:
    """Records the DAG's arguments and the tasks made inside its `with` block."""

    current: FakeDAG | None = None

    def __init__(self, **kwargs: object) -> None:
        self.kwargs = kwargs
        self.tasks: dict[str, FakeOperator] = {}

    def __enter__(self) -> FakeDAG:
        FakeDAG.current = self
        return self

    def __exit__(self, *exc: object) -> None:
        FakeDAG.current = None


class FakeOperator:
    """Records an operator's arguments and its upstream tasks (`>>` with a task or a list)."""

    def __init__(self, *, task_id: str, **kwargs: object) -> None:
        assert FakeDAG.current is not None, "tasks must be made inside `with DAG(...)`"
        self.task_id, self.kwargs, self.upstream = task_id, kwargs, set()
        FakeDAG.current.tasks[task_id] = self

    def __rshift__(self, other: FakeOperator | list[FakeOperator]) -> object:
        for task in other if isinstance(other, list) else [other]:
            task.upstream.add(self.task_id)
        return other

    def __rrshift__(self, other: list[FakeOperator]) -> FakeOperator:
        self.upstream.update(task.task_id for task in other)
        return self


def _airflow_modules() -> dict[str, types.ModuleType]:
    airflow = types.ModuleType("airflow")
    airflow.DAG = FakeDAG
    operators = types.ModuleType("airflow.operators")
    bash = types.ModuleType("airflow.operators.bash")
    bash.BashOperator = FakeOperator
    return {"airflow": airflow, "airflow.operators": operators, "airflow.operators.bash": bash}


@pytest.fixture
def dag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeDAG:
    """The DAG, imported with a config of two authorities and a national folder."""
    config = _config(tmp_path, REVIEW_PACK, {"alpha": "in/alpha", "beta": "in/beta"}, national=tmp_path / "nat")
    monkeypatch.setenv("REVIEW_PACK_CONFIG", str(config))
    module = _import(DAG_FILE, "review_pack_dag", _airflow_modules(), monkeypatch)
    return module.dag


def _render(command: str, **context: object) -> str:
    return jinja2.Template(command).render(**context)


def test_dag_file_uses_airflow_operators_not_a_home_made_scheduler() -> None:
    tree = ast.parse(DAG_FILE.read_text(encoding="utf-8"))
    imported = {(node.module, alias.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names}  # fmt: skip
    assert ("airflow", "DAG") in imported
    assert ("airflow.operators.bash", "BashOperator") in imported  # Airflow 2
    assert ("airflow.providers.standard.operators.bash", "BashOperator") in imported  # Airflow 3
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "DAG"]
    assert len(calls) == 1
    keywords = {k.arg: k.value for k in calls[0].keywords}
    assert ast.literal_eval(keywords["schedule"]) == "0 6 5 * *"
    assert ast.literal_eval(keywords["catchup"]) is False
    assert "schedule_interval" not in keywords  # removed in Airflow 3
    # No waiting loops, sleeps or subprocesses of its own: Airflow does the scheduling and running.
    assert no_scheduler_of_its_own(tree)


def no_scheduler_of_its_own(tree: ast.Module) -> bool:
    """No `while` loop, and no use or import of subprocess, time, sched, os.system or asyncio."""
    banned = {"subprocess", "time", "sched", "asyncio", "system", "sleep", "Popen"}
    modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}  # fmt: skip
    modules |= {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    loops = [node for node in ast.walk(tree) if isinstance(node, ast.While)]
    return not loops and not (modules | names | attributes) & banned


@pytest.mark.parametrize(
    "added",
    [
        "while True:\n    pass",
        "import time\ntime.sleep(60)",
        "import subprocess\nsubprocess.run(['review-pack'])",
        "from time import sleep",
        "os.system('review-pack build')",
    ],
)
def test_the_scheduler_check_finds_a_home_made_scheduler(added: str) -> None:
    tree = ast.parse(DAG_FILE.read_text(encoding="utf-8") + "\n" + added + "\n")
    assert not no_scheduler_of_its_own(tree)


def test_dag_validates_then_builds_each_authority_then_the_national_figures(dag: FakeDAG, tmp_path: Path) -> None:
    assert dag.kwargs["dag_id"] == "review_pack_monthly"
    assert dag.kwargs["schedule"] == "0 6 5 * *" and dag.kwargs["catchup"] is False
    tasks = dag.tasks
    assert sorted(tasks) == ["build_alpha", "build_beta", "national_metrics", "validate_alpha", "validate_beta"]
    assert tasks["build_alpha"].upstream == {"validate_alpha"}
    assert tasks["build_beta"].upstream == {"validate_beta"}
    assert tasks["national_metrics"].upstream == {"build_alpha", "build_beta"}
    assert tasks["validate_alpha"].kwargs["retries"] == 0  # invalid inputs: retrying cannot help
    assert tasks["build_alpha"].kwargs["retries"] >= 1


def test_dag_commands_are_the_real_command_line(dag: FakeDAG, tmp_path: Path) -> None:
    run = {"data_interval_start": datetime(2024, 3, 5, 6), "ds": "2024-04-05"}
    build = shlex.split(_render(dag.tasks["build_alpha"].kwargs["bash_command"], **run))
    assert build[0] == str(REVIEW_PACK)
    args = cli.parser().parse_args(build[1:])  # the real parser accepts every flag
    assert (args.command, args.data, args.out, args.period) == (
        "build", str(tmp_path / "in/alpha"), str(tmp_path / "outputs" / "alpha"), "2024-03",
    )  # fmt: skip
    validate = shlex.split(_render(dag.tasks["validate_beta"].kwargs["bash_command"], **run))
    assert cli.parser().parse_args(validate[1:]).command == "validate"
    national = shlex.split(_render(dag.tasks["national_metrics"].kwargs["bash_command"], **run))
    assert national[:3] == [str(REVIEW_PACK.with_name("python")), "-m", "analysis.metrics.national"]
    assert national[national.index("--out") + 1] == str(tmp_path / "outputs" / "national" / "2024-03" / "metrics.csv")


def test_dag_validate_command_exits_0_on_good_inputs_and_1_on_bad(dag: FakeDAG, tmp_path: Path) -> None:
    """Run the rendered validate commands through the real command line: the exit code fails the Airflow task."""
    write_folder(tmp_path / "in" / "alpha")
    (tmp_path / "in" / "beta").mkdir(parents=True)  # no 903 files at all
    assert REVIEW_PACK.exists()
    codes = {}
    for name in ("alpha", "beta"):
        command = shlex.split(_render(dag.tasks[f"validate_{name}"].kwargs["bash_command"]))
        assert command[0] == str(REVIEW_PACK)
        codes[name] = cli.main(command[1:])  # what the installed script runs, in this process (GX loads once)
    assert codes == {"alpha": 0, "beta": 1}


def test_dag_parses_with_the_example_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REVIEW_PACK_CONFIG", raising=False)
    module = _import(DAG_FILE, "review_pack_dag_example", _airflow_modules(), monkeypatch)
    assert {"build_herefordshire", "validate_herefordshire", "national_metrics"} <= set(module.dag.tasks)


# --- Dagster --------------------------------------------------------------------------------------------------


class FakeFailure(Exception):
    def __init__(self, description: str = "", metadata: dict | None = None) -> None:
        super().__init__(description)
        self.description, self.metadata = description, metadata or {}


def _dagster_module() -> types.ModuleType:
    dagster = types.ModuleType("dagster")
    made: dict[str, list] = {"assets": [], "jobs": [], "schedules": [], "partitions": []}

    def asset(**kwargs: object):
        def wrap(function):
            made["assets"].append((kwargs, function))
            return types.SimpleNamespace(kwargs=kwargs, function=function)

        return wrap

    def record(kind: str):
        def make(*args: object, **kwargs: object) -> types.SimpleNamespace:
            thing = types.SimpleNamespace(args=args, kwargs=kwargs)
            made[kind].append(thing)
            return thing

        return make

    dagster.asset = asset
    dagster.MonthlyPartitionsDefinition = record("partitions")
    dagster.define_asset_job = record("jobs")
    dagster.build_schedule_from_partitioned_job = record("schedules")
    dagster.Definitions = lambda **kwargs: types.SimpleNamespace(**kwargs)
    dagster.Failure = FakeFailure
    dagster.MetadataValue = types.SimpleNamespace(md=lambda text: ("md", text))
    dagster.AssetExecutionContext = object
    dagster.AssetsDefinition = object
    dagster.made = made
    return dagster


class FakeContext:
    def __init__(self, partition_key: str) -> None:
        self.partition_key, self.metadata = partition_key, {}

    def add_output_metadata(self, metadata: dict) -> None:
        self.metadata.update(metadata)


def test_dagster_definitions_build_each_authority_for_its_month(
    tmp_path: Path, stub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = ast.parse(DAGSTER_FILE.read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module == "dagster"
                for alias in node.names}  # fmt: skip
    assert {"asset", "Definitions", "MonthlyPartitionsDefinition", "build_schedule_from_partitioned_job"} <= imported
    config = _config(tmp_path, stub, {"good": "in/ok", "invalid": "in/bad", "failing": "in/broken"})
    monkeypatch.setenv("REVIEW_PACK_CONFIG", str(config))
    dagster = _dagster_module()
    module = _import(DAGSTER_FILE, "review_pack_dagster", {"dagster": dagster}, monkeypatch)
    assert [a.kwargs["name"] for a in module.defs.assets] == [
        "review_pack_failing", "review_pack_good", "review_pack_invalid",
    ]  # fmt: skip
    schedule = dagster.made["schedules"][0]
    assert schedule.kwargs == {"day_of_month": 5, "hour_of_day": 6}
    assets = {a.kwargs["name"]: a.function for a in module.defs.assets}
    context = FakeContext("2024-03-01")
    assets["review_pack_good"](context)
    assert context.metadata["period"] == "2024-03" and "--period 2024-03" in context.metadata["log"][1]
    with pytest.raises(FakeFailure, match="inputs are invalid: nothing was built"):
        assets["review_pack_invalid"](FakeContext("2024-03-01"))
    with pytest.raises(FakeFailure, match="last good pack is untouched") as failed:
        assets["review_pack_failing"](FakeContext("2024-03-01"))
    assert failed.value.metadata["exit code"] == 2


# --- cron and run_all.py --------------------------------------------------------------------------------------


def _run_all(config: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(DEPLOY / "run_all.py"), "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_run_all_builds_every_authority_and_exits_with_the_worst_code(tmp_path: Path, stub: Path) -> None:
    result = _run_all(_config(tmp_path, stub, {"a": "in/ok", "b": "in/bad", "c": "in/broken"}), "--period", "2024-03")
    assert result.returncode == 2, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["a", "b", "c"]  # one line each, a failure stops nothing
    assert "built (exit 0)" in lines[0]
    assert "inputs invalid, nothing built (exit 1)" in lines[1]
    assert "build failed, last good pack untouched (exit 2)" in lines[2]
    log = next((tmp_path / "outputs" / "a" / "logs").glob("*.log")).read_text()
    assert f"build --data {tmp_path / 'in/ok'} --out {tmp_path / 'outputs' / 'a'} --period 2024-03" in log
    assert _run_all(_config(tmp_path, stub, {"a": "in/ok", "b": "in/bad"})).returncode == 1
    assert _run_all(_config(tmp_path, stub, {"a": "in/ok"})).returncode == 0


def test_run_all_writes_the_national_figures(tmp_path: Path, stub: Path) -> None:
    from analysis.synth.national import generate_national

    generate_national(tmp_path / "nat", authorities=2, years=1)
    result = _run_all(_config(tmp_path, stub, {"a": "in/ok"}, national=tmp_path / "nat"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("national: written to")
    assert len(list((tmp_path / "outputs" / "national").glob("*/metrics.csv"))) == 1


def test_cron_example_runs_run_all_monthly() -> None:
    lines = [line for line in (DEPLOY / "cron.example").read_text().splitlines() if line and not line.startswith("#")]
    settings = dict(line.split("=", 1) for line in lines if "=" in line.split()[0])
    assert {"MAILTO", "REVIEW_PACK_CONFIG"} <= set(settings)
    (entry,) = [line for line in lines if "=" not in line.split()[0]]
    minute, hour, day, month, weekday, command = entry.split(maxsplit=5)
    assert (minute, hour, day, month, weekday) == ("0", "6", "5", "*", "*")
    assert "deploy/run_all.py" in command
    assert "%" not in command.replace("\\%", "")  # cron turns a bare % into a newline
