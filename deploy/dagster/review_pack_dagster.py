"""Dagster definitions: the monthly review packs as assets, one per authority, partitioned by month.

The Dagster equivalent of `deploy/airflow/review_pack_dag.py`. Load it with
`dagster dev -f deploy/dagster/review_pack_dagster.py` (or point a code location at it) on a
machine that has the project installed, with `REVIEW_PACK_CONFIG` set to the authorities file.

Each authority's pack is an asset with monthly partitions: the partition for March 2024 is the
pack built with `--period 2024-03`. A schedule built from the partitions materialises the month
just ended, on the 5th at 06:00 (London time). The asset runs the project's own command,
`review-pack build`, and turns its exit code into Dagster's outcome: 0 materialised; 1 a
`Failure` saying the inputs are invalid and nothing was built; 2 a `Failure` saying the build
failed and the last good pack is untouched (with the end of the log attached either way).
Dagstermill (notebooks as assets) is the other way to do it; see docs/scaling.md for why this
file runs the command instead.
"""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    Definitions,
    Failure,
    MetadataValue,
    MonthlyPartitionsDefinition,
    asset,
    build_schedule_from_partitioned_job,
    define_asset_job,
)

CONFIG = Path(os.environ.get("REVIEW_PACK_CONFIG", Path(__file__).resolve().parents[1] / "authorities.example.toml"))
SETTINGS = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
DEFAULTS = SETTINGS.get("defaults", {})
REVIEW_PACK = DEFAULTS.get("review_pack", "review-pack")
OUTPUTS = DEFAULTS.get("outputs", "/srv/review-pack/outputs")

#: One partition per review month; a month's partition exists once the month has ended.
MONTHS = MonthlyPartitionsDefinition(start_date="2024-01-01", timezone="Europe/London")
FAILURES = {1: "the inputs are invalid: nothing was built", 2: "the build failed: the last good pack is untouched"}


def review_pack_asset(name: str, data: str, out: str) -> AssetsDefinition:
    """The asset that builds `name`'s pack for a month by running `review-pack build`."""

    @asset(name=f"review_pack_{name}", partitions_def=MONTHS, group_name="review_packs")
    def build(context: AssetExecutionContext) -> None:
        period = context.partition_key[:7]  # "2024-03-01" → "2024-03"
        command = [REVIEW_PACK, "build", "--data", data, "--out", out, "--period", period]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        log = (result.stdout + result.stderr)[-4000:]
        if result.returncode != 0:
            reason = FAILURES.get(result.returncode, f"review-pack exited with {result.returncode}")
            raise Failure(
                description=f"{name} {period}: {reason}",
                metadata={"exit code": result.returncode, "log": MetadataValue.md(f"```\n{log}\n```")},
            )
        context.add_output_metadata({"period": period, "outputs": out, "log": MetadataValue.md(f"```\n{log}\n```")})

    return build


ASSETS = [
    review_pack_asset(name, authority["data"], authority.get("outputs", f"{OUTPUTS}/{name}"))
    for name, authority in sorted(SETTINGS.get("authorities", {}).items())
]
MONTHLY_JOB = define_asset_job("review_packs_monthly", selection=ASSETS, partitions_def=MONTHS)
MONTHLY_SCHEDULE = build_schedule_from_partitioned_job(MONTHLY_JOB, day_of_month=5, hour_of_day=6)

defs = Definitions(assets=ASSETS, jobs=[MONTHLY_JOB], schedules=[MONTHLY_SCHEDULE])
