"""Build the review pack: validate, run the notebooks, export HTML, write metrics, publish atomically.

Everything is built in a staging folder under `outputs/`. Only when every step has worked is
the pack moved to `outputs/<period>/<timestamp>/` and `outputs/latest` pointed at it, so a
failed build never overwrites or half-writes the last good pack.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import queue
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import nbformat
import polars as pl

from analysis import __version__, synth
from analysis.core import disclosure, paths
from analysis.core.disclosure import identifiers_in_pack, pack_identifiers
from analysis.core.errors import BuildError, InputError, InvalidInputs
from analysis.core.findings import ValidationReport
from analysis.core.periods import long_month, parse_period
from analysis.core.safe_text import safe_csv
from analysis.load import provenance
from analysis.load.inputs import Inputs, load_inputs
from analysis.load.ssda903 import check_period, coverage_start
from analysis.pack import published
from analysis.pack.pages import analyst_validation_page, data_quality_page, index_page
from analysis.pack.workbook import write_workbook
from analysis.sections import exports
from analysis.sections.registry import SECTIONS, Section
from analysis.sections.review import Parameters, Review

log = logging.getLogger("review_pack")

PACKAGES = [
    "polars",
    "pandas",
    "altair",
    "vl-convert-python",
    "great-expectations",
    "papermill",
    "nbconvert",
]


@dataclass(frozen=True)
class BuildResult:
    """Where the published pack and the analyst-only material went."""

    pack: Path
    analyst: Path
    manifest: dict


def default_period(inputs: Inputs) -> str:
    """The month of the latest date in the episodes (normally the return's 31 March)."""
    from analysis.sections.review import default_period as latest_month

    return latest_month(inputs)


def ensure_default_data(data_dir: Path | None) -> Path:
    """The data folder to use: the one given, or the synthetic default (generated if absent)."""
    if data_dir is not None:
        return Path(data_dir)
    if not (paths.SYNTHETIC_DATA / "la.toml").exists():
        log.info("generating the synthetic default data in %s", paths.SYNTHETIC_DATA)
        synth.generate(paths.SYNTHETIC_DATA)
    return paths.SYNTHETIC_DATA


def build_pack(
    data_dir: Path | None = None,
    period: str | None = None,
    out_root: Path | None = None,
    sections: list[Section] | None = None,
    notebooks_dir: Path | None = None,
    pdf: bool = True,
    parameters: Parameters | None = None,
    keep: int | None = None,
) -> BuildResult:
    """Validate the inputs, compute every section once, render the pages from it, and publish the pack;
    raise on any failure.

    Logs one line per stage with its time (details at DEBUG). First removes what interrupted builds left
    (`remove_stale_staging`); after publishing keeps the newest `keep` packs of each period (default: `keep`
    under `[pack]` in la.toml, else 10; `prune_packs`). A malformed `period` is a ValueError; one the
    returns do not cover is InvalidInputs naming their coverage.

    The notebooks' kernels start at once, while the inputs are validated (`_Notebooks`).
    """
    started = time.perf_counter()
    if period:
        parse_period(period)
    sections = sections if sections is not None else SECTIONS
    notebooks_dir = notebooks_dir or paths.NOTEBOOKS
    stages = Stages()
    notebooks = _Notebooks(sections, notebooks_dir)
    try:
        return _build_pack(
            data_dir, period, out_root, sections, notebooks_dir, pdf, parameters, keep, started, notebooks, stages
        )
    finally:
        notebooks.close()


def _build_pack(
    data_dir: Path | None,
    period: str | None,
    out_root: Path | None,
    sections: list[Section],
    notebooks_dir: Path,
    pdf: bool,
    parameters: Parameters | None,
    keep: int | None,
    started: float,
    notebooks: _Notebooks,
    stages: Stages,
) -> BuildResult:
    """`build_pack`, its notebook kernels started."""
    data_dir = ensure_default_data(data_dir).resolve()
    out_root = (out_root or paths.OUTPUTS).resolve()
    remove_stale_staging(out_root)

    with stages("validation"):
        from analysis.checks.validation import (
            validate_inputs,  # Great Expectations loads here, not on `import analysis.pack.build`
        )

        t0 = time.perf_counter()
        report = validate_inputs(data_dir)
    log.info(
        "validated %s in %.1f s: %d files, %d checks, %d errors, %d warnings",
        data_dir, time.perf_counter() - t0, len(report.checked_files), report.checks_run,
        len(report.errors), len(report.warnings),
    )  # fmt: skip
    if report.errors:
        lines = "\n".join(f.message() for f in report.errors)
        raise InvalidInputs(f"the inputs have {len(report.errors)} error(s); nothing was built:\n{lines}")
    try:
        t0 = time.perf_counter()
        with stages("load"):
            inputs = load_inputs(data_dir)
        loaded = time.perf_counter() - t0
        period = period or default_period(inputs)
        check_period(inputs.episodes, period, data_dir / "ssda903")
    except InputError as exc:
        raise InvalidInputs(str(exc)) from exc
    disclosure.set_policy(inputs.authority.disclosure)
    for note in inputs.notes:
        log.warning("%s", note)
    t0 = time.perf_counter()
    with stages("compute"):
        review = Review.from_inputs(inputs, period, parameters).compute()
    review.timings["load"] = round(loaded, 3)
    log.info("loaded the inputs in %.1f s and computed every section for %s in %.1f s",
             loaded, period, time.perf_counter() - t0)  # fmt: skip

    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    staging = out_root / f"{STAGING}{stamp}-{os.getpid()}"
    pack, analyst = staging / "pack", staging / "analyst"
    pack.mkdir(parents=True)
    analyst.mkdir(parents=True)
    printer: _Printer | None = None
    try:
        nav = [{"href": _page_name(s), "title": s.title} for s in sections] + [
            {"href": "data_quality.html", "title": "Data quality"}
        ]
        footer = _footer(inputs, period, data_dir)
        work = staging / "work"  # child-level: never published, removed with the staging folder
        work.mkdir()
        review_file = review.save(work / "review.pkl")
        run = Run(
            notebooks_dir, staging, data_dir, period, nav, footer, out_root, stamp, review_file, review.parameters
        )
        metrics = review.metrics
        with stages("pages"):
            write_analyst_files(analyst, metrics, report, inputs.merge.changes)
            (pack / "data_quality.html").write_text(data_quality_page(report, inputs, nav, footer), encoding="utf-8")
            (pack / "index.html").write_text(
                index_page(inputs, period, sections, report, nav, footer), encoding="utf-8"
            )
        # Side by side, as many at once as there are cores: the notebooks (each section's page written, then its
        # chart files), the PDF (Chromium prints each page once it is written), and metrics.csv in this thread.
        (pack / "charts").mkdir()
        if pdf:
            printer = _Printer(stages, pack, sections, inputs, period)
            printer.ready("data_quality.html")

        def after(section: Section, shown: exports.Exported) -> None:
            t0, cpu = time.perf_counter(), time.thread_time()
            exports.write_charts(shown.charts, pack / "charts", Path(section.notebook).stem)
            stages.add("charts", t0, time.perf_counter() - t0, time.thread_time() - cpu)
            if printer is not None:
                printer.ready(_page_name(section))

        t0 = time.perf_counter()
        notebooks.start(run, after)
        with stages("metrics_csv", children=False, thread=True):
            (pack / "metrics.csv").write_text(  # hidden cells: the review's one pack-wide decision (Review.figures)
                safe_csv(published.pack_metrics(metrics, inputs.authority.disclosure, review.figures.hidden)),
                encoding="utf-8",
            )
        results = notebooks.wait()
        stages.add("notebooks", t0, time.perf_counter() - t0, notebooks.cpu)
        log.info("rendered %d pages and wrote their charts in %.1f s", len(sections), time.perf_counter() - t0)
        timings = [
            {"notebook": s.notebook, "seconds": round(seconds, 2)}
            for s, (seconds, _) in zip(sections, results, strict=True)
        ]
        shown = [(s, exported) for s, (_, exported) in zip(sections, results, strict=True)]
        t1 = time.perf_counter()
        with stages("workbook", children=False):  # the browser may close meanwhile
            _write_workbook(pack, shown, inputs, period)
        pdf_note = printer.result() if printer is not None else "not requested"
        log.info(
            "wrote metrics.csv, tables.xlsx and the contents; PDF %s; %.1f s after the pages",
            pdf_note, time.perf_counter() - t1,
        )  # fmt: skip
        with stages("identifier_check"):
            leaked = identifiers_in_pack(pack, pack_identifiers(inputs))
        if leaked:
            raise BuildError(
                f"a child identifier appears in {', '.join(sorted(leaked))} (or a social worker id); "
                "the pack was not published"
            )
        manifest = {
            **_manifest(inputs, data_dir, period, timings, report, started),
            "computed_once": {"seconds": review.timings, "parameters": asdict(review.parameters)},
            "stages": stages.record,
            "pdf": pdf_note,
        }
        (pack / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        result = _publish(staging, out_root, period, stamp, manifest)
    finally:
        if printer is not None:
            printer.cancel()  # a build that failed: stop printing before the staging folder goes
        shutil.rmtree(staging, ignore_errors=True)
    log.info("published %s in %.1f s", result.pack, time.perf_counter() - started)
    limit = keep if keep is not None else inputs.authority.keep
    try:
        removed = prune_packs(out_root, limit)
    except OSError as exc:  # the pack is published: a folder that cannot be removed is worth a warning only
        log.warning("could not remove the older packs: %s", exc)
    else:
        if removed:
            log.info("removed %d older pack(s), keeping the newest %d of each period", len(removed), limit)
    return result


#: The name of a build's staging folder under outputs/ starts with this; then the time stamp and the build's pid.
STAGING = ".staging-"
_STAGING_NAME = re.compile(r"\.staging-\d{8}T\d{6}-(\d+)")
_LATEST_TMP_NAME = re.compile(r"\.latest-(\d+)")
_PERIOD_NAME = re.compile(r"\d{4}-\d{2}")
_STAMP_NAME = re.compile(r"(\d{8}T\d{6})(?:-(\d+))?")


def remove_stale_staging(out_root: Path) -> list[Path]:
    """Remove the staging folders (and temporary `latest` links) of builds whose process no longer exists.

    A build killed outright (kill -9, a power cut) cannot clean up after itself, and its staging folder can
    hold executed notebooks and the computed review (child-level). The build's process id is in the name;
    a folder whose process still runs (another build) is left alone. Each removal is logged.
    """
    removed: list[Path] = []
    if not out_root.is_dir():
        return removed
    for path in sorted(out_root.iterdir()):
        match = _STAGING_NAME.fullmatch(path.name) or _LATEST_TMP_NAME.fullmatch(path.name)
        if not match:
            continue
        pid = int(match.group(1))
        if pid == os.getpid() or process_exists(pid):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        log.warning("removed %s, left by an interrupted build (process %d no longer runs)", path.name, pid)
        removed.append(path)
    return removed


def process_exists(pid: int) -> bool:
    """Whether a process with this id runs on this machine (if in doubt, True: nothing is removed)."""
    try:
        import psutil  # a dependency (pyproject.toml); absent only in an unusual install

        return psutil.pid_exists(pid)
    except ImportError:
        pass
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def prune_packs(out_root: Path, keep: int) -> list[Path]:
    """Keep the newest `keep` packs of each period in `out_root`; remove older ones with their analyst folders.

    The pack `outputs/latest` points to is never removed. Returns the packs removed.
    """
    if keep < 1:
        raise ValueError(f"keep must be at least 1; got {keep}")
    if not out_root.is_dir():
        return []
    link = out_root / "latest"
    latest = link.resolve() if link.is_symlink() else None
    removed = []
    for period in sorted(p for p in out_root.iterdir() if p.is_dir() and _PERIOD_NAME.fullmatch(p.name)):
        packs = sorted(
            (p for p in period.iterdir() if p.is_dir() and not p.is_symlink() and _STAMP_NAME.fullmatch(p.name)),
            key=_stamp_order,
        )
        for old in packs[: max(0, len(packs) - keep)]:
            if latest is not None and old.resolve() == latest:
                continue
            shutil.rmtree(old)
            analyst = out_root / "analyst" / period.name / old.name
            if analyst.is_dir():
                shutil.rmtree(analyst)
            log.debug("removed the older pack %s", old)
            removed.append(old)
    return removed


def _stamp_order(path: Path) -> tuple[str, int]:
    """Build order of a pack folder: its time stamp, then the -2, -3 … of builds in the same second."""
    match = _STAMP_NAME.fullmatch(path.name)
    assert match is not None
    return match.group(1), int(match.group(2) or 1)


MARKING = "OFFICIAL-SENSITIVE, analyst only"


def write_analyst_files(
    folder: Path, metrics: pl.DataFrame, report: ValidationReport, merge_changes: pl.DataFrame | None = None
) -> None:
    """The analyst-only material, each text file marked in its first line; never linked from the pack.

    `merge_changes` is `MergeReport.changes`: child by child, the episodes a later return replaced (and whether it
    amended them) and the open episodes of children missing from the next return.
    """
    (folder / "README.txt").write_text(
        f"{MARKING}\n\nThis folder holds child-level and unsuppressed material for the analyst: the executed\n"
        "notebooks, every validation finding with its example values, the metrics without suppression, and\n"
        "the 903 episodes that a later year's return replaced or amended (returns_merged.csv).\n"
        "Never send it with the review pack.\n",
        encoding="utf-8",
    )
    if merge_changes is not None:
        (folder / "returns_merged.csv").write_text(f"# {MARKING}\n{safe_csv(merge_changes)}", encoding="utf-8")
    (folder / "metrics_unsuppressed.csv").write_text(f"# {MARKING}\n{safe_csv(metrics)}", encoding="utf-8")
    (folder / "validation.json").write_text(f'{{"marking": "{MARKING}",\n"report": {report.to_json()}}}\n')
    (folder / "validation.html").write_text(f"<!-- {MARKING} -->\n{analyst_validation_page(report, MARKING)}")


class Stages:
    """When each stage of a build started (seconds into the build), its wall-clock and its CPU seconds, for the
    manifest (`stages`).

    CPU seconds show what a stage costs on a busy machine as well as how long it took. A stage run alone counts
    this process's (every thread) and its finished child processes'. Stages run side by side count their own:
    `notebooks` its worker threads and its kernels (their start while the inputs were validated included),
    `charts` the worker threads' writing of chart files (its seconds are the sum over the notebooks), `pdf`
    its thread and the browser's processes, `metrics_csv` the build's thread.
    """

    def __init__(self) -> None:
        self.record: dict[str, dict[str, float]] = {}
        self._start = time.perf_counter()
        self._lock = threading.Lock()

    def add(self, name: str, started: float, seconds: float, cpu: float) -> None:
        """Record a stage timed elsewhere (another thread), or add a piece to it: `started` is its
        `time.perf_counter()` when it began (the first piece's is kept); seconds and CPU seconds add up."""
        with self._lock:
            record = self.record.setdefault(
                name, {"started": round(started - self._start, 2), "seconds": 0.0, "cpu_seconds": 0.0}
            )
            record["seconds"] = round(record["seconds"] + seconds, 2)
            record["cpu_seconds"] = round(record["cpu_seconds"] + cpu, 2)

    @staticmethod
    def _cpu(children: bool, thread: bool) -> float:
        import resource

        own = time.thread_time() if thread else time.process_time()
        if not children:
            return own
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own + used.ru_utime + used.ru_stime

    @contextmanager
    def __call__(self, name: str, children: bool = True, thread: bool = False) -> Iterator[None]:
        wall, cpu = time.perf_counter(), self._cpu(children, thread)
        try:
            yield
        finally:
            self.add(name, wall, time.perf_counter() - wall, self._cpu(children, thread) - cpu)
            log.debug("stage %s: %s", name, self.record[name])


def _write_workbook(
    pack: Path, shown: list[tuple[Section, exports.Exported]], inputs: Inputs, period: str
) -> list[str]:
    """tables.xlsx, from the tables each page showed."""
    notes = [
        ("Authority", inputs.authority.name),
        ("Review period", long_month(parse_period(period))),
        (
            "Data",
            "SYNTHETIC DATA: made up, describes no real child" if inputs.authority.synthetic else "SSDA903 return",
        ),
        ("Suppression", inputs.authority.disclosure.describe()),
    ]
    return write_workbook(pack / "tables.xlsx", [(s.title, exported.tables) for s, exported in shown], notes)


class _Printer:
    """Prints review-pack.pdf in its own thread (`_write_pdf`), each page once the build says it is written
    (`ready`); the stage `pdf`."""

    def __init__(self, stages: Stages, pack: Path, sections: list[Section], inputs: Inputs, period: str) -> None:
        self._ready: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="review-pack-pdf")
        self._future = self._pool.submit(self._print, stages, pack, sections, inputs, period)

    def _print(self, stages: Stages, pack: Path, sections: list[Section], inputs: Inputs, period: str) -> str:
        t0, cpu, browser = time.perf_counter(), time.thread_time(), []
        try:
            note = _write_pdf(pack, sections, inputs, period, self._ready.get, browser)
        finally:
            stages.add("pdf", t0, time.perf_counter() - t0, time.thread_time() - cpu + sum(browser))
        log.info("PDF %s in %.1f s", note, time.perf_counter() - t0)
        return note

    def ready(self, page: str) -> None:
        """The page (file name in the pack) is written: print it."""
        self._ready.put(page)

    def result(self) -> str:
        """What happened, for the manifest, once every page is printed."""
        try:
            return self._future.result()
        finally:
            self._pool.shutdown()

    def cancel(self) -> None:
        """Stop (the build failed) and wait for the browser to close."""
        self._ready.put(None)
        self._pool.shutdown(wait=True)


def _write_pdf(
    pack: Path,
    sections: list[Section],
    inputs: Inputs,
    period: str,
    ready: Callable[[], str | None] | None = None,
    browser_cpu: list[float] | None = None,
) -> str:
    """Write review-pack.pdf (contents, every section, data quality); return what happened, for the manifest.

    `ready` and `browser_cpu`: see `analysis.pack.pdf.write_pdf`."""
    from analysis.pack.pdf import write_pdf

    pages = [(_page_name(s), s.title) for s in sections] + [("data_quality.html", "Data quality")]
    title = f"{inputs.authority.name} children's services review pack, {long_month(parse_period(period))}"
    try:
        count = write_pdf(pack, pages, title, inputs.authority.synthetic, pack / "review-pack.pdf", ready, browser_cpu)
    except RuntimeError as exc:  # no Chromium on this machine: the HTML pack is still complete
        log.warning("%s", exc)
        return f"skipped: {exc}"
    return f"written: {count} pages"


def _page_name(section: Section) -> str:
    return Path(section.notebook).with_suffix(".html").name


def _footer(inputs: Inputs, period: str, data_dir: Path) -> str:
    """The provenance line on every page: data period, inputs fingerprint, code version, build time, synthetic."""
    start = coverage_start(inputs.episodes)
    span = f"{long_month(start)} to " if start else "up to "
    kind = "SYNTHETIC DATA" if inputs.authority.synthetic else "the authority's data"
    commit = provenance.git_commit()[:10]
    fingerprint = provenance.combined_hash(provenance.input_hashes(data_dir, inputs.files))
    return (
        f"{inputs.authority.name} children's services review pack. Data: {span}{long_month(parse_period(period))}, "
        f"from {kind} (inputs fingerprint {fingerprint}; each file's hash is in manifest.json). "
        f"Built {datetime.now():%d %B %Y at %H:%M} by review-pack {__version__} (commit {commit}). "
        + inputs.authority.disclosure.describe()
    )


@dataclass(frozen=True)
class Run:
    """What every notebook of one build shares: where things are, the parameters, the page frame."""

    notebooks_dir: Path
    staging: Path
    data_dir: Path
    period: str
    nav: list[dict]
    footer: str
    out_root: Path
    stamp: str
    review_file: Path
    settings: Parameters

    @property
    def pack(self) -> Path:
        return self.staging / "pack"

    @property
    def analyst(self) -> Path:
        return self.staging / "analyst"

    def parameters(self, section: Section) -> dict[str, object]:
        """data_dir, period and review_file for every notebook, plus the extra parameters the section takes
        (each with the value the review was computed with)."""
        extra = {"outputs_dir": str(self.out_root), "analyst_dir": str(self.analyst), **asdict(self.settings)}
        return {
            "data_dir": str(self.data_dir),
            "period": self.period,
            "review_file": str(self.review_file),
            **{k: v for k, v in extra.items() if k in section.extra_parameters},
        }


class _Notebooks:
    """Runs every section's notebook (`_run_section`), as many at once as there are cores.

    Each worker thread starts one kernel as soon as the build starts (beside validation, which uses one core),
    imports in it what the notebooks import (`warm_up_code`), and then runs its notebooks in it one after another,
    each with a fresh namespace (`_Kernel`): starting a kernel and importing what the pages need costs more CPU
    than most pages take to render. After a notebook fails no further one is started; `wait` raises the first
    failure (in section order). `close` stops the kernels (a build that stops before its notebooks). `cpu`: the
    CPU seconds of the workers' threads (running the notebooks, writing their pages) and of the kernels.
    """

    def __init__(self, sections: list[Section], notebooks_dir: Path) -> None:
        self.sections = sections
        self.cpu = 0.0
        self._lock = threading.Lock()
        self._todo: queue.SimpleQueue[tuple[int, Section, Run, Callable] | None] = queue.SimpleQueue()
        self._results: dict[int, tuple[float, exports.Exported]] = {}
        self._failures: dict[int, BaseException] = {}
        code = warm_up_code([notebooks_dir / s.notebook for s in sections])
        self._threads = [
            threading.Thread(target=self._work, args=(notebooks_dir, code), name=f"review-pack-notebooks-{n}")
            for n in range(min(len(sections), os.cpu_count() or 1))
        ]
        for thread in self._threads:
            thread.daemon = True
            thread.start()

    def _work(self, notebooks_dir: Path, code: str) -> None:
        kernel = _Kernel()
        cpu = time.thread_time()
        try:
            kernel.warm_up(notebooks_dir, code)
            while (item := self._todo.get()) is not None:
                index, section, run, after = item
                if self._failures:
                    continue
                try:
                    self._results[index] = _run_section(section, run, kernel)
                    done = time.thread_time()
                    after(section, self._results[index][1])
                    cpu -= time.thread_time() - done  # counted by `after`
                except BaseException as exc:  # raised by `wait`, in the build's thread
                    self._failures[index] = exc
        finally:
            kernel_cpu = kernel.shutdown()
            with self._lock:
                self.cpu += time.thread_time() - cpu + kernel_cpu

    def start(self, run: Run, after: Callable[[Section, exports.Exported], None]) -> None:
        """Run every section's notebook; then, in the same worker, `after(section, what its page showed)`."""
        for index, section in enumerate(self.sections):
            self._todo.put((index, section, run, after))

    def wait(self) -> list[tuple[float, exports.Exported]]:
        """Each section's seconds and what its page showed, in section order, once all have run."""
        self.close()
        if self._failures:
            raise self._failures[min(self._failures)]
        return [self._results[i] for i in range(len(self.sections))]

    def close(self) -> None:
        """Let the workers finish what they were given, stop their kernels and end."""
        for thread in self._threads:
            if thread.is_alive():
                self._todo.put(None)
        for thread in self._threads:
            thread.join()
        self._threads = []


def warm_up_code(notebooks: list[Path]) -> str:
    """What a kept kernel runs first: the notebooks' import lines and, if they draw charts, one tiny chart (the
    chart engine starts on its first chart). Any failure is left for the notebook to report."""
    lines: list[str] = []
    for path in notebooks:
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError):
            continue
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            for line in "".join(cell.get("source", "")).splitlines():
                if line.startswith(("import ", "from ")) and line not in lines and _compiles(line):
                    lines.append(line)
    if any("analysis.sections" in line for line in lines):
        lines += [
            "import vl_convert",
            'vl_convert.vegalite_to_svg({"mark": "point", "data": {"values": [{"x": 1}]}, '
            '"encoding": {"x": {"field": "x", "type": "quantitative"}}})',
        ]
    body = "".join(f"    {line}\n" for line in lines) or "    pass\n"
    return f"try:\n{body}except Exception:\n    pass\n"


def _compiles(line: str) -> bool:
    try:
        compile(line, "<notebook>", "exec")
    except SyntaxError:
        return False
    return True


#: Run in a kept kernel after each notebook: a new session (its namespace emptied, numbering from 1); the modules
#: imported stay imported.
FRESH_NAMESPACE = "get_ipython().reset(new_session=True)"


class _Kernel:
    """One notebook kernel, started by the first notebook run in it and kept for the next (in one thread).

    `pm.execute_notebook(..., engine_name=_Kernel.ENGINE, km=kernel.manager())` runs a notebook in it: the
    papermill engine below is papermill's own, except that it leaves the kernel running and, once the notebook
    has run, empties the kernel's namespace (`FRESH_NAMESPACE`) so the next notebook starts as in a new kernel.
    """

    ENGINE = "review-pack-kept-kernel"

    def __init__(self) -> None:
        self._manager: object | None = None

    def manager(self) -> object:
        """The kernel manager (its kernel is started by the first notebook run in it)."""
        _register_engine()
        if self._manager is None:
            self._manager = ipc_kernel_manager()(kernel_name="python3")
        return self._manager

    def warm_up(self, cwd: Path, code: str) -> None:
        """Start the kernel in `cwd` and run `code` in it, then empty its namespace (a failure is only logged:
        the notebook run next reports it)."""
        from nbclient import NotebookClient

        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
        client = NotebookClient(notebook, km=self.manager(), kernel_name="python3", startup_timeout=120, timeout=300)
        try:
            client.execute(cwd=str(cwd))
        except Exception as exc:  # the notebook's own run reports what is wrong
            log.debug("warming up a notebook kernel: %s", exc)
        finally:
            _fresh_namespace(client)

    def shutdown(self) -> float:
        """Stop the kernel, if one was started (in the thread that used it: its event loop); return the CPU
        seconds it used."""
        manager, self._manager = self._manager, None
        if manager is None or not manager.has_kernel:  # type: ignore[attr-defined]
            return 0.0
        from jupyter_core.utils import run_sync

        used = _process_cpu(getattr(getattr(manager, "provisioner", None), "pid", None))
        try:
            run_sync(manager.shutdown_kernel)(now=False)  # type: ignore[attr-defined]
        except Exception as exc:  # the pages are written: only logged
            log.warning("could not stop a notebook kernel: %s", exc)
        return used


def _process_cpu(pid: int | None) -> float:
    """CPU seconds a running process (and its finished children) used so far; 0 if unknown."""
    try:
        import psutil  # a dependency (pyproject.toml); absent only in an unusual install

        used = psutil.Process(pid).cpu_times() if pid else None
    except Exception:  # no psutil, or the process has gone
        return 0.0
    return used.user + used.system + used.children_user + used.children_system if used else 0.0


@cache
def _register_engine() -> None:
    """Register `_Kernel.ENGINE` with papermill."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    class KeptKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(  # papermill's NBClientEngine, keeping the kernel (km) for the next notebook
            cls,
            nb_man: object,
            kernel_name: str,
            log_output: bool = False,
            stdout_file: object = None,
            stderr_file: object = None,
            start_timeout: int = 60,
            execution_timeout: int | None = None,
            **kwargs: object,
        ) -> object:
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            client = PapermillNotebookClient(
                nb_man,
                **merge_kwargs(
                    kwargs,
                    timeout=execution_timeout,
                    startup_timeout=start_timeout,
                    kernel_name=kernel_name,
                    log=logging.getLogger("papermill"),
                    log_output=log_output,
                    stdout_file=stdout_file,
                    stderr_file=stderr_file,
                ),
            )
            # papermill writes the whole notebook before and after every cell (to watch a long run); the build
            # needs it once, when papermill finishes it (or records a failure), so the cells do not save.
            save = nb_man.save  # type: ignore[attr-defined]
            nb_man.save = lambda **kwargs: None  # type: ignore[attr-defined]
            try:
                return client.execute()
            finally:
                nb_man.save = save  # type: ignore[attr-defined]
                _fresh_namespace(client)

    papermill_engines.register(_Kernel.ENGINE, KeptKernelEngine)


def _fresh_namespace(client: Any) -> None:
    """Empty the namespace of the kernel an nbclient client ran in (`FRESH_NAMESPACE`) and close the client."""
    from jupyter_core.utils import run_sync

    if client.kc is None:
        return
    try:
        if run_sync(client.km.is_alive)():
            client.wait_for_reply(client.kc.execute(FRESH_NAMESPACE, silent=True, store_history=False))
    finally:
        client.kc.stop_channels()
        client.kc = None


def _run_section(section: Section, run: Run, kernel: _Kernel) -> tuple[float, exports.Exported]:
    """Execute one notebook with papermill in `kernel` and export it to HTML; return the seconds taken and what
    it showed."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    source = run.notebooks_dir / section.notebook
    executed = run.analyst / "notebooks" / section.notebook
    executed.parent.mkdir(parents=True, exist_ok=True)
    log.debug("running %s", section.notebook)
    t0 = time.perf_counter()
    try:
        pm.execute_notebook(
            str(source),
            str(executed),
            parameters=run.parameters(section),
            kernel_name="python3",
            cwd=str(run.notebooks_dir),
            progress_bar=False,
            log_output=False,
            start_timeout=120,
            execution_timeout=900,
            engine_name=_Kernel.ENGINE,
            km=kernel.manager(),
        )
    except PapermillExecutionError as exc:
        failed = run.out_root / "failed" / run.stamp
        failed.mkdir(parents=True, exist_ok=True)
        if executed.exists():
            shutil.copy2(executed, failed / section.notebook)
        raise BuildError(
            f"notebook {section.notebook} failed at cell {exc.cell_index} ({exc.ename}: {exc.evalue}); "
            f"the executed notebook is in {failed}; the last good pack is untouched"
        ) from exc
    except Exception as exc:  # kernel died, timed out, or could not start
        raise BuildError(f"notebook {section.notebook} could not be run: {exc}") from exc
    seconds = time.perf_counter() - t0
    log.debug("ran %s in %.1f s", section.notebook, seconds)
    marked = nbformat.read(executed, as_version=4)
    shown = exports.collect(marked)
    marked.metadata["review_pack"] = {"marking": MARKING}
    nbformat.write(marked, executed)
    page_nav = [{**item, "current": item["href"] == _page_name(section)} for item in run.nav]
    html = export_html(marked, section.title, page_nav, run.footer)  # changes `marked`: it is written already
    (run.pack / _page_name(section)).write_text(html, encoding="utf-8")
    return seconds, shown


@cache
def ipc_kernel_manager() -> type:
    """The kernel manager the notebooks run under: ZeroMQ over local sockets (IPC), not TCP.

    Over TCP the kernel warns that its traffic is unencrypted, once per notebook, in every build's log;
    local sockets are not on the network at all. Each kernel gets its own private folder (mode 700) for its
    sockets, so kernels run side by side never share one, and the folder goes when the kernel is cleaned up.
    On Windows, which has no IPC transport, kernels use TCP as before.
    """
    from jupyter_client.manager import AsyncKernelManager

    if os.name != "posix":
        return AsyncKernelManager

    class IpcKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: object) -> None:
            super().__init__(**kwargs)
            self._socket_dir = tempfile.mkdtemp(prefix="review-pack-kernel-")
            self.transport = "ipc"
            self.ip = os.path.join(self._socket_dir, "kernel")

        async def _async_interrupt_kernel(self) -> None:
            # jupyter_client interrupts (SIGINT) before asking a kernel to shut down; a kernel that has
            # finished needs no interrupt, and one that gets it as it exits logs "KeyboardInterrupt caught".
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

        async def cleanup_resources(self, restart: bool = False) -> None:
            await super().cleanup_resources(restart=restart)
            if not restart:
                shutil.rmtree(self._socket_dir, ignore_errors=True)

    return IpcKernelManager


def export_html(notebook: Path | nbformat.NotebookNode, title: str, nav: list[dict], footer: str) -> str:
    """The executed notebook (a file, or one read already, which this changes) as a self-contained HTML page:
    no code, no parameters, no stderr."""
    nb = notebook if isinstance(notebook, nbformat.NotebookNode) else nbformat.read(notebook, as_version=4)
    nb.metadata["title"] = title
    nb.metadata.pop("review_pack", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
    exporter, lock = _html_exporter()
    with lock:  # one exporter (its templates compiled once), used by one notebook at a time
        body, _ = exporter.from_notebook_node(
            nb, resources={"metadata": {"name": title}, "pack_nav": nav, "pack_footer": footer}
        )
    return body


@cache
def _html_exporter() -> tuple[object, threading.Lock]:
    """nbconvert's HTML exporter with the pack's template and settings, and a lock to use it by."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.language_code = "en"
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = (
        "parameters",
        "injected-parameters",
        "remove_cell",
    )
    config.TemplateExporter.extra_template_basedirs = [str(paths.TEMPLATES)]
    return HTMLExporter(config=config, template_name="offline"), threading.Lock()


def _manifest(inputs: Inputs, data_dir: Path, period: str, timings: list[dict], report, started: float) -> dict:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "review_pack_version": __version__,
        "git_commit": provenance.git_commit(),
        "built_at": datetime.now().isoformat(timespec="seconds"),
        "parameters": {"data_dir": str(data_dir), "period": period},
        "authority": {"code": inputs.authority.code, "name": inputs.authority.name},
        "synthetic": inputs.authority.synthetic,
        "inputs": [
            {"path": str(p.relative_to(data_dir)), "sha256": provenance.sha256(p), "bytes": p.stat().st_size}
            for p in inputs.files
        ],
        "inputs_fingerprint": provenance.combined_hash(provenance.input_hashes(data_dir, inputs.files)),
        "definitions": provenance.definition_hashes(),
        "validation": {
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "checks": report.checks_run,
            "dfe_rules": {
                "status": report.dfe.status,
                "validator": f"csc-validator-be-903 {report.dfe.version}" if report.dfe.version else "",
                "rules_checked": report.dfe.rules_checked,
                "rules_failed": [r["rule"] for r in report.dfe.failing],
            },
        },
        "notebooks": timings,
        "seconds": round(time.perf_counter() - started, 2),
        "python": platform.python_version(),
        "packages": versions,
    }


def _publish(staging: Path, out_root: Path, period: str, stamp: str, manifest: dict) -> BuildResult:
    """Move the finished pack into place and repoint `outputs/latest` atomically."""
    final = out_root / period / stamp
    n = 1
    while final.exists():
        n += 1
        final = out_root / period / f"{stamp}-{n}"
    analyst = out_root / "analyst" / period / final.name
    analyst.parent.mkdir(parents=True, exist_ok=True)
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staging / "analyst", analyst)
    os.replace(staging / "pack", final)
    link = out_root / "latest"
    tmp_link = out_root / f".latest-{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(final.relative_to(out_root))
    os.replace(tmp_link, link)
    return BuildResult(pack=final, analyst=analyst, manifest=manifest)
