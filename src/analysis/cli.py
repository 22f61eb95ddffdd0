"""`review-pack`: the command line. Every command calls the same functions as the notebooks.

Exit codes: 0 success; 1 the inputs have errors, or the period is outside the data (nothing built);
2 the build failed (the last good pack is untouched), or the command line is wrong (argparse's
convention: an unknown option, a malformed --period), with a one-line message; 3 an unexpected
failure (nothing published; set REVIEW_PACK_DEBUG=1 for the traceback); 143 stopped by SIGTERM
(the staging folder is removed; nothing published).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

from analysis.core import paths

log = logging.getLogger("review_pack")


def _synth(args: argparse.Namespace) -> int:
    if args.authorities is not None or args.years is not None:
        if args.format != "csv":
            print("review-pack synth: --format xml writes one authority's returns, not national data", file=sys.stderr)
            return 2
        return _synth_national(args)
    from analysis import synth

    out = args.out or str(paths.SYNTHETIC_DATA)
    written = synth.generate(Path(out), seed=synth.DEFAULT_SEED if args.seed is None else args.seed)
    if args.format == "xml":
        from analysis.synth.xml_writer import write_xml_returns

        xml = write_xml_returns(Path(out))
        written = {k: v for k, v in written.items() if not k.startswith("ssda903/")} | xml
    print(f"wrote {len(written)} files of synthetic data to {out}")
    return 0


def _synth_national(args: argparse.Namespace) -> int:
    """`synth --authorities N --years Y`: the national-scale data set (analysis.synth.national)."""
    from analysis.synth import national

    out = Path(args.out) if args.out else paths.ROOT / "data" / "national"
    authorities = national.DEFAULT_AUTHORITIES if args.authorities is None else args.authorities
    years = national.DEFAULT_YEARS if args.years is None else args.years
    if authorities < 1 or years < 1:
        print("review-pack synth: --authorities and --years must be at least 1", file=sys.stderr)
        return 2
    seed = national.DEFAULT_SEED if args.seed is None else args.seed
    written = national.generate_national(out, authorities=authorities, years=years, seed=seed)
    print(f"wrote {len(written)} files of national synthetic data ({authorities} authorities, {years} years) to {out}")
    return 0


def _no_dfe(args: argparse.Namespace) -> None:
    """`--no-dfe`: leave out the DfE's rule set (analysis.checks.dfe_rules) for this run."""
    if getattr(args, "no_dfe", False):
        from analysis.checks.dfe_rules import SWITCH_VARIABLE

        os.environ[SWITCH_VARIABLE] = "off"


def _validate(args: argparse.Namespace) -> int:
    from analysis.checks.validation import validate_inputs
    from analysis.pack.build import ensure_default_data

    _no_dfe(args)
    folder = ensure_default_data(Path(args.data) if args.data else None)
    report = validate_inputs(folder)
    for finding in report.findings:
        print(finding.message(), file=sys.stderr)
    dfe = report.dfe
    if dfe.status == "checked":
        print(
            f"DfE rules (csc-validator-be-903 {dfe.version}, {', '.join(dfe.years)}): "
            f"{dfe.rules_checked} checked, {len(dfe.failing)} failed"
        )
    else:
        from analysis.checks.dfe_rules import HOW_TO_ADD

        print(f"DfE rules not checked: {dfe.note}" + (f" {HOW_TO_ADD}" if dfe.status == "not installed" else ""))
    print(
        f"checked {len(report.checked_files)} files with {report.checks_run} checks: "
        f"{len(report.errors)} errors, {len(report.warnings)} warnings"
    )
    return 1 if report.errors else 0


def _period_error(args: argparse.Namespace) -> str | None:
    """A one-line usage error when --period is not YYYY-MM (a real month), else None."""
    if not getattr(args, "period", None):
        return None
    from analysis.core.periods import parse_period

    try:
        parse_period(args.period)
    except ValueError as exc:
        return f"review-pack {args.command}: --period: {exc}"
    return None


def _build(args: argparse.Namespace) -> int:
    from analysis.core.errors import BuildError, InvalidInputs
    from analysis.pack.build import build_pack

    _no_dfe(args)
    try:
        result = build_pack(
            Path(args.data) if args.data else None,
            args.period,
            Path(args.out) if args.out else None,
            pdf=args.pdf,
            keep=args.keep,
        )
    except InvalidInputs as exc:
        print(f"review-pack build stopped: {exc}", file=sys.stderr)
        return 1
    except BuildError as exc:
        print(f"review-pack build failed: {exc}", file=sys.stderr)
        return 2
    print(f"review pack written to {result.pack}/index.html")
    return 0


def _metrics(args: argparse.Namespace) -> int:
    """Every metric, unsuppressed: the inputs validated first, as for a build, unless --no-validate."""
    from analysis.core.errors import InputError
    from analysis.core.safe_text import safe_csv
    from analysis.load.inputs import load_inputs
    from analysis.load.ssda903 import check_period
    from analysis.sections.registry import all_metrics
    from analysis.sections.review import default_period

    _no_dfe(args)
    folder = Path(args.data) if args.data else _default_data()  # analysis.pack.build only for the default data
    if args.validate:  # Great Expectations is imported only here
        from analysis.checks.validation import validate_inputs

        report = validate_inputs(folder)
        if report.errors:
            for finding in report.errors:
                print(finding.message(), file=sys.stderr)
            print(
                f"review-pack metrics stopped: the inputs have {len(report.errors)} error(s); no metrics were "
                "written (--no-validate writes them anyway)",
                file=sys.stderr,
            )
            return 1
        checked = f"inputs validated: {len(report.warnings)} warnings"
    else:
        checked = "inputs NOT validated (--no-validate): check them with review-pack validate"
    try:
        inputs = load_inputs(folder)
        period = args.period or default_period(inputs)
        check_period(inputs.episodes, period, folder / "ssda903")
    except InputError as exc:
        print(f"review-pack metrics failed: {exc}", file=sys.stderr)
        return 1
    for note in inputs.notes:
        print(f"WARNING {note}", file=sys.stderr)
    frame = all_metrics(inputs, period)
    Path(args.out).write_text(safe_csv(frame), encoding="utf-8")
    print(f"wrote {frame.height} metrics (unsuppressed: analyst use only; {checked}) to {args.out}")
    return 0


def _default_data() -> Path:
    """The synthetic default data, generated if absent (`analysis.pack.build` is imported only here: it brings the
    notebook and validation machinery, which `metrics` on a given folder does not need)."""
    from analysis.pack.build import ensure_default_data

    return ensure_default_data(None)


def _suites(args: argparse.Namespace) -> int:
    from analysis.checks.suites import write_suites

    for path in write_suites(paths.EXPECTATIONS):
        print(f"wrote {path}")
    return 0


def _docs(args: argparse.Namespace) -> int:
    from analysis.checks import suites
    from analysis.core import definitions

    for name, text in [("metrics.md", definitions.markdown()), ("validation.md", suites.markdown())]:
        target = paths.ROOT / "docs" / name
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(prog="review-pack", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("synth", help="write the synthetic default data (or, with --authorities/--years, national data)")
    s.add_argument(
        "--out", help="folder to write (default: data/synthetic, or data/national with --authorities/--years)"
    )
    s.add_argument("--seed", type=int, help="random seed (default: 884, or 903 for national data)")
    s.add_argument(
        "--format",
        choices=["csv", "xml"],
        default="csv",
        help="form of the SSDA903 returns: CSV files, or one DfE XML file per year (default: csv)",
    )
    s.add_argument("--authorities", type=int, help="national-scale data: number of authorities (default 153)")
    s.add_argument("--years", type=int, help="national-scale data: number of collection years (default 10)")
    s.set_defaults(func=_synth)

    v = sub.add_parser("validate", help="check an input folder; exit 1 on errors")
    v.add_argument("--data", help="input folder (default: the synthetic data)")
    v.add_argument("--no-dfe", action="store_true", help="leave out the DfE's full 903 rule set (the validator)")
    _verbose(v)
    v.set_defaults(func=_validate)

    b = sub.add_parser("build", help="build the review pack")
    b.add_argument("--data", help="input folder (default: the synthetic data)")
    b.add_argument("--period", help="review period YYYY-MM (default: the latest month in the data)")
    b.add_argument("--out", help="outputs folder (default: outputs/)")
    b.add_argument(
        "--pdf",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also write review-pack.pdf with headless Chromium (default: yes)",
    )
    b.add_argument("--no-dfe", action="store_true", help="leave out the DfE's full 903 rule set (the validator)")
    b.add_argument(
        "--keep",
        type=_at_least_one,
        metavar="N",
        help="keep the newest N packs of each period in the outputs folder, removing older ones (never the "
        "one outputs/latest points to); default: keep under [pack] in la.toml, else 10",
    )
    _verbose(b)
    b.set_defaults(func=_build)

    m = sub.add_parser("metrics", help="write every metric, unsuppressed, for analysts (validates the inputs first)")
    m.add_argument("--data", help="input folder (default: the synthetic data)")
    m.add_argument("--period", help="review period YYYY-MM (default: the latest month in the data)")
    m.add_argument("--out", required=True, help="CSV file to write")
    m.add_argument(
        "--validate",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="check the inputs first and write nothing if they have errors (default: yes)",
    )
    m.add_argument("--no-dfe", action="store_true", help="leave out the DfE's full 903 rule set (the validator)")
    _verbose(m)
    m.set_defaults(func=_metrics)

    sub.add_parser("suites", help="rewrite expectations/*.json from analysis.checks.suites").set_defaults(func=_suites)
    sub.add_parser("docs", help="rewrite docs/metrics.md and docs/validation.md").set_defaults(func=_docs)
    return p


def _at_least_one(text: str) -> int:
    """argparse type: a whole number, at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number, at least 1; got {text!r}")
    return value


def _verbose(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--verbose",
        action="store_true",
        help="log everything: each notebook, each file read, and other libraries' messages (default: one line per "
        "stage, and warnings)",
    )


class _Quiet(logging.Filter):
    """The default log: the build's own lines (logger review_pack) and other libraries' warnings and errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        return _own(record) or record.levelno >= logging.WARNING


class _Format(logging.Formatter):
    """`HH:MM:SS message` for the build's own lines (`HH:MM:SS WARNING message` for its warnings); other
    libraries' lines name their logger, so that a line that is not the build's own stands out."""

    def __init__(self) -> None:
        super().__init__(datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        if _own(record):
            level = "" if record.levelno == logging.INFO else f"{record.levelname} "
            self._style._fmt = f"%(asctime)s {level}%(message)s"
        else:
            self._style._fmt = "%(asctime)s [%(name)s] %(levelname)s %(message)s"
        return super().format(record)


def _own(record: logging.LogRecord) -> bool:
    return record.name == "review_pack" or record.name.startswith("review_pack.")


_HANDLER = "review-pack"


def configure_logging(verbose: bool = False) -> None:
    """One handler on stderr: by default one line per stage of ours plus warnings; `verbose` shows the rest."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Format())
    handler.set_name(_HANDLER)
    if not verbose:
        handler.addFilter(_Quiet())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER]:  # ours from an earlier call only
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("review_pack").setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("papermill", "traitlets", "great_expectations"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.WARNING)


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM (a scheduler's timeout): unwind, so that the build removes its staging folder, then exit 143."""
    print(f"review-pack stopped by signal {signum}: nothing was published", file=sys.stderr)
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = parser().parse_args(argv)
    configure_logging(getattr(args, "verbose", False))
    usage = _period_error(args)
    if usage:
        print(usage, file=sys.stderr)
        return 2
    previous = None
    if hasattr(signal, "SIGTERM") and _in_main_thread():
        previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        return args.func(args)
    except Exception as exc:  # the last line of defence: a message, not a traceback, for the scheduled run
        if os.environ.get("REVIEW_PACK_DEBUG"):
            raise
        print(
            f"review-pack {args.command} failed unexpectedly: {type(exc).__name__}: {exc}. "
            "Nothing was published. Set REVIEW_PACK_DEBUG=1 to see the full traceback.",
            file=sys.stderr,
        )
        return 3
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


if __name__ == "__main__":
    sys.exit(main())
