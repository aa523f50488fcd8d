"""The README's ``make ui``, run as a newcomer would: the virtual environment not activated
(``.venv/bin`` not on PATH, so no ``dbt`` and no ``dagster`` there). ``dagster dev`` (webserver,
daemon, code server) loads the code location, which re-parses the dbt project with the
environment's own dbt; the asset graph shows the lineage from ``raw/*`` to the extracts and the
site, over GraphQL and in a headless chromium (screenshot in tests/artifacts/).

Isolated from the developer's instance and files: a temporary DAGSTER_HOME (a Makefile variable
on the command line, as ``PORT``), an empty warehouse folder and an empty drop zone, so that the
daemon's sensors find nothing to run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from webserver_harness import free_port, graphql

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
ASSETS = "{ assetNodes { assetKey { path } dependencyKeys { path } } }"
LOCATIONS = """{ workspaceOrError { __typename ... on Workspace { locationEntries {
  name loadStatus locationOrLoadError { __typename ... on PythonError { message } } } } } }"""

pytestmark = pytest.mark.slow


def _path_without_venv() -> str:
    keep = []
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if entry and Path(entry).resolve() != VENV_BIN.resolve():
            keep.append(entry)
    return os.pathsep.join(keep)


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the whole process group (make, dagster dev, webserver, daemon, code server),
    then SIGKILL to whatever is left. Not a test of a graceful shutdown: under load dagster dev
    took 45 s to stop, a worker's time that other tests need (issue 13)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def _location_error(port: int) -> str | None:
    data = graphql(port, LOCATIONS).get("data") or {}
    for entry in (data.get("workspaceOrError") or {}).get("locationEntries") or []:
        loaded = entry.get("locationOrLoadError") or {}
        if loaded.get("__typename") == "PythonError":
            return f"{entry['name']}: {loaded['message']}"
    return None


@pytest.fixture(scope="module")
def make_ui(tmp_path_factory):
    """``make ui PORT=<free port>`` in the background, as its own process group; yields the
    port once the asset graph is served."""
    base = tmp_path_factory.mktemp("make_ui")
    raw = base / "raw"
    for section in ("ssi", "national", "flagship", "reference", "published"):
        (raw / section).mkdir(parents=True)
    path = _path_without_venv()
    assert shutil.which("dbt", path=path) is None, "a dbt outside the venv is on PATH"
    assert shutil.which("dagster", path=path) is None, "a dagster outside the venv is on PATH"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env |= {
        "PATH": path,
        "FLOORBOARD_WAREHOUSE_DIR": str(base / "warehouse"),
        "FLOORBOARD_RAW_DIR": str(raw),
    }
    port = free_port()
    log_path = base / "make_ui.log"
    started = time.monotonic()
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            ["make", "ui", f"PORT={port}", f"DAGSTER_HOME={base / 'dagster_home'}"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as a whole
        )
        try:
            deadline = started + 600
            while True:
                if proc.poll() is not None:
                    pytest.fail(
                        f"make ui exited ({proc.returncode}): {log_path.read_text()[-3000:]}"
                    )
                if time.monotonic() > deadline:
                    pytest.fail(f"no asset graph within 600 s: {log_path.read_text()[-3000:]}")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2):
                        pass
                    error = _location_error(port)
                    if error:
                        pytest.fail(f"the code location failed to load: {error}")
                    if (graphql(port, ASSETS).get("data") or {}).get("assetNodes"):
                        break
                except OSError:
                    pass
                time.sleep(2)
            print(f"make ui served the asset graph after {time.monotonic() - started:.0f} s")
            yield port
        finally:
            _stop(proc)


def test_make_ui_loads_the_code_location_without_the_venv_on_path(make_ui):
    data = graphql(make_ui, LOCATIONS)
    entries = data["data"]["workspaceOrError"]["locationEntries"]
    assert entries, data
    for entry in entries:
        assert entry["loadStatus"] == "LOADED", entry
        assert entry["locationOrLoadError"]["__typename"] == "RepositoryLocation", entry


def test_make_ui_lineage_from_raw_to_extracts_and_site(make_ui):
    data = graphql(make_ui, ASSETS)
    assert "errors" not in data, data
    deps = {
        "/".join(n["assetKey"]["path"]): {"/".join(d["path"]) for d in n["dependencyKeys"]}
        for n in data["data"]["assetNodes"]
    }

    def ancestors(key: str) -> set[str]:
        seen, todo = set(), [key]
        while todo:
            for parent in deps.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    raw = {k for k in deps if k.startswith("raw/")}
    assert {"raw/ssi_submissions", "raw/national_statistics", "raw/reference_code_lists"} <= raw
    for end in ("extracts/sdg_files", "extracts/release_manifest", "site/country_pages"):
        up = ancestors(end)
        assert "warehouse/floorboard_duckdb" in up, end
        assert "marts/sdg_indicators" in up, end
        assert {"raw/ssi_submissions", "raw/national_statistics"} <= up, (end, sorted(up))
    assert {"landing/ssi_submissions", "staging/stg_ssi__beneficiaries"} <= ancestors(
        "marts/sdg_indicators"
    )


def test_make_ui_draws_the_lineage_of_sdg_indicators(make_ui):
    """The UI served by ``make ui`` draws the lineage of marts/sdg_indicators in a headless
    chromium; screenshot: tests/artifacts/make_ui_sdg_indicators_lineage.png."""
    from browser import chromium_page

    artifacts = REPO / "tests" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shot = artifacts / "make_ui_sdg_indicators_lineage.png"
    with chromium_page() as (page, errors):
        page.set_viewport_size({"width": 1600, "height": 1000})
        page.goto(
            f"http://127.0.0.1:{make_ui}/assets/marts/sdg_indicators"
            "?view=lineage&lineageScope=upstream&lineageDepth=1",
            wait_until="networkidle",
        )
        skip = page.get_by_text("Skip", exact=True)  # the first-visit newsletter dialog
        if skip.count():
            skip.first.click()
        for name in ("dim_country", "fct_effective_coverage", "fct_uhc_service_coverage"):
            page.get_by_text(name, exact=True).first.wait_for(timeout=120_000)
        assert page.locator("svg").count() > 0
        assert not [e for e in errors if "failed request" not in e], errors
        page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")
