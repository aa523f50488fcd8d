"""Shared fixtures: the real-data folder, and one in-process build of the bundled sample."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg
import pytest

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


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> Path:
    """Materialize the whole asset graph in-process on the bundled sample (raw/) into a
    temporary warehouse folder; returns the warehouse folder."""
    from pipelines import run

    wh = tmp_path_factory.mktemp("warehouse")
    old = os.environ.get("FLOORBOARD_WAREHOUSE_DIR")
    os.environ["FLOORBOARD_WAREHOUSE_DIR"] = str(wh)
    try:
        with dg.instance_for_test() as instance:
            assert run.run(instance) == 0
    finally:
        if old is None:
            os.environ.pop("FLOORBOARD_WAREHOUSE_DIR", None)
        else:
            os.environ["FLOORBOARD_WAREHOUSE_DIR"] = old
    assert (wh / "floorboard.duckdb").exists()
    return wh


@pytest.fixture
def warehouse_copy(sample_warehouse: Path, tmp_path: Path) -> Path:
    """A private copy of the sample warehouse folder that a test may change."""
    target = tmp_path / "warehouse"
    shutil.copytree(sample_warehouse, target, ignore=shutil.ignore_patterns("build"))
    return target
