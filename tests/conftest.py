"""Shared fixtures: the real-data folder, and one in-process build of the bundled sample."""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import pytest
from filelock import FileLock

REPO = Path(__file__).resolve().parents[1]
REAL_DATA = Path(os.environ.get("FLOORBOARD_REAL_DATA", REPO.parent / "shared" / "data" / "real"))


@pytest.fixture(scope="session")
def real_dir() -> Path:
    """``../shared/data/real``; skipped outside CI when absent, a failure in CI."""
    if not REAL_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"real data folder {REAL_DATA} is missing in CI")
        pytest.skip(f"real data folder {REAL_DATA} not available")
    return REAL_DATA


def built_once(tmp_path_factory, name: str, build: Callable[[Path], dict]) -> tuple[Path, dict]:
    """Build an expensive test input once per test session, even with pytest-xdist workers
    (``make test`` runs two): the first worker builds it under a file lock in the temp folder
    the workers share, the others wait and reuse it. ``build(folder)`` returns JSON-able info."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by every worker of this session
    folder = root / f"shared-{name}"
    with FileLock(str(folder) + ".lock"):
        done = folder / ".built.json"
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            done.write_text(json.dumps(build(folder)), encoding="utf-8")
        return folder, json.loads(done.read_text(encoding="utf-8"))


def dbt_log_of_run(run_id: str) -> str:
    """The log file(s) of the dbt build of pipeline run ``run_id``: dbt.log in the target folder
    of its invocation (``partial_parse.target_path`` names it after the run)."""
    logs = list((REPO / "dbt_project" / "target").glob(f"floorboard_dbt-{run_id[:7]}-*/dbt.log"))
    assert logs, f"no dbt log of run {run_id}"
    return "".join(log.read_text(encoding="utf-8", errors="replace") for log in logs)


def run_pipeline(warehouse: Path, raw: Path | None = None, release_files: bool = True) -> None:
    """One ``make run`` in-process (fresh Dagster instance) on ``raw`` into ``warehouse``;
    ``release_files=False``: without the release files and the country pages."""
    from pipelines import run

    env = {"FLOORBOARD_WAREHOUSE_DIR": str(warehouse)}
    if raw is not None:
        env["FLOORBOARD_RAW_DIR"] = str(raw)
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with dg.instance_for_test() as instance:
            assert run.run(instance, release_files=release_files) == 0
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> Path:
    """Materialize the whole asset graph in-process on the bundled sample (raw/) into a
    temporary warehouse folder (once per session); returns the warehouse folder. Read-only for
    tests: change a ``warehouse_copy``."""

    def build(wh: Path) -> dict:
        run_pipeline(wh)
        assert (wh / "floorboard.duckdb").exists()
        return {}

    wh, _ = built_once(tmp_path_factory, "sample_warehouse", build)
    return wh


@pytest.fixture
def warehouse_copy(sample_warehouse: Path, tmp_path: Path) -> Path:
    """A private copy of the sample warehouse folder that a test may change."""
    target = tmp_path / "warehouse"
    shutil.copytree(sample_warehouse, target, ignore=shutil.ignore_patterns("build"))
    return target


CHANGED = ("URY", "2020")
NEW_BIRTHS = 60000


def _set_births(raw: Path) -> int:
    path = raw / "national" / "births.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    old = None
    for row in rows[1:]:
        if (row[0], row[1]) == CHANGED:
            old = int(row[2])
            row[2] = str(NEW_BIRTHS)
    assert old is not None and old != NEW_BIRTHS
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return old


@pytest.fixture(scope="session")
def two_releases(sample_warehouse: Path, tmp_path_factory) -> dict:
    """The sample warehouse (release 1), then a run with URY 2020 births changed (release 2)."""

    def build(base: Path) -> dict:
        wh = base / "warehouse"
        shutil.copytree(
            sample_warehouse, wh, ignore=shutil.ignore_patterns("build", "extracts", "site")
        )
        raw = base / "raw"
        shutil.copytree(REPO / "raw", raw)
        old_births = _set_births(raw)
        shutil.copyfile(wh / "floorboard.duckdb", base / "release1.duckdb")
        # the releases and their history are looked at, not the second release's files or pages
        run_pipeline(wh, raw, release_files=False)
        return {"old_births": old_births}

    base, info = built_once(tmp_path_factory, "two_releases", build)
    return {
        "warehouse": base / "warehouse",
        "first": base / "release1.duckdb",
        "old_births": info["old_births"],
    }


#: modules that take minutes, longest first (measured on a fresh clone, 2 cores): ``make test``
#: hands modules to its three xdist workers in this order (``--no-loadscope-reorder``; xdist's
#: default order is by number of tests), and a worker takes the next module when it is almost
#: done. The fault injection (two to three minutes, one worker) starts at once while a second worker
#: builds the sample warehouse that most modules share and the third the real-data worlds;
#: short modules end the run, so the workers finish together.
SLOW_FIRST = (
    "test_fault_injection.py",  # a pipeline run per kill point
    "test_indicators_by_hand.py",  # the first to need the sample warehouse: builds it
    "test_reconciliation_real.py",  # four real-derived worlds landed and built
    "test_dropzone.py",
    "test_concurrency.py",
    "test_site.py",  # every page in chromium
    "test_end_to_end.py",  # a second run of the sample
    "test_lint.py",
    "test_cli.py",
    "test_broken_submission.py",
    "test_dbt_docs.py",
    "test_registry_spark.py",
    "test_publish.py",
    "test_uhc_real.py",
    "test_releases.py",
    "test_make_ui.py",
    "test_dbt_unit_tests.py",
    "test_bench.py",
)


#: fixtures that build a whole warehouse with the pipeline (minutes, once per session): a test
#: using one is ``slow`` (``make test-fast`` leaves it out; ``make test`` runs it)
PIPELINE_FIXTURES = {"sample_warehouse", "warehouse_copy", "two_releases"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if PIPELINE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(SLOW_FIRST)))
