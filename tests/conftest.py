"""Shared fixtures: the real-data folder, and one in-process build of the bundled sample."""

from __future__ import annotations

import csv
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
    from pipelines import run

    base = tmp_path_factory.mktemp("releases")
    wh = base / "warehouse"
    shutil.copytree(sample_warehouse, wh, ignore=shutil.ignore_patterns("build", "extracts"))
    raw = base / "raw"
    shutil.copytree(REPO / "raw", raw)
    old_births = _set_births(raw)
    first = wh / "release1.duckdb"
    shutil.copyfile(wh / "floorboard.duckdb", first)

    saved = {k: os.environ.get(k) for k in ("FLOORBOARD_WAREHOUSE_DIR", "FLOORBOARD_RAW_DIR")}
    os.environ["FLOORBOARD_WAREHOUSE_DIR"] = str(wh)
    os.environ["FLOORBOARD_RAW_DIR"] = str(raw)
    try:
        with dg.instance_for_test() as instance:
            assert run.run(instance) == 0
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return {"warehouse": wh, "first": first, "old_births": old_births}
