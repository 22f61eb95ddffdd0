"""The analyst's workbench in a real client: JupyterLab on the synthetic data, driven in Chromium.

A workspace laid out like the repository (notebooks/ with a section notebook, work/ seeded by
`make lab-workspace`) is served by JupyterLab with the repository's jupyter_server_config.py, on a
free local port with a token. Chromium (offline: every request that is not to that server is
refused) opens work/explore.ipynb and runs all cells. Whether they finished, and without an error,
is read from the kernel itself (its messages, on a second connection to the kernel), not from the
page, which does not render cells that are off screen. Then: a chart is on the page, the saved
notebook holds every output, and saving a notebook under notebooks/ strips its outputs.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import CHROMIUM_ARGS, chromium_path

from analysis.core import paths

REPO = Path(__file__).resolve().parents[1]
TOKEN = uuid.uuid4().hex
RUN_TIMEOUT = 300  # seconds for every cell: the notebook takes about 25 s alone on a quiet machine

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base: str, path: str, method: str = "GET", body: dict | None = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{base}{path}", data=data, method=method, headers={"Authorization": f"token {TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


@pytest.fixture(scope="module")
def lab(synthetic: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """JupyterLab serving a repository-like workspace; yields (base URL, workspace)."""
    root = tmp_path_factory.mktemp("checkout")
    (root / "notebooks").mkdir()
    shutil.copy(paths.NOTEBOOKS / "01_children_in_care.ipynb", root / "notebooks" / "section.ipynb")
    seeded = subprocess.run(
        ["make", "-s", "-C", str(REPO), "lab-workspace", f"PY={sys.executable}", f"WORK={root / 'work'}",
         f"DATA={synthetic}", "PERIOD=2024-03"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "src"),  # the kernel imports this checkout's package
        "REVIEW_PACK_ROOT": str(root),  # the pre-save hook's notebooks/ is the workspace's
        "JUPYTERLAB_SETTINGS_DIR": str(root / ".lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(root / ".lab-workspaces"),
        "JUPYTER_RUNTIME_DIR": str(root / ".runtime"),
    }
    log = (root / "lab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", f"--config={REPO / 'jupyter_server_config.py'}",
         f"--ServerApp.root_dir={root}", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}", "--LabApp.expose_app_in_browser=True",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                api(base, "/api/status")
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start")
        assert server.poll() is None, (root / "lab.log").read_text()
        yield base, root
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def code_cells(path: Path) -> list[dict]:
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def test_make_lab_seeds_a_copy_set_to_the_analysts_data(lab: tuple[str, Path], synthetic: Path) -> None:
    _, root = lab
    cells = code_cells(root / "work" / "explore.ipynb")
    injected = [c for c in cells if "injected-parameters" in c["metadata"].get("tags", [])]
    assert len(injected) == 1
    assert f'data_dir = "{synthetic}"' in "".join(injected[0]["source"])
    assert all(not c["outputs"] for c in cells)
    # Git ignores the workspace.
    ignored = subprocess.run(["git", "check-ignore", "-q", "work/explore.ipynb"], cwd=REPO, check=False)
    assert ignored.returncode == 0


def kernel_messages(base: str, kernel_id: str) -> object:
    """A second connection to the kernel: it receives every message the kernel broadcasts (IOPub)."""
    import websocket

    url = base.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"
    return websocket.create_connection(url, header=[f"Authorization: token {TOKEN}"], timeout=0.2)


def wait_for_session(base: str, path: str, page: object) -> str:
    """The id of the notebook's kernel once it is idle (waiting in the page: Playwright serves the page's
    requests only while the test is inside a Playwright call)."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        for session in api(base, "/api/sessions"):  # type: ignore[union-attr]
            if session["path"] == path and session["kernel"]["execution_state"] == "idle":
                return session["kernel"]["id"]
        page.wait_for_timeout(500)  # type: ignore[attr-defined]
    pytest.fail(f"no idle kernel for {path}")


def every_cell_ran(page: object, base: str, kernel_id: str) -> bool:
    """Every code cell of the open notebook has an execution count and the kernel is idle (what the page shows)."""
    counted = page.evaluate(  # type: ignore[attr-defined]
        "() => window.jupyterapp.shell.currentWidget.content.widgets"
        ".every(w => w.model.type !== 'code' || w.model.executionCount !== null)"
    )
    kernels = [s["kernel"] for s in api(base, "/api/sessions") if s["kernel"]["id"] == kernel_id]  # type: ignore[union-attr]
    return bool(counted) and bool(kernels) and kernels[0]["execution_state"] == "idle"


def test_run_all_in_chromium_finishes_without_an_error_and_draws_charts(lab: tuple[str, Path]) -> None:
    from playwright.sync_api import sync_playwright

    base, root = lab
    notebook = root / "work" / "explore.ipynb"
    cells = len(code_cells(notebook))
    refused: list[str] = []

    def route(r: object) -> None:
        url = r.request.url  # type: ignore[attr-defined]
        if url.startswith((base, base.replace("http", "ws", 1), "data:", "blob:", "about:")):
            r.continue_()  # type: ignore[attr-defined]
        else:
            refused.append(url)
            r.abort()  # type: ignore[attr-defined]

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.route("**/*", route)
            page.goto(f"{base}/lab/tree/work/explore.ipynb?token={TOKEN}")
            kernel_id = wait_for_session(base, "work/explore.ipynb", page)
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget?.content")
            ws = kernel_messages(base, kernel_id)
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")

            # The completion signal, from the kernel: every cell's request executed and answered.
            executed: list[str] = []
            finished: set[str] = set()
            errors: list[str] = []
            svgs = 0
            deadline = time.monotonic() + RUN_TIMEOUT
            look = time.monotonic() + 5
            while not (len(executed) == cells and finished >= set(executed)):
                assert time.monotonic() < deadline, f"{len(finished)} of {cells} cells finished in {RUN_TIMEOUT}s"
                if time.monotonic() > look:  # the second connection may join IOPub after the first cell's messages
                    look = time.monotonic() + 2
                    if executed and finished >= set(executed) and every_cell_ran(page, base, kernel_id):
                        break
                try:
                    msg = json.loads(ws.recv())
                except Exception:  # a timeout: nothing from the kernel just now; let the page work
                    page.wait_for_timeout(100)
                    continue
                kind, parent = msg["msg_type"], msg["parent_header"].get("msg_id")
                if kind == "execute_input" and parent not in executed:
                    executed.append(parent)
                elif kind == "error":
                    errors.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")
                elif kind in {"display_data", "execute_result"} and "image/svg+xml" in msg["content"]["data"]:
                    svgs += 1
                elif kind == "status" and msg["content"]["execution_state"] == "idle" and parent in executed:
                    finished.add(parent)
            ws.close()
            assert not errors, errors
            assert svgs == 5, f"{svgs} charts from the kernel"

            # A chart is on the page (scrolled to, as JupyterLab renders cells near the screen).
            chart = page.locator(".jp-OutputArea-output img, .jp-RenderedSVG svg, .jp-RenderedSVG img").last
            chart.scroll_into_view_if_needed(timeout=30_000)
            chart.wait_for(state="visible", timeout=30_000)
            box = chart.bounding_box()
            assert box and box["width"] > 100 and box["height"] > 50

            # Saved from the page into work/: every cell ran once, outputs kept (work/ is the analyst's).
            page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
            deadline = time.monotonic() + 30
            while any(c["execution_count"] is None for c in code_cells(notebook)):
                assert time.monotonic() < deadline, "the notebook was not saved"
                page.wait_for_timeout(500)
        finally:
            browser.close()
    saved = code_cells(notebook)
    assert not [o for c in saved for o in c["outputs"] if o["output_type"] == "error"]
    assert sum("image/svg+xml" in o.get("data", {}) for c in saved for o in c["outputs"]) == 5
    assert not refused, refused


def test_saving_a_section_notebook_strips_its_outputs_but_work_keeps_them(lab: tuple[str, Path]) -> None:
    base, root = lab
    model = api(base, "/api/contents/notebooks/section.ipynb")
    content = model["content"]  # type: ignore[index]
    for cell in content["cells"]:
        if cell["cell_type"] == "code":
            cell["execution_count"] = 1
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "a child-level figure\n"}]
    for path in ("notebooks/section.ipynb", "work/scratch.ipynb"):
        api(base, f"/api/contents/{path}", "PUT", {"type": "notebook", "format": "json", "content": content})
    section = code_cells(root / "notebooks" / "section.ipynb")
    assert all(not c["outputs"] and c["execution_count"] is None for c in section)
    scratch = code_cells(root / "work" / "scratch.ipynb")
    assert all(c["outputs"] and c["execution_count"] == 1 for c in scratch)
