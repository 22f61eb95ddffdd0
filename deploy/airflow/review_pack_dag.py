"""Airflow DAG: each month, validate and build every authority's review pack, then the national figures.

Put this file in Airflow's dags folder on a worker that has the project installed (`make install`
in `/opt/review-pack`, say) and set `REVIEW_PACK_CONFIG` to the authorities file (see
`deploy/authorities.example.toml`; by default the example next to this folder, so the file parses
anywhere). The tasks call the project's own command line, so a scheduled run builds exactly what
`make pack` builds by hand:

    validate_<name>  review-pack validate --data <input folder>           no retry: exit 1 = fix the data
          │
    build_<name>     review-pack build --data … --out <outputs>/<name>    2 retries: exit 2 may be transient
                       --period <the month just ended>
    national_metrics python -m analysis.metrics.national --data … --out …        (when the config has [national])

A non-zero exit fails the task (Airflow's BashOperator), which Airflow shows in red, emails when
`email` is set, and retries as configured. When `validate_<name>` fails, `build_<name>` does not
run ("upstream failed"): nothing is built and the last good pack stays in place. Why BashOperator
and not PapermillOperator: see docs/scaling.md.

Works with Airflow 2.4+ (`schedule=`) and Airflow 3 (the BashOperator moved to the standard provider).
"""

from __future__ import annotations

import os
import tomllib
from datetime import datetime, timedelta
from pathlib import Path

from airflow import DAG

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
except ImportError:  # Airflow 2
    from airflow.operators.bash import BashOperator

CONFIG = Path(os.environ.get("REVIEW_PACK_CONFIG", Path(__file__).resolve().parents[1] / "authorities.example.toml"))
SETTINGS = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
DEFAULTS = SETTINGS.get("defaults", {})
REVIEW_PACK = DEFAULTS.get("review_pack", "review-pack")
PYTHON = str(Path(REVIEW_PACK).with_name("python"))
OUTPUTS = DEFAULTS.get("outputs", "/srv/review-pack/outputs")

#: The review period: the month just ended. A run at 06:00 on 5 April covers 5 March to 5 April: period 2024-03.
PERIOD = "{{ data_interval_start.strftime('%Y-%m') }}"

with DAG(
    dag_id="review_pack_monthly",
    description="Validate and build each authority's review pack, then the national figures",
    schedule="0 6 5 * *",  # 06:00 on the 5th of each month, after the month's data has landed
    start_date=datetime(2024, 1, 1),
    catchup=False,  # do not build every month since start_date when the DAG is first switched on
    max_active_runs=1,
    max_active_tasks=2,  # a build keeps a 2-core worker busy for about half a minute: more at once only queue
    default_args={
        "owner": "review-pack",
        "retries": 0,
        "email": DEFAULTS.get("alert_email", []),
        "email_on_failure": bool(DEFAULTS.get("alert_email")),
        "execution_timeout": timedelta(hours=1),
    },
    tags=["review-pack", "children's services"],
) as dag:
    builds = []
    for name, authority in sorted(SETTINGS.get("authorities", {}).items()):
        data = authority["data"]
        out = authority.get("outputs", f"{OUTPUTS}/{name}")
        validate = BashOperator(
            task_id=f"validate_{name}",
            bash_command=f"{REVIEW_PACK} validate --data {data}",
            retries=0,  # exit 1: the inputs have errors; retrying cannot fix them
        )
        build = BashOperator(
            task_id=f"build_{name}",
            bash_command=f"{REVIEW_PACK} build --data {data} --out {out} --period {PERIOD}",
            retries=2,  # exit 2: a notebook failed (a kernel that died can succeed on a retry)
            retry_delay=timedelta(minutes=10),
        )
        validate >> build
        builds.append(build)

    national = SETTINGS.get("national")
    if national:
        national_metrics = BashOperator(
            task_id="national_metrics",
            bash_command=(
                f"{PYTHON} -m analysis.metrics.national --data {national['data']} "
                f"--out {national['outputs']}/{PERIOD}/metrics.csv"
            ),
            retries=1,
            # After the builds (not to compete for the cores), whether or not they worked: the national figures
            # read their own folder and do not depend on any authority's pack.
            trigger_rule="all_done",
        )
        builds >> national_metrics
