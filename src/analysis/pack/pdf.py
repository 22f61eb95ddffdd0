"""review-pack.pdf: the whole pack in one PDF, printed by headless Chromium, with a contents page.

Chromium comes from the system (Debian's `chromium` package; `make pack` installs it) and is
driven through Playwright with every network request refused, exactly as the browser tests do.
"""

from __future__ import annotations

import html
import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from analysis.pack.pages import render

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


def chromium() -> str | None:
    """The system Chromium ($CHROMIUM or on the PATH), or None."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def _printer(browser: object) -> object:
    """One browser tab that prints every page in turn (a tab per page costs about twice the CPU), refusing
    every request that is not for a local file or a data URI."""
    page = browser.new_page()  # type: ignore[attr-defined]
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    page.emulate_media(media="print")
    return page


def _print(printer: object, path: Path) -> bytes:
    """The page at `path` printed to PDF (A4, with its backgrounds) by the tab from `_printer`."""
    printer.goto(path.resolve().as_uri())  # type: ignore[attr-defined]
    return printer.pdf(  # type: ignore[attr-defined]
        format="A4", print_background=True, margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"}
    )


class Cancelled(Exception):
    """The build stopped before every page was written: no PDF."""


def write_pdf(
    pack: Path,
    pages: list[tuple[str, str]],
    title: str,
    synthetic: bool,
    out: Path,
    ready: Callable[[], str | None] | None = None,
    chromium_cpu: list[float] | None = None,
) -> int:
    """Print each page (file name, title) and a contents page into one PDF; return its page count.

    With `ready`, pages are printed as they are written: `ready()` blocks until another page is written and
    returns its file name (None: the build stopped, raise `Cancelled`); without it, every page is written
    already. `chromium_cpu`, if given, gets the CPU seconds the browser's processes used.
    """
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader, PdfWriter

    executable = chromium()
    if executable is None:
        raise RuntimeError("Chromium is not installed (apt-get install chromium), so no PDF was written")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            printer = _printer(browser)
            printed: dict[str, bytes] = {}
            while len(printed) < len(pages):
                name = ready() if ready else pages[len(printed)][0]
                if name is None:
                    raise Cancelled
                printed[name] = _print(printer, pack / name)
            sections = [(name, label, printed[name]) for name, label in pages]
            first, rows = 2, []
            for _, label, data in sections:
                rows.append(f'<tr><td>{html.escape(label)}</td><td class="num">{first}</td></tr>')
                first += len(PdfReader(io.BytesIO(data)).pages)
            body = (
                f"<h1>{html.escape(title)}</h1><h2>Contents</h2>"
                '<table class="rp-table"><caption>Sections and the page each starts on</caption>'
                '<thead><tr><th scope="col">Section</th><th scope="col">Page</th></tr></thead>'
                f"<tbody>{''.join(rows)}</tbody></table>"
            )
            contents_file = pack / ".contents.html"
            contents_file.write_text(render("Contents", body, nav=[], footer=title, synthetic=synthetic))
            contents = _print(printer, contents_file)
            contents_file.unlink()
        finally:
            if chromium_cpu is not None:
                chromium_cpu.append(_descendants_cpu())
            browser.close()
    writer = PdfWriter()
    for data in [contents, *(d for _, _, d in sections)]:
        for page in PdfReader(io.BytesIO(data)).pages:
            writer.add_page(page)
    writer.add_metadata({"/Title": title})
    with out.open("wb") as handle:
        writer.write(handle)
    return len(writer.pages)


def _descendants_cpu() -> float:
    """CPU seconds of this process's descendants other than Python ones (the browser and Playwright's driver)."""
    try:
        import psutil  # a dependency (pyproject.toml); absent only in an unusual install
    except ImportError:
        return 0.0
    total = 0.0
    for process in psutil.Process().children(recursive=True):
        try:
            if process.name().startswith("python"):
                continue
            used = process.cpu_times()
            total += used.user + used.system + used.children_user + used.children_system
        except psutil.Error:
            continue
    return total
