"""Build the review pack for every authority in a config file, one after another: the entry point for cron.

    python deploy/run_all.py --config /opt/review-pack/deploy/authorities.toml [--period YYYY-MM]

For each `[authorities.<name>]` in the config (see authorities.example.toml) it runs
`review-pack build --data <data> --out <outputs>/<name> [--period P]`, writing that build's
output to `<outputs>/<name>/logs/<timestamp>.log`; then, if the config has `[national]`, the
national figures (`python -m analysis.metrics.national`). It prints one line per authority and
nothing else, so cron mails a short summary; the details are in the logs.

Builds run one at a time: each already keeps both cores of a small machine busy, and a
failure in one never stops the others. Exit code: the worst of the builds, 0 all built;
1 some inputs were invalid (nothing was built for them; their last good pack is untouched);
2 some build failed (likewise). Any other failure (command missing, killed) counts as 2.
Only the standard library is used, so any Python 3.11 can run it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import tomllib
from pathlib import Path

OK, INVALID, FAILED = 0, 1, 2
MEANING = {OK: "built", INVALID: "inputs invalid, nothing built", FAILED: "build failed, last good pack untouched"}
DEFAULT_CONFIG = os.environ.get("REVIEW_PACK_CONFIG", str(Path(__file__).with_name("authorities.example.toml")))


def load_config(path: Path) -> dict:
    """The config as a dict, with `review_pack` and `outputs` filled in from [defaults]."""
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    defaults = config.get("defaults", {})
    config.setdefault("authorities", {})
    config["review_pack"] = defaults.get("review_pack", "review-pack")
    config["outputs"] = defaults.get("outputs", "outputs")
    return config


def run(command: list[str], log: Path) -> int:
    """Run `command` with its output in `log`; its exit code (127 when it cannot be started)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as handle:
        handle.write(f"$ {' '.join(command)}\n")
        handle.flush()
        try:
            return subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, check=False).returncode
        except OSError as exc:
            handle.write(f"could not start: {exc}\n")
            return 127


def outcome(code: int) -> int:
    """0, 1 or 2 (any other exit code is a failed build)."""
    return code if code in (OK, INVALID, FAILED) else FAILED


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=DEFAULT_CONFIG, help="authorities file (default: $REVIEW_PACK_CONFIG)")
    parser.add_argument("--period", help="review period YYYY-MM (default: each build's latest month in its data)")
    args = parser.parse_args(argv)
    config = load_config(Path(args.config))
    stamp = datetime.datetime.now().strftime("%Y%m%dT%H%M%S")
    worst = OK
    for name, authority in sorted(config["authorities"].items()):
        out = Path(authority.get("outputs", Path(config["outputs"]) / name))
        command = [config["review_pack"], "build", "--data", authority["data"], "--out", str(out)]
        if args.period:
            command += ["--period", args.period]
        log = out / "logs" / f"{stamp}.log"
        code = outcome(run(command, log))
        worst = max(worst, code)
        print(f"{name}: {MEANING[code]} (exit {code}); log {log}")
    national = config.get("national")
    if national:
        python = str(Path(config["review_pack"]).with_name("python"))
        out = Path(national["outputs"]) / stamp / "metrics.csv"
        command = [python, "-m", "analysis.metrics.national", "--data", national["data"], "--out", str(out)]
        log = Path(national["outputs"]) / "logs" / f"{stamp}.log"
        code = FAILED if run(command, log) else OK
        worst = max(worst, code)
        print(f"national: {'written to ' + str(out.parent) if code == OK else 'failed'} (exit {code}); log {log}")
    return worst


if __name__ == "__main__":
    sys.exit(main())
